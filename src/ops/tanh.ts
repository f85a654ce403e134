import { elementwiseOp } from './elementwise.js';

export const tanh = elementwiseOp({
  name: 'tanh',
  channelwise: true,
  fusableActivation: true,
  summary: 'hyperbolic tangent',
  cost: 4,
  apply: (tf, x) => tf.tanh(x),
  emit: (x) => `tf.tanh(${x})`,
});
