// The loss probe's input family, decided from the static read's facts: what the function does to
// the prediction says what the prediction is (probabilities, logits, masks, pair distances,
// embeddings, boxes, images, or plain regression), binary or categorical, dense or integer labels.
// Where several families fit, they are listed in order; the probe uses the first whose inputs the
// loss accepts. The reasons are reported with the family.
import { logProbName, logitsName } from '../detect/parameterRoles';
import type { LossFacts, SourceOp } from './lossFacts';
import type { TrainingTask } from './training';

export type LossSpace = 'regression' | 'probabilities' | 'logits' | 'masks' | 'pairs' | 'embeddings' | 'boxes' | 'images';

export interface LossFamily {
  space: LossSpace;
  arity: 'binary' | 'categorical';
  labels: 'dense' | 'index';
  /** Regression only: non-negative when the loss takes log(1 + p), log1p(p) or sqrt(p). */
  domain: 'real' | 'nonnegative';
  /** Regression only: ±1 labels for a hinge-style margin (c − y_true·y_pred). */
  signedTargets: boolean;
  /** Masks (and logits read as masks): per-sample maps (channels last / first) or per-class masks over rows (sums over axis 0). */
  maskLayout: 'nhwc' | 'nchw' | 'rows';
  /** Logits of an overlap loss (a sigmoid or softmax before a Dice ratio): the inputs are mask-shaped. */
  overlap: boolean;
  /** Pairs: the label that marks a similar pair (the other one carries the margin), and the margin (1 when the code does not say). */
  similarLabel: 0 | 1;
  margin: number;
  /** Embeddings: integer labels (1-D) or a second view of the same batch. */
  views: 'labels' | 'two-views';
  /** Boxes: how the four coordinates are written. */
  boxFormat: 'xyxy' | 'xywh' | 'cxcywh';
  /** Images: (B, C, H, W) or (B, C, H, W, D). */
  imageRank: 4 | 5;
  /**
   * Logits only: the function takes log-probabilities (named so), which a model makes with
   * log_softmax, so the probe feeds log_softmax of its logits (and, for a target named so, the log
   * of its probabilities): a divergence on log-probabilities is only a loss on normalised inputs.
   */
  logInputs?: { pred: boolean; target: boolean };
  name: string;
  reasons: string[];
}

const line = (op: SourceOp): string => `${op.what} (line ${op.span.startLine + 1})`;

const base = (reasons: string[]): Omit<LossFamily, 'space' | 'name'> => ({
  arity: 'binary', labels: 'dense', domain: 'real', signedTargets: false, maskLayout: 'nhwc', overlap: false, similarLabel: 1, margin: 1, views: 'labels',
  boxFormat: 'xyxy', imageRank: 4, reasons,
});

/** The branches the read resolved, for the reasons: which way the function runs with its parameters. */
function branchReasons(facts: LossFacts): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const b of facts.branches) {
    const key = `${b.what}@${b.span.startLine}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`\`${b.what}\` is ${b.taken ? 'true' : 'false'} as called (line ${b.span.startLine + 1})`);
  }
  return out.slice(0, 3);
}

/** Pair distances with 0/1 pair labels: a hinge max(m − d, 0) weighted by a label. */
function pairsFamily(facts: LossFacts): LossFamily | undefined {
  const hinge = facts.pairHinges[0];
  if (!hinge) return undefined;
  return {
    ...base([`a margin on ${facts.predName} (${line(hinge)}): ${facts.predName} are pair distances (≥ 0), ${facts.targetName} pair labels (${hinge.similarLabel} = similar)`]),
    space: 'pairs', similarLabel: hinge.similarLabel, margin: hinge.margin !== undefined && hinge.margin > 0 ? hinge.margin : 1, name: 'pair distances with 0/1 pair labels',
  };
}

/** Embeddings: with 1-D integer labels (triplet, n-pairs, supervised contrastive) or two views of one batch (NT-Xent, SimCLR). */
function embeddingFamilies(facts: LossFacts): LossFamily[] {
  const joined = facts.viewsJoined[0] ?? facts.crossGram[0];
  const gram = facts.predGram[0];
  const labelSignal = facts.targetPairwise[0] ?? facts.oneHotTarget[0] ?? facts.indexByTarget[0];
  const twoViews = (why: string): LossFamily => ({ ...base([why]), space: 'embeddings', views: 'two-views', name: 'embeddings, two views of one batch' });
  const labels = (why: string): LossFamily => ({ ...base([why]), space: 'embeddings', views: 'labels', labels: 'index', arity: 'categorical', name: 'embeddings with 1-D integer labels' });
  if (joined && !labelSignal) {
    return [twoViews(`${line(joined)}: ${facts.predName} and ${facts.targetName} are two views of the same samples`)];
  }
  if (gram && labelSignal) {
    const why = `${line(gram)}: ${facts.predName} are embeddings; ${line(labelSignal)}: ${facts.targetName} are integer labels`;
    return joined ? [labels(why), twoViews(`${line(joined)}: two views of the same samples`)] : [labels(why)];
  }
  if (gram && facts.targetNormalized.length) return [twoViews(`${line(gram)} and ${line(facts.targetNormalized[0])}: ${facts.targetName} is a second view`)];
  return [];
}

/** Boxes: the prediction (or the target) read as four coordinates on its last axis. */
function boxesFamily(facts: LossFacts): LossFamily | undefined {
  const indices = new Set(facts.coordinates.map((c) => c.index));
  if (indices.size < 4) return undefined;
  const format = facts.boxFormats[0];
  const boxFormat = format?.format ?? 'xyxy';
  const reasons = [`${line(facts.coordinates[0])}: the last axis holds 4 box coordinates`];
  if (format) reasons.push(`${format.what} (line ${format.span.startLine + 1}): ${boxFormat === 'xyxy' ? 'corners (x1, y1, x2, y2)' : boxFormat === 'xywh' ? 'corner and size (x, y, w, h)' : 'centre and size (cx, cy, w, h)'}`);
  return { ...base(reasons), space: 'boxes', boxFormat, name: `boxes (${boxFormat})` };
}

/** The families the facts fit, best first. */
export function lossFamilies(facts: LossFacts): LossFamily[] {
  const branches = branchReasons(facts);
  const withBranches = (f: LossFamily): LossFamily => ({ ...f, reasons: [...f.reasons, ...branches] });
  const pairs = pairsFamily(facts);
  if (pairs) return [withBranches(pairs)];
  const embeddings = embeddingFamilies(facts);
  if (embeddings.length) return embeddings.map(withBranches);
  const boxes = boxesFamily(facts);
  if (boxes) return [withBranches(boxes)];
  const family = withBranches(classicFamily(facts));
  if (family.space === 'regression' && facts.imageOps.length) {
    const op = facts.imageOps[0];
    const rank = op.rank;
    const images: LossFamily = { ...family, space: 'images', imageRank: rank, name: rank === 5 ? 'images (B, C, H, W, D)' : 'images (B, C, H, W)', reasons: [`${line(op)}: ${facts.predName} is a batch of ${rank === 5 ? 'volumes' : 'images'} (values in [0, 1])`, ...branches] };
    return [images];
  }
  // Class labels read in a branch the inputs decide (`if labels.dim() < logits.dim(): scatter_…`)
  // beside a 1 − target: the binary dense labels are the other way the function may be called.
  if (family.space === 'logits' && family.labels === 'index' && facts.targetComplement.length && !facts.activations.length && !facts.lossOps.length) {
    return [family, withBranches(classicFamily({ ...facts, oneHotTarget: [], indexByTarget: [] }))];
  }
  return [family];
}

/** The image rank the code points at (it unpacks 4 or 5 dimensions, checks a rank, names one): tried first where images are tried. */
export function imageRankHint(facts: LossFacts): 4 | 5 | undefined {
  return facts.imageOps[0]?.rank;
}

/** The first family the facts fit. */
export function chooseLossFamily(facts: LossFacts): LossFamily {
  return lossFamilies(facts)[0];
}

/** Probabilities, logits, masks or regression: what the function does to the prediction's values. */
function classicFamily(facts: LossFacts): LossFamily {
  const reasons: string[] = [];
  const logitsOps = facts.lossOps.filter((o) => o.info.kind === 'logits' || (o.info.kind === 'prob' && o.fromLogits));
  const probOps = facts.lossOps.filter((o) => o.info.kind === 'prob' && !o.fromLogits);
  const sparse = facts.lossOps.some((o) => o.info.sparse);
  const labels: LossFamily['labels'] = facts.oneHotTarget.length || facts.indexByTarget.length || sparse ? 'index' : 'dense';
  if (facts.oneHotTarget.length) reasons.push(`one-hot of ${facts.targetName}: ${line(facts.oneHotTarget[0])}`);
  else if (facts.indexByTarget.length) reasons.push(`${facts.predName} indexed by ${facts.targetName}: ${line(facts.indexByTarget[0])}`);
  else if (sparse) reasons.push(`sparse (integer-label) loss: ${line(facts.lossOps.find((o) => o.info.sparse)!)}`);

  const predNameLogits = logitsName.test(facts.predName);
  let space: LossSpace;
  let logInputs: LossFamily['logInputs'];
  let binaryLabels = false;
  // An overlap ratio of the prediction as it comes (no sigmoid/softmax on its way, e.g. a Dice term
  // whose activation flags are off) takes probabilities, whatever a term beside it does with logits:
  // the one domain both terms accept is masks (a probability is a valid logit, not the reverse).
  const rawRatio = facts.diceRatios.find((r) => !r.activated);
  if ((facts.activations.length || logitsOps.length || facts.softplusForm.length) && !rawRatio) {
    space = 'logits';
    const why = facts.activations[0] ?? logitsOps[0] ?? facts.softplusForm[0];
    reasons.push(logitsOps[0] && logitsOps[0].info.kind === 'prob' ? `from_logits=True: ${line(logitsOps[0])}` : `${line(why)} applied to ${facts.predName}`);
  } else if (rawRatio && (facts.activations.length || logitsOps.length || facts.softplusForm.length)) {
    space = 'masks';
    const why = facts.activations[0] ?? logitsOps[0] ?? facts.softplusForm[0];
    reasons.push(`${line(rawRatio)} takes ${facts.predName} with no sigmoid/softmax: probabilities, which ${line(why)} also accepts`);
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
  } else if (logProbName.test(facts.predName)) {
    space = 'logits';
    logInputs = { pred: true, target: logProbName.test(facts.targetName) };
    reasons.push(`${facts.predName} ${logInputs.target ? `and ${facts.targetName} are` : 'is'} named as log-probabilities: fed log_softmax of logits${logInputs.target ? ' and the log of probability targets' : ''}, as a model's output makes them`);
  } else if (predNameLogits || facts.lossOps.some((o) => o.info.kind === 'logprob')) {
    space = 'logits';
    reasons.push(predNameLogits ? `the prediction is named ${facts.predName}` : 'a loss on log-probabilities');
  } else if (facts.oneHotTarget.length) {
    // Nothing says what the prediction is, but the target is made one-hot: class labels, and the
    // prediction a classifier's scores, not a regression to the labels. (An index by the target alone
    // does not say it: a mask of |target − output| < w indexes by both.)
    space = 'logits';
    reasons.push(`${facts.targetName} holds class labels, ${facts.predName} their scores`);
  } else if (facts.targetComplement.length) {
    // 1 − target: a binary label and its complement, so targets in [0, 1] and the prediction a score.
    space = 'logits';
    binaryLabels = true;
    reasons.push(`${line(facts.targetComplement[0])}: ${facts.targetName} are binary labels in [0, 1], ${facts.predName} their scores`);
  } else {
    space = 'regression';
    reasons.push(`no log of a probability, sigmoid/softmax or overlap ratio of ${facts.predName}`);
  }

  let arity: LossFamily['arity'] = 'binary';
  const categoricalActs = facts.activations.filter((a) => a.kind === 'softmax');
  const binaryActs = facts.activations.filter((a) => a.kind === 'sigmoid');
  if (space === 'logits') {
    if (logInputs || categoricalActs.length || logitsOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || (!binaryActs.length && !logitsOps.length && facts.lastAxisReductions.length)) arity = 'categorical';
  } else if (space === 'probabilities') {
    if (facts.predLogComplement.length || probOps.some((o) => o.info.arity === 'binary')) arity = 'binary';
    else if (probOps.some((o) => o.info.arity === 'categorical') || labels === 'index' || facts.lastAxisReductions.length) arity = 'categorical';
    else if (facts.predLog.length || facts.targetLogTimesPred.length) arity = 'categorical';
  }
  if (binaryLabels) arity = 'binary';
  // Integer class labels only make sense with a class axis.
  if (labels === 'index' && (space === 'probabilities' || space === 'logits')) arity = 'categorical';
  // Logits of an overlap loss (sigmoid, then a Dice ratio): binary mask-shaped logits.
  const overlap = space === 'logits' && facts.diceRatios.length > 0 && !categoricalActs.length && labels === 'dense';
  if (overlap) arity = 'binary';
  if (space === 'probabilities' || space === 'logits') {
    const kindWhy = arity === 'categorical'
      ? (categoricalActs[0] ? `softmax over the classes: ${line(categoricalActs[0])}` : facts.lastAxisReductions[0] ? `reduction over the last axis: ${line(facts.lastAxisReductions[0])}` : labels === 'index' ? 'integer class labels' : 'a sum of t·log p terms without a (1 − p) term')
      : (binaryActs[0] ? `sigmoid: ${line(binaryActs[0])}` : facts.predLogComplement[0] ? `log(1 − p): ${line(facts.predLogComplement[0])}` : 'an elementwise form');
    reasons.push(kindWhy);
    if (overlap) reasons.push(`${line(facts.diceRatios[0])}: mask-shaped inputs`);
  }
  const domain: LossFamily['domain'] = space === 'regression' && facts.predLogShifted.length ? 'nonnegative' : 'real';
  if (domain === 'nonnegative') reasons.push(`${line(facts.predLogShifted[0])} of ${facts.predName}: predictions are non-negative`);
  const signedTargets = space === 'regression' && domain === 'real' && facts.margins.length > 0;
  if (signedTargets) reasons.push(`margin ${line(facts.margins[0])}: ${facts.targetName} are ±1 labels`);
  let maskLayout: LossFamily['maskLayout'] = 'nhwc';
  if (space === 'masks' || overlap) {
    const axes = facts.diceRatios[0].axes;
    if (Array.isArray(axes) && axes.length === 1 && axes[0] === 0) maskLayout = 'rows';
    else if (Array.isArray(axes) && axes.includes(2) && !axes.includes(-1)) maskLayout = 'nchw';
  }
  const name = space === 'regression' ? (domain === 'nonnegative' ? 'regression (non-negative)' : signedTargets ? 'regression with ±1 labels (margin)' : 'regression')
    : space === 'masks' ? (maskLayout === 'rows' ? 'masks (per-class, one-hot rows)' : 'masks')
    : overlap ? 'binary logits of masks'
    : `${arity} ${space}${labels === 'index' ? ' with integer class labels' : ''}`;
  return { ...base(reasons), space, arity, labels, domain, signedTargets, maskLayout, overlap, logInputs, name };
}

/**
 * Prediction and target live in the same space: "the loss is minimal at the target" means something
 * (GP203). ±1 margin labels count: a label is a point of the score's line, where a margin loss is 0.
 */
export function sameSpace(family: LossFamily): boolean {
  switch (family.space) {
    case 'regression': case 'probabilities': case 'masks': case 'boxes': case 'images': return true;
    case 'logits': case 'pairs': case 'embeddings': return false;
  }
}

/**
 * The quick training run that fits a family: a classification head for probabilities, logits and
 * masks; a regression head otherwise (the structured families are trained as regression).
 */
export function trainingTaskOf(family: LossFamily): TrainingTask {
  if (family.space !== 'probabilities' && family.space !== 'logits' && family.space !== 'masks') return { task: 'regression', prediction: 'raw', labels: 'dense' };
  const task = family.arity === 'categorical' ? 'categorical' : 'binary';
  return { task, prediction: family.space === 'logits' ? 'logits' : 'probabilities', labels: family.labels };
}
