import { elementwiseOp } from './elementwise.js';

export const relu6 = elementwiseOp({
  name: 'relu6',
  channelwise: true,
  fusableActivation: true,
  summary: 'min(max(x, 0), 6)',
  cost: 2,
  apply: (tf, x) => tf.relu6(x),
  emit: (x) => `tf.relu6(${x})`,
});
