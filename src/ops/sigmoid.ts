import { elementwiseOp } from './elementwise.js';

export const sigmoid = elementwiseOp({
  name: 'sigmoid',
  channelwise: true,
  fusableActivation: true,
  outputActivation: 'sigmoid',
  summary: '1 / (1 + exp(-x))',
  cost: 4,
  apply: (tf, x) => tf.sigmoid(x),
  emit: (x) => `tf.sigmoid(${x})`,
});
