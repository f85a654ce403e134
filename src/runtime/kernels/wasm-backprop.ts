/**
 * Training kernels the wasm backend lacks, built from its own kernels:
 *
 * - `Conv2DBackpropFilter`: the filter gradient is itself a convolution, of the input with the
 *   input and batch axes swapped, by the output gradient used as a filter whose taps are spaced
 *   by the forward stride (a dilation).
 * - `DepthwiseConv2dNativeBackpropInput`: the output gradient, spread out by the stride and
 *   padded, correlated per channel with the spatially flipped filter.
 * - `DepthwiseConv2dNativeBackpropFilter`: like the full filter gradient, with the batch folded
 *   into the channels of a depthwise convolution and summed out afterwards.
 * - `UnsortedSegmentSum` (the gradient of `gather`): a scatter-add.
 *
 * It also corrects wasm's own `MaxPoolGrad` for padded windows (see `wasm-max-pool-grad.ts`).
 *
 * NHWC only, like the wasm convolutions. Stride, dilation and 'same' / 'valid' / explicit
 * padding are handled; tfjs-core itself only asks for dilation 1 here, since its conv
 * gradients refuse dilation > 1 (see `atrous.ts` for how segc differentiates dilated convs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { composeKernel, type KernelCalls } from './kernel-calls.js';
import { correctWasmMaxPoolGrad } from './wasm-max-pool-grad.js';

const BACKEND = 'wasm';
type Pair = [number, number];
type PadAttribute = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface ConvGradientAttrs {
  strides: number | Pair;
  dilations?: number | Pair;
  pad: PadAttribute;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

function pair(value: number | Pair | undefined): Pair {
  if (value === undefined) return [1, 1];
  return typeof value === 'number' ? [value, value] : value;
}

function requireChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm supports only NHWC, got ${dataFormat}`);
  }
}

/**
 * Zero-pads (or crops) the two spatial axes so that a stride-1 correlation with a kernel of
 * extent `extent` starting at offset -`before` produces exactly `outputs` positions.
 */
function spatialWindow(calls: KernelCalls, x: tf.TensorInfo, before: Pair, extent: Pair, outputs: Pair): tf.TensorInfo {
  const needed = [outputs[0] + extent[0] - 1, outputs[1] + extent[1] - 1];
  return calls.padOrCrop(x, [
    [0, 0],
    [before[0], needed[0]! - x.shape[1]! - before[0]],
    [before[1], needed[1]! - x.shape[2]! - before[1]],
    [0, 0],
  ]);
}

function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradientAttrs & { filterShape: [number, number, number, number] };
  requireChannelsLast('Conv2DBackpropFilter', attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const strides: Pair = [info.strideHeight, info.strideWidth];
  return composeKernel(args.backend as tf.KernelBackend, BACKEND, (calls) => {
    const inputAsBatch = calls.transpose(x, [3, 1, 2, 0]);
    const extent: Pair = [(info.outHeight - 1) * strides[0] + 1, (info.outWidth - 1) * strides[1] + 1];
    const window = spatialWindow(calls, inputAsBatch, [info.padInfo.top, info.padInfo.left], extent, [
      info.filterHeight,
      info.filterWidth,
    ]);
    const gradientAsFilter = calls.transpose(dy, [1, 2, 0, 3]);
    const convolved = calls.run(
      'Conv2D',
      { x: window, filter: gradientAsFilter },
      { strides: [1, 1], dilations: strides, pad: 'valid', dataFormat: 'NHWC' },
    );
    return calls.transpose(convolved, [1, 2, 0, 3]);
  });
}

function depthwiseBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradientAttrs & { inputShape: [number, number, number, number] };
  const [kernelHeight, kernelWidth, channels, multiplier] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    pair(attrs.dilations),
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const dilations: Pair = [info.dilationHeight, info.dilationWidth];
  const extent: Pair = [info.effectiveFilterHeight, info.effectiveFilterWidth];
  return composeKernel(args.backend as tf.KernelBackend, BACKEND, (calls) => {
    const spread = calls.spread(dy, [info.strideHeight, info.strideWidth]);
    const before: Pair = [extent[0] - 1 - info.padInfo.top, extent[1] - 1 - info.padInfo.left];
    const window = spatialWindow(calls, spread, before, extent, [info.inHeight, info.inWidth]);
    const flipped = calls.run('Reverse', { x: filter }, { dims: [0, 1] });
    const perChannel = calls.reshape(flipped, [kernelHeight, kernelWidth, channels * multiplier, 1]);
    const gradient = calls.run(
      'DepthwiseConv2dNative',
      { x: window, filter: perChannel },
      { strides: [1, 1], dilations, pad: 'valid', dataFormat: 'NHWC' },
    );
    if (multiplier === 1) return gradient;
    const [batch, height, width] = attrs.inputShape;
    const grouped = calls.reshape(gradient, [batch, height, width, channels, multiplier]);
    return calls.run('Sum', { x: grouped }, { axis: [4], keepDims: false });
  });
}

function depthwiseBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvGradientAttrs & { filterShape: [number, number, number, number] };
  const [batch, , , channels] = x.shape as [number, number, number, number];
  const [kernelHeight, kernelWidth, , multiplier] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    pair(attrs.dilations),
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const strides: Pair = [info.strideHeight, info.strideWidth];
  const dilations: Pair = [info.dilationHeight, info.dilationWidth];
  return composeKernel(args.backend as tf.KernelBackend, BACKEND, (calls) => {
    const batchInChannels = calls.reshape(calls.transpose(x, [1, 2, 0, 3]), [
      1,
      x.shape[1]!,
      x.shape[2]!,
      batch * channels,
    ]);
    const extent: Pair = [(info.outHeight - 1) * strides[0] + 1, (info.outWidth - 1) * strides[1] + 1];
    const outputs: Pair = [info.effectiveFilterHeight, info.effectiveFilterWidth];
    const window = spatialWindow(calls, batchInChannels, [info.padInfo.top, info.padInfo.left], extent, outputs);
    const gradientAsFilter = calls.reshape(calls.transpose(dy, [1, 2, 0, 3]), [
      info.outHeight,
      info.outWidth,
      batch * channels,
      multiplier,
    ]);
    let taps = calls.run(
      'DepthwiseConv2dNative',
      { x: window, filter: gradientAsFilter },
      { strides: [1, 1], dilations: strides, pad: 'valid', dataFormat: 'NHWC' },
    );
    if (dilations[0] > 1 || dilations[1] > 1) taps = everyNthTap(calls, taps, dilations);
    const perBatch = calls.reshape(taps, [kernelHeight, kernelWidth, batch, channels * multiplier]);
    const summed = calls.run('Sum', { x: perBatch }, { axis: [2], keepDims: false });
    return calls.reshape(summed, attrs.filterShape);
  });
}

/** Keeps the taps a dilated filter actually has: offsets 0, d, 2d, ... on each spatial axis. */
function everyNthTap(calls: KernelCalls, taps: tf.TensorInfo, dilations: Pair): tf.TensorInfo {
  return calls.run(
    'StridedSlice',
    { x: taps },
    {
      begin: [0, 0, 0, 0],
      end: [...taps.shape],
      strides: [1, dilations[0], dilations[1], 1],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
  );
}

/** Segment ids outside [0, numSegments) are dropped, as in TensorFlow: they go to a spare row. */
function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  const backend = args.backend as tf.KernelBackend;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const rows = Int32Array.from(ids, (id) => (id >= 0 && id < numSegments ? id : numSegments));
  const rest = x.shape.slice(segmentIds.shape.length);
  return composeKernel(backend, BACKEND, (calls) => {
    const indices = calls.constant(rows, [rows.length, 1]);
    const updates = calls.reshape(x, [rows.length, ...rest]);
    const scattered = calls.run('ScatterNd', { indices, updates }, { shape: [numSegments + 1, ...rest] });
    return calls.run('Slice', { x: scattered }, { begin: scattered.shape.map(() => 0), size: [numSegments, ...rest] });
  });
}

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2dBackpropFilter as tf.KernelFunc },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: BACKEND,
    kernelFunc: depthwiseBackpropInput as tf.KernelFunc,
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: BACKEND,
    kernelFunc: depthwiseBackpropFilter as tf.KernelFunc,
  },
  { kernelName: 'UnsortedSegmentSum', backendName: BACKEND, kernelFunc: unsortedSegmentSum as tf.KernelFunc },
];

/** Kernel names this module supplies for wasm (each only if wasm has none of its own). */
export const WASM_BACKPROP_KERNELS: readonly string[] = KERNELS.map((kernel) => kernel.kernelName);

/**
 * Idempotent. Call it after importing '@tensorflow/tfjs-backend-wasm' (the MaxPoolGrad
 * correction wraps the kernel that package registers); before or after the backend starts.
 */
export function registerWasmBackpropKernels(): void {
  for (const kernel of KERNELS) {
    if (!tf.getKernel(kernel.kernelName, BACKEND)) tf.registerKernel(kernel);
  }
  correctWasmMaxPoolGrad();
}
