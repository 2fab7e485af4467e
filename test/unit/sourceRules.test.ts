// The source rules GP301–GP305 read values, not spellings. Each pattern that used to be a false
// alarm on real libraries is pinned here by a clean twin (not reported) and a positive twin that
// differs in the one thing that matters (still reported): the smoothing term, the epsilon set in
// the constructor, the bounded exp, the dtype comparison, the target-only mask, the where-selection
// comparison, the detached label, the dead debug branch. The rules are run alone (no probe to
// settle them), on the function's own code.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { detectFunctions } from '../../src/core/detect/detect';
import type { Finding } from '../../src/core/findings/types';
import { documentFromText, parseDocument } from '../../src/core/parse/document';
import { loadGrammars } from '../../src/core/parse/treeSitter';
import { sourceRuleFindings } from '../../src/core/rules/sourceRules';

before(async () => {
  await loadGrammars();
});

function findingsOf(source: string, name: string, path = 'm.py'): Finding[] {
  const mod = parseDocument(documentFromText(path, source));
  const target = detectFunctions([mod]).find((t) => t.name === name);
  if (!target) throw new Error(`${name} was not detected in:\n${source}`);
  return sourceRuleFindings(target);
}

const codesOf = (source: string, name: string, path?: string): string[] => [...new Set(findingsOf(source, name, path).map((f) => f.code))].sort();

/** Both twins: the clean one must not report `code`, the positive one must. */
function twins(code: string, clean: { src: string; name: string }, positive: { src: string; name: string }): void {
  assert.ok(!codesOf(clean.src, clean.name).includes(code), `${clean.name} (clean) reported ${code}: ${JSON.stringify(findingsOf(clean.src, clean.name).map((f) => f.message))}`);
  assert.ok(codesOf(positive.src, positive.name).includes(code), `${positive.name} (positive) did not report ${code}: ${JSON.stringify(findingsOf(positive.src, positive.name).map((f) => f.message))}`);
}

const torchHeader = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n';

describe('GP303: a denominator or a log argument is reported only where its range holds 0', () => {
  const dice = (smooth: string) => `${torchHeader}class SoftDiceLoss(nn.Module):
    def __init__(self, smooth=${smooth}):
        super().__init__()
        self.smooth = smooth

    def forward(self, y_pred, y_true):
        p = torch.sigmoid(y_pred)
        tp = (p * y_true).sum(dim=(2, 3))
        fp = (p * (1 - y_true)).sum(dim=(2, 3))
        fn = ((1 - p) * y_true).sum(dim=(2, 3))
        return 1 - (2 * tp + self.smooth) / (2 * tp + fp + fn + self.smooth)


criterion = SoftDiceLoss()
`;
  test('the smoothing term set in the constructor keeps the dice denominator away from 0; a zero smoothing does not', () => {
    twins('GP303', { src: dice('1.0'), name: 'SoftDiceLoss' }, { src: dice('0.0'), name: 'SoftDiceLoss' });
  });

  test('… + 1.0 of a non-negative loss is at least 1; the loss alone can be 0', () => {
    const src = (shift: string) => `${torchHeader}class LogMSE(nn.Module):
    def forward(self, input, target):
        mse = ((input - target) ** 2).mean()
        return torch.log(mse${shift})


criterion = LogMSE()
`;
    twins('GP303', { src: src(' + 1.0'), name: 'LogMSE' }, { src: src(''), name: 'LogMSE' });
  });

  test('log(x + self.epsilon) with a positive epsilon attribute is guarded; the same code with epsilon = 0 is not', () => {
    const src = (eps: string) => `${torchHeader}class NLL(nn.Module):
    def __init__(self, epsilon: float = ${eps}):
        super().__init__()
        self.epsilon = epsilon

    def forward(self, y_pred, y_true):
        return -(y_true * torch.log(y_pred + self.epsilon)).sum(dim=1).mean()


criterion = NLL()
`;
    twins('GP303', { src: src('1e-7'), name: 'NLL' }, { src: src('0.0'), name: 'NLL' });
  });

  test('a call-site value decides, not only the default', () => {
    const src = (arg: string) => `${torchHeader}class NLL(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, y_pred, y_true):
        return -(y_true * torch.log(y_pred + self.eps)).mean()


criterion = NLL(${arg})
`;
    twins('GP303', { src: src('eps=1e-4'), name: 'NLL' }, { src: src('eps=0.0'), name: 'NLL' });
  });

  test('a clamp with a positive floor guards; one with a floor of 0 does not', () => {
    const src = (lo: string) => `${torchHeader}def log_loss(pred, target):
    return -(target * torch.log(pred.clamp(min=${lo}))).mean()


criterion = log_loss
`;
    twins('GP303', { src: src('1e-6'), name: 'log_loss' }, { src: src('0.0'), name: 'log_loss' });
  });

  test('only values that flow from the prediction count: a target-only denominator is the data\'s business', () => {
    const src = (den: string) => `${torchHeader}def weighted_l1(pred, target):
    return (pred - target).abs().sum() / ${den}


criterion = weighted_l1
`;
    twins('GP303', { src: src('target.sum()'), name: 'weighted_l1' }, { src: src('pred.sum()'), name: 'weighted_l1' });
  });

  test('a shape is a count, never 0 where there are values, and never the prediction', () => {
    const src = (den: string) => `${torchHeader}def mean_sq(pred, target):
    n = pred.shape[0]
    return ((pred - target) ** 2).sum() / ${den}


criterion = mean_sq
`;
    twins('GP303', { src: src('n'), name: 'mean_sq' }, { src: src('(pred - target).abs().sum()'), name: 'mean_sq' });
  });

  test('a fractional power of a value that reaches 0: 1 − dice ** −0.75 at a perfect prediction', () => {
    const src = (base: string) => `${torchHeader}class FocalTversky(nn.Module):
    def __init__(self, gamma=0.75, eps=1e-7):
        super().__init__()
        self.gamma = gamma
        self.eps = eps

    def forward(self, y_pred, y_true):
        tp = (y_pred * y_true).sum()
        dice = (tp + self.eps) / (tp + (y_pred * (1 - y_true)).sum() + ((1 - y_pred) * y_true).sum() + self.eps)
        return torch.pow(${base}, -self.gamma)


criterion = FocalTversky()
`;
    twins('GP303', { src: src('torch.clamp(1 - dice, min=self.eps)'), name: 'FocalTversky' }, { src: src('1 - dice'), name: 'FocalTversky' });
  });

  test('an activation: sqrt(x * x + 1) is at least 1, sqrt(|x|) reaches 0', () => {
    const src = (arg: string) => `${torchHeader}class Act(nn.Module):
    def forward(self, x):
        return torch.sqrt(${arg}) - 1.0


layer = nn.Sequential(nn.Linear(4, 4), Act())
`;
    twins('GP303', { src: src('x * x + 1.0'), name: 'Act' }, { src: src('torch.abs(x)'), name: 'Act' });
  });

  test('a hyper-parameter the reading cannot know does not make a reachable 0 (sqrt(1 + alpha·x²))', () => {
    const src = `${torchHeader}class ISRU(nn.Module):
    def __init__(self, alpha):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return x / torch.sqrt(1 + self.alpha * x ** 2)


layer = nn.Sequential(nn.Linear(4, 4), ISRU(alpha=SOME_ALPHA))
`;
    assert.deepEqual(codesOf(src, 'ISRU'), []);
  });
});

describe('GP304: exp is reported only where its exponent is not bounded below 88', () => {
  test('exp(-bce) of a framework loss is at most 1; exp(bce) is not bounded', () => {
    const src = (sign: string) => `${torchHeader}class Focal(nn.Module):
    def forward(self, logits, target):
        bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        pt = torch.exp(${sign}bce)
        return ((1 - pt) ** 2 * bce).mean()


criterion = Focal()
`;
    twins('GP304', { src: src('-'), name: 'Focal' }, { src: src(''), name: 'Focal' });
  });

  test('exp(log_softmax(x)) is at most 1; exp(x) overflows', () => {
    const src = (arg: string) => `${torchHeader}class SoftmaxAct(nn.Module):
    def forward(self, x):
        return torch.exp(${arg})


layer = nn.Sequential(nn.Linear(4, 4), SoftmaxAct())
`;
    twins('GP304', { src: src('F.log_softmax(x, dim=-1)'), name: 'SoftmaxAct' }, { src: src('x'), name: 'SoftmaxAct' });
  });

  test('exp(-0.5 * d ** 2) is at most 1; exp(0.5 * d ** 2) is not', () => {
    const src = (sign: string) => `import jax.numpy as jnp


def gaussian(x):
    d = x - 1.0
    return jnp.exp(${sign}0.5 * d ** 2)


ACTIVATIONS = {"gauss": gaussian}
`;
    twins('GP304', { src: src('-'), name: 'gaussian' }, { src: src(''), name: 'gaussian' });
  });

  test('a bounded exponent that still passes 88: exp(cos(x) / 0.01) reaches e^100', () => {
    const src = (t: string) => `import jax.numpy as jnp


def peaked(x):
    return jnp.exp(jnp.cos(x) / ${t})


ACTIVATIONS = {"peaked": peaked}
`;
    twins('GP304', { src: src('0.5'), name: 'peaked' }, { src: src('0.01'), name: 'peaked' });
  });

  test('x − max(x) is at most 0', () => {
    const src = (shift: string) => `import jax.numpy as jnp


def stable_softmax(x):
    e = jnp.exp(x${shift})
    return e / jnp.sum(e, axis=-1, keepdims=True)


ACTIVATIONS = {"softmax": stable_softmax}
`;
    twins('GP304', { src: src(' - jnp.max(x, axis=-1, keepdims=True)'), name: 'stable_softmax' }, { src: src(''), name: 'stable_softmax' });
  });
});

describe('GP301: only a comparison, round or cast the output depends on through it alone', () => {
  test('a dtype comparison is no comparison of the prediction', () => {
    const src = (test: string) => `${torchHeader}def maybe_cast_mse(pred, target):
    flag = ${test}
    return ((pred.float() - target) ** 2).mean() + 0.0 * flag


criterion = maybe_cast_mse
`;
    assert.deepEqual(codesOf(src('pred.dtype == torch.float16'), 'maybe_cast_mse'), []);
    const positive = `${torchHeader}def hard_accuracy_loss(pred, target):
    return 1.0 - ((pred > 0.5).float() == target).float().mean()


criterion = hard_accuracy_loss
`;
    assert.ok(codesOf(positive, 'hard_accuracy_loss').includes('GP301'));
  });

  test('a mask on the target alone (y_true != ignore_index) is a selection; a mask of the prediction that carries the loss is not', () => {
    const clean = `${torchHeader}class MaskedMSE(nn.Module):
    def __init__(self, ignore_index=-1):
        super().__init__()
        self.ignore_index = ignore_index

    def forward(self, y_pred, y_true):
        mask = y_true != self.ignore_index
        y_true = y_true * mask
        return ((y_pred - y_true) ** 2 * mask).sum() / mask.sum().clamp_min(1)


criterion = MaskedMSE()
`;
    const positive = `${torchHeader}class MaskedCount(nn.Module):
    def forward(self, y_pred, y_true):
        mask = y_pred > 0.5
        return (mask * y_true).mean()


criterion = MaskedCount()
`;
    twins('GP301', { src: clean, name: 'MaskedMSE' }, { src: positive, name: 'MaskedCount' });
  });

  test('where(x > 0, a, b) only selects when the selected values carry the gradient', () => {
    const src = (a: string, b: string) => `${torchHeader}class Leaky(nn.Module):
    def forward(self, x):
        return torch.where(x > 0, ${a}, ${b})


layer = nn.Sequential(nn.Linear(4, 4), Leaky())
`;
    twins('GP301', { src: src('x', '0.01 * x'), name: 'Leaky' }, { src: src('1.0', '0.0'), name: 'Leaky' });
  });

  test('masks multiplied into the gradient-carrying terms (a piecewise-linear unit) are selections', () => {
    const src = `${torchHeader}class SReLU(nn.Module):
    def __init__(self, tr=1.0, tl=-1.0, a=0.1):
        super().__init__()
        self.tr, self.tl, self.a = tr, tl, a

    def forward(self, input):
        return (
            (input >= self.tr).float() * (self.tr + self.a * (input - self.tr))
            + (input < self.tr).float() * (input > self.tl).float() * input
            + (input <= self.tl).float() * (self.tl + self.a * (input - self.tl))
        )


layer = nn.Sequential(nn.Linear(4, 4), SReLU())
`;
    assert.deepEqual(codesOf(src, 'SReLU'), []);
  });

  test('a quantiser: round reaches the output alone; with a straight-through term it does not', () => {
    const src = (body: string) => `import tensorflow as tf


def quant(x):
    return ${body}


hidden = tf.keras.layers.Dense(8, activation=quant)
`;
    twins('GP301', { src: src('x + tf.stop_gradient(tf.round(x * 4.0) / 4.0 - x)'), name: 'quant' }, { src: src('tf.round(x * 4.0) / 4.0'), name: 'quant' });
  });

  test('an integer cast of the target (one-hot labels) is the data; of the prediction, it is the loss', () => {
    const src = (what: string) => `${torchHeader}def hard_dice(pred, target):
    t = ${what === 'target' ? 'target.to(torch.long).float()' : 'target'}
    p = ${what === 'pred' ? 'pred.to(torch.long).float()' : 'pred'}
    return 1 - (2 * (p * t).sum() + 1.0) / (p.sum() + t.sum() + 1.0)


criterion = hard_dice
`;
    twins('GP301', { src: src('target'), name: 'hard_dice' }, { src: src('pred'), name: 'hard_dice' });
  });
});

describe('GP302: only a graph break on the path from the prediction to the output', () => {
  test('a detached label is the data; a detached prediction cuts the loss', () => {
    const src = (logits: string, labels: string) => `${torchHeader}class Distill(nn.Module):
    def forward(self, logits, labels):
        return F.mse_loss(${logits}, ${labels})


criterion = Distill()
`;
    twins('GP302', { src: src('logits', 'labels.detach()'), name: 'Distill' }, { src: src('logits.detach()', 'labels'), name: 'Distill' });
  });

  test('.tolist() of a shape, .item() for logging and a no_grad weight from the target are no graph break of the prediction', () => {
    const src = `${torchHeader}class Weighted(nn.Module):
    def forward(self, input, target):
        axes = torch.arange(2, len(input.shape)).tolist()
        with torch.no_grad():
            weight = 1.0 / (target.sum(dim=axes, keepdim=True) + 1.0)
        loss = (weight * (input - target) ** 2).mean()
        print(loss.item())
        return loss


criterion = Weighted()
`;
    assert.deepEqual(codesOf(src, 'Weighted'), []);
    const positive = src.replace('weight = 1.0 / (target.sum(dim=axes, keepdim=True) + 1.0)\n        loss = (weight * (input - target) ** 2).mean()', 'loss = ((input - target) ** 2).mean()');
    assert.ok(codesOf(positive, 'Weighted').includes('GP302'), 'the loss computed under no_grad is cut');
  });

  test('a weight computed without gradient from the prediction multiplies a term that carries it: a weight, not a break', () => {
    const src = (weighted: boolean) => `${torchHeader}class DistanceWeighted(nn.Module):
    def forward(self, input, target):
        dt = input.detach() ** 2
        return ${weighted ? '((input - target) ** 2 * dt).mean()' : 'dt.mean()'}


criterion = DistanceWeighted()
`;
    twins('GP302', { src: src(true), name: 'DistanceWeighted' }, { src: src(false), name: 'DistanceWeighted' });
  });
});

describe('debug-only paths count only where the defaults take them', () => {
  const src = (debug: string) => `${torchHeader}class Checked(nn.Module):
    def __init__(self, debug=${debug}):
        super().__init__()
        self.debug = debug

    def forward(self, input, target):
        loss = ((input - target) ** 2).mean()
        if self.debug:
            return loss.detach()
        return loss


criterion = Checked()
`;
  test('if self.debug: return loss.detach() with debug=False is dead; with debug=True it is the output', () => {
    twins('GP302', { src: src('False'), name: 'Checked' }, { src: src('True'), name: 'Checked' });
  });

  test('a reduction chosen by a default string: the branch the default does not take is not read', () => {
    const code = (reduction: string) => `${torchHeader}class QFL(nn.Module):
    def __init__(self, reduction="${reduction}"):
        super().__init__()
        self.reduction = reduction

    def forward(self, predictions, targets):
        focal = (torch.sigmoid(predictions) - targets).abs() ** 2
        loss = focal * F.binary_cross_entropy_with_logits(predictions, targets, reduction="none")
        if self.reduction == "mean":
            return loss.mean()
        return loss.sum() / focal.sum()


criterion = QFL()
`;
    twins('GP303', { src: code('mean'), name: 'QFL' }, { src: code('normalized'), name: 'QFL' });
  });
});

describe('GP305: a where() branch is read whole, the double where narrows', () => {
  test('sqrt(where(x > 0, x, 1.0)) inside where is safe; sqrt(x) is the trap', () => {
    const src = (arg: string) => `import jax.numpy as jnp


def root_relu(x):
    safe = jnp.where(x > 0, x, 1.0)
    return jnp.where(x > 0, jnp.sqrt(${arg}), 0.0)


ACTIVATIONS = {"root": root_relu}
`;
    twins('GP305', { src: src('safe'), name: 'root_relu' }, { src: src('x'), name: 'root_relu' });
    assert.ok(!codesOf(src('x'), 'root_relu').includes('GP303'), 'a problem inside a where branch is the where trap, not GP303');
  });

  test('where(x != 0, x, 1.0) is never 0: sin(s) / s of it is safe; sin(x) / x is the trap', () => {
    const src = (d: string) => `import jax.numpy as jnp


def sinc(x):
    s = jnp.where(x != 0, x, 1.0)
    return jnp.where(x != 0, jnp.sin(${d}) / ${d}, 1.0)


ACTIVATIONS = {"sinc": sinc}
`;
    twins('GP305', { src: src('s'), name: 'sinc' }, { src: src('x'), name: 'sinc' });
  });
});

describe('messages name the expression and the fix; evidence keeps the range', () => {
  test('GP303 names the argument, its range and an epsilon', () => {
    const src = `import tensorflow as tf


def poisson(y_true, y_pred):
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred), axis=-1)


def build(model):
    model.compile(loss=poisson)
`;
    const [f] = findingsOf(src, 'poisson');
    assert.equal(f.code, 'GP303');
    assert.match(f.message, /^tf\.math\.log\(y_pred\): y_pred can reach 0 \(range \[0, 1\]\)/);
    assert.match(f.message, /log\(y_pred \+ 1e-7\)/);
    assert.equal(f.evidence.range, '[0, 1]');
    assert.equal(f.evidence.argument, 'y_pred');
  });

  test('GP301 says the output depends on the input only through the op, and how to train through it', () => {
    const src = `import jax.numpy as jnp


def zero_one(logits, labels):
    wrong = jnp.argmax(logits, axis=-1) != jnp.argmax(labels, axis=-1)
    return jnp.mean(wrong.astype(jnp.float32))


def train(params):
    loss_fn = zero_one
    return loss_fn
`;
    const fs = findingsOf(src, 'zero_one');
    assert.deepEqual(fs.map((f) => f.code), ['GP301']);
    assert.match(fs[0].message, /^jnp\.argmax\(logits, axis=-1\) is piecewise constant/);
    assert.match(fs[0].message, /logits gets no gradient/);
  });
});
