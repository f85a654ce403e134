import { mergeOp } from './broadcast.js';

export const mul = mergeOp({
  name: 'mul',
  summary: 'element-wise product of tensors (squeeze-excitation gating)',
  combine: (tf, a, b) => tf.mul(a, b),
  kernel: 'mul',
  combines: 'product',
});
