import * as tf from '@tensorflow/tfjs-core';
import { mergeOp } from './broadcast.js';

export const mul = mergeOp({
  name: 'mul',
  summary: 'element-wise product of tensors (squeeze-excitation gating)',
  combine: (a, b) => tf.mul(a, b),
  kernel: 'mul',
});
