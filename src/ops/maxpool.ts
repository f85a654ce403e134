import type * as tf from '@tensorflow/tfjs-core';
import type { OpDef } from './op.js';
import { POOL_PARAMS, poolFlops, poolShape, readPool, validatePool } from './pooling.js';
import { emitPadForWindow, emitPair, emitTidy, padForWindow, windowStep } from './spatial.js';

const NAME = 'maxpool';

export const maxpool: OpDef = {
  name: NAME,
  summary: 'maximum over sliding windows',
  notes:
    'Sizes as for `conv` with extent = size. Explicit `pad` fills the border with -Infinity, so padding never wins ' +
    'the maximum; `pad` may be at most half of `size`.',
  params: POOL_PARAMS,
  validate: (attrs) => validatePool(NAME, attrs),
  shape: (inputs, attrs, context) => poolShape(NAME, inputs, attrs, context),
  flops: (_inputs, output, attrs) => poolFlops(NAME, output, attrs),
  receptiveField: ({ attrs }) => windowStep(readPool(NAME, attrs)),
  execute({ tf, inputs, attrs }) {
    const window = readPool(NAME, attrs);
    return tf.tidy(() => {
      const { x, mode } = padForWindow(tf, inputs[0] as tf.Tensor4D, window.padding, -Infinity);
      return tf.maxPool(x, [...window.kernel], [...window.stride], mode);
    });
  },
  emit({ inputs, attrs }) {
    const window = readPool(NAME, attrs);
    const { x, mode, temporary } = emitPadForWindow(inputs[0]!, window.padding, '-Infinity');
    return {
      expression: emitTidy(
        `tf.maxPool(${x}, ${emitPair(window.kernel)}, ${emitPair(window.stride)}, '${mode}')`,
        temporary,
      ),
    };
  },
};
