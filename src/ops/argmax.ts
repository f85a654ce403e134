import { AttributeReader } from './attributes.js';
import { expectFloat, inputAt, normaliseAxis, perElement, tensorType } from './common.js';
import type { Attrs, OpDef, ParamSpec } from './op.js';
import { anyTensor } from './params.js';

const NAME = 'argmax';
const PARAMS: readonly ParamSpec[] = [
  anyTensor,
  { name: 'axis', type: 'int', default: -1, doc: 'the axis reduced (negative counts from the end)' },
];
const axisOf = (attrs: Attrs, rank: number) =>
  normaliseAxis(NAME, new AttributeReader(NAME, PARAMS, attrs).int('axis'), rank);

export const argmax: OpDef = {
  name: NAME,
  summary: 'index of the maximum along `axis` (i32), e.g. the class per pixel',
  notes: 'The output is i32 with `axis` removed; ties go to the lowest index. Not differentiable.',
  differentiable: false,
  params: PARAMS,
  shape(inputs, attrs) {
    const x = inputAt(NAME, inputs, 0, 'x');
    expectFloat(NAME, x, 'x');
    const axis = axisOf(attrs, x.shape.length);
    return tensorType(
      x.shape.filter((_, index) => index !== axis),
      'i32',
    );
  },
  flops: (inputs) => perElement(inputs[0]!, 1),
  execute: ({ tf, inputs, attrs }) => tf.argMax(inputs[0]!, axisOf(attrs, inputs[0]!.rank)),
  emit: ({ inputs, attrs, inputTypes }) => ({
    expression: `tf.argMax(${inputs[0]}, ${axisOf(attrs, inputTypes[0]!.shape.length)})`,
  }),
};
