/**
 * Composing a kernel out of a backend's own kernels. Kernel functions may not call tfjs ops
 * (those would go through the engine and its tape), so a composed kernel calls the other
 * kernels' functions directly and must free every intermediate it made itself, also when one
 * of the calls throws.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InternalError } from '../../diagnostics/diagnostic.js';

export type Paddings = readonly (readonly [number, number])[];

export class KernelCalls {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    private readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new InternalError(`backend ${this.backendName} has no kernel ${kernelName}`);
    return this.callKernel(kernel.kernelFunc, inputs, attrs);
  }

  /** Calls a kernel function held directly (e.g. the one a replacement kernel wraps). */
  callKernel(
    kernelFunc: tf.KernelFunc,
    inputs: Record<string, tf.TensorInfo>,
    attrs: Record<string, unknown> = {},
  ): tf.TensorInfo {
    const output = kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend });
    const info = (Array.isArray(output) ? output[0] : output) as tf.TensorInfo;
    this.intermediates.push(info);
    return info;
  }

  /** A tensor made from values; freed with the other intermediates. */
  constant(values: Int32Array | Float32Array, shape: readonly number[]): tf.TensorInfo {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    const info = { dataId: this.backend.write(values, [...shape], dtype), shape: [...shape], dtype } as tf.TensorInfo;
    this.intermediates.push(info);
    return info;
  }

  reshape(x: tf.TensorInfo, shape: readonly number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape: [...shape] });
  }

  transpose(x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm: [...perm] });
  }

  /** Pads with `value` where an amount is positive and crops where it is negative. */
  padOrCrop(x: tf.TensorInfo, paddings: Paddings, value = 0): tf.TensorInfo {
    let result = x;
    if (paddings.some(([before, after]) => before < 0 || after < 0)) {
      const begin = paddings.map(([before]) => Math.max(0, -before));
      const size = paddings.map(([before, after], axis) => x.shape[axis]! - Math.max(0, -before) - Math.max(0, -after));
      result = this.run('Slice', { x: result }, { begin, size });
    }
    if (paddings.some(([before, after]) => before > 0 || after > 0)) {
      const positive = paddings.map(([before, after]) => [Math.max(0, before), Math.max(0, after)]);
      result = this.run('PadV2', { x: result }, { paddings: positive, constantValue: value });
    }
    return result;
  }

  /** Puts `stride - 1` zeros after every spatial element of an NHWC tensor (trailing ones too). */
  spread(x: tf.TensorInfo, strides: readonly [number, number]): tf.TensorInfo {
    if (strides[0] === 1 && strides[1] === 1) return x;
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const expanded = this.reshape(x, [batch, height, 1, width, 1, channels]);
    const zeros = [
      [0, 0],
      [0, 0],
      [0, strides[0] - 1],
      [0, 0],
      [0, strides[1] - 1],
      [0, 0],
    ];
    const padded = this.run('PadV2', { x: expanded }, { paddings: zeros, constantValue: 0 });
    return this.reshape(padded, [batch, height * strides[0], width * strides[1], channels]);
  }

  /** Frees intermediates early, to keep the peak memory of a long loop down. */
  discard(...infos: tf.TensorInfo[]): void {
    for (const info of infos) {
      const index = this.intermediates.indexOf(info);
      if (index < 0) continue;
      this.intermediates.splice(index, 1);
      this.backend.disposeData(info.dataId);
    }
  }

  /** Frees every intermediate except `result` (a shared buffer stays alive through its count). */
  release(result?: tf.TensorInfo): void {
    for (const info of this.intermediates) {
      if (info !== result) this.backend.disposeData(info.dataId);
    }
    this.intermediates.length = 0;
  }
}

/** Runs `body` with a fresh `KernelCalls`, freeing its intermediates whether or not it throws. */
export function composeKernel(
  backend: tf.KernelBackend,
  backendName: string,
  body: (calls: KernelCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const calls = new KernelCalls(backend, backendName);
  let result: tf.TensorInfo | undefined;
  try {
    result = body(calls);
    return result;
  } finally {
    calls.release(result);
  }
}
