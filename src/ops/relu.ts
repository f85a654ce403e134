import { elementwiseOp } from './elementwise.js';

export const relu = elementwiseOp({
  name: 'relu',
  summary: 'max(x, 0)',
  cost: 1,
  apply: (tf, x) => tf.relu(x),
  emit: (x) => `tf.relu(${x})`,
});
