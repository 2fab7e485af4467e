// The one vocabulary of parameter, keyword and function names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activationName, lossName, lossSignature, parameterKind, predictionIndex, returnsNonTensor, roleOfKey } from '../../src/core/detect/parameterRoles';

test('predictionIndex: names decide the order, unknown names follow the framework', () => {
  const cases: [string[], 'pytorch' | 'tensorflow' | 'jax' | 'tfjs', 0 | 1][] = [
    [['y_true', 'y_pred'], 'tensorflow', 1],
    [['y_true', 'y_pred'], 'pytorch', 1],
    [['true', 'pred'], 'pytorch', 1],
    [['target', 'pred'], 'pytorch', 1],
    [['input', 'target'], 'pytorch', 0],
    [['logits', 'labels'], 'jax', 0],
    [['lprobs', 'target'], 'pytorch', 0],
    [['yTrue', 'yPred'], 'tfjs', 1],
    [['x', 'y'], 'tensorflow', 0],
    [['a', 'b'], 'pytorch', 0],
    [['a', 'b'], 'tensorflow', 1],
  ];
  for (const [names, fw, want] of cases) assert.equal(predictionIndex(names, fw), want, `${names.join(', ')} (${fw})`);
});

test('parameterKind: a written type first, then the name', () => {
  assert.equal(parameterKind({ name: 'x', annotation: 'torch.Tensor' }), 'tensor');
  assert.equal(parameterKind({ name: 'predictions', annotation: 'jax.typing.ArrayLike' }), 'tensor');
  assert.equal(parameterKind({ name: 'mask', annotation: 'Optional[torch.Tensor]' }), 'tensor');
  assert.equal(parameterKind({ name: 'yTrue', annotation: 'tf.Tensor' }), 'tensor');
  assert.equal(parameterKind({ name: 'activation_name', annotation: 'str' }), 'non-tensor');
  assert.equal(parameterKind({ name: 'kernel_size', annotation: 'int' }), 'non-tensor');
  assert.equal(parameterKind({ name: 'target', annotation: 'Float32Array' }), 'non-tensor');
  assert.equal(parameterKind({ name: 'program', annotation: 'Program' }), 'non-tensor');
  assert.equal(parameterKind({ name: 'alpha', annotation: 'float' }), 'hyperparameter');
  assert.equal(parameterKind({ name: 'alpha' }), 'hyperparameter');
  assert.equal(parameterKind({ name: 'temperature' }), 'hyperparameter');
  assert.equal(parameterKind({ name: 'name' }), 'non-tensor');
  assert.equal(parameterKind({ name: 'step' }), 'non-tensor');
  // `t` and `p` are as often a target or a prediction as a knob: the name alone leaves them tensors.
  assert.equal(parameterKind({ name: 't' }), 'tensor');
  assert.equal(parameterKind({ name: 'p' }), 'tensor');
});

test('lossSignature: the conventions, not (x, y)', () => {
  assert.ok(lossSignature(['y_true', 'y_pred']));
  assert.ok(lossSignature(['logits', 'labels']));
  assert.ok(lossSignature(['pred', 'target']));
  assert.ok(lossSignature(['embeddings', 'labels']));
  assert.equal(lossSignature(['x', 'y']), undefined);
  assert.equal(lossSignature(['target', 'labels']), undefined);
  assert.equal(lossSignature(['x']), undefined);
});

test('roleOfKey and returnsNonTensor', () => {
  assert.equal(roleOfKey('apply_nonlin'), 'activation');
  assert.equal(roleOfKey('activation_fn'), 'activation');
  assert.equal(roleOfKey('criterion'), 'loss');
  assert.equal(roleOfKey('loss_fn'), 'loss');
  assert.equal(roleOfKey('metrics'), 'metric');
  assert.equal(roleOfKey('units'), undefined);
  assert.equal(returnsNonTensor('str'), true);
  assert.equal(returnsNonTensor('nn.Module'), true);
  assert.equal(returnsNonTensor('ValueAndGradient'), true);
  assert.equal(returnsNonTensor('torch.Tensor'), false);
  assert.equal(returnsNonTensor('"torch.Tensor"'), false);
  assert.equal(returnsNonTensor('tf.Scalar'), false);
  assert.equal(returnsNonTensor('tuple[torch.Tensor, torch.Tensor]'), false);
  assert.equal(returnsNonTensor('float'), false);
  assert.equal(returnsNonTensor(undefined), false);
});

test('activationName and lossName read words, not substrings', () => {
  for (const n of ['relu', 'leaky_relu', 'PReLU', 'ReLU6', 'Softmax2d', 'TanhSoft', 'hard_swish', 'gumbel_softmax', 'MPeLU', 'swish_naive', 'Aria_act'])
    assert.equal(activationName(n), true, n);
  for (const n of ['pixelunshuffle', 'get_activations', 'model_builder', 'telemetry', 'Siren'])
    assert.equal(activationName(n), false, n);
  for (const n of ['dice_loss', 'softDice', 'label_smoothed_nll_loss', 'CrossEntropyLoss', 'kl_div', 'mse', 'FocalCriterion', 'triplet_margin'])
    assert.equal(lossName(n), true, n);
  for (const n of ['fractional_max_pool2d_with_indices', 'klass', 'compute_tp_fp_fn', 'glossary'])
    assert.equal(lossName(n), false, n);
});
