/**
 * ONNX forms of the ops without weights: activations, merges, joins, shape changes, resizes.
 * Element-wise ops keep the layout their input has; ops with an axis map it to that layout;
 * flatten and reshape read the NHWC order the language defines.
 */
import { AttributeReader } from '../ops/attributes.js';
import { expandBorder } from '../ops/border.js';
import { findOp } from '../ops/registry.js';
import { axisIn, type OnnxValue } from './builder.js';
import { type LowerArgs, type Lowering, UnsupportedError, activate, nchw, scalar } from './lowering.js';

const reader = (args: LowerArgs) => new AttributeReader(args.node.op, findOp(args.node.op)!.params, args.node.attrs);
const same = (args: LowerArgs, op: string, attributes = {}): OnnxValue => ({
  ...args.inputs[0]!,
  name: args.builder.add(op, [args.inputs[0]!.name], attributes, args.origin),
});

const hardSwish: Lowering = (args) => same(args, 'HardSwish');
const leakyRelu: Lowering = (args) => activate(args, args.inputs[0]!, 'leakyRelu', reader(args).number('alpha'));
const dropout: Lowering = (args) => same(args, 'Identity');

const softmax: Lowering = (args) => {
  const input = args.inputs[0]!;
  return same(args, 'Softmax', { axis: axisIn(reader(args).int('axis'), input.rank, input.layout) });
};

/** add, mul, max: all rank-4 inputs meet in NCHW; mixed ranks broadcast in NHWC, as written. */
function merge(opType: 'Sum' | 'Mul' | 'Max'): Lowering {
  return (args) => {
    const layout = args.inputs.every((v) => v.rank === 4) ? 'nchw' : 'nhwc';
    const names = args.inputs.map((v) => args.builder.as(v, layout));
    const rank = Math.max(...args.inputs.map((v) => v.rank));
    const out = (name: string): OnnxValue => ({ name, rank, layout: rank === 4 ? layout : 'plain' });
    if (names.length === 1) return out(args.builder.add('Identity', names, {}, args.origin));
    if (opType !== 'Mul') return out(args.builder.add(opType, names, {}, args.origin));
    let product = names[0]!;
    for (const [index, name] of names.slice(1).entries()) {
      const last = index === names.length - 2;
      product = args.builder.add(
        'Mul',
        [product, name],
        {},
        last ? args.origin : { ...args.origin, name: `${args.origin.name}/partial` },
      );
    }
    return out(product);
  };
}

const concat: Lowering = (args) => {
  const rank = args.inputs[0]!.rank;
  const layout = rank === 4 ? 'nchw' : 'plain';
  const names = args.inputs.map((v) => args.builder.as(v, 'nchw'));
  const axis = axisIn(reader(args).int('axis'), rank, layout);
  return { name: args.builder.add('Concat', names, { axis }, args.origin), rank, layout };
};

const flatten: Lowering = (args) => {
  const x = args.builder.as(args.inputs[0]!, 'nhwc');
  return { name: args.builder.add('Flatten', [x], { axis: 1 }, args.origin), rank: 2, layout: 'plain' };
};

const reshape: Lowering = (args) => {
  const target = reader(args).ints('shape');
  const x = args.builder.as(args.inputs[0]!, 'nhwc');
  const shape = args.builder.int64s(`${args.node.name}/shape`, [0, ...target]);
  const rank = target.length + 1;
  return {
    name: args.builder.add('Reshape', [x, shape], {}, args.origin),
    rank,
    layout: rank === 4 ? 'nhwc' : 'plain',
  };
};

const pad: Lowering = (args) => {
  const read = reader(args);
  const mode = read.text('mode');
  if (mode === 'symmetric')
    throw new UnsupportedError(
      'pad with `mode: symmetric` has no ONNX form at opset 17',
      'use `mode: reflect` or `constant`',
    );
  const border = expandBorder(read.ints('amount'));
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const pads = args.builder.int64s(`${args.node.name}/pads`, [
    0,
    0,
    border.top,
    border.left,
    0,
    0,
    border.bottom,
    border.right,
  ]);
  const inputs = [x, pads, ...(mode === 'constant' ? [scalar(args, 'value', read.number('value'))] : [])];
  return nchw(args.builder.add('Pad', inputs, { mode }, args.origin));
};

/** Rows and columns [H, W] of an NCHW value, as an int64 tensor computed at run time. */
function spatialShape(args: LowerArgs, value: string, label: string): string {
  return args.builder.add(
    'Shape',
    [value],
    { start: 2, end: 4 },
    { ...args.origin, name: `${args.origin.name}/${label}` },
  );
}

const crop: Lowering = (args) => {
  const read = reader(args);
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const axes = args.builder.int64s(`${args.node.name}/axes`, [2, 3]);
  const amount = read.optionalInts('amount');
  if (amount) {
    const border = expandBorder(amount);
    const starts = args.builder.int64s(`${args.node.name}/starts`, [border.top, border.left]);
    const ends = args.builder.int64s(`${args.node.name}/ends`, [
      -border.bottom || Number.MAX_SAFE_INTEGER,
      -border.right || Number.MAX_SAFE_INTEGER,
    ]);
    return nchw(args.builder.add('Slice', [x, starts, ends, axes], {}, args.origin));
  }
  // Centre crop: offset floor((size − target) / 2), as tfjs slices it.
  const like = args.builder.as(args.inputs[1]!, 'nchw');
  const [have, want] = [spatialShape(args, x, 'size'), spatialShape(args, like, 'target')];
  const step = (op: string, inputs: string[], label: string) =>
    args.builder.add(op, inputs, {}, { ...args.origin, name: `${args.origin.name}/${label}` });
  const two = args.builder.int64s(`${args.node.name}/two`, [2, 2]);
  const starts = step('Div', [step('Sub', [have, want], 'slack'), two], 'starts');
  const ends = step('Add', [starts, want], 'ends');
  return nchw(args.builder.add('Slice', [x, starts, ends, axes], {}, args.origin));
};

const channels: Lowering = (args) => {
  const input = args.inputs[0]!;
  const count = args.inputTypes[0]!.shape[input.rank - 1]!;
  if (count.kind !== 'const') throw new UnsupportedError('channels of a tensor whose channel count is not fixed');
  const read = reader(args);
  const resolve = (index: number) => (index < 0 ? index + count.value : index);
  const layout = input.rank === 4 ? 'nchw' : 'plain';
  const x = args.builder.as(input, 'nchw');
  const bounds = (label: string, value: number) => args.builder.int64s(`${args.node.name}/${label}`, [value]);
  const axis = bounds('axis', axisIn(-1, input.rank, layout));
  const inputs = [x, bounds('start', resolve(read.int('start'))), bounds('end', resolve(read.int('end'))), axis];
  return { name: args.builder.add('Slice', inputs, {}, args.origin), rank: input.rank, layout };
};

/** ONNX's ArgMax gives int64; the IR's argmax is int32, so a Cast follows. */
const argmax: Lowering = (args) => {
  const input = args.inputs[0]!;
  const axis = axisIn(reader(args).int('axis'), input.rank, input.layout);
  const indices = args.builder.add(
    'ArgMax',
    [input.name],
    { axis, keepdims: 0 },
    { ...args.origin, name: `${args.origin.name}/int64` },
  );
  const rank = input.rank - 1;
  // Dropping an axis of an NCHW value leaves an order the rest of the graph cannot name.
  if (input.rank === 4 && input.layout === 'nchw' && axis !== 1)
    throw new UnsupportedError('argmax over a spatial axis of a feature map');
  return { name: args.builder.add('Cast', [indices], { to: 6 }, args.origin), rank, layout: 'plain' };
};

/**
 * upsample: Resize to a size from `factor`, `size` or another tensor's rows and columns. tfjs's
 * half-pixel nearest neighbour floors (i + 0.5) / scale, which is ONNX's `half_pixel`
 * ((i + 0.5) / scale − 0.5) rounded with ties up; its align-corners nearest rounds halves up too.
 */
const upsample: Lowering = (args) => {
  const read = reader(args);
  const x = args.builder.as(args.inputs[0]!, 'nchw');
  const bilinear = read.text('mode') === 'bilinear';
  const [alignCorners, halfPixel] = [read.bool('alignCorners'), read.bool('halfPixel')];
  const coordinates = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const attributes = {
    mode: bilinear ? 'linear' : 'nearest',
    coordinate_transformation_mode: coordinates,
    ...(bilinear ? {} : { nearest_mode: alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor' }),
  };
  const empty = '';
  const factor = read.optionalPair('factor');
  if (factor) {
    const scales = args.builder.floats(`${args.node.name}/scales`, [4], Float32Array.of(1, 1, factor[0], factor[1]));
    return nchw(args.builder.add('Resize', [x, empty, scales], attributes, args.origin));
  }
  const batchAndChannels = args.builder.add(
    'Shape',
    [x],
    { start: 0, end: 2 },
    { ...args.origin, name: `${args.origin.name}/leading` },
  );
  const spatial = args.inputs[1]
    ? spatialShape(args, args.builder.as(args.inputs[1], 'nchw'), 'target')
    : args.builder.int64s(`${args.node.name}/size`, read.pair('size'));
  const sizes = args.builder.add(
    'Concat',
    [batchAndChannels, spatial],
    { axis: 0 },
    { ...args.origin, name: `${args.origin.name}/sizes` },
  );
  return nchw(args.builder.add('Resize', [x, empty, empty, sizes], attributes, args.origin));
};

export const TENSOR_LOWERINGS: Readonly<Record<string, Lowering>> = {
  relu: (args) => activate(args, args.inputs[0]!, 'relu', 0),
  relu6: (args) => activate(args, args.inputs[0]!, 'relu6', 0),
  sigmoid: (args) => activate(args, args.inputs[0]!, 'sigmoid', 0),
  tanh: (args) => activate(args, args.inputs[0]!, 'tanh', 0),
  leakyRelu,
  hardSwish,
  hardSigmoid: (args) =>
    same(args, 'HardSigmoid', {
      alpha: { float: reader(args).number('alpha') },
      beta: { float: reader(args).number('beta') },
    }),
  softmax,
  dropout,
  add: merge('Sum'),
  mul: merge('Mul'),
  max: merge('Max'),
  concat,
  flatten,
  reshape,
  pad,
  crop,
  channels,
  argmax,
  upsample,
};
