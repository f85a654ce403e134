/** MobileNetV3's cheap swish: x * relu6(x + 3) / 6. */
import { elementwiseOp } from './elementwise.js';

export const hardSwish = elementwiseOp({
  name: 'hardSwish',
  channelwise: true,
  summary: 'x * relu6(x + 3) / 6',
  cost: 5,
  apply: (tf, x) => tf.tidy(() => tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6)),
  emit: (x) => `tf.tidy(() => tf.div(tf.mul(${x}, tf.relu6(tf.add(${x}, 3))), 6))`,
});
