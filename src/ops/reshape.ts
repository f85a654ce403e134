/**
 * Reshape of everything but the batch axis (like Keras Reshape). One entry may be -1: it is
 * inferred from the element count, which must then divide evenly.
 */
import { type Dim, dim, floorDiv, mul } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { elementCount, expectRankAtLeast, inputAt, tensorType } from './common.js';
import type { Attrs, OpDef, ParamSpec } from './op.js';
import { anyTensor } from './params.js';

const NAME = 'reshape';
const PARAMS: readonly ParamSpec[] = [
  anyTensor,
  { name: 'shape', type: 'int[]', doc: 'target shape without the batch axis; one entry may be -1' },
];
const targetOf = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs).ints('shape');

export const reshape: OpDef = {
  name: NAME,
  summary: 'reshape all axes but the batch axis',
  notes: 'The target excludes the batch axis. One -1 entry is inferred; the element count per batch item must match.',
  params: PARAMS,
  spatial: 'global',
  validate(attrs) {
    const target = targetOf(attrs);
    if (target.length === 0) return '`shape` must have at least one entry';
    if (target.some((v) => v === 0 || v < -1))
      return `\`shape\` entries must be positive or -1, got [${target.join(', ')}]`;
    return target.filter((v) => v === -1).length > 1
      ? `\`shape\` may have only one -1, got [${target.join(', ')}]`
      : undefined;
  },
  shape(inputs, attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    expectRankAtLeast(NAME, x, 2, context);
    const target = targetOf(attrs);
    const total = elementCount(x.shape.slice(1));
    const known = target.filter((v) => v !== -1).reduce((p, v) => p * v, 1);
    const written = `[${target.join(', ')}]`;
    if (!target.includes(-1)) {
      context.requireEqual(
        dim(known),
        total,
        (l, r) => `the input of reshape has ${r} values per batch item but the target shape ${written} holds ${l}`,
        'shape',
      );
      return tensorType([x.shape[0]!, ...target.map(dim)], x.dtype);
    }
    const inferred = floorDiv(total, known);
    const holds = (r: string) =>
      `the input of reshape has ${r} values per batch item, which the target shape ${written} cannot hold (not a multiple of ${known})`;
    context.requireEqual(mul(inferred, dim(known)), total, (_l, r) => holds(r), 'shape');
    const shape: Dim[] = target.map((v) => (v === -1 ? inferred : dim(v)));
    return tensorType([x.shape[0]!, ...shape], x.dtype);
  },
  flops: () => dim(0),
  execute: ({ tf, inputs, attrs }) => tf.reshape(inputs[0]!, [inputs[0]!.shape[0]!, ...targetOf(attrs)]),
  emit: ({ inputs, attrs }) => ({
    expression: `tf.reshape(${inputs[0]}, [${[`${inputs[0]}.shape[0]`, ...targetOf(attrs)].join(', ')}])`,
  }),
};
