/**
 * Cropping: remove a border, or centre-crop to the spatial size of another tensor (U-Net skip
 * connections, where valid convolutions leave the encoder map larger than the decoder's).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Dim, constValue, dim, sub } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { expandBorder, requireAtLeastSize, validateBorder } from './border.js';
import { expectFeatureMap, formatShape, inputAt, tensorType } from './common.js';
import { type Attrs, type OpDef, type ParamSpec, ShapeError } from './op.js';
import { featureMap } from './params.js';
import { requirePositive } from './spatial.js';

const NAME = 'crop';
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  { name: 'like', type: 'tensor', default: null, doc: 'centre-crop to the spatial size of this tensor' },
  {
    name: 'amount',
    type: 'int[]',
    default: null,
    doc: 'pixels to remove: [all], [rows, cols] or [top, bottom, left, right]',
  },
];

const amountOf = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs).optionalInts('amount');

function requireOneSource(hasAmount: boolean, hasLike: boolean): void {
  if (hasAmount === hasLike) {
    const message = hasAmount
      ? `${NAME}: give only one of \`amount\` and \`like\``
      : `${NAME}: give one of \`amount\` and \`like\``;
    throw new ShapeError(message, 'amount', 'e.g. `crop(amount: [2, 2])` or `crop(like: decoder)`');
  }
}

/** The top-left corner of a centred crop: the odd pixel goes to the bottom/right. */
function centreOffset(size: number, target: number): number {
  return Math.floor((size - target) / 2);
}

/** A size as code: the number the type fixes, else `fallback` computed at run time. */
function sizeCode(known: Dim, fallback: string): string {
  const value = constValue(known);
  return value === undefined ? fallback : String(value);
}

/** `centreOffset` as code, folded to a number when both sizes are known. */
function offsetCode(size: Dim, target: Dim, sizeAtRuntime: string, targetAtRuntime: string): string {
  const [known, knownTarget] = [constValue(size), constValue(target)];
  if (known !== undefined && knownTarget !== undefined) return String(centreOffset(known, knownTarget));
  return `Math.floor((${sizeCode(size, sizeAtRuntime)} - ${sizeCode(target, targetAtRuntime)}) / 2)`;
}

export const crop: OpDef = {
  name: NAME,
  summary: 'remove a border (`amount`) or centre-crop to the spatial size of `like`',
  notes:
    '`amount` as for `pad`. With `like`, the crop starts at floor((H - h) / 2), so an odd difference leaves the ' +
    'extra pixel at the bottom/right (Keras/U-Net convention).',
  params: PARAMS,
  identityWhen: ({ amount }) => Array.isArray(amount) && amount.every((a) => a === 0),
  validate(attrs) {
    const amount = amountOf(attrs);
    return amount ? validateBorder(amount) : undefined;
  },
  shape(inputs, attrs, context) {
    const x = expectFeatureMap(NAME, inputAt(NAME, inputs, 0, 'x'), context);
    const amount = amountOf(attrs);
    requireOneSource(amount !== undefined, inputs.length > 1);
    if (amount) {
      const border = expandBorder(amount);
      const rows = sub(x.shape[1]!, dim(border.top + border.bottom));
      const columns = sub(x.shape[2]!, dim(border.left + border.right));
      const hint = 'crop less, or constrain the input size with `where`';
      requirePositive(NAME, [rows], context, `removing ${border.top + border.bottom} rows leaves nothing`, hint);
      requirePositive(
        NAME,
        [columns],
        context,
        `removing ${border.left + border.right} columns leaves nothing`,
        hint,
        1,
      );
      return tensorType([x.shape[0]!, rows, columns, x.shape[3]!]);
    }
    const like = inputs[1]!;
    if (like.shape.length < 3)
      throw new ShapeError(
        `${NAME}: \`like\` must have spatial axes [N, H, W, ...], got ${formatShape(like, context)}`,
        'like',
      );
    const target: Dim[] = [like.shape[1]!, like.shape[2]!];
    target.forEach((size, index) => {
      const word = index === 0 ? 'rows' : 'columns';
      requireAtLeastSize(
        NAME,
        x.shape[index + 1]!,
        size,
        context,
        (have, want) => `\`like\` has ${want} ${word} but \`x\` has only ${have}`,
        'like',
      );
    });
    return tensorType([x.shape[0]!, target[0]!, target[1]!, x.shape[3]!]);
  },
  flops: () => dim(0),
  execute({ tf, inputs, attrs }) {
    const x = inputs[0] as tf.Tensor4D;
    const [, rows, columns] = x.shape;
    const amount = amountOf(attrs);
    if (amount) {
      const border = expandBorder(amount);
      return tf.slice(
        x,
        [0, border.top, border.left, 0],
        [-1, rows - border.top - border.bottom, columns - border.left - border.right, -1],
      );
    }
    const [height, width] = [inputs[1]!.shape[1]!, inputs[1]!.shape[2]!];
    return tf.slice(x, [0, centreOffset(rows, height), centreOffset(columns, width), 0], [-1, height, width, -1]);
  },
  emit({ inputs, attrs, inputTypes, output }) {
    const [x, like] = [inputs[0]!, inputs[1]];
    const amount = amountOf(attrs);
    const [rows, columns] = [sizeCode(output.shape[1]!, ''), sizeCode(output.shape[2]!, '')];
    if (amount) {
      const border = expandBorder(amount);
      const height = rows || `${x}.shape[1] - ${border.top + border.bottom}`;
      const width = columns || `${x}.shape[2] - ${border.left + border.right}`;
      return { expression: `tf.slice(${x}, [0, ${border.top}, ${border.left}, 0], [-1, ${height}, ${width}, -1])` };
    }
    const [source, target] = [inputTypes[0]!.shape, inputTypes[1]!.shape];
    const top = offsetCode(source[1]!, target[1]!, `${x}.shape[1]`, `${like}.shape[1]`);
    const left = offsetCode(source[2]!, target[2]!, `${x}.shape[2]`, `${like}.shape[2]`);
    return {
      expression: `tf.slice(${x}, [0, ${top}, ${left}, 0], [-1, ${rows || `${like}.shape[1]`}, ${columns || `${like}.shape[2]`}, -1])`,
    };
  },
};
