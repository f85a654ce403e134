/**
 * Spatial padding of a feature map: zeros (or `value`), or mirrored borders. `reflect` leaves
 * out the edge pixel, so it needs the padding to be smaller than the size; `symmetric` repeats
 * the edge and allows padding up to the size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { add, dim } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { type Border, expandBorder, requireAtLeastSize, validateBorder } from './border.js';
import { expectFeatureMap, inputAt, tensorType } from './common.js';
import type { Attrs, EmitHelper, OpDef, ParamSpec, Tfjs } from './op.js';
import { featureMap } from './params.js';

const NAME = 'pad';
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  { name: 'amount', type: 'int[]', doc: 'pixels to add: [all], [rows, cols] or [top, bottom, left, right]' },
  {
    name: 'mode',
    type: { enum: ['constant', 'reflect', 'symmetric'] },
    default: 'constant',
    doc: 'what fills the border',
  },
  { name: 'value', type: 'float', default: 0, doc: 'the fill value for `constant`' },
];

const read = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs);

function paddings(border: Border): [number, number][] {
  return [
    [0, 0],
    [border.top, border.bottom],
    [border.left, border.right],
    [0, 0],
  ];
}

/**
 * Mirrors along one axis from slices, reversals and a concat. tfjs's own mirrorPad gradient
 * only slices out the centre, dropping what flows back through the mirrored border.
 */
function mirrorAxis(tf: Tfjs, x: tf.Tensor4D, axis: 1 | 2, before: number, after: number, mode: string): tf.Tensor4D {
  if (before === 0 && after === 0) return x;
  const skip = mode === 'reflect' ? 1 : 0;
  const take = (start: number, count: number) => {
    const begin = [0, 0, 0, 0];
    const size = [-1, -1, -1, -1];
    begin[axis] = start;
    size[axis] = count;
    return tf.reverse(tf.slice(x, begin, size), axis);
  };
  const parts: tf.Tensor4D[] = [];
  if (before > 0) parts.push(take(skip, before));
  parts.push(x);
  if (after > 0) parts.push(take(x.shape[axis] - skip - after, after));
  return tf.concat(parts, axis);
}

function mirror(tf: Tfjs, x: tf.Tensor4D, border: Border, mode: string): tf.Tensor4D {
  return tf.tidy(() =>
    mirrorAxis(tf, mirrorAxis(tf, x, 1, border.top, border.bottom, mode), 2, border.left, border.right, mode),
  );
}

/** `mirror` as a module-level function of the generated code, step for step. */
const MIRROR_HELPER: EmitHelper = {
  name: 'mirrorPad',
  parameters: [
    { name: 'x', type: 'tf.Tensor4D' },
    { name: 'border', type: 'readonly [number, number, number, number]' },
    { name: 'skip', type: 'number' },
  ],
  returnType: 'tf.Tensor4D',
  docs: 'Pads rows, then columns, with mirrored borders; `skip` is 1 to leave out the edge pixel (reflect), 0 to repeat it (symmetric).',
  statements: [
    'const mirrorAxis = (value: tf.Tensor4D, axis: 1 | 2, before: number, after: number): tf.Tensor4D => {',
    '  if (before === 0 && after === 0) return value;',
    '  const take = (start: number, count: number) => {',
    '    const begin = [0, 0, 0, 0];',
    '    const size = [-1, -1, -1, -1];',
    '    begin[axis] = start;',
    '    size[axis] = count;',
    '    return tf.reverse(tf.slice(value, begin, size), axis);',
    '  };',
    '  const parts: tf.Tensor4D[] = [];',
    '  if (before > 0) parts.push(take(skip, before));',
    '  parts.push(value);',
    '  if (after > 0) parts.push(take(value.shape[axis] - skip - after, after));',
    '  return tf.concat(parts, axis);',
    '};',
    'return tf.tidy(() => mirrorAxis(mirrorAxis(x, 1, border[0], border[1]), 2, border[2], border[3]));',
  ],
};

export const pad: OpDef = {
  name: NAME,
  summary: 'pad rows and columns with a constant or a mirror of the border',
  notes:
    '`amount`: 1 value (all sides), 2 ([rows, cols]) or 4 ([top, bottom, left, right]). `reflect` mirrors without ' +
    'repeating the edge (needs amount < size), `symmetric` repeats it (needs amount ≤ size). Mirrors are built from ' +
    "slices, so the gradient includes what flows back through the border (tfjs's mirrorPad gradient drops it).",
  params: PARAMS,
  identityWhen: ({ amount }) => Array.isArray(amount) && amount.every((a) => a === 0),
  validate: (attrs) => validateBorder(read(attrs).ints('amount')),
  shape(inputs, attrs, context) {
    const x = expectFeatureMap(NAME, inputAt(NAME, inputs, 0, 'x'), context);
    const border = expandBorder(read(attrs).ints('amount'));
    const mode = read(attrs).text('mode');
    const sides: [number, number][] = [
      [border.top, border.bottom],
      [border.left, border.right],
    ];
    if (mode !== 'constant') {
      const slack = mode === 'reflect' ? 1 : 0;
      sides.forEach(([before, after], index) => {
        const [word, amount] = [index === 0 ? 'rows' : 'columns', Math.max(before, after)];
        const describe = (size: number) =>
          `\`${mode}\` padding by ${amount} needs at least ${amount + slack} ${word}, the input has ${size}`;
        requireAtLeastSize(NAME, x.shape[index + 1]!, dim(amount + slack), context, describe);
      });
    }
    const [rows, columns] = sides.map(([before, after], index) => add(x.shape[index + 1]!, dim(before + after)));
    return tensorType([x.shape[0]!, rows!, columns!, x.shape[3]!]);
  },
  flops: () => dim(0),
  execute({ tf, inputs, attrs }) {
    const attributes = read(attrs);
    const border = expandBorder(attributes.ints('amount'));
    const mode = attributes.text('mode');
    const x = inputs[0] as tf.Tensor4D;
    return mode === 'constant' ? tf.pad(x, paddings(border), attributes.number('value')) : mirror(tf, x, border, mode);
  },
  emit({ inputs, attrs, literal }) {
    const attributes = read(attrs);
    const border = expandBorder(attributes.ints('amount'));
    const mode = attributes.text('mode');
    if (mode === 'constant') {
      const value = attributes.number('value');
      const sides = paddings(border)
        .map(([before, after]) => `[${before}, ${after}]`)
        .join(', ');
      return { expression: `tf.pad(${inputs[0]}, [${sides}]${value === 0 ? '' : `, ${literal(value)}`})` };
    }
    const sides = [border.top, border.bottom, border.left, border.right].join(', ');
    return {
      expression: `mirrorPad(${inputs[0]}, [${sides}], ${mode === 'reflect' ? 1 : 0})`,
      helpers: [MIRROR_HELPER],
    };
  },
};
