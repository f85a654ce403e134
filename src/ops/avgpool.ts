import type * as tf from '@tensorflow/tfjs-core';
import type { OpDef, Tfjs } from './op.js';
import { POOL_PARAMS, poolFlops, poolShape, readPool, validatePool } from './pooling.js';
import { type Window, emitPadForWindow, emitPair, emitTidy, padForWindow, samePadding, windowStep } from './spatial.js';

const NAME = 'avgpool';

/**
 * `same` average pooling as window sums over the padded input divided by the count of real
 * pixels in each window. tfjs's avgPool gradient divides by the full window size even where
 * the forward pass divided by fewer pixels; this form differentiates correctly.
 */
function averageInside(tf: Tfjs, x: tf.Tensor4D, window: Window): tf.Tensor4D {
  return tf.tidy(() => {
    const [, rows, columns] = x.shape;
    const pads: [number, number][] = [
      [0, 0],
      samePadding(rows, window.kernel[0], window.stride[0]),
      samePadding(columns, window.kernel[1], window.stride[1]),
      [0, 0],
    ];
    const pool = (value: tf.Tensor4D) =>
      tf.avgPool(tf.pad(value, pads), [...window.kernel], [...window.stride], 'valid');
    return tf.div(pool(x), pool(tf.ones([1, rows, columns, 1])));
  });
}

export const avgpool: OpDef = {
  name: NAME,
  summary: 'mean over sliding windows',
  notes:
    'Sizes as for `conv` with extent = size. With `padding: same` a border window averages only the pixels inside ' +
    'the input (tfjs and Keras behaviour; PyTorch count_include_pad=False). An explicit `pad` adds zeros that do ' +
    'count in the mean (PyTorch default count_include_pad=True); `pad` may be at most half of `size`. With a gradient, ' +
    "`same` pooling runs as window sums over pixel counts: tfjs's own gradient divides by the full window.",
  params: POOL_PARAMS,
  validate: (attrs) => validatePool(NAME, attrs),
  shape: (inputs, attrs, context) => poolShape(NAME, inputs, attrs, context),
  flops: (_inputs, output, attrs) => poolFlops(NAME, output, attrs),
  receptiveField: ({ attrs }) => windowStep(readPool(NAME, attrs)),
  execute({ tf, inputs, attrs, context }) {
    const window = readPool(NAME, attrs);
    if (context.needsGradient && window.padding.kind === 'same')
      return averageInside(tf, inputs[0] as tf.Tensor4D, window);
    return tf.tidy(() => {
      const { x, mode } = padForWindow(tf, inputs[0] as tf.Tensor4D, window.padding, 0);
      return tf.avgPool(x, [...window.kernel], [...window.stride], mode);
    });
  },
  emit({ inputs, attrs }) {
    const window = readPool(NAME, attrs);
    const { x, mode, temporary } = emitPadForWindow(inputs[0]!, window.padding);
    return {
      expression: emitTidy(
        `tf.avgPool(${x}, ${emitPair(window.kernel)}, ${emitPair(window.stride)}, '${mode}')`,
        temporary,
      ),
    };
  },
};
