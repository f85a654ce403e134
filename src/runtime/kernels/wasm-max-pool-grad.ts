/**
 * A corrected `MaxPoolGrad` for wasm. The native kernel loses the gradient of every window
 * whose elements are all below zero (its running maximum starts at 0, not -∞), which a max
 * pool not preceded by a ReLU meets all the time. This replacement routes the gradient the way
 * TensorFlow does, to the first maximum of each window in row-major order, from wasm's own
 * kernels: for each tap of the window, the strided view of the (-∞-padded) input is compared
 * with the pooled output, and the output gradient of the windows whose maximum sits at that tap
 * (and at no earlier one) is spread back to the input positions the tap read.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composeKernel, type KernelCalls } from './kernel-calls.js';

const BACKEND = 'wasm';
const REPLACEMENT = Symbol.for('segc.wasmMaxPoolGrad');

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type PoolInfo = tf.backend_util.Conv2DInfo;

/** The input elements that tap `offset` reads, one per output position: [N, outH, outW, C]. */
function tapView(
  calls: KernelCalls,
  padded: tf.TensorInfo,
  info: PoolInfo,
  offset: readonly [number, number],
): tf.TensorInfo {
  return calls.run(
    'StridedSlice',
    { x: padded },
    {
      begin: [0, offset[0], offset[1], 0],
      end: [
        info.batchSize,
        offset[0] + (info.outHeight - 1) * info.strideHeight + 1,
        offset[1] + (info.outWidth - 1) * info.strideWidth + 1,
        info.inChannels,
      ],
      strides: [1, info.strideHeight, info.strideWidth, 1],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
  );
}

/** Places per-output values back at the padded-input positions tap `offset` read. */
function placeAtTap(
  calls: KernelCalls,
  values: tf.TensorInfo,
  info: PoolInfo,
  offset: readonly [number, number],
  reach: readonly [number, number],
): tf.TensorInfo {
  const spread = calls.spread(values, [info.strideHeight, info.strideWidth]);
  return calls.padOrCrop(spread, [
    [0, 0],
    [offset[0], reach[0] - spread.shape[1]! - offset[0]],
    [offset[1], reach[1] - spread.shape[2]! - offset[1]],
    [0, 0],
  ]);
}

function maxPoolGradByTaps(args: KernelArgs): tf.TensorInfo {
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const attrs = args.attrs as unknown as PoolGradAttrs;
  const shape = input.shape as [number, number, number, number];
  const info = tf.backend_util.computePool2DInfo(
    shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const reach = [
    (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight,
    (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth,
  ] as const;
  const { top, left } = info.padInfo;
  return composeKernel(args.backend as tf.KernelBackend, BACKEND, (calls) => {
    const padded = calls.padOrCrop(
      input,
      [
        [0, 0],
        [top, reach[0] - shape[1] - top],
        [left, reach[1] - shape[2] - left],
        [0, 0],
      ],
      -Infinity,
    );
    let taken: tf.TensorInfo | undefined;
    let total: tf.TensorInfo | undefined;
    for (let row = 0; row < info.filterHeight; row++) {
      for (let column = 0; column < info.filterWidth; column++) {
        const offset = [row * info.dilationHeight, column * info.dilationWidth] as const;
        const equal = calls.run('Equal', { a: tapView(calls, padded, info, offset), b: output });
        const first = taken ? calls.run('LogicalAnd', { a: equal, b: calls.run('LogicalNot', { x: taken }) }) : equal;
        const routed = calls.run('Multiply', { a: dy, b: calls.run('Cast', { x: first }, { dtype: 'float32' }) });
        const placed = placeAtTap(calls, routed, info, offset, reach);
        const nextTaken = taken ? calls.run('LogicalOr', { a: taken, b: first }) : first;
        const nextTotal = total ? calls.run('Add', { a: total, b: placed }) : placed;
        calls.discard(
          ...[taken, total].filter(
            (info): info is tf.TensorInfo => info !== undefined && info !== nextTaken && info !== nextTotal,
          ),
        );
        taken = nextTaken;
        total = nextTotal;
      }
    }
    return calls.padOrCrop(total!, [
      [0, 0],
      [-top, shape[1] + top - reach[0]],
      [-left, shape[2] + left - reach[1]],
      [0, 0],
    ]);
  });
}

/**
 * Idempotent: replaces the native kernel once wasm has registered it (before that there is
 * nothing to replace, and a replacement registered early would be overwritten by the wasm
 * package's own registration).
 */
export function correctWasmMaxPoolGrad(): void {
  const current = tf.getKernel('MaxPoolGrad', BACKEND) as (tf.KernelConfig & { [REPLACEMENT]?: true }) | undefined;
  if (!current || current[REPLACEMENT]) return;
  tf.unregisterKernel('MaxPoolGrad', BACKEND);
  const replacement: tf.KernelConfig & { [REPLACEMENT]: true } = {
    kernelName: 'MaxPoolGrad',
    backendName: BACKEND,
    kernelFunc: maxPoolGradByTaps as tf.KernelFunc,
    [REPLACEMENT]: true,
  };
  tf.registerKernel(replacement);
}
