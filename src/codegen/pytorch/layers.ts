/**
 * Each op of the graph as PyTorch: the layer module an op with weights owns (constructed once,
 * registered under the node's path), and the expression that computes the node. Feature maps
 * are NCHW inside the generated module, so channel axes and flattening are translated here;
 * the helpers called (`segc.resize`, `segc.erase`, ...) live in the runtime module
 * (`segc_torch.py`). The table is kept here rather than on each `OpDef` so that the PyTorch
 * lowering stays one reviewable unit while it is the only non-tfjs target.
 */
import { InternalError } from '../../diagnostics/diagnostic.js';
import type { IRNode } from '../../ir/graph.js';
import type { AttrValue, TensorType } from '../../ops/op.js';
import { expandBorder } from '../../ops/border.js';

export interface LoweringArgs {
  readonly node: IRNode;
  /** Python expressions for the tensor inputs, in the op's order. */
  readonly inputs: readonly string[];
  readonly inputTypes: readonly TensorType[];
  /** The expression of the node's layer module (`self.at("conv")`), for ops with weights. */
  readonly layer: string;
}

export interface Lowering {
  /** The constructor of the layer module, for ops with weights. */
  readonly module?: (node: IRNode) => string;
  readonly call: (args: LoweringArgs) => string;
}

/** A compile-time value as a Python literal: numbers exactly, strings JSON-quoted (valid Python). */
export function pythonLiteral(value: AttrValue | readonly number[]): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'math.inf' : value < 0 ? '-math.inf' : 'math.nan';
    return String(value);
  }
  if (typeof value === 'string')
    return JSON.stringify(value)
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  const items = value.map((item) => pythonLiteral(item));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

function pair(value: AttrValue | undefined, fallback?: readonly number[]): readonly number[] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value)) return value as number[];
  if (fallback) return fallback;
  throw new InternalError(`expected a pair, got ${JSON.stringify(value)}`);
}

/** `"same"`, `"valid"` or the explicit (rows, cols) padding of a window op. */
function windowPadding(node: IRNode): string {
  if (node.attrs.pad !== null && node.attrs.pad !== undefined) return pythonLiteral(pair(node.attrs.pad));
  return pythonLiteral(node.attrs.padding as string);
}

function shapeOf(node: IRNode, role: string): readonly number[] {
  const weight = node.weights.find((w) => w.role === role);
  if (!weight) throw new InternalError(`${node.name} has no ${role} weight`);
  return weight.shape;
}

function activationFields(node: IRNode): string {
  const name = (node.attrs.activation as string | undefined) ?? 'none';
  const alpha = typeof node.attrs.alpha === 'number' ? `, alpha=${pythonLiteral(node.attrs.alpha)}` : '';
  return name === 'none' && !alpha ? '' : `, activation=${pythonLiteral(name)}${alpha}`;
}

function windowFields(node: IRNode, dilation = true): string {
  const stride = pythonLiteral(pair(node.attrs.stride, pair(node.attrs.kernel)));
  const dilated = dilation ? `, dilation=${pythonLiteral(pair(node.attrs.dilation, [1, 1]))}` : '';
  return `stride=${stride}${dilated}, padding=${windowPadding(node)}`;
}

/** segc's axis of a tensor of `rank` as the axis of the NCHW tensor the module holds. */
function torchAxis(axis: number, rank: number): number {
  const resolved = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][resolved]! : resolved;
}

const layerCall: Lowering['call'] = ({ inputs, layer }) => `${layer}(${inputs[0]})`;

function poolWindow(node: IRNode): string {
  const size = pair(node.attrs.size);
  return `${pythonLiteral(size)}, ${pythonLiteral(pair(node.attrs.stride, size))}, ${windowPadding(node)}`;
}

function elementwise(expression: (x: string) => string): Lowering {
  return { call: ({ inputs }) => expression(inputs[0]!) };
}

function merge(combine: (a: string, b: string) => string): Lowering {
  return { call: ({ inputs }) => inputs.slice(1).reduce((merged, input) => combine(merged, input), inputs[0]!) };
}

function upsampleSize({ node, inputs, inputTypes }: LoweringArgs): string {
  if (node.attrs.factor !== null && node.attrs.factor !== undefined) {
    const [rows, columns] = pair(node.attrs.factor);
    return `(${inputs[0]}.shape[2] * ${rows}, ${inputs[0]}.shape[3] * ${columns})`;
  }
  if (inputs.length > 1) {
    // `like` is read only for its size: spatial axes 1, 2 in segc's layout, 2, 3 in NCHW.
    const [rows, columns] = inputTypes[1]!.shape.length === 4 ? [2, 3] : [1, 2];
    return `(${inputs[1]}.shape[${rows}], ${inputs[1]}.shape[${columns}])`;
  }
  return pythonLiteral(pair(node.attrs.size));
}

function cropCall({ node, inputs, inputTypes }: LoweringArgs): string {
  const x = inputs[0]!;
  const amount = node.attrs.amount;
  if (Array.isArray(amount)) {
    const border = expandBorder(amount as number[]);
    const end = (size: number) => (size === 0 ? '' : `-${size}`);
    return `${x}[:, :, ${border.top}:${end(border.bottom)}, ${border.left}:${end(border.right)}]`;
  }
  const [rows, columns] = inputTypes[1]!.shape.length === 4 ? [2, 3] : [1, 2];
  return `segc.centre_crop(${x}, ${inputs[1]}.shape[${rows}], ${inputs[1]}.shape[${columns}])`;
}

function padCall({ node, inputs }: LoweringArgs): string {
  const border = expandBorder(node.attrs.amount as number[]);
  const mode = node.attrs.mode as string;
  if (mode !== 'constant')
    return `segc.mirror_pad(${inputs[0]}, ${border.top}, ${border.bottom}, ${border.left}, ${border.right}, ${pythonLiteral(mode)})`;
  return `F.pad(${inputs[0]}, (${border.left}, ${border.right}, ${border.top}, ${border.bottom}), value=${pythonLiteral(node.attrs.value as number)})`;
}

function channelsCall({ node, inputs, inputTypes }: LoweringArgs): string {
  const rank = inputTypes[0]!.shape.length;
  const [start, end] = [node.attrs.start as number, node.attrs.end as number];
  const count = inputTypes[0]!.shape[rank - 1]!;
  const total = count.kind === 'const' ? count.value : 0;
  const [from, to] = [start < 0 ? start + total : start, end < 0 ? end + total : end];
  return `${inputs[0]}.narrow(${torchAxis(-1, rank)}, ${from}, ${to - from})`;
}

export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  conv: {
    module: (node) =>
      `segc.Conv(${pythonLiteral(shapeOf(node, 'kernel'))}, ${windowFields(node)}, bias=${pythonLiteral(node.attrs.bias as boolean)}${activationFields(node)})`,
    call: layerCall,
  },
  dwconv: {
    module: (node) =>
      `segc.DepthwiseConv(${pythonLiteral(shapeOf(node, 'depthwiseKernel'))}, ${windowFields(node)}, bias=${pythonLiteral(node.attrs.bias as boolean)}${activationFields(node)})`,
    call: layerCall,
  },
  sepconv: {
    module: (node) =>
      `segc.SeparableConv(${pythonLiteral(shapeOf(node, 'depthwiseKernel'))}, ${pythonLiteral(shapeOf(node, 'pointwiseKernel'))}, ${windowFields(node)}, ` +
      `bias=${pythonLiteral(node.attrs.bias as boolean)}${activationFields(node)})`,
    call: layerCall,
  },
  convTranspose: {
    module: (node) =>
      `segc.ConvTranspose(${pythonLiteral(shapeOf(node, 'kernel'))}, stride=${pythonLiteral(pair(node.attrs.stride, pair(node.attrs.kernel)))}, ` +
      `padding=${pythonLiteral(node.attrs.padding as string)}, bias=${pythonLiteral(node.attrs.bias as boolean)}${activationFields(node)})`,
    call: layerCall,
  },
  dense: {
    module: (node) =>
      `segc.Dense(${pythonLiteral(shapeOf(node, 'kernel'))}, bias=${pythonLiteral(node.attrs.bias as boolean)}${activationFields(node)})`,
    call: layerCall,
  },
  bn: {
    module: (node) =>
      `segc.BatchNorm(${shapeOf(node, 'gamma')[0]}, epsilon=${pythonLiteral(node.attrs.epsilon as number)}, momentum=${pythonLiteral(node.attrs.momentum as number)})`,
    call: layerCall,
  },
  relu: elementwise((x) => `F.relu(${x})`),
  relu6: elementwise((x) => `F.relu6(${x})`),
  sigmoid: elementwise((x) => `torch.sigmoid(${x})`),
  tanh: elementwise((x) => `torch.tanh(${x})`),
  hardSwish: elementwise((x) => `segc.hard_swish(${x})`),
  prelu: {
    // One slope per channel under the weight's own name, so the state_dict key is segc's.
    module: (node) =>
      `torch.nn.ParameterDict({"alpha": torch.nn.Parameter(torch.zeros(${shapeOf(node, 'alpha')[0]}))})`,
    call: ({ inputs, layer }) => `F.prelu(${inputs[0]}, ${layer}["alpha"])`,
  },
  hardSigmoid: {
    call: ({ node, inputs }) =>
      `torch.clamp(${inputs[0]} * ${pythonLiteral(node.attrs.alpha as number)} + ${pythonLiteral(node.attrs.beta as number)}, 0, 1)`,
  },
  leakyRelu: { call: ({ node, inputs }) => `F.leaky_relu(${inputs[0]}, ${pythonLiteral(node.attrs.alpha as number)})` },
  softmax: {
    call: ({ node, inputs, inputTypes }) =>
      `torch.softmax(${inputs[0]}, dim=${torchAxis(node.attrs.axis as number, inputTypes[0]!.shape.length)})`,
  },
  argmax: {
    call: ({ node, inputs, inputTypes }) =>
      `torch.argmax(${inputs[0]}, dim=${torchAxis(node.attrs.axis as number, inputTypes[0]!.shape.length)}).int()`,
  },
  maxpool: { call: ({ node, inputs }) => `segc.max_pool(${inputs[0]}, ${poolWindow(node)})` },
  avgpool: { call: ({ node, inputs }) => `segc.avg_pool(${inputs[0]}, ${poolWindow(node)})` },
  gap: { call: ({ node, inputs }) => `${inputs[0]}.mean(dim=(2, 3)${node.attrs.keep ? ', keepdim=True' : ''})` },
  gmp: { call: ({ node, inputs }) => `${inputs[0]}.amax(dim=(2, 3)${node.attrs.keep ? ', keepdim=True' : ''})` },
  upsample: {
    call: (args) => {
      const { node, inputs } = args;
      const flags = `${pythonLiteral(node.attrs.alignCorners as boolean)}, ${pythonLiteral(node.attrs.halfPixel as boolean)}`;
      return `segc.resize(${inputs[0]}, ${upsampleSize(args)}, ${pythonLiteral(node.attrs.mode as string)}, ${flags})`;
    },
  },
  concat: {
    call: ({ node, inputs, inputTypes }) =>
      inputs.length === 1
        ? `${inputs[0]}.clone()`
        : `torch.cat([${inputs.join(', ')}], dim=${torchAxis(node.attrs.axis as number, inputTypes[0]!.shape.length)})`,
  },
  add: merge((a, b) => `${a} + ${b}`),
  mul: merge((a, b) => `${a} * ${b}`),
  max: merge((a, b) => `torch.maximum(${a}, ${b})`),
  dropout: {
    call: ({ node, inputs }) => `F.dropout(${inputs[0]}, ${pythonLiteral(node.attrs.rate as number)}, self.training)`,
  },
  flatten: { call: ({ inputs }) => `segc.flatten(${inputs[0]})` },
  reshape: { call: ({ node, inputs }) => `segc.reshape(${inputs[0]}, ${pythonLiteral(node.attrs.shape as number[])})` },
  pad: { call: padCall },
  crop: { call: cropCall },
  channels: { call: channelsCall },
  erase: {
    call: ({ node, inputs }) =>
      `segc.erase(${inputs[0]}, ${inputs[1]}, ${pythonLiteral(node.attrs.threshold as number)}, self.training)`,
  },
};
