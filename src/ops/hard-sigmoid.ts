/** A piecewise-linear sigmoid with the model's own slope and offset, as ONNX's HardSigmoid. */
import { elementwiseOp } from './elementwise.js';

export const hardSigmoid = elementwiseOp({
  name: 'hardSigmoid',
  channelwise: true,
  summary: 'max(0, min(1, alpha * x + beta))',
  notes:
    "The defaults are ONNX's (and Keras's `hard_sigmoid`): `alpha` 0.2, `beta` 0.5. PyTorch's `Hardsigmoid` " +
    'and the gate inside `hardSwish` are `alpha: 1/6, beta: 0.5`; PaddlePaddle exports `alpha: 0.2, beta: 0.5`.',
  params: [
    { name: 'alpha', type: 'float', default: 0.2, doc: 'slope' },
    { name: 'beta', type: 'float', default: 0.5, doc: 'offset' },
  ],
  cost: 4,
  apply: (tf, x, read) =>
    tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, read.number('alpha')), read.number('beta')), 0, 1)),
  // The same clip as min(max(·, 0), 1), whose result type the generated code's annotation decides.
  emit: (x, read, { literal }) =>
    `tf.tidy(() => tf.minimum(tf.maximum(tf.add(tf.mul(${x}, ${literal(read.number('alpha'))}), ${literal(read.number('beta'))}), 0), 1))`,
});
