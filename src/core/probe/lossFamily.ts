// The loss probe's input family, decided from the static read's facts: what the function does to
// the prediction says what the prediction is (probabilities, logits, masks, or plain regression),
// binary or categorical, dense or integer labels. The reasons are reported with the family.
import type { LossFacts, SourceOp } from './lossFacts';

export type LossSpace = 'regression' | 'probabilities' | 'logits' | 'masks';

export interface LossFamily {
  space: LossSpace;
  arity: 'binary' | 'categorical';
  labels: 'dense' | 'index';
  /** Regression only: non-negative when the loss takes log(1 + p), log1p(p) or sqrt(p). */
  domain: 'real' | 'nonnegative';
  /** Regression only: ±1 labels for a hinge-style margin (c − y_true·y_pred). */
  signedTargets: boolean;
  /** Masks: per-sample maps (channels last / first) or per-class masks over rows (sums over axis 0). */
  maskLayout: 'nhwc' | 'nchw' | 'rows';
  name: string;
  reasons: string[];
}

const line = (op: SourceOp): string => `${op.what} (line ${op.span.startLine + 1})`;

export function chooseLossFamily(facts: LossFacts): LossFamily {
  const reasons: string[] = [];
  const logitsOps = facts.lossOps.filter((o) => o.info.kind === 'logits' || (o.info.kind === 'prob' && o.fromLogits));
  const probOps = facts.lossOps.filter((o) => o.info.kind === 'prob' && !o.fromLogits);
  const sparse = facts.lossOps.some((o) => o.info.sparse);
  const labels: LossFamily['labels'] = facts.oneHotTarget.length || facts.indexByTarget.length || sparse ? 'index' : 'dense';
  if (facts.oneHotTarget.length) reasons.push(`one-hot of ${facts.targetName}: ${line(facts.oneHotTarget[0])}`);
  else if (facts.indexByTarget.length) reasons.push(`${facts.predName} indexed by ${facts.targetName}: ${line(facts.indexByTarget[0])}`);
  else if (sparse) reasons.push(`sparse (integer-label) loss: ${line(facts.lossOps.find((o) => o.info.sparse)!)}`);

  const predNameLogits = /logit|score/i.test(facts.predName);
  let space: LossSpace;
  if (facts.activations.length || logitsOps.length || facts.softplusForm.length) {
    space = 'logits';
    const why = facts.activations[0] ?? logitsOps[0] ?? facts.softplusForm[0];
    reasons.push(logitsOps[0] && logitsOps[0].info.kind === 'prob' ? `from_logits=True: ${line(logitsOps[0])}` : `${line(why)} applied to ${facts.predName}`);
  } else if (facts.diceRatios.length) {
    space = 'masks';
    reasons.push(`${line(facts.diceRatios[0])}`);
  } else if (facts.predLog.length || facts.predLogComplement.length || probOps.length) {
    space = 'probabilities';
    const why = facts.predLog[0] ?? facts.predLogComplement[0] ?? probOps[0];
    reasons.push(`${line(why)} of ${facts.predName}`);
  } else if (facts.targetLogTimesPred.length) {
    space = 'probabilities';
    reasons.push(`${line(facts.targetLogTimesPred[0])} of ${facts.targetName} weighted by ${facts.predName} (a cross-entropy form)`);
  } else if (predNameLogits || facts.lossOps.some((o) => o.info.kind === 'logprob')) {
    space = 'logits';
    reasons.push(predNameLogits ? `the prediction is named ${facts.predName}` : 'a loss on log-probabilities');
  } else {
    space = 'regression';
    reasons.push(`no log of a probability, sigmoid/softmax or overlap ratio of ${facts.predName}`);
  }

  let arity: LossFamily['arity'] = 'binary';
  const categoricalActs = facts.activations.filter((a) => a.kind === 'softmax');
  const binaryActs = facts.activations.filter((a) => a.kind === 'sigmoid');
  if (space === 'logits') {
    if (categoricalActs.length || logitsOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || (!binaryActs.length && !logitsOps.length && facts.lastAxisReductions.length)) arity = 'categorical';
  } else if (space === 'probabilities') {
    if (facts.predLogComplement.length || probOps.some((o) => o.info.arity === 'binary')) arity = 'binary';
    else if (probOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || facts.lastAxisReductions.length) arity = 'categorical';
    else if (facts.predLog.length || facts.targetLogTimesPred.length) arity = 'categorical';
  }
  // Integer class labels only make sense with a class axis.
  if (labels === 'index' && (space === 'probabilities' || space === 'logits')) arity = 'categorical';
  if (space === 'probabilities' || space === 'logits') {
    const kindWhy = arity === 'categorical'
      ? (categoricalActs[0] ? `softmax over the classes: ${line(categoricalActs[0])}` : facts.lastAxisReductions[0] ? `reduction over the last axis: ${line(facts.lastAxisReductions[0])}` : labels === 'index' ? 'integer class labels' : 'a sum of t·log p terms without a (1 − p) term')
      : (binaryActs[0] ? `sigmoid: ${line(binaryActs[0])}` : facts.predLogComplement[0] ? `log(1 − p): ${line(facts.predLogComplement[0])}` : 'an elementwise form');
    reasons.push(kindWhy);
  }
  const domain: LossFamily['domain'] = space === 'regression' && facts.predLogShifted.length ? 'nonnegative' : 'real';
  if (domain === 'nonnegative') reasons.push(`${line(facts.predLogShifted[0])} of ${facts.predName}: predictions are non-negative`);
  const signedTargets = space === 'regression' && domain === 'real' && facts.margins.length > 0;
  if (signedTargets) reasons.push(`margin ${line(facts.margins[0])}: ${facts.targetName} are ±1 labels`);
  let maskLayout: LossFamily['maskLayout'] = 'nhwc';
  if (space === 'masks') {
    const axes = facts.diceRatios[0].axes;
    if (Array.isArray(axes) && axes.length === 1 && axes[0] === 0) maskLayout = 'rows';
    else if (Array.isArray(axes) && axes.includes(2) && axes.includes(3) && !axes.includes(-1)) maskLayout = 'nchw';
  }
  const name = space === 'regression' ? (domain === 'nonnegative' ? 'regression (non-negative)' : signedTargets ? 'regression with ±1 labels (margin)' : 'regression')
    : space === 'masks' ? (maskLayout === 'rows' ? 'masks (per-class, one-hot rows)' : 'masks')
    : `${arity} ${space}${labels === 'index' ? ' with integer class labels' : ''}`;
  return { space, arity, labels, domain, signedTargets, maskLayout, name, reasons };
}
