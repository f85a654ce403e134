/**
 * Grad-CAM, Grad-CAM++ and LayerCAM maps written as ONNX nodes, so that an explanation model
 * answers the finished map in the same run as the derivative: the activation and its derivative
 * never leave the runtime, and nothing is left for tfjs to compute afterwards. Each follows the
 * tfjs function of `src/explain/methods/` and `src/explain/maps.ts` step by step (the same
 * formulas, zero-guards and bilinear half-pixel resize), and tests compare the two within 1e-4.
 */
import type { OnnxGraphBuilder, OnnxValue } from './builder.js';

/** The gradient methods whose map an explanation model can make itself. */
export type GraphMapMethod = 'gradcam' | 'gradcampp' | 'layercam';

export const GRAPH_MAP_METHODS: readonly GraphMapMethod[] = ['gradcam', 'gradcampp', 'layercam'];

export interface GraphMapRequest {
  readonly method: GraphMapMethod;
  /** As `finishMaps`: upsample the raw map to the input size, then normalise, or the other way round. */
  readonly order: 'upsample-first' | 'normalize-first';
}

export interface GraphMaps {
  /** [N, h, w] at the layer's resolution, as the method functions answer it. */
  readonly raw: string;
  /** [N, H, W]: upsampled to the input size and min-max normalised per image. */
  readonly map: string;
}

/** Builds the raw map from A and ∂S/∂A (both rank 4) and the finished map at `size` (images, rows, columns). */
export function graphMaps(
  builder: OnnxGraphBuilder,
  request: GraphMapRequest,
  activation: OnnxValue,
  gradient: OnnxValue,
  size: readonly [number, number, number],
  layerSize: readonly [number, number],
): GraphMaps {
  const origin = (label: string) => ({ name: `map/${label}`, doc: `${request.method} map: ${label}` });
  const add = (op: string, inputs: string[], label: string, attributes = {}) =>
    builder.add(op, inputs, attributes, origin(label));
  const [a, g] = [builder.as(activation, 'nchw'), builder.as(gradient, 'nchw')];
  const channels = builder.int64s('map/channel_axis', [1]);
  // Σ_c weights_c · A_c, then relu: [N, C, h, w] → [N, 1, h, w].
  const weightedSum = (weights: string) =>
    add(
      'Relu',
      [add('ReduceSum', [add('Mul', [a, weights], 'weighted'), channels], 'channel_sum', { keepdims: 1 })],
      'raw',
    );
  let raw: string;
  if (request.method === 'gradcam') {
    raw = weightedSum(add('ReduceMean', [g], 'weights', { axes: [2, 3], keepdims: 1 }));
  } else if (request.method === 'layercam') {
    raw = weightedSum(add('Relu', [g], 'positive_gradient'));
  } else {
    // α = g² / (2g² + Σ_hw A · g³), 0 where the denominator is 0; weights Σ_hw α · relu(g).
    const squared = add('Mul', [g, g], 'squared');
    const cubed = add('Mul', [squared, g], 'cubed');
    const spatial = builder.int64s('map/spatial_axes', [2, 3]);
    const activationSum = add('ReduceSum', [a, spatial], 'activation_sum', { keepdims: 1 });
    const two = builder.floats('map/two', [], Float32Array.of(2));
    const denominator = add(
      'Add',
      [add('Mul', [squared, two], 'twice_squared'), add('Mul', [activationSum, cubed], 'sum_cubed')],
      'denominator',
    );
    const alpha = guardedDivide(builder, add, squared, denominator, 'alpha');
    const weights = add(
      'ReduceSum',
      [add('Mul', [alpha, add('Relu', [g], 'positive_gradient')], 'alpha_gradient'), spatial],
      'weights',
      { keepdims: 1 },
    );
    raw = weightedSum(weights);
  }
  const resize = (x: string) => {
    if (size[1] === layerSize[0] && size[2] === layerSize[1]) return x;
    const sizes = builder.int64s('map/sizes', [size[0], 1, size[1], size[2]]);
    return add('Resize', [x, '', '', sizes], 'upsampled', {
      mode: 'linear',
      coordinate_transformation_mode: 'half_pixel',
    });
  };
  const normalise = (x: string) => {
    const low = add('ReduceMin', [x], 'min', { axes: [2, 3], keepdims: 1 });
    const range = add('Sub', [add('ReduceMax', [x], 'max', { axes: [2, 3], keepdims: 1 }), low], 'range');
    return guardedDivide(builder, add, add('Sub', [x, low], 'shifted'), range, 'normalised', 'positive');
  };
  const finished = request.order === 'upsample-first' ? normalise(resize(raw)) : resize(normalise(raw));
  const squeeze = (x: string, name: string) =>
    builder.add('Squeeze', [x, channels], {}, { name, doc: `explanation output ${name}` }, name);
  return { raw: squeeze(raw, 'raw'), map: squeeze(finished, 'map') };
}

/**
 * x / d where d is not 0 (or, with `positive`, where d > 0), else 0, as the tfjs functions guard
 * it: the division runs on a safe denominator of 1 there.
 */
function guardedDivide(
  builder: OnnxGraphBuilder,
  add: (op: string, inputs: string[], label: string, attributes?: object) => string,
  x: string,
  d: string,
  label: string,
  test: 'nonzero' | 'positive' = 'nonzero',
): string {
  const zero = builder.floats(`map/${label}_zero`, [], Float32Array.of(0));
  const one = builder.floats(`map/${label}_one`, [], Float32Array.of(1));
  const keep =
    test === 'positive'
      ? add('Greater', [d, zero], `${label}_keep`)
      : add('Not', [add('Equal', [d, zero], `${label}_zero`)], `${label}_keep`);
  const safe = add('Where', [keep, d, one], `${label}_safe`);
  return add('Where', [keep, add('Div', [x, safe], `${label}_quotient`), zero], label);
}
