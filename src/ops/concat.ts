/**
 * Concatenation along one axis. Every other axis must agree; a mismatch is explained with a
 * concrete size that breaks it ("with H = 513 the inputs of concat have 132 and 129 rows").
 */
import { add, dim } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { axisWord, normaliseAxis, tensorType } from './common.js';
import { type Attrs, type OpDef, type ParamSpec, ShapeError, type TensorType } from './op.js';

const NAME = 'concat';
const PARAMS: readonly ParamSpec[] = [
  { name: 'inputs', type: 'tensors', doc: 'the tensors to join' },
  { name: 'axis', type: 'int', default: -1, doc: 'the axis to join along (-1: channels)' },
];

const axisOf = (attrs: Attrs, rank: number) =>
  normaliseAxis(NAME, new AttributeReader(NAME, PARAMS, attrs).int('axis'), rank);

function requireSameKind(inputs: readonly TensorType[]): void {
  const first = inputs[0]!;
  inputs.forEach((input, index) => {
    if (input.shape.length !== first.shape.length) {
      throw new ShapeError(
        `${NAME}: input ${index + 1} has rank ${input.shape.length} but input 1 has rank ${first.shape.length}`,
        'inputs',
      );
    }
    if (input.dtype !== first.dtype) {
      throw new ShapeError(`${NAME}: input ${index + 1} is ${input.dtype} but input 1 is ${first.dtype}`, 'inputs');
    }
  });
}

export const concat: OpDef = {
  name: NAME,
  summary: 'join tensors along an axis (channels by default)',
  notes: 'All axes but `axis` must be equal; the checker proves it for every size the `where` constraints allow.',
  params: PARAMS,
  spatial: 'merge',
  combines: 'concat',
  shape(inputs, attrs, context) {
    if (inputs.length === 0) throw new ShapeError(`${NAME}: needs at least one input`, 'inputs');
    requireSameKind(inputs);
    const first = inputs[0]!;
    const rank = first.shape.length;
    const axis = axisOf(attrs, rank);
    for (const input of inputs.slice(1)) {
      const pairs = first.shape.flatMap((size, index) =>
        index === axis
          ? []
          : [
              {
                left: size,
                right: input.shape[index]!,
                word: axisWord(index, rank),
                what: 'the inputs of concat have',
              },
            ],
      );
      context.requireAllEqual(pairs, 'inputs');
    }
    const joined = add(dim(0), ...inputs.map((input) => input.shape[axis]!));
    return tensorType(
      first.shape.map((size, index) => (index === axis ? joined : size)),
      first.dtype,
    );
  },
  flops: () => dim(0),
  execute: ({ tf, inputs, attrs }) =>
    inputs.length === 1 ? tf.clone(inputs[0]!) : tf.concat([...inputs], axisOf(attrs, inputs[0]!.rank)),
  emit({ inputs, attrs, inputTypes }) {
    if (inputs.length === 1) return { expression: `tf.clone(${inputs[0]})` };
    return { expression: `tf.concat([${inputs.join(', ')}], ${axisOf(attrs, inputTypes[0]!.shape.length)})` };
  },
};
