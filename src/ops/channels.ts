/**
 * A channel slice [start, end), Python style: negative indices count from the end. Channel
 * counts are concrete, so the range is checked exactly.
 */
import { dim } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { channelsOf, expectRankAtLeast, inputAt, tensorType } from './common.js';
import { type Attrs, type OpDef, type ParamSpec, ShapeError } from './op.js';
import { anyTensor } from './params.js';

const NAME = 'channels';
const PARAMS: readonly ParamSpec[] = [
  anyTensor,
  { name: 'start', type: 'int', doc: 'first channel kept (negative: from the end)' },
  { name: 'end', type: 'int', doc: 'one past the last channel kept (negative: from the end)' },
];

/** [start, end) resolved against `count` channels. */
function rangeOf(attrs: Attrs, count: number): [number, number] {
  const read = new AttributeReader(NAME, PARAMS, attrs);
  const resolve = (index: number) => (index < 0 ? index + count : index);
  return [resolve(read.int('start')), resolve(read.int('end'))];
}

export const channels: OpDef = {
  name: NAME,
  summary: 'keep channels [start, end) of the last axis',
  notes:
    'Negative `start`/`end` count from the end, as in Python: `channels(x, 0, -1)` drops the last channel; on 4 channels `channels(x, -2, 4)` keeps the last two.',
  params: PARAMS,
  shape(inputs, attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    expectRankAtLeast(NAME, x, 2, context);
    const count = channelsOf(NAME, x);
    const [start, end] = rangeOf(attrs, count);
    if (start < 0 || end > count || start >= end) {
      const read = new AttributeReader(NAME, PARAMS, attrs);
      throw new ShapeError(
        `${NAME}: the range [${read.int('start')}, ${read.int('end')}) does not fit the ${count} channels of \`x\``,
        'start',
        `start and end must satisfy ${-count} ≤ start < end ≤ ${count} (negative values count from the end)`,
      );
    }
    return tensorType([...x.shape.slice(0, -1), dim(end - start)], x.dtype);
  },
  flops: () => dim(0),
  execute({ tf, inputs, attrs }) {
    const x = inputs[0]!;
    const [start, end] = rangeOf(attrs, x.shape[x.rank - 1]!);
    const begin = x.shape.map((_, axis) => (axis === x.rank - 1 ? start : 0));
    const size = x.shape.map((_, axis) => (axis === x.rank - 1 ? end - start : -1));
    return tf.slice(x, begin, size);
  },
  emit({ inputs, attrs, inputTypes }) {
    const shape = inputTypes[0]!.shape;
    const last = shape.length - 1;
    const [start, end] = rangeOf(attrs, channelsOf(NAME, inputTypes[0]!));
    const begin = shape.map((_, axis) => (axis === last ? start : 0));
    const size = shape.map((_, axis) => (axis === last ? end - start : -1));
    return { expression: `tf.slice(${inputs[0]}, [${begin.join(', ')}], [${size.join(', ')}])` };
  },
};
