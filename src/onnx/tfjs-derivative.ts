/**
 * The derivative graph of gradient.ts run on tfjs: each node of the derivative part, an ONNX
 * op, is evaluated by tfjs kernels, on the forward values of the run that gave A. tfjs records
 * no tape, and nothing before A runs again. Written here because no maintained package runs ONNX
 * nodes on tfjs (tfjs-converter reads TensorFlow graphs); only the ops the vector-Jacobian
 * products emit are covered, and a program with another op is refused when it is built (the
 * caller then differentiates with tfjs).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../ir/graph.js';
import type { InitializerRecord, NodeRecord } from './builder.js';
import { type DerivativeProgram, type ExplanationModelRequest, derivativeProgram } from './gradient.js';
import { type HostWeights, OnnxExportError } from './export.js';
import { AttributeType, ElementType } from './schema.js';

interface Attributes {
  int(name: string, fallback?: number): number;
  ints(name: string, fallback?: readonly number[]): number[];
  float(name: string, fallback?: number): number;
  text(name: string, fallback?: string): string;
}

function attributesOf(node: NodeRecord): Attributes {
  const find = (name: string) => node.attribute.find((a) => a.name === name) as Record<string, unknown> | undefined;
  const missing = (name: string): never => {
    throw new Error(`${node.name}: attribute ${name} missing`);
  };
  return {
    int: (name, fallback) => {
      const a = find(name);
      return a ? Number(a.i) : (fallback ?? missing(name));
    },
    ints: (name, fallback) => {
      const a = find(name);
      return a ? (a.ints as number[]).map(Number) : [...(fallback ?? missing(name))];
    },
    float: (name, fallback) => {
      const a = find(name);
      return a ? Number(a.f) : (fallback ?? missing(name));
    },
    text: (name, fallback) => {
      const a = find(name);
      return a && a.type === AttributeType.string
        ? new TextDecoder().decode(a.s as Uint8Array)
        : (fallback ?? missing(name));
    },
  };
}

/** Host values of a small int tensor (axes, shapes, bounds). */
const ints = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** Zeros between pixels (stride s) and the window's pads, so a strided adjoint becomes a stride-1 convolution. */
function spreadOut(x: tf.Tensor4D, strides: readonly number[]): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [sh, sw] = strides as [number, number];
  if (sh === 1 && sw === 1) return x;
  const padded = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const spread = tf.reshape(padded, [n, h * sh, w * sw, c]) as tf.Tensor4D;
  return tf.slice(spread, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
}

/**
 * ONNX ConvTranspose (NCHW; weight [Cin, Cout / group, kh, kw]) as a stride-1 convolution of the
 * zero-spread input with the flipped kernel, then the pads cut and `output_padding` added.
 */
function convTranspose(x: tf.Tensor4D, weight: tf.Tensor4D, a: Attributes): tf.Tensor4D {
  const [inChannels, perGroup, kh, kw] = weight.shape;
  const group = a.int('group', 1);
  const strides = a.ints('strides', [1, 1]);
  const dilations = a.ints('dilations', [1, 1]);
  const pads = a.ints('pads', [0, 0, 0, 0]);
  const extra = a.ints('output_padding', [0, 0]);
  const extents = [kh, kw].map((k, axis) => dilations[axis]! * (k - 1) + 1);
  const input = tf.transpose(x, TO_NHWC) as tf.Tensor4D;
  const [, h, w] = input.shape;
  const full = tf.pad(spreadOut(input, strides), [
    [0, 0],
    [extents[0]! - 1, extents[0]! - 1],
    [extents[1]! - 1, extents[1]! - 1],
    [0, 0],
  ]);
  const flipped = tf.reverse(weight, [2, 3]);
  let y: tf.Tensor4D;
  const rate = dilations as [number, number];
  if (group === 1) {
    // [Cin, Cout, kh, kw] → HWIO with I = Cin, O = Cout.
    y = tf.conv2d(full, tf.transpose(flipped, [2, 3, 0, 1]) as tf.Tensor4D, 1, 'valid', 'NHWC', rate);
  } else if (perGroup === 1) {
    // One output channel per group: a depthwise convolution, then each group's channels summed.
    const filter = tf.reshape(tf.transpose(flipped, [2, 3, 0, 1]), [kh, kw, inChannels, 1]) as tf.Tensor4D;
    const each = tf.depthwiseConv2d(full, filter, 1, 'valid', 'NHWC', rate);
    const [n, rows, columns] = each.shape;
    y = tf.sum(tf.reshape(each, [n, rows, columns, group, inChannels / group]), 4) as tf.Tensor4D;
  } else throw new Error(`ConvTranspose with ${group} groups of ${perGroup} channels`);
  const sizes = [h, w].map(
    (size, axis) => strides[axis]! * (size - 1) + extra[axis]! + extents[axis]! - pads[axis]! - pads[axis + 2]!,
  );
  const [rows, columns] = [y.shape[1], y.shape[2]];
  const kept = [0, 1].map((axis) => Math.min(sizes[axis]!, [rows, columns][axis]! - pads[axis]!));
  const cut = tf.slice(y, [0, pads[0]!, pads[1]!, 0], [-1, kept[0]!, kept[1]!, -1]);
  const out = tf.pad(cut, [
    [0, 0],
    [0, sizes[0]! - kept[0]!],
    [0, sizes[1]! - kept[1]!],
    [0, 0],
  ]);
  return tf.transpose(out, TO_NCHW) as tf.Tensor4D;
}

/** ONNX Conv (NCHW; weight [Cout, Cin, kh, kw], one group) with explicit pads. */
function conv(x: tf.Tensor4D, weight: tf.Tensor4D, a: Attributes): tf.Tensor4D {
  if (a.int('group', 1) !== 1) throw new Error('grouped Conv');
  const pads = a.ints('pads', [0, 0, 0, 0]);
  const input = tf.pad(tf.transpose(x, TO_NHWC) as tf.Tensor4D, [
    [0, 0],
    [pads[0]!, pads[2]!],
    [pads[1]!, pads[3]!],
    [0, 0],
  ]);
  const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
  const strides = a.ints('strides', [1, 1]) as [number, number];
  const y = tf.conv2d(input, filter, strides, 'valid', 'NHWC', a.ints('dilations', [1, 1]) as [number, number]);
  return tf.transpose(y, TO_NCHW) as tf.Tensor4D;
}

/** MatMul with NumPy broadcasting for the shapes the products use: [r, k] · [..., k, m] and [..., r, k] · [k, m]. */
function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (b.rank === 2) {
    const k = a.shape[a.rank - 1]!;
    const out = tf.matMul(tf.reshape(a, [-1, k]) as tf.Tensor2D, b as tf.Tensor2D);
    return tf.reshape(out, [...a.shape.slice(0, -1), b.shape[1]!]);
  }
  if (a.rank === 2) {
    const [rows] = a.shape as [number, number];
    const rest = b.shape.slice(0, -2);
    const [k, m] = b.shape.slice(-2) as [number, number];
    const perm = [b.rank - 2, ...rest.map((_, i) => i), b.rank - 1];
    const columns = tf.reshape(tf.transpose(b, perm), [k, -1]);
    const product = tf.reshape(tf.matMul(a as tf.Tensor2D, columns as tf.Tensor2D), [rows, ...rest, m]);
    return tf.transpose(product, [...rest.map((_, i) => i + 1), 0, b.rank - 1]);
  }
  return tf.matMul(a, b);
}

function slice(x: tf.Tensor, starts: number[], ends: number[], axes: number[]): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const size = x.shape.map(() => -1);
  axes.forEach((axis, i) => {
    const positive = axis < 0 ? axis + x.rank : axis;
    const length = x.shape[positive]!;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + length : v, 0), length);
    const [from, to] = [clamp(starts[i]!), clamp(ends[i]!)];
    begin[positive] = from;
    size[positive] = Math.max(to - from, 0);
  });
  return tf.slice(x, begin, size);
}

/**
 * ONNX MaxPool with its indices (flat NCHW positions of each window's first maximum in row-major
 * order, as ONNX Runtime and tfjs pick it): the windows' pixels compared one offset at a time.
 */
function maxPool(x: tf.Tensor4D, a: Attributes): tf.Tensor[] {
  const [n, c, h, w] = x.shape;
  const [kh, kw] = a.ints('kernel_shape') as [number, number];
  const [sh, sw] = a.ints('strides', [1, 1]) as [number, number];
  let pads = a.ints('pads', [0, 0, 0, 0]);
  if (a.text('auto_pad', 'NOTSET') === 'SAME_UPPER') {
    const before = [h, w].map((size, axis) => {
      const [k, s] = [[kh, kw][axis]!, [sh, sw][axis]!];
      return Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
    });
    pads = [Math.floor(before[0]! / 2), Math.floor(before[1]! / 2)];
    pads.push(before[0]! - pads[0]!, before[1]! - pads[1]!);
  }
  const [top, left, bottom, right] = pads as [number, number, number, number];
  const rows = Math.floor((h + top + bottom - kh) / sh) + 1;
  const columns = Math.floor((w + left + right - kw) / sw) + 1;
  const padded = tf.pad(
    x,
    [
      [0, 0],
      [0, 0],
      [top, bottom],
      [left, right],
    ],
    -Infinity,
  );
  let best: tf.Tensor | undefined;
  let index: tf.Tensor | undefined;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const candidate = tf.stridedSlice(
        padded,
        [0, 0, i, j],
        [n, c, i + (rows - 1) * sh + 1, j + (columns - 1) * sw + 1],
        [1, 1, sh, sw],
      );
      const positions = Int32Array.from({ length: rows * columns }, (_, flat) => {
        const [row, column] = [Math.floor(flat / columns) * sh - top + i, (flat % columns) * sw - left + j];
        return row * w + column;
      });
      const position = tf.broadcastTo(tf.tensor4d(positions, [1, 1, rows, columns], 'int32'), [n, c, rows, columns]);
      if (!best || !index) [best, index] = [candidate, position];
      else {
        const wins = tf.greater(candidate, best);
        [best, index] = [tf.where(wins, candidate, best), tf.where(wins, position, index)];
      }
    }
  const base = tf.reshape(tf.mul(tf.range(0, n * c, 1, 'int32'), tf.scalar(h * w, 'int32')), [n, c, 1, 1]);
  return [best!, tf.add(index!, base)];
}

type Run = (inputs: tf.Tensor[], a: Attributes) => tf.Tensor | tf.Tensor[];

const axesOf = (a: Attributes, inputs: tf.Tensor[], x: tf.Tensor): number[] =>
  inputs[1]
    ? ints(inputs[1])
    : a.ints(
        'axes',
        x.shape.map((_, i) => i),
      );

const OPS: Readonly<Record<string, Run>> = {
  Identity: ([x]) => tf.clone(x!),
  Add: ([a, b]) => tf.add(a!, b!),
  Sub: ([a, b]) => tf.sub(a!, b!),
  Mul: ([a, b]) => tf.mul(a!, b!),
  Div: ([a, b]) => tf.div(a!, b!),
  Sum: (inputs) => tf.addN(inputs),
  Greater: ([a, b]) => tf.greater(a!, b!),
  GreaterOrEqual: ([a, b]) => tf.greaterEqual(a!, b!),
  Less: ([a, b]) => tf.less(a!, b!),
  LessOrEqual: ([a, b]) => tf.lessEqual(a!, b!),
  Equal: ([a, b]) => tf.equal(a!, b!),
  And: ([a, b]) => tf.logicalAnd(a!, b!),
  Where: ([c, a, b]) => tf.where(c!, a!, b!),
  Cast: ([x], a) => tf.cast(x!, a.int('to') === ElementType.float ? 'float32' : 'int32'),
  Clip: ([x, low, high]) => tf.clipByValue(x!, low!.dataSync()[0]!, high!.dataSync()[0]!),
  ReduceSum: ([x, axes], a) => tf.sum(x!, axes ? ints(axes) : undefined, a.int('keepdims', 1) === 1),
  ReduceMax: (inputs, a) => tf.max(inputs[0]!, axesOf(a, inputs, inputs[0]!), a.int('keepdims', 1) === 1),
  ReduceMin: (inputs, a) => tf.min(inputs[0]!, axesOf(a, inputs, inputs[0]!), a.int('keepdims', 1) === 1),
  ReduceMean: (inputs, a) => tf.mean(inputs[0]!, axesOf(a, inputs, inputs[0]!), a.int('keepdims', 1) === 1),
  ArgMax: ([x], a) => {
    const axis = a.int('axis', 0);
    const best = tf.argMax(x!, axis);
    return a.int('keepdims', 1) === 1 ? tf.expandDims(best, axis) : best;
  },
  Transpose: ([x], a) => tf.transpose(x!, a.ints('perm')),
  Reshape: ([x, shape]) => tf.reshape(x!, ints(shape!)),
  Shape: ([x], a) => {
    const rank = x!.rank;
    const bound = (v: number) => (v < 0 ? v + rank : Math.min(v, rank));
    return tf.tensor1d(x!.shape.slice(bound(a.int('start', 0)), bound(a.int('end', rank))), 'int32');
  },
  Expand: ([x, shape]) => {
    const wanted = ints(shape!);
    const rank = Math.max(wanted.length, x!.rank);
    const own = [...new Array<number>(rank - x!.rank).fill(1), ...x!.shape];
    const target = own.map((d, i) => Math.max(d, wanted[i - (rank - wanted.length)] ?? 1));
    return tf.broadcastTo(tf.reshape(x!, own), target);
  },
  Unsqueeze: ([x, axes]) => {
    let y = x!;
    for (const axis of [...ints(axes!)].sort((p, q) => p - q)) y = tf.expandDims(y, axis);
    return y;
  },
  Slice: ([x, starts, ends, axes]) =>
    slice(x!, ints(starts!), ints(ends!), axes ? ints(axes) : ints(starts!).map((_, i) => i)),
  Pad: ([x, pads, value]) => {
    const amounts = ints(pads!);
    const rank = x!.rank;
    return tf.pad(
      x!,
      x!.shape.map((_, axis) => [amounts[axis]!, amounts[axis + rank]!] as [number, number]),
      value ? value.dataSync()[0]! : 0,
    );
  },
  MatMul: ([a, b]) => matMul(a!, b!),
  Gemm: ([a, b, c], attributes) => {
    const product = tf.matMul(
      a! as tf.Tensor2D,
      b! as tf.Tensor2D,
      attributes.int('transA', 0) === 1,
      attributes.int('transB', 0) === 1,
    );
    return c ? tf.add(product, c) : product;
  },
  Conv: ([x, w], a) => conv(x! as tf.Tensor4D, w! as tf.Tensor4D, a),
  MaxPool: ([x], a) => maxPool(x! as tf.Tensor4D, a),
  ConstantOfShape: ([shape]) => tf.zeros(ints(shape!)),
  // tfjs's scatterND sums the updates of repeated indices, which is `reduction: add`.
  ScatterElements: ([data, indices, updates]) =>
    tf.add(data!, tf.scatterND(tf.reshape(indices!, [-1, 1]), updates!, data!.shape)),
  ConvTranspose: ([x, w], a) => convTranspose(x! as tf.Tensor4D, w! as tf.Tensor4D, a),
};

/** The ONNX ops this file runs, for refusing a program early. */
export const TFJS_DERIVATIVE_OPS: readonly string[] = Object.keys(OPS);

function constant(record: InitializerRecord): tf.Tensor {
  const dims = [...record.dims];
  if (record.data instanceof Float32Array) return tf.tensor(record.data, dims, 'float32');
  // int64 bounds such as Slice's "to the end" (2⁵³ − 1) saturate to int32's range.
  const saturate = (v: number | bigint) => Math.min(Math.max(Number(v), -(2 ** 31)), 2 ** 31 - 1);
  return tf.tensor(Int32Array.from(record.data as ArrayLike<number | bigint>, saturate), dims, 'int32');
}

/**
 * A derivative program ready to run on tfjs. Its constants (kernels in ONNX order, masks,
 * interpolation matrices) stay on the host and are uploaded for each run, so no tensor outlives
 * an explanation.
 */
export class TfjsDerivative {
  private constructor(private readonly program: DerivativeProgram) {}

  /**
   * Builds the program of the part from `request.target` to `request.score`, or undefined when it
   * has an op that is not run here (the caller then differentiates with tfjs).
   */
  static build(graph: Graph, weights: HostWeights, request: ExplanationModelRequest): TfjsDerivative | undefined {
    let program: DerivativeProgram;
    try {
      program = derivativeProgram(graph, weights, request);
    } catch (error) {
      if (error instanceof OnnxExportError) return undefined;
      throw error;
    }
    if (program.builder.nodes.some((n) => !(n.op_type in OPS))) return undefined;
    return new TfjsDerivative(program);
  }

  /** The forward values the program reads, by node id. */
  get reads(): number[] {
    return [...this.program.inputs.keys()];
  }

  /** ∂(Σ selector ⊙ score)/∂A from the forward values (by node id), in A's NHWC layout. */
  run(values: ReadonlyMap<number, tf.Tensor>, selector: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const env = new Map<string, tf.Tensor>(this.program.builder.initializers.map((i) => [i.name, constant(i)]));
      for (const [id, name] of this.program.inputs) env.set(name, values.get(id)!);
      env.set(this.program.selector, selector);
      for (const node of this.program.builder.nodes) {
        const inputs = node.input.map((name) => env.get(name)!);
        const result = OPS[node.op_type]!(inputs, attributesOf(node));
        (Array.isArray(result) ? result : [result]).forEach((value, i) => env.set(node.output[i]!, value));
      }
      const gradient = this.program.gradient;
      const result = env.get(gradient.name)!;
      return gradient.rank === 4 && gradient.layout === 'nchw' ? tf.transpose(result, TO_NHWC) : tf.clone(result);
    });
  }
}
