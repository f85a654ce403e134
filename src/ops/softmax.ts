/**
 * Softmax along one axis. tfjs's kernel only handles the last axis; other axes go through
 * exp(x - logSumExp(x)), which is as stable and differentiable.
 */
import { normaliseAxis } from './common.js';
import { elementwiseOp } from './elementwise.js';

export const softmax = elementwiseOp({
  name: 'softmax',
  summary: 'exp(x) / sum(exp(x)) along `axis`',
  outputActivation: 'softmax',
  params: [{ name: 'axis', type: 'int', default: -1, doc: 'the axis that sums to 1 (negative counts from the end)' }],
  cost: 5,
  check: (x, read) => void normaliseAxis('softmax', read.int('axis'), x.shape.length),
  apply(tf, x, read) {
    const axis = normaliseAxis('softmax', read.int('axis'), x.rank);
    if (axis === x.rank - 1) return tf.softmax(x);
    return tf.tidy(() => tf.exp(tf.sub(x, tf.logSumExp(x, axis, true))));
  },
  emit(x, read, { inputTypes, typeName }) {
    const rank = inputTypes[0]!.shape.length;
    const axis = normaliseAxis('softmax', read.int('axis'), rank);
    if (axis === rank - 1) return `tf.softmax(${x})`;
    return `tf.tidy(() => tf.exp(tf.sub(${x}, tf.logSumExp(${x}, ${axis}, true)) as ${typeName(inputTypes[0]!)}))`;
  },
});
