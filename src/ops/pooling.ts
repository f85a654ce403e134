/**
 * What maxpool and avgpool share: parameters, the window shape rule and the checks.
 */
import { dim, mul } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { channelsOf, expectFeatureMap, inputAt, tensorType } from './common.js';
import type { Attrs, ParamSpec, ShapeContext, TensorType } from './op.js';
import { featureMap, padding } from './params.js';
import { type Window, readWindow, validateWindow, windowOutput } from './spatial.js';

export const POOL_PARAMS: readonly ParamSpec[] = [
  featureMap,
  { name: 'size', type: 'int2', default: 2, doc: 'window size [kh, kw]' },
  { name: 'stride', type: 'int2', default: null, doc: 'step between windows; absent means `size`' },
  padding('valid'),
  { name: 'pad', type: 'int2', default: null, doc: 'explicit symmetric padding [rows, cols]; overrides `padding`' },
];

export function readPool(op: string, attrs: Attrs): Window {
  return readWindow(new AttributeReader(op, POOL_PARAMS, attrs), 'size');
}

/** Like PyTorch, padding may not exceed half the window, so no window sees only padding. */
export function validatePool(op: string, attrs: Attrs): string | undefined {
  const window = readPool(op, attrs);
  const invalid = validateWindow(window, 'size');
  if (invalid || window.padding.kind !== 'explicit') return invalid;
  const pad = window.padding.pad;
  const axis = ([0, 1] as const).find((a) => 2 * pad[a] > window.kernel[a]);
  return axis === undefined
    ? undefined
    : `\`pad\` must be at most half of \`size\`, got pad ${pad[axis]} for size ${window.kernel[axis]}`;
}

export function poolShape(op: string, inputs: readonly TensorType[], attrs: Attrs, context: ShapeContext): TensorType {
  const x = expectFeatureMap(op, inputAt(op, inputs, 0, 'x'), context);
  const channels = channelsOf(op, x);
  const [rows, columns] = windowOutput(op, x.shape[1]!, x.shape[2]!, readPool(op, attrs), context);
  return tensorType([x.shape[0]!, rows, columns, dim(channels)]);
}

/** One comparison or addition per window element per output. */
export function poolFlops(op: string, output: TensorType, attrs: Attrs) {
  const { kernel } = readPool(op, attrs);
  return mul(dim(kernel[0] * kernel[1]), ...output.shape);
}
