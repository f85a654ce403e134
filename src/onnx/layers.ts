/**
 * ONNX forms of the layers with weights or windows: convolutions (plain, depthwise, separable,
 * transposed), dense, batch norm, pools. Convolutions and pools run in NCHW.
 */
import { readConvolution } from '../ops/convolution.js';
import type { OpDef } from '../ops/op.js';
import { readPool } from '../ops/pooling.js';
import { AttributeReader } from '../ops/attributes.js';
import { leakyAlpha } from '../ops/activation.js';
import type { ActivationName } from '../ops/params.js';
import { findOp } from '../ops/registry.js';
import {
  type LowerArgs,
  type Lowering,
  UnsupportedError,
  activate,
  initializer,
  nchw,
  permute,
  windowAttributes,
} from './lowering.js';

const opOf = (args: LowerArgs): OpDef => findOp(args.node.op)!;
export const convolution = (args: LowerArgs) => readConvolution(args.node.op, opOf(args).params, args.node.attrs);

/** HWIO → OIHW; also a transposed kernel's [kh, kw, out, in] → [in, out, kh, kw]. */
const ONNX_KERNEL = [3, 2, 0, 1];

function biasInput(args: LowerArgs, hasBias: boolean): string[] {
  return hasBias ? [initializer(args, 'bias', args.weight('bias'))] : [];
}

/** A convolution kernel as ONNX's OIHW initializer (the same one for the op and its derivative). */
export function onnxKernel(args: LowerArgs, role: string): string {
  return initializer(args, role, () => permute(args.weight(role), ONNX_KERNEL));
}

const conv: Lowering = (args) => {
  const { window, bias, activation } = convolution(args);
  const kernel = onnxKernel(args, 'kernel');
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const y = args.builder.add(
    'Conv',
    [x, kernel, ...biasInput(args, bias)],
    windowAttributes(window, true),
    args.origin,
  );
  return activate(args, nchw(y), activation, leakyAlpha(args.node.attrs));
};

/** Depthwise: a grouped Conv with one group per input channel; [kh, kw, C, m] → [C·m, 1, kh, kw]. */
export function depthwiseKernel(args: LowerArgs, role: string): { name: string; channels: number } {
  const tensor = args.weight(role);
  const [kh, kw, channels, multiplier] = tensor.shape as [number, number, number, number];
  const name = initializer(args, role, () => ({
    shape: [channels * multiplier, 1, kh, kw],
    data: permute(tensor, [2, 3, 0, 1]).data,
  }));
  return { name, channels };
}

const dwconv: Lowering = (args) => {
  const { window, bias, activation } = convolution(args);
  const kernel = depthwiseKernel(args, 'depthwiseKernel');
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const attributes = { ...windowAttributes(window, true), group: kernel.channels };
  const y = args.builder.add('Conv', [x, kernel.name, ...biasInput(args, bias)], attributes, args.origin);
  return activate(args, nchw(y), activation, leakyAlpha(args.node.attrs));
};

const sepconv: Lowering = (args) => {
  const { window, bias, activation } = convolution(args);
  const depthwise = depthwiseKernel(args, 'depthwiseKernel');
  const pointwise = onnxKernel(args, 'pointwiseKernel');
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const spatial = args.builder.add(
    'Conv',
    [x, depthwise.name],
    { ...windowAttributes(window, true), group: depthwise.channels },
    { ...args.origin, name: `${args.origin.name}/depthwise` },
  );
  const y = args.builder.add(
    'Conv',
    [spatial, pointwise, ...biasInput(args, bias)],
    { kernel_shape: [1, 1] },
    args.origin,
  );
  return activate(args, nchw(y), activation, leakyAlpha(args.node.attrs));
};

/**
 * Transposed convolution. tfjs's `same` gives H·s rows: as the input gradient of a `same`
 * convolution with total padding max(k − s, 0), split top = floor(total / 2); when k < s the
 * missing rows come from `output_padding`. tfjs kernels are [kh, kw, out, in]; ONNX wants
 * [in, out, kh, kw]. The same strides and pads, without `output_padding`, are those of the Conv
 * that is its adjoint.
 */
export function transposedWindow(args: LowerArgs): Record<string, number[]> {
  const { read, window } = convolution(args);
  const attributes: Record<string, number[]> = { kernel_shape: [...window.kernel], strides: [...window.stride] };
  if (read.text('padding') === 'same') {
    const totals = window.kernel.map((k, axis) => Math.max(k - window.stride[axis]!, 0));
    const before = totals.map((t) => Math.floor(t / 2));
    attributes.pads = [...before, ...totals.map((t, axis) => t - before[axis]!)];
    attributes.output_padding = window.kernel.map((k, axis) => Math.max(window.stride[axis]! - k, 0));
  }
  return attributes;
}

const convTranspose: Lowering = (args) => {
  const { bias, activation } = convolution(args);
  const kernel = onnxKernel(args, 'kernel');
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const y = args.builder.add(
    'ConvTranspose',
    [x, kernel, ...biasInput(args, bias)],
    transposedWindow(args),
    args.origin,
  );
  return activate(args, nchw(y), activation, leakyAlpha(args.node.attrs));
};

const dense: Lowering = (args) => {
  const read = new AttributeReader('dense', opOf(args).params, args.node.attrs);
  const kernel = initializer(args, 'kernel', args.weight('kernel'));
  const inputs = [args.inputs[0]!.name, kernel, ...biasInput(args, read.bool('bias'))];
  const y = args.builder.add('Gemm', inputs, {}, args.origin);
  return activate(
    args,
    { name: y, rank: 2, layout: 'plain' },
    read.text('activation') as ActivationName,
    leakyAlpha(args.node.attrs),
  );
};

const bn: Lowering = (args) => {
  const epsilon = new AttributeReader('bn', opOf(args).params, args.node.attrs).number('epsilon');
  const roles = ['gamma', 'beta', 'movingMean', 'movingVariance'];
  const [input] = args.inputs;
  if (input!.rank !== 4 && input!.rank !== 2)
    throw new UnsupportedError(
      `bn on a rank-${input!.rank} tensor has no ONNX form here`,
      'ranks 2 and 4 are supported',
    );
  const x = input!.rank === 4 ? args.builder.as(input!, 'nchw') : input!.name;
  const y = args.builder.add(
    'BatchNormalization',
    [x, ...roles.map((r) => initializer(args, r, args.weight(r)))],
    { epsilon: { float: epsilon } },
    args.origin,
  );
  return input!.rank === 4 ? nchw(y) : { name: y, rank: 2, layout: 'plain' };
};

/** PRelu's slope broadcasts from the last axis: [C, 1, 1] against an NCHW map. */
const prelu: Lowering = (args) => {
  const input = args.inputs[0]!;
  const slope = args.weight('alpha');
  const alpha = initializer(args, 'alpha', () =>
    input.layout === 'nchw' ? { shape: [slope.shape[0]!, 1, 1], data: slope.data } : slope,
  );
  return { ...input, name: args.builder.add('PRelu', [input.name, alpha], {}, args.origin) };
};

/** tfjs `same` average pools divide by the pixels inside the image; explicit pads count as zeros. */
function pool(opType: 'MaxPool' | 'AveragePool'): Lowering {
  return (args) => {
    const window = readPool(args.node.op, args.node.attrs);
    const attributes = windowAttributes(window, false);
    if (opType === 'AveragePool') attributes.count_include_pad = window.padding.kind === 'explicit' ? 1 : 0;
    const x = args.builder.as(args.inputs[0]!, 'nchw');
    return nchw(args.builder.add(opType, [x], attributes, args.origin));
  };
}

function globalPool(opType: 'GlobalAveragePool' | 'GlobalMaxPool'): Lowering {
  return (args) => {
    const keep = new AttributeReader(args.node.op, opOf(args).params, args.node.attrs).bool('keep');
    const x = args.builder.as(args.inputs[0]!, 'nchw');
    const pooled = args.builder.add(
      opType,
      [x],
      {},
      keep ? args.origin : { ...args.origin, name: `${args.origin.name}/pooled` },
    );
    if (keep) return nchw(pooled);
    const axes = args.builder.int64s(`${args.node.name}/axes`, [2, 3]);
    return { name: args.builder.add('Squeeze', [pooled, axes], {}, args.origin), rank: 2, layout: 'plain' };
  };
}

export const LAYER_LOWERINGS: Readonly<Record<string, Lowering>> = {
  conv,
  dwconv,
  sepconv,
  convTranspose,
  dense,
  bn,
  prelu,
  maxpool: pool('MaxPool'),
  avgpool: pool('AveragePool'),
  gap: globalPool('GlobalAveragePool'),
  gmp: globalPool('GlobalMaxPool'),
};
