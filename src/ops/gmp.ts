import { globalPoolOp } from './global-pool.js';

export const gmp = globalPoolOp({
  name: 'gmp',
  summary: 'global max pooling: the maximum of each channel',
  reduce: (tf, x, axes, keep) => tf.max(x, axes, keep),
  kernel: 'max',
  pool: 'max',
});
