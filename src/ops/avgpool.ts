import * as tf from '@tensorflow/tfjs-core';
import type { OpDef } from './op.js';
import { POOL_PARAMS, poolFlops, poolShape, readPool, validatePool } from './pooling.js';
import { padForWindow, windowStep } from './spatial.js';

const NAME = 'avgpool';

export const avgpool: OpDef = {
  name: NAME,
  summary: 'mean over sliding windows',
  notes:
    'Sizes as for `conv` with extent = size. With `padding: same` a border window averages only the pixels inside ' +
    'the input (tfjs and Keras behaviour; PyTorch count_include_pad=False). An explicit `pad` adds zeros that do ' +
    'count in the mean (PyTorch default count_include_pad=True); `pad` may be at most half of `size`.',
  params: POOL_PARAMS,
  validate: (attrs) => validatePool(NAME, attrs),
  shape: (inputs, attrs, context) => poolShape(NAME, inputs, attrs, context),
  flops: (_inputs, output, attrs) => poolFlops(NAME, output, attrs),
  receptiveField: (attrs) => windowStep(readPool(NAME, attrs)),
  execute({ inputs, attrs }) {
    const window = readPool(NAME, attrs);
    return tf.tidy(() => {
      const { x, mode } = padForWindow(inputs[0] as tf.Tensor4D, window.padding, 0);
      return tf.avgPool(x, [...window.kernel], [...window.stride], mode);
    });
  },
};
