// Eager-mode parity: functions that need the data to run (branches on tensor values, boolean-mask
// and advanced indexing, item and slice assignment, in-place methods and aliases). Each case's
// reference runs the very same source with PyTorch (reference.py's run_source), so GradProbe's
// values and gradients are compared with what PyTorch computes for that code in eager mode.
import type { Nested, ParityCase } from './cases';

const TORCH = 'import torch\nimport torch.nn.functional as F';
const XG = [-2.1, -0.9, -0.35, 0.2, 0.75, 1.6];
const L_YP = [[0.3, -1.2, 2.0], [0.9, 0.1, -0.4]];
const L_YT = [[0.5, 0.2, 1.1], [-0.8, 0.6, 0.4]];
const Z_YT = [[0.0, 0.2, 1.1], [-0.8, 0.0, 0.4]];

interface Eager { name: string; fn: string; body: string; x?: number[]; yTrue?: Nested; yPred?: Nested }

/** One function per pattern: `body` is the function's source after the imports. */
const eager: Eager[] = [
  // ---- item, slice and mask assignment
  { name: 'mask-assign', fn: 'f', x: XG, body: `def f(x):
    y = x.clone()
    y[y < 0] = 0.1 * y[y < 0]
    return y
` },
  { name: 'mask-assign-scalar', fn: 'f', x: XG, body: `def f(x):
    y = x * 2.0
    y[x.abs() > 1.0] = 0.0
    return y * x
` },
  { name: 'item-assign', fn: 'f', x: XG, body: `def f(x):
    y = x.clone()
    y[0] = 0.5
    y[-1] = y[-1] * 3.0
    y[2] = x[3] ** 2
    return y
` },
  { name: 'slice-assign-2d', fn: 'f', x: XG, body: `def f(x):
    X = x.view(2, 3)
    y = X.clone()
    y[:, 0] = X[:, 1] * X[:, 2]
    y[1, 1:] = 0.0
    return y.reshape(-1)
` },
  { name: 'list-index-assign', fn: 'f', x: XG, body: `def f(x):
    y = x.clone()
    even = [i for i in range(0, y.shape[0], 2)]
    odd = [i for i in range(1, y.shape[0], 2)]
    y[even] = y[even].clamp(min=0)
    y[odd] = -(0 - y[odd]).clamp(min=0)
    return y
` },
  { name: 'aug-index-duplicates', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.0
    idx = torch.tensor([0, 0, 2])
    y[idx] += x[torch.tensor([1, 3, 5])] * 2.0
    return y
` },
  { name: 'index-put-accumulate', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.0
    idx = torch.tensor([4, 4, 1])
    y.index_put_((idx,), x[:3] ** 2, accumulate=True)
    return y
` },
  { name: 'chained-view-write', fn: 'f', x: XG, body: `def f(x):
    y = x.view(3, 2) * 1.0
    y[:, 0][y[:, 0] < 0] = 0.0
    y[:, 1].clamp_(min=0.0)
    y[1:][0, 1] *= 4.0
    return y.reshape(-1)
` },

  // ---- in-place methods and aliases
  { name: 'inplace-chain', fn: 'f', x: XG, body: `def f(x):
    z = x.clone()
    z.mul_(2).add_(1)
    z.clamp_(min=-1.5, max=3.0)
    z.masked_fill_(x > 1.0, 0.25)
    return z * x
` },
  { name: 'inplace-fill-copy-zero', fn: 'f', x: XG, body: `def f(x):
    a = x * 3.0
    b = x * 1.0
    b[:2].zero_()
    b[4:].fill_(2.0)
    c = x * 0.0
    c.copy_(a)
    return a + b * c
` },
  { name: 'alias-plus-equals', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.0
    a = y
    a += 1.0
    a *= x
    return y + a
` },
  { name: 'inplace-functional', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.0
    F.leaky_relu(y, 0.1, inplace=True)
    z = x * 1.0
    torch.sigmoid_(z)
    return y * z
` },
  { name: 'no-grad-inplace-straight-through', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.5
    with torch.no_grad():
        y.clamp_(-1.0, 1.0)
    return y * 2.0
` },
  { name: 'data-write-straight-through', fn: 'f', x: XG, body: `def f(x):
    y = x ** 2
    y.data[y.data > 1.0] = 1.0
    return y
` },

  // ---- reading: strided, boolean and advanced indices (PyTorch's rules)
  // PyTorch has no negative steps (NumPy's are checked in the unit tests).
  { name: 'strided-slices', fn: 'f', x: XG, body: `def f(x):
    X = x.view(2, 3)
    return torch.cat([x[::2] * 2.0, x[1::2] ** 2, x[-5::3], X[:, ::2].reshape(-1), X[-1:, 1]])
` },
  { name: 'boolean-mask-read', fn: 'f', x: XG, body: `def f(x):
    X = x.view(2, 3)
    rows = X[X.sum(1) > 0]
    cols = X[:, X[0] < 0]
    return torch.cat([x[x > 0] ** 2, rows.reshape(-1), cols.reshape(-1) * 3.0])
` },
  { name: 'advanced-mixed', fn: 'f', x: XG, body: `def f(x):
    X = x.view(2, 3)
    a = X[[1, 0], 1:3]
    b = X[:, [2, 0]]
    c = X[..., [0, 2]]
    d = X[None, :, [1]]
    e = X[[1, 0], [2, 0]]
    g = X[0, [2, 2, 1]]
    return torch.cat([a.reshape(-1), 2.0 * b.reshape(-1), 3.0 * c.reshape(-1), 4.0 * d.reshape(-1), 5.0 * e, 6.0 * g])
` },
  { name: 'advanced-int-separated', fn: 'f', x: XG, body: `def f(x):
    X = x.view(1, 2, 3)
    a = X[0, :, [0, 2]]
    b = X[[0, 0], 1, 1:]
    return torch.cat([a.reshape(-1), 2.0 * b.reshape(-1)])
` },

  // ---- branches on tensor values
  { name: 'branch-on-sum', fn: 'f', x: XG, body: `def f(x):
    if x.sum() > 0:
        return x * 2.0
    return x ** 2
` },
  { name: 'branch-any-while', fn: 'f', x: XG, body: `def f(x):
    y = x * 1.0
    k = 0
    while y.abs().max() > 0.5 and k < 10:
        y = y / 2.0
        k += 1
    if torch.any(y < -0.2):
        y = y - 0.1
    return y if y.mean() < 0 else -y
` },
  { name: 'lovasz-style-mean', fn: 'f', x: XG, body: `def mean(values, empty=0):
    values = iter(values)
    try:
        n = 1
        acc = next(values)
    except StopIteration:
        return empty
    for n, v in enumerate(values, 2):
        acc += v
    if n == 1:
        return acc
    return acc / n


def f(x):
    return mean(x[i] * (i + 1) for i in range(x.shape[0])) + mean([]) + x * 0.0
` },

  // ---- losses
  { name: 'loss-ignore-mask', fn: 'masked_mse', yTrue: Z_YT, yPred: L_YP, body: `def masked_mse(input, target):
    loss = F.mse_loss(input, target, reduction='none')
    loss[target == 0] = 0.0
    return loss.sum() / (target != 0).sum()
` },
  { name: 'loss-wing-mask', fn: 'wing', yTrue: L_YT, yPred: L_YP, body: `def wing(input, target, width=0.5, curvature=0.5):
    diff = (input - target).abs()
    loss = diff.clone()
    small = diff < width
    loss[small] = width * torch.log(1 + diff[small] / curvature)
    loss[~small] = loss[~small] - (width - width * torch.log(torch.tensor(1 + width / curvature)))
    return loss.mean()
` },
  // An index built at run time: a list of slice() objects, read by PyTorch as a tuple (central differences).
  { name: 'slice-objects-list-index', fn: 'f', x: XG, body: `def f(x):
    X = x.view(1, 1, 2, 3)
    s, e = [slice(None), slice(None)], [slice(None), slice(None)]
    while len(s) < X.ndim:
        s = s + [slice(0, None)]
        e = e + [slice(None, 2)]
    s[3] = slice(1, None)
    e[3] = slice(0, -1)
    d = (X[s] - X[e]) / 2.0
    return x * ((d ** 2).sum() + X[[slice(None), 0, slice(1)]].sum() + x[slice(3)].sum())
` },
  { name: 'loss-branch-and-assert', fn: 'ratio_loss', yTrue: L_YT, yPred: L_YP, body: `def ratio_loss(input, target):
    assert input.shape == target.shape, "shapes differ"
    assert input.dim() == 2 and input.size(1) == 3
    d = input - target
    if (d ** 2).mean() > 1.0:
        return d.abs().mean()
    return (d ** 2).mean()
` },
];

/** Python's repr of a string (the JSON form is a valid Python literal for this text). */
const pyString = (s: string): string => JSON.stringify(s);

export function eagerCases(): ParityCase[] {
  return eager.map((c) => {
    const text = `${TORCH}\n\n\n${c.body}`;
    const base = { id: `composite:eager-${c.name}`, rows: [], path: 'parity_eager.py', text, name: c.fn };
    if (c.x) return { ...base, kind: 'activation' as const, x: c.x, ref: `run_source(${pyString(text)}, ${pyString(c.fn)}, x)` };
    return { ...base, kind: 'loss' as const, yTrue: c.yTrue, yPred: c.yPred, ref: `run_source(${pyString(text)}, ${pyString(c.fn)}, yp, yt)` };
  });
}
