// What the static read of a loss finds (lossRead.ts), without running anything: what the function
// does to the prediction and to the target. The family decision (lossFamily.ts) and the loss probe's
// messages (loss.ts, argumentOrder.ts) read these facts.
import type { DetectedFunction } from '../detect/detect';
import type { OpTag } from '../ops/implementations';
import type { Span } from '../ir/ir';

/** An op the static read found, where it is and what it was applied to. */
export interface SourceOp {
  what: string;
  span: Span;
}

/** A framework loss as its op tags describe it. */
export interface LossOpInfo {
  kind: 'logits' | 'prob' | 'logprob' | 'regression';
  arity?: 'binary' | 'categorical';
  sparse?: boolean;
}

export interface LossFacts {
  predName: string;
  targetName: string;
  /** log (or xlogy) of an expression of the prediction: probabilities. */
  predLog: SourceOp[];
  /** log(1 − p) / log1p(−p): a binary probability form. */
  predLogComplement: SourceOp[];
  /** log(p + 1), log1p(p), sqrt(p): a transform of a non-negative regression target. */
  predLogShifted: SourceOp[];
  /** log/sqrt of the target alone, multiplied with the prediction (the prediction used as the weight). */
  targetLogTimesPred: SourceOp[];
  /** log/sqrt applied to the target alone anywhere (for the evidence). */
  targetLog: SourceOp[];
  /** sigmoid/softmax (and their log forms) applied to the prediction. */
  activations: (SourceOp & { kind: 'sigmoid' | 'softmax' })[];
  /** log(1 + exp(z)), softplus, logsumexp of the prediction: a loss written on logits. */
  softplusForm: SourceOp[];
  /** Framework losses the prediction is fed to. */
  lossOps: (SourceOp & { info: LossOpInfo; fromLogits: boolean })[];
  /** The target made one-hot from integer labels: one_hot(t), ones scattered at its indices. */
  oneHotTarget: SourceOp[];
  indexByTarget: SourceOp[];
  /** 1 − target: the complement of a binary label (targets in [0, 1]). */
  targetComplement: SourceOp[];
  /**
   * Ratios of sums of prediction × target products (Dice, IoU, Tversky); `activated` when the
   * prediction reached the ratio through a sigmoid/softmax (the ratio's term then takes logits).
   */
  diceRatios: (SourceOp & { axes: number[] | 'all'; activated: boolean })[];
  /** Reductions over the last axis of log terms, row normalisation, argmax over the last axis. */
  lastAxisReductions: SourceOp[];
  /** c − y_true·y_pred (hinge-style margins): targets are ±1 labels in the prediction's space. */
  margins: SourceOp[];
  /** Division by an expression of the prediction. */
  predDivisions: SourceOp[];
  /** sqrt of an expression of the prediction (distances included). */
  predSqrt: SourceOp[];
  /** where/select whose branches depend on the prediction. */
  predWhere: SourceOp[];
  /** Ops on the gradient path from the prediction that cut it. */
  kills: SourceOp[];
  /** GP211 and GP207 evidence the static read alone establishes. */
  doubleActivation: (SourceOp & { message: string })[];
  swappedArguments: (SourceOp & { message: string })[];
  /**
   * A hinge max(m − d, 0) of the prediction weighted by the target or its complement (contrastive
   * losses on pair distances): which label marks a similar pair (the other one carries the hinge).
   */
  pairHinges: (SourceOp & { similarLabel: 0 | 1; margin?: number })[];
  /** A similarity or distance matrix of the prediction with itself (x·xᵀ, cdist(x, x)): embeddings. */
  predGram: SourceOp[];
  /** A similarity matrix of the prediction with the target (x·yᵀ): two views of embeddings. */
  crossGram: SourceOp[];
  /** The target compared with itself (labels[:, None] == labels[None, :]): integer labels of embeddings. */
  targetPairwise: SourceOp[];
  /** The prediction and the target joined into one batch (cat([x, y])): two views of embeddings. */
  viewsJoined: SourceOp[];
  /** The target L2-normalised like an embedding. */
  targetNormalized: SourceOp[];
  /** A constant index on the last axis of the prediction or the target (x[..., 2]): box coordinates. */
  coordinates: (SourceOp & { index: number })[];
  /** A box format the code names (`xywh`, `cxcywh`, `center`): how the four coordinates are read. */
  boxFormats: (SourceOp & { format: 'xyxy' | 'xywh' | 'cxcywh' })[];
  /** The body treats the prediction as an image batch: unpacks its 4 or 5 dimensions, convolves or pools it, reduces over its spatial axes. */
  imageOps: (SourceOp & { rank: 4 | 5 })[];
  /** Conditions resolved with the parameters' values (defaults, call-site arguments, attributes): the branch taken. */
  branches: (SourceOp & { taken: boolean })[];
}

export function emptyFacts(predName: string, targetName: string): LossFacts {
  return {
    predName, targetName, predLog: [], predLogComplement: [], predLogShifted: [], targetLogTimesPred: [], targetLog: [], activations: [],
    softplusForm: [], lossOps: [], oneHotTarget: [], indexByTarget: [], targetComplement: [], diceRatios: [], lastAxisReductions: [], margins: [], predDivisions: [],
    predSqrt: [], predWhere: [], kills: [], doubleActivation: [], swappedArguments: [], pairHinges: [], predGram: [], crossGram: [],
    targetPairwise: [], viewsJoined: [], targetNormalized: [], coordinates: [], boxFormats: [], imageOps: [], branches: [],
  };
}

/** A framework loss's kind from its op's tags; undefined for an op that is not a framework loss. */
export function lossOpInfo(tags: readonly OpTag[]): LossOpInfo | undefined {
  const kind = tags.includes('prob-loss') ? 'prob' : tags.includes('logits-loss') ? 'logits' : tags.includes('logprob-loss') ? 'logprob' : tags.includes('regression-loss') ? 'regression' : undefined;
  if (!kind) return undefined;
  const arity = tags.includes('binary') ? 'binary' : tags.includes('categorical') ? 'categorical' : undefined;
  return { kind, ...(arity ? { arity } : {}), ...(tags.includes('sparse-labels') ? { sparse: true } : {}) };
}

/** The parameter names of prediction and target, as the framework passes them. */
export function lossParameterNames(target: DetectedFunction, predIndex: 0 | 1): { pred: string; target: string } {
  const [a, b] = target.inputs;
  return predIndex === 0 ? { pred: a ?? 'y_pred', target: b ?? 'y_true' } : { pred: b ?? 'y_pred', target: a ?? 'y_true' };
}
