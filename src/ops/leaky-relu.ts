import { LEAKY_RELU_ALPHA } from './activation.js';
import { elementwiseOp } from './elementwise.js';

export const leakyRelu = elementwiseOp({
  name: 'leakyRelu',
  channelwise: true,
  fusableActivation: true,
  summary: 'x for x > 0, alpha * x otherwise',
  notes:
    'The default slope `alpha` = 0.01 follows PyTorch (Keras uses 0.3, TensorFlow 0.2); `activation: leakyRelu` ' +
    'on conv-like ops uses the same 0.01.',
  params: [{ name: 'alpha', type: 'float', default: LEAKY_RELU_ALPHA, doc: 'slope for negative inputs' }],
  cost: 2,
  validate: (read) =>
    read.number('alpha') >= 0 ? undefined : `\`alpha\` must not be negative, got ${read.number('alpha')}`,
  apply: (tf, x, read) => tf.leakyRelu(x, read.number('alpha')),
  emit: (x, read, { literal }) => `tf.leakyRelu(${x}, ${literal(read.number('alpha'))})`,
});
