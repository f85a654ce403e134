import * as tf from '@tensorflow/tfjs-core';
import { mergeOp } from './broadcast.js';

export const max = mergeOp({
  name: 'max',
  summary: 'element-wise maximum of tensors (ACoL fused map)',
  combine: (a, b) => tf.maximum(a, b),
  kernel: 'maximum',
});
