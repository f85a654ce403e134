import { globalPoolOp } from './global-pool.js';

export const gap = globalPoolOp({
  name: 'gap',
  summary: 'global average pooling: the mean of each channel',
  reduce: (tf, x, axes, keep) => tf.mean(x, axes, keep),
  kernel: 'mean',
  pool: 'average',
});
