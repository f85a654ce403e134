import { elementwiseOp } from './elementwise.js';

export const relu = elementwiseOp({
  name: 'relu',
  channelwise: true,
  fusableActivation: true,
  summary: 'max(x, 0)',
  cost: 1,
  apply: (tf, x) => tf.relu(x),
  emit: (x) => `tf.relu(${x})`,
});
