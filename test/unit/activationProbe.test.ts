import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, codes, fn } from '../helpers';

const header = 'import torch\nimport torch.nn.functional as F\n\n';

async function probe(body: string, name: string) {
  const reports = await analyze({ 'acts.py': `${header}${body}\nACTIVATIONS = {"a": ${name}}\n` });
  return fn(reports, name);
}

test('GP101: log of |x| is -inf at 0', async () => {
  const r = await probe('def symlog(x):\n    return torch.sign(x) * torch.log(torch.abs(x))\n', 'symlog');
  assert.ok(codes(r).includes('GP101'), codes(r).join());
  assert.ok(codes(r).includes('GP303'));
  assert.deepEqual(r.findings.find((f) => f.code === 'GP101')?.evidence.x, [0]);
});

test('GP102: sqrt(|x|) is finite at 0 but its gradient is not', async () => {
  const r = await probe('def root(x):\n    return torch.sign(x) * torch.sqrt(torch.abs(x))\n', 'root');
  assert.ok(codes(r).includes('GP102'), codes(r).join());
  assert.ok(!codes(r).includes('GP101'));
});

test('GP103 and GP304: exp overflows only past 88', async () => {
  const r = await probe('def soft(x):\n    return torch.log(1 + torch.exp(x))\n', 'soft');
  assert.ok(codes(r).includes('GP103'), codes(r).join());
  assert.ok(codes(r).includes('GP304'));
  assert.ok(!codes(r).includes('GP101'));
});

test('GP103 and the GP304 it confirms count overflow only out to |x| = 100', async () => {
  // exp(0.5x) overflows past x ≈ 177: outside a working network's pre-activations, so neither finding.
  const far = await probe('def far(x):\n    return 1 / (1 + torch.exp(-0.5 * x))\n', 'far');
  assert.ok(!codes(far).includes('GP103'), codes(far).join());
  assert.ok(!codes(far).includes('GP304'), codes(far).join());
  // The twin with exp(-x) overflows past x ≈ -88.7, inside the window: both, with the window in the evidence.
  const near = await probe('def near(x):\n    return 1 / (1 + torch.exp(-1.0 * x))\n', 'near');
  assert.ok(codes(near).includes('GP103'), codes(near).join());
  assert.ok(codes(near).includes('GP304'), codes(near).join());
  assert.deepEqual(near.findings.find((f) => f.code === 'GP103')?.evidence.window, [50, 100]);
});

test('GP104 and GP105 judge the slope on [-3, 3]', async () => {
  const flat = await probe('def flat(x):\n    return torch.tanh(0.02 * x)\n', 'flat');
  assert.ok(codes(flat).includes('GP104'), codes(flat).join());
  const steep = await probe('def steep(x):\n    return 30 * torch.tanh(x)\n', 'steep');
  assert.ok(codes(steep).includes('GP105'), codes(steep).join());
});

test('GP106 for a step function, GP107 for a ReLU-like dead half', async () => {
  const step = await probe('def step(x):\n    return torch.round(x)\n', 'step');
  assert.ok(codes(step).includes('GP106'), codes(step).join());
  const relu = await probe('def shifted_relu(x):\n    return torch.clamp(x, min=0.0) + 0.01\n', 'shifted_relu');
  assert.ok(codes(relu).includes('GP107'), codes(relu).join());
  assert.ok(!codes(relu).includes('GP106'));
});

test('GP108: Swish dips (info), x + 2 sin 3x oscillates (warning), tanh is monotonic', async () => {
  const swish = await probe('def swish(x):\n    return x * torch.sigmoid(x)\n', 'swish');
  assert.equal(swish.findings.find((f) => f.code === 'GP108')?.severity, 'info');
  const wiggle = await probe('def wiggle(x):\n    return x + 2.0 * torch.sin(3.0 * x)\n', 'wiggle');
  assert.equal(wiggle.findings.find((f) => f.code === 'GP108')?.severity, 'warning');
  const tanh = await probe('def scaled_tanh(x):\n    return 1.7159 * torch.tanh(0.6666 * x)\n', 'scaled_tanh');
  assert.ok(!codes(tanh).includes('GP108'));
});

test('GP108 by design: an even f or a periodic one is an info, a deep dip that is neither stays a warning', async () => {
  const gp108 = (r: Awaited<ReturnType<typeof probe>>) => r.findings.find((f) => f.code === 'GP108');
  // Even: log(1 + x²) turns at 0.
  const seagull = gp108(await probe('def seagull(x):\n    return torch.log(1 + x * x)\n', 'seagull'));
  assert.deepEqual([seagull?.severity, seagull?.evidence.design], ['info', 'even']);
  // Periodic: sin(x) (SIREN) changes slope every π.
  const sine = gp108(await probe('def wave(x):\n    return torch.sin(x)\n', 'wave'));
  assert.deepEqual([sine?.severity, sine?.evidence.design], ['info', 'periodic']);
  // Twins: shifted off even (log(1 + (x - 1)²)) and x·cos x (sign changes at uneven spacing): warnings.
  const shifted = gp108(await probe('def shifted(x):\n    return torch.log(1 + (x - 1) * (x - 1))\n', 'shifted'));
  assert.deepEqual([shifted?.severity, shifted?.evidence.design], ['warning', undefined]);
  const gcu = gp108(await probe('def gcu(x):\n    return x * torch.cos(x)\n', 'gcu'));
  assert.deepEqual([gcu?.severity, gcu?.evidence.design], ['warning', undefined]);
});

test('GP109: a sigmoid stack vanishes against ReLU; GELU and tanh do not', async () => {
  const keras = (body: string, name: string) => analyze({ 'k.py': `import tensorflow as tf\n\n${body}\nREG = {"activations": ${name}}\n` }).then((r) => fn(r, name));
  const sig = await keras('def logistic(x):\n    return 1 / (1 + tf.exp(-x))\n', 'logistic');
  assert.ok(codes(sig).includes('GP109'), codes(sig).join());
  const gelu = await keras('def my_gelu(x):\n    return 0.5 * x * (1 + tf.math.erf(x / 1.4142135))\n', 'my_gelu');
  assert.ok(!codes(gelu).includes('GP109') && !codes(gelu).includes('GP110'), codes(gelu).join());
  const tanh = await keras('def my_tanh(x):\n    return tf.tanh(x)\n', 'my_tanh');
  assert.ok(!codes(tanh).includes('GP109') && !codes(tanh).includes('GP110'), codes(tanh).join());
});

test('GP112: a custom gradient that is wrong, and one that is right', async () => {
  const src = `import torch

class BadSoftsign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x.abs())

class GoodSoftsign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x.abs()) ** 2
`;
  const reports = await analyze({ 'fns.py': src });
  assert.ok(codes(fn(reports, 'BadSoftsign')).includes('GP112'));
  assert.ok(!codes(fn(reports, 'GoodSoftsign')).includes('GP112'));
});

test('a straight-through estimator is not GP106 and not GP112', async () => {
  const src = `import tensorflow as tf

@tf.custom_gradient
def ste_round(x):
    def grad(dy):
        return dy
    return tf.round(x), grad
`;
  const r = fn(await analyze({ 'ste.py': src }), 'ste_round');
  assert.ok(!codes(r).includes('GP106') && !codes(r).includes('GP112'), codes(r).join());
  assert.match(r.summary, /straight-through/);
});

test('suppression comments silence named codes only', async () => {
  const src = `${header}def wave(x):  # gradprobe: ignore[GP108]\n    return torch.sin(x)\n\ndef symlog(x):  # noqa: GP303\n    return torch.sign(x) * torch.log(torch.abs(x))\n\nA = {"act": wave, "act_b": symlog}\n`;
  const reports = await analyze({ 's.py': src });
  assert.ok(!codes(fn(reports, 'wave')).includes('GP108'));
  const s = codes(fn(reports, 'symlog'));
  assert.ok(!s.includes('GP303') && s.includes('GP101'), s.join());
});
