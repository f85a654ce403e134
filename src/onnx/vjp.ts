/**
 * Vector-Jacobian products of the ops, written as ONNX nodes: given the cotangent of an op's
 * output (∂S/∂y for the explained score S), the cotangents of its tensor inputs. They follow
 * tfjs's gradients where a choice exists (ties of max go to every maximum, relu′(0) = 0), so an
 * explanation on ONNX Runtime equals the one tfjs differentiates. Sizes the derivative needs at
 * build time (strided convolutions, resizes) come from the concrete input size.
 */
import { leakyAlpha } from '../ops/activation.js';
import { AttributeReader } from '../ops/attributes.js';
import type { ActivationName } from '../ops/params.js';
import { findOp } from '../ops/registry.js';
import { type Window, extentOf } from '../ops/spatial.js';
import type { Dim } from '../shapes/symbolic.js';
import { type AttributeValue, type OnnxValue, axisIn } from './builder.js';
import { convolution, depthwiseKernel, onnxKernel } from './layers.js';
import { type LowerArgs, nchw, scalar } from './lowering.js';

export interface VjpArgs extends LowerArgs {
  /** The op's output in the forward graph. */
  readonly output: OnnxValue;
  /** ∂S/∂output, in the output's layout. */
  readonly gradient: OnnxValue;
  /** A size of the forward graph, concrete for the input size the model is built for. */
  readonly size: (d: Dim) => number;
}

/** One cotangent per tensor input (undefined: no gradient flows there). */
export type Vjp = (args: VjpArgs) => (OnnxValue | undefined)[];

function node(
  args: VjpArgs,
  op: string,
  inputs: string[],
  label: string,
  attributes: Record<string, AttributeValue> = {},
): string {
  return args.builder.add(op, inputs, attributes, {
    name: `${args.origin.name}/grad/${label}`,
    doc: `derivative of ${args.origin.doc}`,
  });
}

const like = (value: OnnxValue, name: string): OnnxValue => ({ ...value, name });

/** g ⊙ activation′, from the activation's output y (relu′(0) = 0, as in tfjs). */
export function throughActivation(args: VjpArgs, name: ActivationName, y: string, g: string, alpha: number): string {
  if (name === 'none') return g;
  const zero = scalar(args, 'grad_zero', 0);
  const mask = (condition: string) =>
    node(args, 'Mul', [g, node(args, 'Cast', [condition], `${name}_mask`, { to: 1 })], `${name}_grad`);
  switch (name) {
    case 'relu':
      return mask(node(args, 'Greater', [y, zero], 'positive'));
    case 'relu6':
      return mask(
        node(
          args,
          'And',
          [
            node(args, 'Greater', [y, zero], 'positive'),
            node(args, 'Less', [y, scalar(args, 'grad_six', 6)], 'below_six'),
          ],
          'inside',
        ),
      );
    case 'leakyRelu': {
      const scaled = node(args, 'Mul', [g, scalar(args, 'grad_alpha', alpha)], 'leak');
      return node(args, 'Where', [node(args, 'Greater', [y, zero], 'positive'), g, scaled], 'leaky_grad');
    }
    case 'sigmoid': {
      const slope = node(args, 'Mul', [y, node(args, 'Sub', [scalar(args, 'grad_one', 1), y], 'complement')], 'slope');
      return node(args, 'Mul', [g, slope], 'sigmoid_grad');
    }
    case 'tanh': {
      const slope = node(args, 'Sub', [scalar(args, 'grad_one', 1), node(args, 'Mul', [y, y], 'square')], 'slope');
      return node(args, 'Mul', [g, slope], 'tanh_grad');
    }
  }
}

export function activationOf(args: VjpArgs): ActivationName {
  return new AttributeReader(args.node.op, findOp(args.node.op)!.params, args.node.attrs).text(
    'activation',
  ) as ActivationName;
}

/**
 * The adjoint of a convolution: ConvTranspose with the same kernel, strides, dilations and pads,
 * and `output_padding` for the rows a strided convolution never read.
 */
export function transposeAttributes(args: VjpArgs, window: Window): Record<string, AttributeValue> {
  const x = args.inputTypes[0]!;
  const sizes = [args.size(x.shape[1]!), args.size(x.shape[2]!)];
  const out = [args.size(args.node.type.shape[1]!), args.size(args.node.type.shape[2]!)];
  const extents = window.kernel.map((k, axis) => extentOf(k, window.dilation[axis]!));
  const before = [0, 0];
  const after = [0, 0];
  for (const axis of [0, 1]) {
    const [size, stride, extent] = [sizes[axis]!, window.stride[axis]!, extents[axis]!];
    if (window.padding.kind === 'explicit') before[axis] = after[axis] = window.padding.pad[axis]!;
    if (window.padding.kind === 'same') {
      const total = Math.max((Math.ceil(size / stride) - 1) * stride + extent - size, 0);
      before[axis] = Math.floor(total / 2);
      after[axis] = total - before[axis]!;
    }
  }
  const produced = [0, 1].map(
    (axis) => (out[axis]! - 1) * window.stride[axis]! + extents[axis]! - before[axis]! - after[axis]!,
  );
  return {
    strides: [...window.stride],
    dilations: [...window.dilation],
    kernel_shape: [...window.kernel],
    pads: [...before, ...after],
    output_padding: [0, 1].map((axis) => sizes[axis]! - produced[axis]!),
  };
}

function convolutionVjp(kernelOf: (args: VjpArgs) => { name: string; group: number }): Vjp {
  return (args) => {
    const { window } = convolution(args);
    const y = args.builder.as(args.output, 'nchw');
    const g = throughActivation(
      args,
      activationOf(args),
      y,
      args.builder.as(args.gradient, 'nchw'),
      leakyAlpha(args.node.attrs),
    );
    const kernel = kernelOf(args);
    const attributes = { ...transposeAttributes(args, window), ...(kernel.group > 1 ? { group: kernel.group } : {}) };
    return [nchw(node(args, 'ConvTranspose', [g, kernel.name], 'input', attributes))];
  };
}

const conv = convolutionVjp((args) => ({ name: onnxKernel(args, 'kernel'), group: 1 }));
const dwconv = convolutionVjp((args) => {
  const kernel = depthwiseKernel(args, 'depthwiseKernel');
  return { name: kernel.name, group: kernel.channels };
});

/** Separable: the pointwise kernel's adjoint (1×1, stride 1), then the depthwise one's. */
const sepconv: Vjp = (args) => {
  const { window } = convolution(args);
  const y = args.builder.as(args.output, 'nchw');
  const g = throughActivation(
    args,
    activationOf(args),
    y,
    args.builder.as(args.gradient, 'nchw'),
    leakyAlpha(args.node.attrs),
  );
  const spatial = node(args, 'ConvTranspose', [g, onnxKernel(args, 'pointwiseKernel')], 'pointwise', {
    kernel_shape: [1, 1],
  });
  const depthwise = depthwiseKernel(args, 'depthwiseKernel');
  const attributes = { ...transposeAttributes(args, window), group: depthwise.channels };
  return [nchw(node(args, 'ConvTranspose', [spatial, depthwise.name], 'input', attributes))];
};

const dense: Vjp = (args) => {
  const kernel = args.builder.weight(`${args.node.name}/kernel`, () => ({
    dims: args.weight('kernel').shape,
    data: args.weight('kernel').data,
  }));
  const g = throughActivation(
    args,
    activationOf(args),
    args.output.name,
    args.gradient.name,
    leakyAlpha(args.node.attrs),
  );
  return [{ name: node(args, 'Gemm', [g, kernel], 'input', { transB: 1 }), rank: 2, layout: 'plain' }];
};

/** Inference batch norm is per-channel affine: the cotangent scales by γ / √(σ² + ε). */
const bn: Vjp = (args) => {
  const epsilon = new AttributeReader('bn', findOp('bn')!.params, args.node.attrs).number('epsilon');
  const [gamma, variance] = [args.weight('gamma'), args.weight('movingVariance')];
  const scale = Float32Array.from(gamma.data, (value, c) => value / Math.sqrt(variance.data[c]! + epsilon));
  const rank = args.output.rank;
  const shape = rank === 4 ? [scale.length, 1, 1] : [scale.length];
  const factor = args.builder.floats(`${args.node.name}/grad/scale`, shape, scale);
  const g = rank === 4 ? args.builder.as(args.gradient, 'nchw') : args.gradient.name;
  return [{ name: node(args, 'Mul', [g, factor], 'input'), rank, layout: rank === 4 ? 'nchw' : 'plain' }];
};

function elementwise(derivative: (args: VjpArgs, x: string, y: string, g: string) => string): Vjp {
  return (args) => {
    const [x, y, g] = [args.inputs[0]!, args.output, args.gradient];
    const layout = y.layout === 'plain' ? 'nhwc' : y.layout;
    return [like(y, derivative(args, args.builder.as(x, layout), y.name, args.builder.as(g, layout)))];
  };
}

/**
 * 1 where low < x ≤ high (low ≤ x ≤ high with `closed`), else 0, as float32; each bound is a
 * scalar's label and value.
 */
function inside(
  args: VjpArgs,
  x: string,
  low: readonly [string, number],
  high: readonly [string, number],
  closed = false,
): string {
  const within = node(
    args,
    'And',
    [
      node(args, closed ? 'GreaterOrEqual' : 'Greater', [x, scalar(args, ...low)], 'above'),
      node(args, 'LessOrEqual', [x, scalar(args, ...high)], 'below'),
    ],
    'inside',
  );
  return node(args, 'Cast', [within], 'mask', { to: 1 });
}

const relu6: Vjp = elementwise((args, x, _y, g) => {
  // tfjs: 0 < x ≤ 6.
  return node(args, 'Mul', [g, inside(args, x, ['grad_zero', 0], ['grad_six', 6])], 'input');
});

const hardSwish: Vjp = elementwise((args, x, _y, g) => {
  // d/dx x·relu6(x + 3)/6 = relu6(x + 3)/6 + x/6 where −3 < x ≤ 3.
  const shifted = node(args, 'Add', [x, scalar(args, 'grad_three', 3)], 'shifted');
  const ramp = node(args, 'Clip', [shifted, scalar(args, 'grad_zero', 0), scalar(args, 'grad_six', 6)], 'ramp');
  const extra = node(args, 'Mul', [x, inside(args, shifted, ['grad_zero', 0], ['grad_six', 6])], 'extra');
  const slope = node(args, 'Div', [node(args, 'Add', [ramp, extra], 'sum'), scalar(args, 'grad_six', 6)], 'slope');
  return node(args, 'Mul', [g, slope], 'input');
});

/**
 * hardSigmoid: α·g where 0 ≤ αx + β ≤ 1. tfjs clips αx + β and its clip passes the cotangent at
 * both bounds, so the kinks count as inside; αx + β is formed as the executor forms it.
 */
const hardSigmoid: Vjp = elementwise((args, x, _y, g) => {
  const read = new AttributeReader('hardSigmoid', findOp('hardSigmoid')!.params, args.node.attrs);
  const alpha = read.number('alpha');
  const [slope, offset] = [scalar(args, 'grad_slope', alpha), scalar(args, 'grad_beta', read.number('beta'))];
  const z = node(args, 'Add', [node(args, 'Mul', [x, slope], 'scaled'), offset], 'affine');
  const mask = inside(args, z, ['grad_zero', 0], ['grad_one', 1], true);
  return node(args, 'Mul', [node(args, 'Mul', [g, mask], 'masked'), slope], 'input');
});

/** prelu: g where x > 0, α_c·g elsewhere (x = 0 included, as tfjs). The slope's own cotangent is not needed. */
const prelu: Vjp = elementwise((args, x, _y, g) => {
  const slope = args.weight('alpha');
  const channels = slope.shape[0]!;
  const shape = args.output.layout === 'nchw' ? [channels, 1, 1] : [channels];
  const alpha = args.builder.floats(`${args.node.name}/grad/alpha`, shape, slope.data);
  const leak = node(args, 'Mul', [g, alpha], 'leak');
  return node(args, 'Where', [node(args, 'Greater', [x, scalar(args, 'grad_zero', 0)], 'positive'), g, leak], 'input');
});

const fromOutput = (name: ActivationName, alpha?: (args: VjpArgs) => number): Vjp =>
  elementwise((args, _x, y, g) => throughActivation(args, name, y, g, alpha?.(args) ?? 0));

/** Softmax: y ⊙ (g − Σ g ⊙ y) along the axis. */
const softmax: Vjp = elementwise((args, _x, y, g) => {
  const axis = axisIn(
    new AttributeReader('softmax', findOp('softmax')!.params, args.node.attrs).int('axis'),
    args.output.rank,
    args.output.layout,
  );
  const dot = node(
    args,
    'ReduceSum',
    [node(args, 'Mul', [g, y], 'product'), args.builder.int64s(`${args.node.name}/grad/axis`, [axis])],
    'dot',
    { keepdims: 1 },
  );
  return node(args, 'Mul', [y, node(args, 'Sub', [g, dot], 'centred')], 'input');
});

export const LAYER_VJPS: Readonly<Record<string, Vjp>> = {
  conv,
  dwconv,
  sepconv,
  dense,
  bn,
  relu: fromOutput('relu'),
  relu6,
  leakyRelu: fromOutput('leakyRelu', (args) =>
    new AttributeReader('leakyRelu', findOp('leakyRelu')!.params, args.node.attrs).number('alpha'),
  ),
  sigmoid: fromOutput('sigmoid'),
  tanh: fromOutput('tanh'),
  hardSwish,
  hardSigmoid,
  prelu,
  softmax,
};

export { node, like };
