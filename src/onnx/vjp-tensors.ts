/**
 * Vector-Jacobian products of the ops without weights: pools over the whole map, shape changes,
 * resizes (as their interpolation matrices, transposed), joins and merges, borders.
 */
import { AttributeReader } from '../ops/attributes.js';
import { type Border, expandBorder } from '../ops/border.js';
import { findOp } from '../ops/registry.js';
import { interpolationWeights } from '../ops/resize.js';
import { axisIn, type OnnxValue } from './builder.js';
import { UnsupportedError, nchw } from './lowering.js';
import { type Vjp, type VjpArgs, like, node } from './vjp.js';

const reader = (args: VjpArgs) => new AttributeReader(args.node.op, findOp(args.node.op)!.params, args.node.attrs);

/** A pooled cotangent [N, C] or [N, C, 1, 1] spread over x's NCHW shape. */
function spread(args: VjpArgs, x: string): string {
  const g =
    args.gradient.rank === 2
      ? node(
          args,
          'Unsqueeze',
          [args.gradient.name, args.builder.int64s(`${args.node.name}/grad/axes`, [2, 3])],
          'keep',
        )
      : args.builder.as(args.gradient, 'nchw');
  return node(args, 'Expand', [g, node(args, 'Shape', [x], 'shape')], 'spread');
}

const gap: Vjp = (args) => {
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const x4 = args.inputTypes[0]!.shape;
  const count = args.size(x4[1]!) * args.size(x4[2]!);
  const share = args.builder.floats(`${args.node.name}/grad/share`, [], Float32Array.of(1 / count));
  return [nchw(node(args, 'Mul', [spread(args, x), share], 'input'))];
};

/** tfjs gives the whole cotangent to every position equal to the maximum. */
const gmp: Vjp = (args) => {
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const maximum = node(args, 'ReduceMax', [x], 'maximum', { axes: [2, 3], keepdims: 1 });
  const mask = node(args, 'Cast', [node(args, 'Equal', [x, maximum], 'is_max')], 'mask', { to: 1 });
  return [nchw(node(args, 'Mul', [spread(args, x), mask], 'input'))];
};

/** flatten and reshape: back to x's NHWC shape. */
const reshapeBack: Vjp = (args) => {
  const x = args.builder.as(args.inputs[0]!, 'nhwc');
  const name = node(
    args,
    'Reshape',
    [args.builder.as(args.gradient, 'nhwc'), node(args, 'Shape', [x], 'shape')],
    'input',
  );
  return [{ name, rank: args.inputs[0]!.rank, layout: args.inputs[0]!.rank === 4 ? 'nhwc' : 'plain' }];
};

/** A resize is y = R_h · x · R_wᵀ per channel, so ∂x = R_hᵀ · g · R_w. */
const upsample: Vjp = (args) => {
  const read = reader(args);
  const sampling = {
    bilinear: read.text('mode') === 'bilinear',
    alignCorners: read.bool('alignCorners'),
    halfPixel: read.bool('halfPixel'),
  };
  const [input, output] = [args.inputTypes[0]!.shape, args.node.type.shape];
  const [rows, columns] = [args.size(input[1]!), args.size(input[2]!)];
  const [outRows, outColumns] = [args.size(output[1]!), args.size(output[2]!)];
  const rowWeights = transpose(interpolationWeights(rows, outRows, sampling), outRows, rows);
  const columnWeights = interpolationWeights(columns, outColumns, sampling);
  const left = args.builder.floats(`${args.node.name}/grad/rows`, [rows, outRows], rowWeights);
  const right = args.builder.floats(`${args.node.name}/grad/columns`, [outColumns, columns], columnWeights);
  const g = args.builder.as(args.gradient, 'nchw');
  return [nchw(node(args, 'MatMul', [node(args, 'MatMul', [left, g], 'along_rows'), right], 'input')), undefined];
};

function transpose(matrix: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = matrix[r * columns + c]!;
  return out;
}

const concat: Vjp = (args) => {
  const rank = args.output.rank;
  const irAxis = reader(args).int('axis');
  const positive = irAxis < 0 ? irAxis + rank : irAxis;
  const g = args.builder.as(args.gradient, 'nchw');
  const layout = args.gradient.rank === 4 ? 'nchw' : 'plain';
  const axis = axisIn(positive, rank, layout);
  const sizes = args.inputTypes.map((t) => args.size(t.shape[positive]!));
  let offset = 0;
  return sizes.map((size, index) => {
    const bound = (label: string, value: number) =>
      args.builder.int64s(`${args.node.name}/grad/${label}${index}`, [value]);
    const part = node(
      args,
      'Slice',
      [g, bound('start', offset), bound('end', offset + size), bound('axis', axis)],
      `part${index}`,
    );
    offset += size;
    return { name: part, rank, layout } as OnnxValue;
  });
};

/** Sums a broadcast cotangent back to an input's shape (IR axes where the input has size 1). */
function unbroadcast(args: VjpArgs, g: string, index: number, layout: 'nchw' | 'nhwc'): OnnxValue {
  const [input, output] = [args.inputTypes[index]!.shape, args.node.type.shape];
  const rank = output.length;
  if (input.length !== rank) throw new UnsupportedError('the derivative of a merge of tensors of different ranks');
  const axes = input
    .map((d, axis) =>
      d.kind === 'const' && d.value === 1 && args.size(output[axis]!) !== 1
        ? axisIn(axis, rank, rank === 4 ? layout : 'plain')
        : -1,
    )
    .filter((a) => a >= 0);
  const value =
    axes.length === 0
      ? g
      : node(args, 'ReduceSum', [g, args.builder.int64s(`${args.node.name}/grad/axes${index}`, axes)], `sum${index}`, {
          keepdims: 1,
        });
  return { name: value, rank, layout: rank === 4 ? layout : 'plain' };
}

function mergeLayout(args: VjpArgs): 'nchw' | 'nhwc' {
  return args.output.layout === 'nchw' ? 'nchw' : 'nhwc';
}

const add: Vjp = (args) => {
  const layout = mergeLayout(args);
  const g = args.builder.as(args.gradient, layout);
  return args.inputs.map((_, index) => unbroadcast(args, g, index, layout));
};

const mul: Vjp = (args) => {
  const layout = mergeLayout(args);
  const g = args.builder.as(args.gradient, layout);
  const inputs = args.inputs.map((v) => args.builder.as(v, layout));
  return inputs.map((_, index) => {
    const others = inputs.filter((__, j) => j !== index);
    const product = others.reduce((acc, name, j) => node(args, 'Mul', [acc, name], `times${index}_${j}`), g);
    return unbroadcast(args, product, index, layout);
  });
};

/** tfjs's maximum: the first input where a ≥ b, the second where a < b. */
const max: Vjp = (args) => {
  if (args.inputs.length !== 2) throw new UnsupportedError('the derivative of max over more than two tensors');
  const layout = mergeLayout(args);
  const g = args.builder.as(args.gradient, layout);
  const [a, b] = args.inputs.map((v) => args.builder.as(v, layout));
  const first = node(args, 'Cast', [node(args, 'GreaterOrEqual', [a!, b!], 'first_wins')], 'first_mask', { to: 1 });
  const second = node(args, 'Cast', [node(args, 'Less', [a!, b!], 'second_wins')], 'second_mask', { to: 1 });
  return [
    unbroadcast(args, node(args, 'Mul', [g, first], 'first'), 0, layout),
    unbroadcast(args, node(args, 'Mul', [g, second], 'second'), 1, layout),
  ];
};

const identity: Vjp = (args) => [like(args.gradient, args.gradient.name)];

/** pad: the cotangent of the inside (constant), or with the mirrored borders folded back onto it. */
const pad: Vjp = (args) => {
  const mode = reader(args).text('mode');
  const border = expandBorder(reader(args).ints('amount'));
  const g = args.builder.as(args.gradient, 'nchw');
  if (mode !== 'constant') return [mirrorAdjoint(args, g, border, mode === 'reflect' ? 1 : 0)];
  const ints = (label: string, values: number[]) => args.builder.int64s(`${args.node.name}/grad/${label}`, values);
  const end = (amount: number) => (amount === 0 ? Number.MAX_SAFE_INTEGER : -amount);
  return [
    nchw(
      node(
        args,
        'Slice',
        [
          g,
          ints('starts', [border.top, border.left]),
          ints('ends', [end(border.bottom), end(border.right)]),
          ints('axes', [2, 3]),
        ],
        'input',
      ),
    ),
  ];
};

/**
 * A mirror pad copies rows and columns: y = P_h · x · P_wᵀ per channel with 0/1 matrices, so
 * ∂x = P_hᵀ · g · P_w, as for a resize. `skip` is 1 for reflect (the edge is not repeated), 0
 * for symmetric.
 */
function mirrorAdjoint(args: VjpArgs, g: string, border: Border, skip: number): OnnxValue {
  const [rows, columns] = [1, 2].map((axis) => args.size(args.inputTypes[0]!.shape[axis]!)) as [number, number];
  const source = (i: number, size: number) => (i < 0 ? -i - 1 + skip : i >= size ? 2 * size - 1 - skip - i : i);
  /** [size, padded] for rows (P_hᵀ), [padded, size] for columns (P_w). */
  const copies = (size: number, before: number, after: number, transposed: boolean) => {
    const padded = size + before + after;
    const matrix = new Float32Array(size * padded);
    for (let i = 0; i < padded; i++) {
      const from = source(i - before, size);
      const at = transposed ? from * padded + i : i * size + from;
      matrix[at] = matrix[at]! + 1;
    }
    return matrix;
  };
  const left = args.builder.floats(
    `${args.node.name}/grad/rows`,
    [rows, rows + border.top + border.bottom],
    copies(rows, border.top, border.bottom, true),
  );
  const right = args.builder.floats(
    `${args.node.name}/grad/columns`,
    [columns + border.left + border.right, columns],
    copies(columns, border.left, border.right, false),
  );
  return nchw(node(args, 'MatMul', [node(args, 'MatMul', [left, g], 'along_rows'), right], 'input'));
}

/** crop: zeros around the cotangent, by `amount` or by the centred offsets of `like`. */
const crop: Vjp = (args) => {
  const amount = reader(args).optionalInts('amount');
  const border = amount ? expandBorder(amount) : centredBorder(args);
  const g = args.builder.as(args.gradient, 'nchw');
  const pads = args.builder.int64s(`${args.node.name}/grad/pads`, [
    0,
    0,
    border.top,
    border.left,
    0,
    0,
    border.bottom,
    border.right,
  ]);
  return [nchw(node(args, 'Pad', [g, pads], 'input')), undefined];
};

/** What crop(like:) removed: floor((H − h) / 2) above, the rest below; the same across. */
function centredBorder(args: VjpArgs): Border {
  const [input, output] = [args.inputTypes[0]!.shape, args.node.type.shape];
  const [slackRows, slackColumns] = [1, 2].map((axis) => args.size(input[axis]!) - args.size(output[axis]!)) as [
    number,
    number,
  ];
  const [top, left] = [Math.floor(slackRows / 2), Math.floor(slackColumns / 2)];
  return { top, bottom: slackRows - top, left, right: slackColumns - left };
}

const channels: Vjp = (args) => {
  const rank = args.output.rank;
  const count = args.size(args.inputTypes[0]!.shape[rank - 1]!);
  const read = reader(args);
  const resolve = (index: number) => (index < 0 ? index + count : index);
  const [start, end] = [resolve(read.int('start')), resolve(read.int('end'))];
  const g = args.builder.as(args.gradient, 'nchw');
  const layout = rank === 4 ? 'nchw' : 'plain';
  const axis = axisIn(-1, rank, layout);
  const pads = new Array<number>(2 * rank).fill(0);
  pads[axis] = start;
  pads[rank + axis] = count - end;
  return [
    { name: node(args, 'Pad', [g, args.builder.int64s(`${args.node.name}/grad/pads`, pads)], 'input'), rank, layout },
  ];
};

export const TENSOR_VJPS: Readonly<Record<string, Vjp>> = {
  gap,
  gmp,
  flatten: reshapeBack,
  reshape: reshapeBack,
  upsample,
  concat,
  add,
  mul,
  max,
  dropout: identity,
  pad,
  crop,
  channels,
};
