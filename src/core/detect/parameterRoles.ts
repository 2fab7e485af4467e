// What names say, in one place: which parameter of a loss is the prediction and which the target,
// which parameters are knobs rather than tensors, which keyword/variable/key names give a function
// a role (`activation=`, `loss_fn =`, `metrics=[…]`), and which function names say activation, loss
// or metric. Detection reads only this vocabulary; translation, the source rules and the loss probes
// should decide argument order through `predictionIndex` so that they never disagree.
import type { Framework } from '../ir/frameworks';
import type { Param } from '../ir/ir';

/** Names of the prediction argument of a loss. */
export const predictionName = /^(y_?pred|yPred|y_?hat|yHat|pred|preds|prediction|predictions|pr_\w+|pred_\w+|output|outputs|out|logits|logit|logprobs|log_probs|lprobs|probs|probas|probabilities|input|inputs|scores|x|embeddings|y_?score)$/i;
/** Names of the target argument of a loss. */
export const targetName = /^(y_?true|yTrue|y|target|targets|label|labels|gt|gts|gt_\w+|y_?gt|ground_truth|groundtruth|truth|true)$/i;
/** A prediction named as unnormalised scores (`logits`, `cls_logits`, `scores`): a loss on logits. */
export const logitsName = /logit|score/i;
/** A parameter named as log-probabilities (`log_predictions`, `log_probs`, `logprobs`, `lprobs`, `log_targets`). */
export const logProbName = /^(log_?(pred|prob|p\b|target|t\b|q\b)\w*|logprobs?|lprobs?)$/i;
/** A parameter or attribute that names a box format (`bounding_box_format`, `box_fmt`, `in_fmt`, `source`). */
export const boxFormatName = /format|fmt|^source$/i;

/**
 * Scalar knobs: a required parameter with one of these names is a setting of the function, not a
 * second tensor (`isru(x, alpha)`, `tempered_softmax(activations, t)`).
 */
// Not `t`, `p`, `q`: those are as often a target or a prediction (`loss(y, t)`); a parameter tested in
// an `if` says it is a scalar better than its name does (see `scalarParameters`).
const hyperparameterName = /^(alpha|beta|gamma|delta|theta|lambda_?|lambd|lam|lmbda|tau|t\d|temperature|temp|eps|epsilon|scale|slope|negative_slope|threshold|thresh|margin|k|w0|omega|order|power|degree|num_iters|n_iter|iterations|inplace|dim|axis|axes|reduction|smooth|smoothing|label_smoothing)$/i;
/** Parameters that are never tensors: names, sizes, counts, schedules, configuration. */
const nonTensorName = /^(name|\w+_name|key|mode|kind|type|path|\w+_path|filename|file|config|cfg|options|opts|settings|model|net|network|module|params|step|epoch|iteration|seed|shape|size|\w+_size|num_\w+|n_\w+|ndim|device|dtype|program|ctx|context|callback|fn|func|reduction|kwargs|training)$/i;

// `jax.Array`, `np.ndarray`, `ArrayLike`, `tf.Tensor`; not a TypeScript `Float32Array` or `number[]`.
const tensorType = /tensor|ndarray|arraylike|\b(jax|jnp|np|npt|numpy)\.|variable|\bScalar\b|\bany\b|\bunknown\b/i;
const scalarType = /^(float|number|double|complex)$/i;

export type ParameterKind = 'tensor' | 'hyperparameter' | 'non-tensor';

/** A written return type that is not a tensor, an array, a number or a tuple of them (`-> str`, `: Program`). */
export function returnsNonTensor(returns: string | undefined): boolean {
  if (!returns) return false;
  const type = returns.replace(/^['"]|['"]$/g, '').trim();
  return !tensorType.test(type) && !scalarType.test(type) && !/^(tuple|Tuple)\b/.test(type) && !/^(list|List|Sequence)\[/.test(type);
}

/** What a parameter receives, by its written type first and its name second. */
export function parameterKind(p: Pick<Param, 'name' | 'annotation'>): ParameterKind {
  const type = p.annotation?.replace(/^Optional\[(.*)\]$/, '$1').replace(/\s*\|\s*None$/, '').trim();
  if (type) {
    if (tensorType.test(type)) return 'tensor';
    if (scalarType.test(type)) return hyperparameterName.test(p.name) ? 'hyperparameter' : 'tensor';
    return /^(int|bool|boolean)$/i.test(type) && hyperparameterName.test(p.name) ? 'hyperparameter' : 'non-tensor';
  }
  if (hyperparameterName.test(p.name)) return 'hyperparameter';
  if (nonTensorName.test(p.name)) return 'non-tensor';
  return 'tensor';
}

/** `(y_true, y_pred)`, `(input, target)`, `(logits, labels)`, `(pred, target)`: the loss conventions. */
export function lossSignature(names: string[]): string | undefined {
  if (names.length < 2) return undefined;
  const [a, b] = names;
  if (a === 'x' && b === 'y') return undefined; // (x, y) is as often data as it is a loss
  const targetFirst = targetName.test(a) && predictionName.test(b);
  const predictionFirst = predictionName.test(a) && !targetName.test(a) && targetName.test(b);
  return targetFirst || predictionFirst ? `signature:(${a}, ${b})` : undefined;
}

/**
 * Which of a loss's first two inputs is the prediction. Names decide when they can; unknown names
 * follow the framework's convention (PyTorch and JAX put the prediction first, Keras and TF.js the
 * target).
 */
export function predictionIndex(inputs: string[], framework: Framework): 0 | 1 {
  return namesOrder(inputs) ?? conventionIndex(framework);
}

/** 0 or 1 when the names alone say which of the first two inputs is the prediction; else undefined. */
export function namesOrder(inputs: string[]): 0 | 1 | undefined {
  const [a, b] = inputs;
  if (a && targetName.test(a) && (!b || !targetName.test(b))) return 1;
  if (a && predictionName.test(a) && (!b || !predictionName.test(b) || targetName.test(b))) return 0;
  if (a && b && targetName.test(b) && !targetName.test(a)) return 0;
  if (a && b && predictionName.test(b) && !predictionName.test(a)) return 1;
  return undefined;
}

/** The framework's documented order: PyTorch and JAX put the prediction first, Keras and TF.js the target. */
export function conventionIndex(framework: Framework): 0 | 1 {
  return framework === 'pytorch' || framework === 'jax' ? 0 : 1;
}

// ---------------------------------------------------------------- keyword, variable and key names

export type KeyRole = 'activation' | 'loss' | 'metric' | 'data';

const activationKey = /^(act|acts|activation|activations|act_fn|activation_fn|actfn|nonlinearity|nonlin|apply_nonlin|[a-z_]*_nonlin|act_layer|activation_function|hidden_act|gate_act|[a-z_]*_act|act_[a-z_]*|[a-z_]*_activation)$/i;
const lossKey = /^(loss|losses|loss_fn|lossfn|loss_func|loss_function|criterion|criterions|objective|[a-z_]*_loss|loss_[a-z_]*|[a-z_]*_criterion|[a-z]*Loss|lossFn|lossFunction)$/i;
const metricKey = /^(metrics?|[a-z_]*_metrics?|weighted_metrics|eval_metrics)$/i;
/** Data-pipeline slots: what goes there transforms samples (augmentation, preprocessing), it is not a layer. */
const dataKey = /^(transforms?|target_transform|[a-z_]*_transforms?|preprocess\w*|preprocessing_function|augment\w*|collate_fn|map_fn)$/i;

/** The role a keyword argument, variable, attribute or dict key gives the value bound to it. */
export function roleOfKey(key: string): KeyRole | undefined {
  if (metricKey.test(key)) return 'metric';
  if (dataKey.test(key)) return 'data';
  if (lossKey.test(key)) return 'loss';
  if (activationKey.test(key)) return 'activation';
  return undefined;
}

// ---------------------------------------------------------------- function and class names

/** Names of reported numbers. Counting helpers (`compute_tp_fp_fn`) are metric parts. */
/** A name that says the function is a similarity, which training maximises (`cosine_similarity`), unless it says loss or distance. */
export const similarityName = /similarity/i;
export const notSimilarityName = /loss|dist|dissimilar/i;
export const metricName = /(score|metric|accuracy|(^|_)acc($|_)|iou|coef|(^|_)f1|f1_|fbeta|precision|recall|(^|_)auc|psnr|ssim|error_rate|jaccard_index|(^|_)(tp|fp|tn|fn)_(tp|fp|tn|fn)|confusion)/i;
// Activation words; softmax-like probability maps included.
const activationWords = ['relu', 'elu', 'gelu', 'selu', 'silu', 'swish', 'mish', 'sigmoid', 'tanh', 'softplus', 'softsign', 'softmax', 'soft_max', 'softmin', 'sparsemax', 'entmax', 'leaky', 'hardswish', 'hardtanh', 'logistic', 'elliott', 'snake', 'sinc', 'gaussian', 'squash', 'shrink', 'activation'];

/** A word ends at j: the end, `_`, a digit, or a capital after a small letter (`TanhSoft`, `relu6`). */
const endsWord = (name: string, j: number): boolean => j === name.length || name[j] === '_' || /\d/.test(name[j]) || (/[A-Z]/.test(name[j]) && /[a-z\d]/.test(name[j - 1]));

/**
 * A name that says activation: an activation word ending a word of the name (`leaky_relu`,
 * `PReLU`, `Softmax2d`, `TanhSoft`), so `pixelunshuffle` does not say ELU.
 */
export function activationName(name: string): boolean {
  if (/(^|_)act($|_)|^[a-z]+lu$|[a-z]Lu$|LU$|[a-z]plus$/.test(name)) return true;
  const lower = name.toLowerCase();
  return activationWords.some((w) => {
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) if (endsWord(name, i + w.length)) return true;
    return false;
  });
}

const lossWordExact = /^(nll|mse|mae|msle|rmse|kl|kld|bce|ce)$/i;
const lossWordStart = /^(loss|criterion|criteria|hinge|divergence|huber|focal|dice|tversky|contrastive|triplet)/i;

/**
 * A name that says loss: one of its words (split at `_` and camelCase) is or starts with a loss
 * word, so `fractional_max_pool2d_with_indices` is not a dice loss.
 */
export function lossName(name: string): boolean {
  if (/cross_?entropy/i.test(name)) return true;
  const words = name.split(/_|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);
  return words.some((w) => lossWordExact.test(w) || lossWordStart.test(w));
}

/** A class name that says it is a loss (`FocalLoss`, `DiceCriterion`). */
export const lossClassName = /(Loss|Criterion|Objective)$/;
