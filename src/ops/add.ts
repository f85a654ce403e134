import { mergeOp } from './broadcast.js';

export const add = mergeOp({
  name: 'add',
  summary: 'element-wise sum of tensors (residual connections)',
  combine: (tf, a, b) => tf.add(a, b),
  kernel: 'add',
  combines: 'sum',
});
