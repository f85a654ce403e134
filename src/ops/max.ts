import { mergeOp } from './broadcast.js';

export const max = mergeOp({
  name: 'max',
  summary: 'element-wise maximum of tensors (ACoL fused map)',
  combine: (tf, a, b) => tf.maximum(a, b),
  kernel: 'maximum',
  combines: 'maximum',
});
