// Which of a loss's two inputs is the prediction, decided in this order: the framework that calls
// it (Keras and TF.js call a loss as (y_true, y_pred): `compile(loss=f)`, a keras.losses.Loss
// subclass, a LossFunctionWrapper's fn), a call in the workspace (`criterion(logits, labels)`: which
// argument is the model's output), the parameter names, and last the framework's documented
// convention (PyTorch (input, target), Keras (y_true, y_pred), JAX/optax (predictions, targets)).
// What the names say is kept apart: when the framework or a call decided otherwise, the names only
// feed GP207.
import type { Framework } from '../ir/frameworks';
import type { Expr } from '../ir/ir';
import { dottedName } from '../ir/ir';
import type { CallSite, FrameworkCaller } from '../detect/callSites';
import { conventionIndex, namesOrder, predictionName, targetName } from '../detect/parameterRoles';

export interface LossMapping {
  /** Index of the prediction among the two inputs. */
  predIndex: 0 | 1;
  /** What decided, e.g. `keras: (y_true, y_pred)`, `pytorch: (logits, target)`, `call site train.py:40: criterion(logits, labels)`. */
  label: string;
  /** What the parameter names alone say (undefined when they do not decide): GP207 compares it with the convention. */
  byNames?: 0 | 1;
  /** How the decision was made. */
  decidedBy: 'framework' | 'call site' | 'names' | 'convention';
}

/** 0 or 1 when the names say which parameter is the prediction (the vocabulary is parameterRoles'); else undefined. */
export const orderByNames = namesOrder;
export { conventionIndex };

/** `keras` for tensorflow, as users call it. */
export function frameworkLabel(framework: Framework): string {
  return framework === 'tensorflow' ? 'keras' : framework;
}

/** The role a call's argument plays: the model's output, the target, or unknown. */
export function argumentRole(e: Expr): 'prediction' | 'target' | undefined {
  switch (e.kind) {
    case 'name': return roleOfName(e.id);
    case 'attribute': return roleOfName(e.name);
    case 'subscript': {
      if (e.index.kind === 'string') return roleOfName(e.index.value) ?? argumentRole(e.object);
      return argumentRole(e.object);
    }
    case 'call': {
      const callee = dottedName(e.callee) ?? (e.callee.kind === 'attribute' ? e.callee.name : '');
      const last = callee.split('.').pop() ?? '';
      // model(x), self.net(x), self(x): what a model returns is the prediction.
      if (/^(self|this)$/.test(callee) || /(^|_)(model|net|network|forward|head|classifier|decoder|predict|predictor)$/i.test(last) || /(Model|Net)$/.test(last)) return 'prediction';
      // labels.float(), y.view(-1), logits.squeeze(1): the receiver's role.
      if (e.callee.kind === 'attribute' && /^(float|long|int|double|half|bool|view|reshape|squeeze|unsqueeze|to|cuda|cpu|type|type_as|detach|contiguous|flatten|permute|transpose|clone|astype)$/.test(e.callee.name)) return argumentRole(e.callee.object);
      // F.one_hot(labels, n), torch.sigmoid(logits): the first argument's role.
      const first = e.args.find((a) => !a.name);
      return first ? argumentRole(first.value) : undefined;
    }
    default: return undefined;
  }
}

function roleOfName(name: string): 'prediction' | 'target' | undefined {
  if (predictionName.test(name) && !targetName.test(name)) return 'prediction';
  if (targetName.test(name)) return 'target';
  return undefined;
}

/** Which of a call's first two positional arguments is the prediction, if the call says. */
export function orderAtCall(site: CallSite, skip = 0): 0 | 1 | undefined {
  const positional = site.args.filter((a) => !a.name && !a.spread).slice(skip, skip + 2);
  if (positional.length < 2) return undefined;
  const [a, b] = positional.map((p) => argumentRole(p.value));
  if (a === 'prediction' && b !== 'prediction') return 0;
  if (b === 'prediction' && a !== 'prediction') return 1;
  if (a === 'target' && b !== 'target') return 1;
  if (b === 'target' && a !== 'target') return 0;
  return undefined;
}

export interface MappingEvidence {
  inputs: string[];
  framework: Framework;
  /** A framework calls it: `compile(loss=…)`, a keras.losses.Loss subclass, LossFunctionWrapper. */
  caller?: FrameworkCaller;
  /** Calls of the loss itself with its inputs (not its constructor), own module first. */
  calls: CallSite[];
  /** Leading positional arguments of those calls that are not the inputs (autograd's ctx is not passed). */
  skip?: number;
}

export function decideMapping(e: MappingEvidence): LossMapping {
  const [a, b] = e.inputs;
  const byNames = orderByNames(e.inputs);
  const named = (fw: string): string => `${fw}: (${a ?? '?'}, ${b ?? '?'})`;
  if (e.caller) {
    const label = e.caller.framework === 'tfjs' ? 'tfjs: (yTrue, yPred)' : 'keras: (y_true, y_pred)';
    return { predIndex: 1, label, byNames, decidedBy: 'framework' };
  }
  for (const site of e.calls) {
    const order = orderAtCall(site, e.skip ?? 0);
    if (order !== undefined) return { predIndex: order, label: `call site ${site.where}: ${site.text}`, byNames, decidedBy: 'call site' };
  }
  const fw = frameworkLabel(e.framework);
  if (byNames !== undefined) return { predIndex: byNames, label: named(fw), byNames, decidedBy: 'names' };
  return { predIndex: conventionIndex(e.framework), label: named(fw), byNames, decidedBy: 'convention' };
}
