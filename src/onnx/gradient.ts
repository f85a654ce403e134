/**
 * Reverse-mode differentiation on the IR, lowered to ONNX: an explanation model with inputs the
 * model's input and a `selector` shaped like the score, and outputs `score`, `activation` (the
 * explained layer A) and `gradient` = ∂(Σ selector ⊙ score)/∂A. Only the nodes on a path from
 * A to the score are differentiated, in reverse graph order, each by its op's vector-Jacobian
 * product; the cotangents of a node read by several others are summed. The forward part is the
 * model's own graph as written (batch norm at inference, unfolded), so A is the tensor the user
 * named. Sizes are fixed to one input size, which strided convolutions and resizes need.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Graph, IRNode } from '../ir/graph.js';
import { type Dim, evaluate } from '../shapes/symbolic.js';
import { OnnxGraphBuilder, type OnnxValue } from './builder.js';
import { HostWeights, type OnnxExport, OnnxExportError, encodeModel, lowerNodes, valueInfo } from './export.js';
import { UnsupportedError } from './lowering.js';
import { findOp } from '../ops/registry.js';
import { type Vjp, LAYER_VJPS } from './vjp.js';
import { TENSOR_VJPS } from './vjp-tensors.js';
import { WINDOW_VJPS } from './vjp-windows.js';
import { type ClassMapRequest, type GraphMapRequest, classMaps, graphMaps } from './explanation-maps.js';

/**
 * Each op's vector-Jacobian product in ONNX, keyed by op name: a lowering table of this target
 * (like LOWERINGS in export.ts), not a fact about the op.
 */
const VJPS: Readonly<Record<string, Vjp>> = { ...LAYER_VJPS, ...TENSOR_VJPS, ...WINDOW_VJPS };

/** The ops with a vector-Jacobian product, for the docs and for checking a path early. */
export const DIFFERENTIABLE_OPS: readonly string[] = Object.keys(VJPS);

export interface ExplanationModelRequest {
  /** Node ids in `graph` (the graph as written): the score and the explained layer. */
  readonly score: number;
  readonly target: number;
  /** The input's shape the model is built for (NHWC). */
  readonly inputShape: readonly number[];
  /** A second tensor read by the map, output as `second` (ACoL's branch B class map). */
  readonly second?: number;
  /** Leave out the derivative (CAM needs only the score and the features). */
  readonly gradient?: boolean;
  /**
   * `input`: the selector is an input. `predicted`: the graph makes explain's default selector
   * itself (the predicted class; for segmentation, the pixels predicted as the class most pixels
   * have), so one run gives the scores and the derivative. `class`: an input `class` ([N],
   * int32) names each image's class, and the graph makes explain's selector for it (for
   * segmentation, the pixels predicted as it, or every pixel where none is).
   */
  readonly selector?: 'input' | 'predicted' | 'class';
  /**
   * With the `predicted` or `class` selector and a per-pixel score: an input `region` ([N, h, w]
   * in the score's pixels, float32; non-zero is inside) takes the place of the pixels the
   * selector would choose, as `scoreSelector` does with a region: the selector is the class's
   * channel inside the region (nothing where the region is empty). The class is the predicted
   * one or the input `class` as without a region.
   */
  readonly region?: boolean;
  /**
   * Make the method's map in the graph: the outputs are then `raw` ([N, h, w]), `map` ([N, H, W],
   * upsampled and normalised) and, with the predicted selector, `class` ([N], int32) instead of
   * the score, A and the derivative, which stay inside the runtime.
   */
  readonly map?: GraphMapRequest | ClassMapRequest;
}

/** The weights are copied to the host asynchronously first, as `exportOnnx` does. */
export async function exportExplanationModel(
  graph: Graph,
  weights: ReadonlyMap<string, tf.Tensor>,
  request: ExplanationModelRequest,
): Promise<OnnxExport> {
  const forward = forwardNodes(graph, request);
  return exportHostExplanationModel(graph, await HostWeights.read(forward, weights), request);
}

/** The nodes the explanation model computes: those the score, A and the second output read. */
function forwardNodes(graph: Graph, request: ExplanationModelRequest): IRNode[] {
  const forward = new Set(
    [request.score, request.target, ...(request.second === undefined ? [] : [request.second])].flatMap((id) => [
      ...ancestors(graph, id),
    ]),
  );
  return graph.nodes.filter((n) => forward.has(n.id));
}

/** `exportExplanationModel` on weights already copied to the host. */
export function exportHostExplanationModel(
  graph: Graph,
  weights: HostWeights,
  request: ExplanationModelRequest,
): OnnxExport {
  const env = bindSizes(graph, request.inputShape);
  const size = (d: Dim) => evaluate(d, env);
  const builder = new OnnxGraphBuilder([
    ...graph.inputs.map((i) => i.name),
    'selector',
    'score',
    'activation',
    'gradient',
    'second',
    'raw',
    'map',
    'class',
    'region',
  ]);
  const values = lowerNodes(graph, forwardNodes(graph, request), weights, builder);
  const [scoreNode, targetNode] = [graph.nodes[request.score]!, graph.nodes[request.target]!];
  const concrete = (node: IRNode) => ({
    dtype: node.type.dtype,
    shape: node.type.shape.map((d) => ({ kind: 'const' as const, value: size(d) })),
  });
  const inputInfo = graph.inputs.map((i) => valueInfo(i.name, concrete(graph.nodes[i.node]!)));
  const rank = scoreNode.type.shape.length;
  const requestedClass = () => {
    const batch = [{ kind: 'const' as const, value: request.inputShape[0]! }];
    inputInfo.push(valueInfo('class', { dtype: 'i32', shape: batch }));
    return builder.add('Cast', ['class'], { to: 7 }, { name: 'selector/class_int64', doc: 'the requested class' });
  };
  const selectorOf = (): PredictedSelector => {
    const classes = size(scoreNode.type.shape[rank - 1]!);
    const score = values.get(request.score)!;
    // explain's cut for a one-channel score: 0.5 after a sigmoid, else 0.
    const cut = findOp(scoreNode.op)?.outputActivation === 'sigmoid' ? 0.5 : 0;
    if (request.region) {
      if (rank !== 4)
        throw new OnnxExportError(scoreNode, 'a region applies only to per-pixel scores', 'leave the region out');
      if (request.selector !== 'predicted' && request.selector !== 'class')
        throw new Error('a region is selected in the graph with the predicted or the requested class');
      inputInfo.push(valueInfo('region', { dtype: 'f32', shape: concrete(scoreNode).shape.slice(0, 3) }));
      if (request.selector === 'class') return { selector: regionSelector(builder, classes, requestedClass()) };
      const predicted =
        classes > 1
          ? predictedClass(builder, score, classes)
          : builder.int64s('selector/only_class', new Array<number>(request.inputShape[0]!).fill(0));
      return { selector: regionSelector(builder, classes, predicted), classes: classIndices(builder, predicted) };
    }
    if (request.selector === 'predicted') {
      if (rank === 2 || classes > 1) return predictedSelector(builder, score, classes);
      // One channel: the only class, at the pixels scoring at least the cut.
      const zeros = builder.int64s('selector/only_class', new Array<number>(request.inputShape[0]!).fill(0));
      return { selector: classSelector(builder, score, classes, zeros, cut), classes: classIndices(builder, zeros) };
    }
    if (request.selector === 'class')
      return { selector: classSelector(builder, score, classes, requestedClass(), cut) };
    inputInfo.push(valueInfo('selector', concrete(scoreNode)));
    return { selector: { name: 'selector', rank, layout: rank === 4 ? 'nhwc' : 'plain' } };
  };
  const mapInfo = (name: string, dims: readonly number[], dtype: 'f32' | 'i32' = 'f32') =>
    valueInfo(name, { dtype, shape: dims.map((value) => ({ kind: 'const' as const, value })) });
  const image = request.inputShape;
  if (request.map && (request.map.method === 'cam' || request.map.method === 'acol')) {
    const shape = targetNode.type.shape.map(size);
    if (shape.length !== 4)
      throw new OnnxExportError(targetNode, 'a class map is made in the graph only from a feature map');
    const map = request.map;
    const { wanted, classes } = classesOf(map.classFrom ?? 'score');
    const head = map.dense === undefined ? undefined : graph.nodes[map.dense]!;
    const role = head ? findOp(head.op)?.linearInChannels?.kernel : undefined;
    const second = request.second === undefined ? undefined : values.get(request.second)!;
    // classMaps names its outputs `raw` and `map`.
    classMaps(
      builder,
      map,
      {
        features: values.get(request.target)!,
        ...(second ? { second } : {}),
        ...(head && role ? { kernel: weights.of(head)(role) } : {}),
      },
      wanted,
      shape[3]!,
      [image[0]!, image[1]!, image[2]!],
      [shape[1]!, shape[2]!],
    );
    return mapsModel(shape, classes);
  }
  /** The model of the maps `raw` and `map` of a layer of `shape` ([N, h, w, C]), and `class` where made here. */
  function mapsModel(shape: readonly number[], classes: string | undefined) {
    const outputInfo = [mapInfo('raw', shape.slice(0, 3)), mapInfo('map', [image[0]!, image[1]!, image[2]!])];
    if (classes) {
      builder.add('Identity', [classes], {}, { name: 'class', doc: 'explanation output class' }, 'class');
      outputInfo.push(mapInfo('class', [image[0]!], 'i32'));
    }
    return encodeModel(graph, builder, inputInfo, outputInfo);
  }
  /** The class per image without a selector (CAM, ACoL): requested, or picked as `from` says. */
  function classesOf(from: 'score' | 'first-map'): { wanted: string; classes?: string } {
    if (request.selector === 'class') return { wanted: requestedClass() };
    const count = size(scoreNode.type.shape[rank - 1]!);
    const origin = { name: 'selector/class', doc: 'the predicted class, as explain chooses it' };
    let wanted: string;
    if (from === 'first-map') {
      const first = builder.as(values.get(request.target)!, 'nchw');
      const means = builder.add('ReduceMean', [first], { axes: [2, 3], keepdims: 1 }, origin);
      wanted = builder.add('ArgMax', [means], { axis: 1, keepdims: 1 }, origin);
    } else if (rank === 2)
      wanted = builder.add('ArgMax', [values.get(request.score)!.name], { axis: 1, keepdims: 1 }, origin);
    else if (count > 1) wanted = predictedClass(builder, values.get(request.score)!, count);
    else wanted = builder.int64s('selector/only_class', new Array<number>(request.inputShape[0]!).fill(0));
    return { wanted, classes: classIndices(builder, wanted) };
  }
  if (request.map) {
    const shape = targetNode.type.shape.map(size);
    if (shape.length !== 4 || request.gradient === false)
      throw new OnnxExportError(targetNode, 'a map is made in the graph only from a feature map and its derivative');
    const { selector, classes } = selectorOf();
    const gradient = differentiate(graph, request, values, selector, builder, weights, size);
    // graphMaps names its outputs `raw` and `map`.
    graphMaps(
      builder,
      // The class maps returned above.
      request.map as GraphMapRequest,
      values.get(request.target)!,
      gradient,
      [image[0]!, image[1]!, image[2]!],
      [shape[1]!, shape[2]!],
    );
    return mapsModel(shape, classes);
  }
  const outputs = [
    output(builder, 'score', values.get(request.score)!),
    output(builder, 'activation', values.get(request.target)!),
  ];
  const outputInfo = [valueInfo('score', concrete(scoreNode)), valueInfo('activation', concrete(targetNode))];
  if (request.second !== undefined) {
    outputs.push(output(builder, 'second', values.get(request.second)!));
    outputInfo.push(valueInfo('second', concrete(graph.nodes[request.second]!)));
  }
  if (request.gradient !== false) {
    const { selector } = selectorOf();
    outputs.push(output(builder, 'gradient', differentiate(graph, request, values, selector, builder, weights, size)));
    outputInfo.push(valueInfo('gradient', concrete(targetNode)));
  }
  return encodeModel(graph, builder, inputInfo, outputInfo);
}

/** The derivative part alone, for another runtime to execute: its nodes, initializers and names. */
export interface DerivativeProgram {
  readonly builder: OnnxGraphBuilder;
  /** The graph value each input name stands for: forward values of the nodes the part reads. */
  readonly inputs: ReadonlyMap<number, string>;
  /** The cotangent of the score (Σ selector ⊙ score), NHWC for feature maps. */
  readonly selector: string;
  /** ∂(Σ selector ⊙ score)/∂A, as an OnnxValue of the builder. */
  readonly gradient: OnnxValue;
}

/**
 * Only the derivative of the part from A to the score: the forward values it reads (the path's
 * nodes and what they read from outside it) are inputs named `value<id>`, in the IR's layout, so
 * a runtime that has run the forward pass feeds them instead of computing them again.
 */
export function derivativeProgram(
  graph: Graph,
  weights: HostWeights,
  request: ExplanationModelRequest,
): DerivativeProgram {
  const env = bindSizes(graph, request.inputShape);
  const size = (d: Dim) => evaluate(d, env);
  const path = pathNodes(graph, request.target, request.score);
  const read = new Set<number>();
  for (const id of path) {
    read.add(id);
    if (id !== request.target) for (const input of graph.nodes[id]!.inputs) read.add(input);
  }
  const names = new Map([...read].map((id) => [id, `value${id}`]));
  const builder = new OnnxGraphBuilder(['selector', ...names.values()]);
  const values = new Map<number, OnnxValue>(
    [...names].map(([id, name]) => {
      const rank = graph.nodes[id]!.type.shape.length;
      return [id, { name, rank, layout: rank === 4 ? 'nhwc' : 'plain' }];
    }),
  );
  const rank = graph.nodes[request.score]!.type.shape.length;
  const selector: OnnxValue = { name: 'selector', rank, layout: rank === 4 ? 'nhwc' : 'plain' };
  const gradient = differentiate(graph, request, values, selector, builder, weights, size);
  return { builder, inputs: names, selector: 'selector', gradient };
}

/** The nodes whose weights the derivative of the part from `request.target` to `request.score` reads: the part's. */
export function derivativeWeightNodes(graph: Graph, request: ExplanationModelRequest): IRNode[] {
  return [...pathNodes(graph, request.target, request.score)].map((id) => graph.nodes[id]!);
}

/**
 * explain's default selector, in the graph: one-hot of the argmax for class scores; for
 * per-pixel scores, the class most pixels are predicted as (the first on ties) and the pixels
 * predicted as it.
 */
function predictedSelector(builder: OnnxGraphBuilder, score: OnnxValue, classes: number): PredictedSelector {
  const origin = (label: string) => ({ name: `selector/${label}`, doc: 'the predicted class, as explain chooses it' });
  const range = builder.int64s(
    'selector/classes',
    Array.from({ length: classes }, (_, c) => c),
  );
  const oneHot = (indices: string, classIndices: string, label: string) =>
    builder.add(
      'Cast',
      [builder.add('Equal', [classIndices, indices], {}, origin(`${label}_equal`))],
      { to: 1 },
      origin(label),
    );
  if (score.rank === 2) {
    const best = builder.add('ArgMax', [score.name], { axis: 1, keepdims: 1 }, origin('class'));
    return {
      selector: { name: oneHot(best, range, 'one_hot'), rank: 2, layout: 'plain' },
      classes: classIndices(builder, best),
    };
  }
  const x = builder.as(score, 'nchw');
  const channels = builder.add(
    'Reshape',
    [range, builder.int64s('selector/channel_shape', [1, classes, 1, 1])],
    {},
    origin('channels'),
  );
  const perPixel = builder.add('ArgMax', [x], { axis: 1, keepdims: 1 }, origin('pixel_class'));
  const pixels = oneHot(perPixel, channels, 'pixels');
  const counts = builder.add(
    'ReduceSum',
    [pixels, builder.int64s('selector/spatial', [2, 3])],
    { keepdims: 1 },
    origin('counts'),
  );
  const chosen = builder.add('ArgMax', [counts], { axis: 1, keepdims: 1 }, origin('class'));
  const mask = builder.add('Mul', [pixels, oneHot(chosen, channels, 'chosen')], {}, origin('mask'));
  return { selector: { name: mask, rank: 4, layout: 'nchw' }, classes: classIndices(builder, chosen) };
}

/** The class most pixels are predicted as, per image (the first on ties): int64 [N, 1, 1, 1]. */
function predictedClass(builder: OnnxGraphBuilder, score: OnnxValue, classes: number): string {
  const origin = (label: string) => ({ name: `selector/${label}`, doc: 'the predicted class, as explain chooses it' });
  const x = builder.as(score, 'nchw');
  const channels = builder.int64s(
    'selector/channels',
    Array.from({ length: classes }, (_, c) => c),
  );
  const perPixel = builder.add('ArgMax', [x], { axis: 1, keepdims: 1 }, origin('pixel_class'));
  const pixels = builder.add(
    'Cast',
    [
      builder.add(
        'Equal',
        [
          perPixel,
          builder.add(
            'Reshape',
            [channels, builder.int64s('selector/channel_shape', [1, classes, 1, 1])],
            {},
            origin('channel_column'),
          ),
        ],
        {},
        origin('pixels_equal'),
      ),
    ],
    { to: 1 },
    origin('pixels'),
  );
  const counts = builder.add(
    'ReduceSum',
    [pixels, builder.int64s('selector/spatial', [2, 3])],
    { keepdims: 1 },
    origin('counts'),
  );
  return builder.add('ArgMax', [counts], { axis: 1, keepdims: 1 }, origin('class'));
}

/**
 * `scoreSelector`'s selector for a region: the input `region` ([N, h, w]; non-zero is inside)
 * times the one-hot of the classes `wanted` (N int64 values), NCHW.
 */
function regionSelector(builder: OnnxGraphBuilder, classes: number, wanted: string): OnnxValue {
  const origin = (label: string) => ({ name: `selector/${label}`, doc: 'the class explained, in the region given' });
  const add = (op: string, inputs: string[], label: string, attributes = {}) =>
    builder.add(op, inputs, attributes, origin(label));
  const zero = builder.floats('selector/zero', [], Float32Array.of(0));
  const inside = add('Cast', [add('Not', [add('Equal', ['region', zero], 'outside')], 'inside_bool')], 'inside', {
    to: 1,
  });
  const mask = add('Unsqueeze', [inside, builder.int64s('selector/channel_axis', [1])], 'mask');
  const range = builder.int64s(
    'selector/classes',
    Array.from({ length: classes }, (_, c) => c),
  );
  const channels = add('Reshape', [range, builder.int64s('selector/channel_shape', [1, classes, 1, 1])], 'channels');
  const perImage = add('Reshape', [wanted, builder.int64s('selector/image_shape', [-1, 1, 1, 1])], 'class_per_image');
  const oneHot = add('Cast', [add('Equal', [channels, perImage], 'channel_equal')], 'channel', { to: 1 });
  return { name: add('Mul', [mask, oneHot], 'region_channel'), rank: 4, layout: 'nchw' };
}

/**
 * explain's selector for the classes `wanted` ([N], int64), as `scoreSelector` makes it without a
 * region: one-hot for class scores; for per-pixel scores the class's channel at the pixels
 * predicted as it (every pixel when none is), or, for one channel, at the pixels whose score is
 * at least `cut`.
 */
function classSelector(
  builder: OnnxGraphBuilder,
  score: OnnxValue,
  classes: number,
  wanted: string,
  cut: number,
): OnnxValue {
  const origin = (label: string) => ({ name: `selector/${label}`, doc: 'the class explained, as explain selects it' });
  const add = (op: string, inputs: string[], label: string, attributes = {}) =>
    builder.add(op, inputs, attributes, origin(label));
  const range = builder.int64s(
    'selector/classes',
    Array.from({ length: classes }, (_, c) => c),
  );
  const asFloat = (x: string, label: string) => add('Cast', [x], label, { to: 1 });
  if (score.rank === 2) {
    const column = add('Unsqueeze', [wanted, builder.int64s('selector/column', [1])], 'class_column');
    return { name: asFloat(add('Equal', [range, column], 'one_hot_equal'), 'one_hot'), rank: 2, layout: 'plain' };
  }
  const x = builder.as(score, 'nchw');
  const perImage = add('Reshape', [wanted, builder.int64s('selector/image_shape', [-1, 1, 1, 1])], 'class_per_image');
  const pixels =
    classes === 1
      ? asFloat(
          add('GreaterOrEqual', [x, builder.floats('selector/cut', [], Float32Array.of(cut))], 'foreground'),
          'pixels',
        )
      : asFloat(
          add('Equal', [add('ArgMax', [x], 'pixel_class', { axis: 1, keepdims: 1 }), perImage], 'pixels_equal'),
          'pixels',
        );
  const count = add('ReduceSum', [pixels, builder.int64s('selector/spatial', [2, 3])], 'count', { keepdims: 1 });
  const empty = add('Equal', [count, builder.floats('selector/zero', [], Float32Array.of(0))], 'empty');
  const mask = add('Where', [empty, builder.floats('selector/one', [], Float32Array.of(1)), pixels], 'mask');
  const channels = builder.int64s('selector/channel_shape', [1, classes, 1, 1]);
  const oneHot = asFloat(
    add('Equal', [add('Reshape', [range, channels], 'channels'), perImage], 'channel_equal'),
    'channel',
  );
  return { name: add('Mul', [mask, oneHot], 'mask_channel'), rank: 4, layout: 'nchw' };
}

interface PredictedSelector {
  readonly selector: OnnxValue;
  /** The chosen class per image, [N] int32 (only when the graph chooses it). */
  readonly classes?: string;
}

/** ArgMax's int64 indices (one per image, with kept axes) as [N] int32. */
function classIndices(builder: OnnxGraphBuilder, indices: string): string {
  const origin = { name: 'selector/class_index', doc: 'the predicted class of each image' };
  const flat = builder.add('Reshape', [indices, builder.int64s('selector/class_shape', [-1])], {}, origin);
  return builder.add('Cast', [flat], { to: 6 }, origin);
}

function output(builder: OnnxGraphBuilder, name: string, value: OnnxValue): string {
  return builder.add('Identity', [builder.as(value, 'nhwc')], {}, { name, doc: `explanation output ${name}` }, name);
}

/** A node's shape for the given input shape. */
export function shapeAt(graph: Graph, id: number, inputShape: readonly number[]): number[] {
  const env = bindSizes(graph, inputShape);
  return graph.nodes[id]!.type.shape.map((d) => evaluate(d, env));
}

/** Size symbols bound from the input shape (N, H, W, ...). */
function bindSizes(graph: Graph, shape: readonly number[]): Map<string, number> {
  const env = new Map<string, number>();
  graph.nodes[graph.inputs[0]!.node]!.type.shape.forEach((d, axis) => {
    if (d.kind === 'sym') env.set(d.name, shape[axis]!);
  });
  return env;
}

function ancestors(graph: Graph, id: number): Set<number> {
  const seen = new Set<number>([id]);
  for (let i = id; i >= 0; i--) if (seen.has(i)) for (const input of graph.nodes[i]!.inputs) seen.add(input);
  return seen;
}

/** The nodes the score depends on through the target: descendants of the target among its ancestors. */
function pathNodes(graph: Graph, target: number, score: number): Set<number> {
  const above = ancestors(graph, score);
  const path = new Set<number>([target]);
  for (const node of graph.nodes)
    if (node.id > target && above.has(node.id) && node.inputs.some((i) => path.has(i))) path.add(node.id);
  return path;
}

function differentiate(
  graph: Graph,
  request: ExplanationModelRequest,
  values: ReadonlyMap<number, OnnxValue>,
  seed: OnnxValue,
  builder: OnnxGraphBuilder,
  weights: HostWeights,
  size: (d: Dim) => number,
): OnnxValue {
  const path = pathNodes(graph, request.target, request.score);
  if (!path.has(request.score))
    throw new OnnxExportError(graph.nodes[request.target]!, 'the score does not depend on this layer');
  const contributions = new Map<number, OnnxValue[]>([[request.score, [seed]]]);
  for (const node of [...graph.nodes].reverse()) {
    // A node whose every reader passes no derivative back (erase's class map, crop's `like`) has none.
    const parts = contributions.get(node.id);
    if (!path.has(node.id) || node.id === request.target || !parts) continue;
    const gradient = total(builder, node, parts);
    const vjp = VJPS[node.op];
    if (!vjp)
      throw new OnnxExportError(
        node,
        `the op \`${node.op}\` has no derivative here`,
        'explain a layer after it (--layer), or use CAM',
      );
    const origin = { name: node.name, doc: node.name };
    try {
      const inputs = node.inputs.map((id) => values.get(id)!);
      const inputTypes = node.inputs.map((id) => graph.nodes[id]!.type);
      const cotangents = vjp({
        node,
        inputs,
        inputTypes,
        builder,
        origin,
        weight: weights.of(node),
        output: values.get(node.id)!,
        gradient,
        size,
      });
      node.inputs.forEach((id, index) => {
        const cotangent = cotangents[index];
        if (cotangent && path.has(id)) contributions.set(id, [...(contributions.get(id) ?? []), cotangent]);
      });
    } catch (error) {
      if (error instanceof UnsupportedError) throw new OnnxExportError(node, error.message, error.hint);
      throw error;
    }
  }
  const parts = contributions.get(request.target);
  if (!parts)
    throw new OnnxExportError(
      graph.nodes[request.target]!,
      'the score depends on this layer only through ops that pass no derivative (a mask, a crop size)',
      'explain another layer (--layer)',
    );
  return total(builder, graph.nodes[request.target]!, parts);
}

/** The sum of the cotangents reaching a node, in one layout. */
function total(builder: OnnxGraphBuilder, node: IRNode, parts: readonly OnnxValue[]): OnnxValue {
  if (parts.length === 1) return parts[0]!;
  const layout = parts[0]!.layout === 'nhwc' ? 'nhwc' : 'nchw';
  const name = builder.add(
    'Sum',
    parts.map((p) => builder.as(p, layout)),
    {},
    { name: `${node.name}/grad/total`, doc: `cotangent of ${node.name}` },
  );
  return { name, rank: parts[0]!.rank, layout: parts[0]!.rank === 4 ? layout : 'plain' };
}
