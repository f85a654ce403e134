/**
 * Grad-CAM, Grad-CAM++, LayerCAM, CAM and ACoL's fused maps written as ONNX nodes, so that an explanation model
 * answers the finished map in the same run as the derivative: the activation and its derivative
 * never leave the runtime, and nothing is left for tfjs to compute afterwards. Each follows the
 * tfjs function of `src/explain/methods/` and `src/explain/maps.ts` step by step (the same
 * formulas, zero-guards and bilinear half-pixel resize), and tests compare the two within 1e-4.
 */
import type { AttributeValue, OnnxGraphBuilder, OnnxValue } from './builder.js';
import type { HostTensor } from './lowering.js';

/** The gradient methods whose map an explanation model can make itself. */
export type GraphMapMethod = 'gradcam' | 'gradcampp' | 'layercam';

export const GRAPH_MAP_METHODS: readonly GraphMapMethod[] = ['gradcam', 'gradcampp', 'layercam'];

/** As `finishMaps`: upsample the raw map to the input size, then normalise, or the other way round. */
export type GraphMapOrder = 'upsample-first' | 'normalize-first';

export interface GraphMapRequest {
  readonly method: GraphMapMethod;
  readonly order: GraphMapOrder;
}

/**
 * A map made from the class's channels without a derivative: CAM (the class's column of a dense
 * head's kernel over the features, node `dense`, or else the class's channel of a class map) or
 * ACoL's fused map (both branches' class channels, each normalised per image, and their maximum).
 */
export interface ClassMapRequest {
  readonly method: 'cam' | 'acol';
  readonly order: GraphMapOrder;
  /** For CAM through GAP → dense: the dense node's id (its kernel is [K, classes]). */
  readonly dense?: number;
  /**
   * How the graph picks the class when none is given: `score` as explain's selector does, or
   * `first-map` (ACoL's fused output): the largest spatial mean of branch A's map, first on ties.
   */
  readonly classFrom?: 'score' | 'first-map';
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
  const add = adder(builder, `${request.method} map`);
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
  return outputs(builder, raw, request.order, size, layerSize);
}

/** Adds a node named `map/<label>`, documented as `<what>: <label>`; answers its output. */
type Add = (
  op: string,
  inputs: string[],
  label: string,
  attributes?: Readonly<Record<string, AttributeValue>>,
) => string;

function adder(builder: OnnxGraphBuilder, what: string): Add {
  return (op, inputs, label, attributes = {}) =>
    builder.add(op, inputs, attributes, { name: `map/${label}`, doc: `${what}: ${label}` });
}

/** The outputs `raw` and `map` ([N, h, w] and [N, H, W]) of a raw [N, 1, h, w] map. */
function outputs(
  builder: OnnxGraphBuilder,
  raw: string,
  order: GraphMapOrder,
  size: readonly [number, number, number],
  layerSize: readonly [number, number],
): GraphMaps {
  const finished = finish(builder, raw, order, size, layerSize);
  return { raw: squeeze(builder, raw, 'raw'), map: squeeze(builder, finished, 'map') };
}

/** The output `name`: [N, 1, h, w] → [N, h, w]. */
function squeeze(builder: OnnxGraphBuilder, x: string, name: string): string {
  const channels = builder.int64s('map/channel_axis', [1]);
  return builder.add('Squeeze', [x, channels], {}, { name, doc: `explanation output ${name}` }, name);
}

/** `finishMaps` on a raw [N, 1, h, w] map: bilinear half-pixel resize to `size` and per-image min-max normalisation. */
function finish(
  builder: OnnxGraphBuilder,
  raw: string,
  order: GraphMapOrder,
  size: readonly [number, number, number],
  layerSize: readonly [number, number],
): string {
  const add = adder(builder, 'finished map');
  const resize = (x: string) => {
    if (size[1] === layerSize[0] && size[2] === layerSize[1]) return x;
    const sizes = builder.int64s('map/sizes', [size[0], 1, size[1], size[2]]);
    return add('Resize', [x, '', '', sizes], 'upsampled', {
      mode: 'linear',
      coordinate_transformation_mode: 'half_pixel',
    });
  };
  return order === 'upsample-first' ? normalise(builder, resize(raw)) : resize(normalise(builder, raw));
}

/** (x − min) / (max − min) over each image's [h, w] (axes 2 and 3); a constant image becomes zeros. */
function normalise(builder: OnnxGraphBuilder, x: string): string {
  const add = adder(builder, 'per-image normalisation');
  const low = add('ReduceMin', [x], 'min', { axes: [2, 3], keepdims: 1 });
  const range = add('Sub', [add('ReduceMax', [x], 'max', { axes: [2, 3], keepdims: 1 }), low], 'range');
  return guardedDivide(builder, add, add('Sub', [x, low], 'shifted'), range, 'normalised', 'positive');
}

/**
 * CAM's or ACoL's raw map ([N, h, w] output `raw`) and finished map (`map`) for the classes
 * `wanted` (N int64 values, any shape), as `denseCam`, `channelCam` and `acolFusedMap` make them.
 * `features` is the explained layer (ACoL: branch A's class map), `second` ACoL's branch B map,
 * `kernel` a dense CAM head's [K, classes] kernel on the host.
 */
export function classMaps(
  builder: OnnxGraphBuilder,
  request: ClassMapRequest,
  inputs: { readonly features: OnnxValue; readonly second?: OnnxValue; readonly kernel?: HostTensor },
  wanted: string,
  classes: number,
  size: readonly [number, number, number],
  layerSize: readonly [number, number],
): GraphMaps {
  const add = adder(builder, `${request.method} map`);
  const channelAxis = builder.int64s('map/channel_axis', [1]);
  const perImage = add('Reshape', [wanted, builder.int64s('map/image_shape', [-1, 1, 1, 1])], 'class_per_image');
  // The class's channel of a [N, C, h, w] map: Σ_c onehot_c · x_c, [N, 1, h, w].
  const pick = (x: string, label: string) => {
    const range = builder.int64s(
      'map/classes',
      Array.from({ length: classes }, (_, c) => c),
    );
    const channels = add('Reshape', [range, builder.int64s('map/channel_shape', [1, classes, 1, 1])], 'channels');
    const oneHot = add('Cast', [add('Equal', [channels, perImage], 'channel_equal')], 'one_hot', { to: 1 });
    return add('ReduceSum', [add('Mul', [x, oneHot], `${label}_masked`), channelAxis], label, { keepdims: 1 });
  };
  const features = builder.as(inputs.features, 'nchw');
  let raw: string;
  if (request.method === 'acol') {
    const second = builder.as(inputs.second!, 'nchw');
    raw = add(
      'Max',
      [normalise(builder, pick(features, 'first')), normalise(builder, pick(second, 'second'))],
      'fused',
    );
  } else if (inputs.kernel) {
    // Σ_k w[k, c] · f_k: the class's column of the kernel as per-channel weights, [N, K, 1, 1].
    const [k, c] = inputs.kernel.shape as [number, number];
    const kernel = builder.floats('map/cam_kernel', [k, c], inputs.kernel.data);
    const flat = add('Reshape', [wanted, builder.int64s('map/class_list', [-1])], 'class_list');
    const columns = add('Transpose', [add('Gather', [kernel, flat], 'columns', { axis: 1 })], 'rows', { perm: [1, 0] });
    const weights = add('Unsqueeze', [columns, builder.int64s('map/spatial_axes', [2, 3])], 'weights');
    raw = add('ReduceSum', [add('Mul', [features, weights], 'weighted'), channelAxis], 'channel_sum', { keepdims: 1 });
  } else raw = pick(features, 'class_channel');
  return outputs(builder, raw, request.order, size, layerSize);
}

/**
 * x / d where d is not 0 (or, with `positive`, where d > 0), else 0, as the tfjs functions guard
 * it: the division runs on a safe denominator of 1 there.
 */
function guardedDivide(
  builder: OnnxGraphBuilder,
  add: Add,
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
