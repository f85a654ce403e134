/**
 * What each op lowering receives, and the shared pieces: activations, window attributes, and
 * weights re-ordered on the host from tfjs's layouts (HWIO kernels) to ONNX's (OIHW).
 */
import type { IRNode } from '../ir/graph.js';
import type { TensorType } from '../ops/op.js';
import type { ActivationName } from '../ops/params.js';
import { type Window, extentOf } from '../ops/spatial.js';
import { type AttributeValue, type NodeOrigin, type OnnxGraphBuilder, type OnnxValue } from './builder.js';

/** A weight on the host: its tfjs shape and values (batch norm already folded in). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface LowerArgs {
  readonly node: IRNode;
  readonly inputs: readonly OnnxValue[];
  readonly inputTypes: readonly TensorType[];
  readonly builder: OnnxGraphBuilder;
  readonly origin: NodeOrigin;
  /** The node's weight by role, as the executor would use it. */
  readonly weight: (role: string) => HostTensor;
}

export type Lowering = (args: LowerArgs) => OnnxValue;

/** Raised for an op or setting that has no ONNX form; the exporter adds the node's location. */
export class UnsupportedError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

export function nchw(name: string): OnnxValue {
  return { name, rank: 4, layout: 'nchw' };
}

/** Moves the axes of a host tensor: out[i...] = in[perm applied]. */
export function permute(tensor: HostTensor, perm: readonly number[]): HostTensor {
  const shape = perm.map((p) => tensor.shape[p]!);
  const strides = stridesOf(tensor.shape);
  const out = new Float32Array(tensor.data.length);
  const index = shape.map(() => 0);
  for (let flat = 0; flat < out.length; flat++) {
    let source = 0;
    for (let axis = 0; axis < shape.length; axis++) source += index[axis]! * strides[perm[axis]!]!;
    out[flat] = tensor.data[source]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return { shape, data: out };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}

/** An initializer for a weight, named after the IR weight (`enc/conv/kernel`). */
export function initializer(args: LowerArgs, role: string, tensor: HostTensor | (() => HostTensor)): string {
  return args.builder.weight(`${args.node.name}/${role}`, () => {
    const value = typeof tensor === 'function' ? tensor() : tensor;
    return { dims: value.shape, data: value.data };
  });
}

/** The window attributes of Conv, MaxPool and AveragePool (tfjs `same` = ONNX SAME_UPPER). */
export function windowAttributes(window: Window, withDilation: boolean): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = { kernel_shape: [...window.kernel], strides: [...window.stride] };
  if (withDilation) attributes.dilations = [...window.dilation];
  if (window.padding.kind === 'same') Object.assign(attributes, samePadding(window));
  else if (window.padding.kind === 'explicit') {
    const [rows, columns] = window.padding.pad;
    attributes.pads = [rows, columns, rows, columns];
  }
  return attributes;
}

/**
 * tfjs's `same`: total padding max((ceil(H / s) − 1)·s + e − H, 0) with the extra pixel at the
 * end. At stride 1 that is e − 1 whatever H is, so the pads are written out; ONNX Runtime refuses
 * SAME_UPPER with dilation, and tfjs allows dilation only at stride 1. Strided windows keep
 * SAME_UPPER, which is the same rule.
 */
function samePadding(window: Window): Record<string, AttributeValue> {
  if (window.stride.some((s) => s !== 1)) {
    if (window.dilation.some((d) => d !== 1))
      throw new UnsupportedError('`same` padding with both a stride and a dilation above 1', 'tfjs runs neither');
    return { auto_pad: 'SAME_UPPER' };
  }
  const totals = window.kernel.map((k, axis) => extentOf(k, window.dilation[axis]!) - 1);
  const before = totals.map((t) => Math.floor(t / 2));
  return { pads: [...before, ...totals.map((t, axis) => t - before[axis]!)] };
}

/** Applies an activation to a value (layout unchanged); `none` returns it as it is. */
export function activate(args: LowerArgs, value: OnnxValue, name: ActivationName, alpha: number): OnnxValue {
  const add = (op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}) => ({
    ...value,
    name: args.builder.add(op, inputs, attributes, args.origin),
  });
  switch (name) {
    case 'none':
      return value;
    case 'relu':
      return add('Relu', [value.name]);
    case 'relu6':
      return add('Clip', [value.name, scalar(args, 'zero', 0), scalar(args, 'six', 6)]);
    case 'sigmoid':
      return add('Sigmoid', [value.name]);
    case 'tanh':
      return add('Tanh', [value.name]);
    case 'leakyRelu':
      return add('LeakyRelu', [value.name], { alpha: { float: alpha } });
  }
}

/** A float scalar initializer (Clip's bounds), shared by name across the graph. */
export function scalar(args: LowerArgs, label: string, value: number): string {
  return args.builder.floats(`${args.node.name}/${label}`, [], Float32Array.of(value));
}
