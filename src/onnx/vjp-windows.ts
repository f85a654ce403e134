/**
 * Vector-Jacobian products of the window ops (max and average pools, transposed convolutions)
 * and of ACoL's erase. They follow tfjs's gradients: a max pool's cotangent goes to the first
 * maximum of each window in row-major order (ONNX Runtime's MaxPool indices pick the same one),
 * a `same` average pool divides by the pixels inside the image as its forward pass does.
 */
import { readPool } from '../ops/pooling.js';
import { type Window, samePadding } from '../ops/spatial.js';
import { keepMask } from './erase.js';
import { onnxKernel, transposedWindow } from './layers.js';
import { nchw, windowAttributes } from './lowering.js';
import { type Vjp, type VjpArgs, activationOf, node, throughActivation, transposeAttributes } from './vjp.js';
import { leakyAlpha } from '../ops/activation.js';

/** The input's sizes [N, H, W, C] at the size the model is built for. */
const inputSizes = (args: VjpArgs) => args.inputTypes[0]!.shape.map((d) => args.size(d));

/**
 * The cotangent of each output pixel goes to the input pixel MaxPool's indices name (flat NCHW
 * positions): a scatter with `add`, since overlapping windows can pick the same pixel.
 */
const maxpool: Vjp = (args) => {
  const window = readPool('maxpool', args.node.attrs);
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const [, indices] = args.builder.addOutputs(
    'MaxPool',
    [x],
    windowAttributes(window, false),
    { name: `${args.origin.name}/grad/pool`, doc: `derivative of ${args.origin.doc}` },
    ['values', 'indices'],
  );
  const flat = args.builder.int64s(`${args.node.name}/grad/flat`, [-1]);
  const count = inputSizes(args).reduce((a, b) => a * b, 1);
  const zeros = node(args, 'ConstantOfShape', [args.builder.int64s(`${args.node.name}/grad/count`, [count])], 'zeros');
  const scattered = node(
    args,
    'ScatterElements',
    [
      zeros,
      node(args, 'Reshape', [indices!, flat], 'flat_indices'),
      node(args, 'Reshape', [args.builder.as(args.gradient, 'nchw'), flat], 'flat_gradient'),
    ],
    'scattered',
    { axis: 0, reduction: 'add' },
  );
  return [nchw(node(args, 'Reshape', [scattered, node(args, 'Shape', [x], 'shape')], 'input'))];
};

/** How many pixels of the image each output position of a `same` window covers, along one axis. */
function covered(size: number, kernel: number, stride: number): number[] {
  const [before] = samePadding(size, kernel, stride);
  const outputs = Math.ceil(size / stride);
  return Array.from({ length: outputs }, (_, i) => {
    const start = i * stride - before;
    return Math.min(start + kernel, size) - Math.max(start, 0);
  });
}

/**
 * An average pool is a depthwise convolution with a constant kernel, so its adjoint is a grouped
 * ConvTranspose with a kernel of ones, after dividing each output's cotangent by its count.
 */
const avgpool: Vjp = (args) => {
  const window: Window = readPool('avgpool', args.node.attrs);
  const [, rows, columns, channels] = inputSizes(args) as [number, number, number, number];
  const [kh, kw] = window.kernel;
  let g = args.builder.as(args.gradient, 'nchw');
  if (window.padding.kind === 'same') {
    const [down, across] = [covered(rows, kh, window.stride[0]), covered(columns, kw, window.stride[1])];
    const shares = Float32Array.from({ length: down.length * across.length }, (_, flat) => {
      const [i, j] = [Math.floor(flat / across.length), flat % across.length];
      return 1 / (down[i]! * across[j]!);
    });
    const share = args.builder.floats(`${args.node.name}/grad/shares`, [down.length, across.length], shares);
    g = node(args, 'Mul', [g, share], 'shared');
  }
  // Explicit pads count in the mean, as `valid` windows do: every output divides by kh·kw.
  const weight = window.padding.kind === 'same' ? 1 : 1 / (kh * kw);
  const kernel = args.builder.floats(
    `${args.node.name}/grad/kernel`,
    [channels, 1, kh, kw],
    new Float32Array(channels * kh * kw).fill(weight),
  );
  const attributes = { ...transposeAttributes(args, window), group: channels };
  return [nchw(node(args, 'ConvTranspose', [g, kernel], 'input', attributes))];
};

/** The adjoint of a transposed convolution is the convolution with its kernel, strides and pads. */
const convTranspose: Vjp = (args) => {
  const y = args.builder.as(args.output, 'nchw');
  const g = throughActivation(
    args,
    activationOf(args),
    y,
    args.builder.as(args.gradient, 'nchw'),
    leakyAlpha(args.node.attrs),
  );
  const { output_padding: _, ...attributes } = transposedWindow(args);
  return [nchw(node(args, 'Conv', [g, onnxKernel(args, 'kernel')], 'input', attributes))];
};

/** erase multiplies `x` by a mask that carries no derivative (as in the executor): g ⊙ mask for `x`, none for `by`. */
const erase: Vjp = (args) => {
  const mask = keepMask({
    ...args,
    origin: { name: `${args.origin.name}/grad`, doc: `derivative of ${args.origin.doc}` },
  });
  return [nchw(node(args, 'Mul', [args.builder.as(args.gradient, 'nchw'), mask], 'input')), undefined];
};

export const WINDOW_VJPS: Readonly<Record<string, Vjp>> = { maxpool, avgpool, convTranspose, erase };
