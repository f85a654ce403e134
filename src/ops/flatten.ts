import { dim } from '../shapes/symbolic.js';
import { elementCount, expectRankAtLeast, inputAt, tensorType } from './common.js';
import type { OpDef } from './op.js';
import { anyTensor } from './params.js';

const NAME = 'flatten';

export const flatten: OpDef = {
  name: NAME,
  summary: '[N, ...] → [N, product of the rest]',
  notes: 'The flat size may be symbolic (`H*W*64`): a dense layer after it then needs fixed input sizes.',
  params: [anyTensor],
  spatial: 'global',
  shape(inputs, _attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    expectRankAtLeast(NAME, x, 2, context);
    return tensorType([x.shape[0]!, elementCount(x.shape.slice(1))], x.dtype);
  },
  flops: () => dim(0),
  execute: ({ tf, inputs }) => tf.reshape(inputs[0]!, [inputs[0]!.shape[0]!, -1]),
  emit: ({ inputs }) => ({ expression: `tf.reshape(${inputs[0]}, [${inputs[0]}.shape[0], -1])` }),
};
