/**
 * Resizes a feature map by an integer factor, to a fixed size, or to the spatial size of
 * another tensor (`like`), with nearest or bilinear interpolation. The target size is read
 * from the runtime shapes, so one model serves every input size its constraints allow.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Dim, constValue, dim, evaluate, mul, symbolsOf } from '../shapes/symbolic.js';
import { AttributeReader, type Pair, requireAtLeast } from './attributes.js';
import { channelsOf, expectFeatureMap, formatShape, inputAt, perElement, tensorType } from './common.js';
import {
  type Attrs,
  type OpDef,
  type ParamSpec,
  type ReceptiveFieldStep,
  type ShapeContext,
  ShapeError,
  type TensorType,
  type Tfjs,
} from './op.js';
import { featureMap } from './params.js';
import { resizeByMatrices } from './resize.js';

const NAME = 'upsample';
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  {
    name: 'like',
    type: 'tensor',
    default: null,
    doc: 'resize to the spatial size of this tensor (no gradient flows into it)',
  },
  { name: 'factor', type: 'int2', default: null, doc: 'integer scale [fh, fw]' },
  { name: 'size', type: 'int2', default: null, doc: 'output size [rows, cols]' },
  { name: 'mode', type: { enum: ['nearest', 'bilinear'] }, default: 'nearest', doc: 'interpolation' },
  { name: 'alignCorners', type: 'bool', default: false, doc: 'map corner pixels onto corner pixels' },
  { name: 'halfPixel', type: 'bool', default: true, doc: 'sample at pixel centres ((i + 0.5) / scale - 0.5)' },
];
const BILINEAR_COST = 8;
/** Where a size-dependent ratio is measured when the sizes are symbolic. */
const SAMPLE_SIZE = 1024;

const read = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs);

/** Which of the three ways to give the target size were used. */
function targetChoices(attrs: Attrs, inputs: readonly unknown[]): string[] {
  const attributes = read(attrs);
  const given = (['factor', 'size'] as const).filter((name) => attributes.has(name));
  return inputs.length > 1 ? [...given, 'like'] : given;
}

function requireOneTarget(choices: readonly string[]): void {
  if (choices.length === 1) return;
  const named = choices.map((c) => `\`${c}\``).join(' and ');
  const message =
    choices.length === 0
      ? `${NAME}: give one of \`factor\`, \`size\` or \`like\``
      : `${NAME}: give only one of \`factor\`, \`size\` or \`like\`, got ${named}`;
  throw new ShapeError(
    message,
    choices[1] ?? 'factor',
    'e.g. `upsample(factor: 2)`, `upsample(size: [64, 64])` or `upsample(like: skip)`',
  );
}

function likeSize(like: TensorType, context: ShapeContext): [Dim, Dim] {
  if (like.shape.length < 3) {
    throw new ShapeError(
      `${NAME}: \`like\` must have spatial axes [N, H, W, ...], got ${formatShape(like, context)}`,
      'like',
    );
  }
  return [like.shape[1]!, like.shape[2]!];
}

function ratioAt(input: Dim, output: Dim): number {
  const env = new Map([...symbolsOf(input, symbolsOf(output))].map((s) => [s, SAMPLE_SIZE] as [string, number]));
  return evaluate(input, env) / evaluate(output, env);
}

function resize(
  tf: Tfjs,
  x: tf.Tensor4D,
  size: Pair,
  attributes: AttributeReader,
  needsGradient: boolean,
): tf.Tensor4D {
  const [alignCorners, halfPixel] = [attributes.bool('alignCorners'), attributes.bool('halfPixel')];
  const bilinear = attributes.text('mode') === 'bilinear';
  if (needsGradient) return resizeByMatrices(tf, x, size, { bilinear, alignCorners, halfPixel });
  const target: [number, number] = [size[0], size[1]];
  return bilinear
    ? tf.image.resizeBilinear(x, target, alignCorners, halfPixel)
    : tf.image.resizeNearestNeighbor(x, target, alignCorners, halfPixel);
}

/**
 * The target size as code: what the output type fixes, else the same arithmetic on runtime
 * shapes that `execute` does.
 */
function targetCode(inputs: readonly string[], attributes: AttributeReader, output: TensorType): string {
  const factor = attributes.optionalPair('factor');
  const axisCode = (axis: 1 | 2): string => {
    const known = constValue(output.shape[axis]!);
    if (known !== undefined) return String(known);
    if (factor) return `${inputs[0]}.shape[${axis}] * ${factor[axis - 1]}`;
    return `${inputs[1]}.shape[${axis}]`;
  };
  return `[${axisCode(1)}, ${axisCode(2)}]`;
}

export const upsample: OpDef = {
  name: NAME,
  summary: 'resize by `factor`, to `size`, or to the spatial size of `like` (nearest or bilinear)',
  notes:
    'Exactly one of `factor`, `size`, `like`. `alignCorners` and `halfPixel` go to tfjs resizeBilinear / ' +
    'resizeNearestNeighbor as written: `halfPixel: true` (the default) samples source position (i + 0.5) / scale - 0.5 ' +
    '(OpenCV, PyTorch align_corners=False); `alignCorners: true, halfPixel: false` maps corners to corners ' +
    '(scale (in - 1) / (out - 1)); both false is the legacy TensorFlow 1 / Keras UpSampling2D rule i * in / out. ' +
    'Both true is an error. Receptive-field step: extent 1, stride 1 / factor (measured from the sizes for `size` ' +
    'and `like`). Cost: 8 per output element for bilinear, 0 for nearest. With a gradient, resizing runs as two ' +
    "interpolation-matrix products, as tfjs's resize gradients fail on non-square inputs.",
  params: PARAMS,
  shapeOnlyInputs: ['like'],
  resamples: true,
  identityWhen: ({ factor }) => Array.isArray(factor) && factor.every((f) => f === 1),
  validate(attrs) {
    const attributes = read(attrs);
    if (attributes.bool('alignCorners') && attributes.bool('halfPixel')) {
      return '`alignCorners` and `halfPixel` cannot both be true: set `halfPixel: false` with `alignCorners: true`';
    }
    return requireAtLeast(attributes, 1, 'factor', 'size');
  },
  shape(inputs, attrs, context) {
    const x = expectFeatureMap(NAME, inputAt(NAME, inputs, 0, 'x'), context);
    const channels = dim(channelsOf(NAME, x));
    requireOneTarget(targetChoices(attrs, inputs));
    const attributes = read(attrs);
    const factor = attributes.optionalPair('factor');
    const size = attributes.optionalPair('size');
    const [rows, columns]: [Dim, Dim] = factor
      ? [mul(x.shape[1]!, dim(factor[0])), mul(x.shape[2]!, dim(factor[1]))]
      : size
        ? [dim(size[0]), dim(size[1])]
        : likeSize(inputs[1]!, context);
    return tensorType([x.shape[0]!, rows, columns, channels]);
  },
  flops: (_inputs, output, attrs) => perElement(output, read(attrs).text('mode') === 'bilinear' ? BILINEAR_COST : 0),
  receptiveField({ attrs, inputs, output }): ReceptiveFieldStep {
    const factor = read(attrs).optionalPair('factor');
    if (factor) return { extent: 1, stride: 1 / Math.min(...factor) };
    const input = inputs[0];
    if (!input || input.shape.length < 3 || output.shape.length < 3) return { extent: 1, stride: 1 };
    return { extent: 1, stride: ratioAt(input.shape[1]!, output.shape[1]!) };
  },
  execute({ tf, inputs, attrs, context }) {
    const attributes = read(attrs);
    const x = inputs[0] as tf.Tensor4D;
    const factor = attributes.optionalPair('factor');
    const like = inputs[1];
    const size: Pair = factor
      ? [x.shape[1] * factor[0], x.shape[2] * factor[1]]
      : like
        ? [like.shape[1]!, like.shape[2]!]
        : attributes.pair('size');
    return resize(tf, x, size, attributes, context.needsGradient);
  },
  emit({ inputs, attrs, output }) {
    const attributes = read(attrs);
    const kernel = attributes.text('mode') === 'bilinear' ? 'resizeBilinear' : 'resizeNearestNeighbor';
    const flags = `${attributes.bool('alignCorners')}, ${attributes.bool('halfPixel')}`;
    return { expression: `tf.image.${kernel}(${inputs[0]}, ${targetCode(inputs, attributes, output)}, ${flags})` };
  },
};
