/**
 * tfjs graph model nodes → `.seg` statements. Each node that computes becomes one `let` named
 * after the node; a convolution or matrix product absorbs the bias add and the activation that
 * only it feeds (`conv2d_1/Conv2D` → `Add` → `Relu` is one `conv(…, activation: relu)` named
 * after the last node), and constants become weights. An addition, subtraction or product of a
 * feature map with a constant (a scalar or one value per channel, as in hard-swish
 * `x * relu6(x + 3) * 0.16662…`) is a 1×1 depthwise convolution holding the constant, which
 * computes exactly `x * scale + shift` with the model's own values.
 *
 * Every node is either expressed with the same arithmetic or refused with its name and op:
 * the import never writes a silently different network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';
import { codes } from '../diagnostics/codes.js';
import type { GraphAttr, GraphModel, GraphNode } from './graph-model.js';
import { Namer, number, type SegStatement, showPair, type Translation } from './layers-to-seg.js';

/** A size the graph fixes, or null where it is open (a `-1` in the placeholder). */
type Shape = readonly (number | null)[];

type Value = { readonly kind: 'tensor'; readonly name: string; readonly shape: Shape } | ConstValue;
interface ConstValue {
  readonly kind: 'const';
  readonly tensor: tf.Tensor;
}

const ACTIVATIONS: Record<string, string> = { Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid', Tanh: 'tanh' };
const BIAS_ADDS = new Set(['BiasAdd', 'Add', 'AddV2']);
/** Nodes that do nothing at inference. */
const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot']);

const decode = (text: string | undefined) => (text === undefined ? undefined : Buffer.from(text, 'base64').toString());
const ints = (attr: GraphAttr | undefined) => (attr?.list?.i ?? []).map(Number);
/**
 * A copy of `values` with its own storage in `shape`. tfjs's reshape shares storage, and the
 * wasm backend reads the rank of a fused convolution's bias from the storage, not the tensor.
 */
const copy = (values: tf.Tensor, shape: number[]) => tf.tensor(values.dataSync(), shape, 'float32');

export function translateGraph(model: GraphModel, file: string): Translation {
  const state = new GraphTranslation(model, file);
  return state.run();
}

class GraphTranslation {
  private readonly statements: SegStatement[] = [];
  private readonly weights = new Map<string, tf.Tensor>();
  private readonly namer = new Namer();
  private readonly values = new Map<string, Value>();
  private readonly byName: Map<string, GraphNode>;
  private readonly consumers = new Map<string, GraphNode[]>();
  /** Nodes already expressed by the statement of the node before them (a fused bias or activation). */
  private readonly absorbed = new Set<string>();

  constructor(
    private readonly model: GraphModel,
    private readonly file: string,
  ) {
    this.byName = new Map(model.nodes.map((node) => [node.name, node]));
    for (const node of model.nodes)
      for (const input of node.inputs) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
  }

  /** Add node → the PReLU it completes (see `findWrittenOutPrelus`). */
  private readonly writtenPrelus = new Map<
    string,
    { x: string; slope: tf.Tensor; scale: number; parts: GraphNode[] }
  >();
  /** The other nodes of those PReLUs, written by the Add's statement. */
  private readonly insidePrelu = new Set<string>();

  run(): Translation {
    try {
      this.findWrittenOutPrelus();
      for (const node of this.order())
        if (!this.absorbed.has(node.name) && !this.insidePrelu.has(node.name)) this.node(node);
    } catch (error) {
      const source = new Set(this.model.constants.values());
      tf.dispose([...this.weights.values()].filter((tensor) => !source.has(tensor)));
      throw error;
    }
    for (const output of this.model.outputs) {
      const value = this.values.get(output);
      if (!value || value.kind !== 'tensor')
        this.refuse(this.byName.get(output) ?? { name: output, op: '?', inputs: [], attr: {} }, 'it is not computed');
      this.statements.push({ text: `output ${this.namer.name(output)} = ${value.name}` });
    }
    return { statements: this.statements, weights: this.weights };
  }

  /**
   * PReLU written out with plain ops, found before the walk so that none of its parts is read on
   * its own: `max(x, 0) + γ · min(x, 0)` and `relu(x) + c · (x − |x|)` (slope 2c) are both
   * `prelu(x)`, exactly: for x < 0 the first term is 0 and 2x · c = x · 2c; for x ≥ 0 the second
   * is 0. Each intermediate value must be read only inside the pattern.
   */
  private findWrittenOutPrelus(): void {
    const only = (name: string | undefined, op: string) => {
      const node = name === undefined ? undefined : this.byName.get(name);
      return node?.op === op && (this.consumers.get(name!) ?? []).length === 1 && !this.model.outputs.includes(name!)
        ? node
        : undefined;
    };
    const constantOf = (name: string | undefined) =>
      name !== undefined && this.byName.get(name)?.op === 'Const' ? this.model.constants.get(name) : undefined;
    const isZero = (name: string | undefined) => {
      const value = constantOf(name);
      return value !== undefined && value.size === 1 && value.dataSync()[0] === 0;
    };
    /** `op(x, 0)` in either order: x, or undefined. */
    const withZero = (node: GraphNode | undefined) =>
      node && node.inputs.length === 2
        ? isZero(node.inputs[0])
          ? node.inputs[1]
          : isZero(node.inputs[1])
            ? node.inputs[0]
            : undefined
        : undefined;
    /** `Mul(c, y)` in either order: [c, y]. */
    const scaled = (node: GraphNode | undefined): [tf.Tensor, string] | undefined => {
      if (!node || node.inputs.length !== 2) return undefined;
      const index = constantOf(node.inputs[0]) ? 0 : constantOf(node.inputs[1]) ? 1 : -1;
      return index < 0 ? undefined : [constantOf(node.inputs[index])!, node.inputs[1 - index]!];
    };
    for (const add of this.model.nodes) {
      if ((add.op !== 'Add' && add.op !== 'AddV2') || add.inputs.length !== 2) continue;
      for (const [p, q] of [add.inputs, [...add.inputs].reverse()]) {
        const product = only(q, 'Mul');
        const [factor, rest] = scaled(product) ?? [];
        if (!product || !factor) continue;
        // max(x, 0) + γ · min(x, 0)
        const maximum = only(p, 'Maximum');
        const minimum = only(rest, 'Minimum');
        const x = withZero(maximum);
        if (maximum && minimum && x !== undefined && withZero(minimum) === x) {
          this.writtenPrelus.set(add.name, { x, slope: factor, scale: 1, parts: [maximum, minimum, product] });
          break;
        }
        // y + c · (y − |y|) where y ≥ 0 (a convolution with a fused relu, as tfjs-converter fuses one
        // into the convolution a written-out PReLU reads): y − |y| is 0, the sum is y itself.
        const sub = only(rest, 'Sub');
        const producer = p === undefined ? undefined : this.byName.get(p);
        const fusedOps = (producer?.attr.fused_ops?.list?.s ?? []).map((text) => decode(text)!);
        const nonNegative =
          producer !== undefined &&
          (producer.op === 'Relu' || producer.op === 'Relu6' || fusedOps.some((op) => op === 'Relu' || op === 'Relu6'));
        const absOfP = only(sub?.inputs[1], 'Abs');
        if (nonNegative && sub && absOfP && sub.inputs[0] === p && absOfP.inputs[0] === p) {
          this.writtenPrelus.set(add.name, { x: p!, slope: factor, scale: 0, parts: [absOfP, sub, product] });
          break;
        }
        // relu(x) + c · (x − |x|)
        const relu = only(p, 'Relu');
        const difference = only(rest, 'Sub');
        const abs = only(difference?.inputs[1], 'Abs');
        const y = relu?.inputs[0];
        if (relu && difference && abs && difference.inputs[0] === y && abs.inputs[0] === y && y !== undefined) {
          this.writtenPrelus.set(add.name, { x: y, slope: factor, scale: 2, parts: [relu, abs, difference, product] });
          break;
        }
      }
    }
    for (const { parts } of this.writtenPrelus.values()) for (const part of parts) this.insidePrelu.add(part.name);
  }

  /** The nodes the outputs need, each after its inputs. */
  private order(): GraphNode[] {
    const ordered: GraphNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string) => {
      if (state.get(name) === 'done') return;
      const node = this.byName.get(name);
      const [producer, index] = name.split(/:(?=\d+$)/);
      const multiple = index === undefined ? undefined : this.byName.get(producer!);
      if (!node && multiple)
        this.refuse(
          multiple,
          `its output ${index} is read; segc ops have one output`,
          'ops with several outputs (Split, Unpack, TopKV2, …) have no .seg equivalent',
        );
      if (!node)
        throw diagnosticError(codes.importUnreadable, `the graph reads a node \`${name}\` it does not have`, {
          span: fileSpan(this.file),
          hint: 'convert the model again with tfjs-converter',
        });
      if (state.get(name) === 'visiting') this.refuse(node, 'it is part of a cycle');
      state.set(name, 'visiting');
      // An explicit stack would spare recursion; graphs that reach Node's stack limit are far larger than CNNs.
      for (const input of node.inputs) visit(input);
      state.set(name, 'done');
      ordered.push(node);
    };
    for (const output of this.model.outputs) visit(output);
    return ordered;
  }

  private refuse(node: GraphNode, why: string, hint = 'see docs/import.md for the ops segc import reads'): never {
    throw diagnosticError(
      codes.importUnsupportedLayer,
      `node \`${node.name}\` (${node.op}) cannot be written in .seg: ${why}`,
      {
        span: fileSpan(this.file),
        hint,
      },
    );
  }

  private value(node: GraphNode, index: number): Value {
    const name = node.inputs[index];
    const found = name === undefined ? undefined : this.values.get(name);
    if (!found) this.refuse(node, `its input ${index} \`${name ?? ''}\` is missing or is not a single tensor`);
    return found;
  }

  private tensor(node: GraphNode, index: number): { name: string; shape: Shape } {
    const value = this.value(node, index);
    if (value.kind !== 'tensor') this.refuse(node, `its input ${index} is a constant where a tensor is expected`);
    return value;
  }

  private constant(node: GraphNode, index: number, what: string): tf.Tensor {
    const value = this.value(node, index);
    if (value.kind !== 'const') this.refuse(node, `its ${what} is computed, not a constant`);
    return value.tensor;
  }

  private constantInts(node: GraphNode, index: number, what: string): number[] {
    return Array.from(this.constant(node, index, what).dataSync(), Number);
  }

  private emit(node: GraphNode, expression: string, shape: Shape, comment = `${node.op} ${node.name}`): string {
    const name = this.namer.name(node.name);
    this.statements.push({ text: `let ${name} = ${expression}`, comment });
    this.values.set(node.name, { kind: 'tensor', name, shape });
    return name;
  }

  private featureMap(node: GraphNode, index = 0): { name: string; shape: Shape } {
    const x = this.tensor(node, index);
    if (x.shape.length !== 4) this.refuse(node, `its input has rank ${x.shape.length}, not 4`);
    return x;
  }

  private checkNhwc(node: GraphNode): void {
    const format = decode(node.attr.data_format?.s) ?? 'NHWC';
    if (format !== 'NHWC')
      this.refuse(node, `data_format ${format}; .seg is NHWC`, 'convert the model with NHWC layouts');
  }

  /** `[1, sh, sw, 1]` → `[sh, sw]`; strides or windows over the batch or channels are refused. */
  private spatial(node: GraphNode, key: string, fallback: number): [number, number] {
    const list = ints(node.attr[key]);
    if (list.length === 0) return [fallback, fallback];
    if (list.length !== 4 || list[0] !== 1 || list[3] !== 1)
      this.refuse(node, `${key} [${list.join(', ')}] reaches over the batch or the channels`);
    return [list[1]!, list[2]!];
  }

  private padding(node: GraphNode): string {
    const padding = decode(node.attr.padding?.s) ?? 'VALID';
    if (padding !== 'SAME' && padding !== 'VALID')
      this.refuse(node, `padding ${padding}`, 'segc import reads SAME and VALID padding');
    return padding.toLowerCase();
  }

  /** The node's single consumer, when the node is not itself an output; a fusion needs both. */
  private soleConsumer(name: string): GraphNode | undefined {
    const consumers = this.consumers.get(name) ?? [];
    return consumers.length === 1 && !this.model.outputs.includes(name) ? consumers[0] : undefined;
  }

  private node(node: GraphNode): void {
    switch (node.op) {
      case 'Const':
        return this.constNode(node);
      case 'Placeholder':
        return this.placeholder(node);
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case 'Conv2DBackpropInput':
      case 'MatMul':
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative':
      case 'FusedConv2D':
      case '_FusedMatMul':
        return this.weighted(node);
      case 'Relu':
      case 'Relu6':
      case 'Sigmoid':
      case 'Tanh':
        return void this.emit(
          node,
          `${ACTIVATIONS[node.op]}(${this.tensor(node, 0).name})`,
          this.tensor(node, 0).shape,
        );
      case 'Prelu': {
        const x = this.tensor(node, 0);
        return this.prelu(node, x.name, x.shape, this.constant(node, 1, 'slope'));
      }
      case 'LeakyRelu': {
        const x = this.tensor(node, 0);
        return void this.emit(node, `leakyRelu(${x.name}, alpha: ${number(node.attr.alpha?.f ?? 0.2)})`, x.shape);
      }
      case 'Softmax': {
        const x = this.tensor(node, 0);
        return void this.emit(node, `softmax(${x.name})`, x.shape);
      }
      case 'BiasAdd':
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul': {
        const written = this.writtenPrelus.get(node.name);
        if (!written) return this.binary(node);
        const x = this.values.get(written.x);
        if (x?.kind !== 'tensor') this.refuse(node, 'its PReLU reads a constant');
        // The identity case (scale 0): the statement that computes y stands for the sum too.
        if (written.scale === 0) return void this.values.set(node.name, x);
        const parts = [...written.parts, node].map((part) => `${part.op} ${part.name}`).join(' … ');
        return this.prelu(node, x.name, x.shape, written.slope, `${parts}: a PReLU written out`, written.scale);
      }
      case 'AddN':
        return this.merge(node, 'add');
      case 'Maximum':
        return node.inputs.some((input) => this.byName.get(input)?.op === 'Const')
          ? this.clip(node)
          : this.merge(node, 'max');
      case 'MaxPool':
      case 'AvgPool':
        return this.pool(node);
      case 'Mean':
      case 'Max':
        return this.mean(node);
      case 'Minimum':
        return this.clip(node);
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor':
        return this.resize(node);
      case 'ConcatV2':
        return this.concat(node);
      case 'Pad':
      case 'PadV2':
      case 'MirrorPad':
        return this.pad(node);
      case 'Reshape':
      case 'Squeeze':
        return this.reshape(node);
      default:
        if (PASS_THROUGH.has(node.op)) return void this.values.set(node.name, this.value(node, 0));
        return this.refuse(node, 'segc import has no translation for this op');
    }
  }

  private constNode(node: GraphNode): void {
    const tensor = this.model.constants.get(node.name);
    if (!tensor)
      this.refuse(
        node,
        'its value is not in the weights manifest',
        'convert the model with tfjs-converter, which stores constants in the shards',
      );
    this.values.set(node.name, { kind: 'const', tensor });
  }

  private placeholder(node: GraphNode): void {
    const dims = node.attr.shape?.shape?.dim;
    if (!dims || dims.length !== 4)
      this.refuse(node, `the input has ${dims ? `rank ${dims.length}` : 'no shape'}, not [N, H, W, C]`);
    const shape = dims.map((d) => (Number(d.size ?? -1) < 0 ? null : Number(d.size)));
    if (shape[3] === null) this.refuse(node, 'the input has an open channel count');
    const name = this.namer.name(node.name);
    const show = (size: number | null, symbol: string) => (size === null ? symbol : String(size));
    this.statements.push({
      text: `input ${name}: f32[N, ${show(shape[1]!, 'H')}, ${show(shape[2]!, 'W')}, ${shape[3]}]`,
      comment: `Placeholder ${node.name}`,
    });
    this.values.set(node.name, { kind: 'tensor', name, shape });
  }

  /** A convolution or a matrix product, with the bias add and the activation that only it feeds. */
  private weighted(first: GraphNode): void {
    const fused = first.op.replace(/^_/, '').startsWith('Fused');
    const base = fused ? first.op.replace(/^_?Fused/, '') : first.op;
    let bias: tf.Tensor | undefined;
    let activation: string | undefined;
    let slope: tf.Tensor | undefined;
    let last = first;
    if (fused) {
      const ops = (first.attr.fused_ops?.list?.s ?? []).map((s) => decode(s)!);
      for (const op of ops) {
        if (op === 'BiasAdd' && bias === undefined) bias = this.constant(first, 2, 'bias');
        else if (ACTIVATIONS[op] && activation === undefined) activation = ACTIVATIONS[op];
        // The slopes follow the bias among the fused arguments.
        else if (op === 'Prelu' && activation === undefined && slope === undefined)
          slope = this.constant(first, bias ? 3 : 2, 'PReLU slope');
        else this.refuse(first, `fused op ${op} (of ${ops.join(', ')})`);
      }
    }
    const channels = this.outputChannels(first, base);
    if (!bias) {
      const next = this.soleConsumer(first.name);
      if (next && BIAS_ADDS.has(next.op) && next.inputs.length === 2) {
        const other = next.inputs[0] === first.name ? 1 : 0;
        const source = this.byName.get(next.inputs[other]!);
        const value = source?.op === 'Const' ? this.model.constants.get(source.name) : undefined;
        if (value && value.size === channels && value.shape.at(-1) === channels) {
          bias = copy(value, [channels]);
          this.absorbed.add(next.name);
          last = next;
        }
      }
    }
    if (!activation && !slope) {
      const next = this.soleConsumer(last.name);
      if (next && ACTIVATIONS[next.op]) {
        activation = ACTIVATIONS[next.op];
        this.absorbed.add(next.name);
        last = next;
      }
    }
    const comment = [first, ...(last === first ? [] : [last])].map((n) => `${n.op} ${n.name}`).join(' … ');
    const tail = [...(bias ? [] : ['bias: false']), ...(activation ? [`activation: ${activation}`] : [])];
    const { op, args, shape, roles } = this.weightedCall(first, base, channels);
    // A fused PReLU is its own statement after the convolution, which takes a name of its own.
    const layer = slope ? { ...first, name: `${first.name}_${op}` } : last;
    const name = this.emit(layer, `${op}(${[...args, ...tail].join(', ')})`, shape, comment);
    for (const [role, tensor] of roles) this.weights.set(`${name}/${op}/${role}`, tensor);
    if (bias) this.weights.set(`${name}/${op}/bias`, bias);
    if (slope) this.prelu(last, name, shape, slope, `${first.op} ${first.name}: its fused Prelu`);
    for (const absorbed of [...this.absorbed])
      if (!this.values.has(absorbed)) this.values.set(absorbed, this.values.get(last.name)!);
  }

  /** `prelu(x)` holding one slope per channel (a slope shaped [C], [1, C] or [1, 1, C]). */
  private prelu(
    node: GraphNode,
    x: string,
    shape: Shape,
    slope: tf.Tensor,
    comment = `${node.op} ${node.name}`,
    scale = 1,
  ): void {
    const channels = shape.at(-1);
    if ((shape.length !== 4 && shape.length !== 2) || channels == null)
      this.refuse(node, `a PReLU on a tensor of rank ${shape.length}`);
    if (slope.size !== 1 && (slope.size !== channels || slope.shape.at(-1) !== channels))
      this.refuse(node, `its slope has shape [${slope.shape.join(', ')}], not one per channel (${channels})`);
    const name = this.emit(node, `prelu(${x})`, shape, comment);
    const values = slope.dataSync();
    this.weights.set(
      `${name}/prelu/alpha`,
      tf.tensor(
        Float32Array.from({ length: channels }, (_, c) => values[slope.size === 1 ? 0 : c]! * scale),
        [channels],
      ),
    );
  }

  private outputChannels(node: GraphNode, base: string): number {
    const filter = this.constant(node, 1, base === 'MatMul' ? 'weight matrix' : 'filter');
    if (base === 'DepthwiseConv2dNative') return filter.shape[2]! * filter.shape[3]!;
    if (base === 'Conv2DBackpropInput') return filter.shape[2]!;
    return filter.shape.at(-1)!;
  }

  private weightedCall(
    node: GraphNode,
    base: string,
    channels: number,
  ): { op: string; args: string[]; shape: Shape; roles: [string, tf.Tensor][] } {
    if (base === 'MatMul') {
      const x = this.tensor(node, 0);
      const kernel = this.constant(node, 1, 'weight matrix');
      if (node.attr.transpose_a?.b || x.shape.length !== 2) this.refuse(node, 'it is not [N, C] × [C, U]');
      const weights = node.attr.transpose_b?.b ? tf.transpose(kernel) : kernel;
      return {
        op: 'dense',
        args: [x.name, String(channels)],
        shape: [x.shape[0]!, channels],
        roles: [['kernel', weights]],
      };
    }
    this.checkNhwc(node);
    const stride = this.spatial(node, 'strides', 1);
    const dilation = this.spatial(node, 'dilations', 1);
    const padding = this.padding(node);
    const extra = [
      ...(stride.some((s) => s !== 1) ? [`stride: ${showPair(stride)}`] : []),
      ...(dilation.some((d) => d !== 1) ? [`dilation: ${showPair(dilation)}`] : []),
      `padding: ${padding}`,
    ];
    if (base === 'Conv2DBackpropInput') {
      const x = this.featureMap(node, 2);
      const filter = this.constant(node, 1, 'filter');
      if (dilation.some((d) => d !== 1)) this.refuse(node, 'a dilated transposed convolution');
      const [kh, kw] = [filter.shape[0]!, filter.shape[1]!];
      const size = (input: number | null, s: number, k: number) =>
        input === null ? null : padding === 'same' ? input * s : (input - 1) * s + k;
      const shape = [x.shape[0]!, size(x.shape[1]!, stride[0], kh), size(x.shape[2]!, stride[1], kw), channels];
      const wanted = this.constantInts(node, 0, 'output size');
      if ([1, 2].some((axis) => shape[axis] !== null && wanted[axis] !== shape[axis]))
        this.refuse(
          node,
          `its output size [${wanted.join(', ')}] is not the one .seg's convTranspose gives (${padding}: [${shape.join(', ')}])`,
        );
      return {
        op: 'convTranspose',
        args: [x.name, String(channels), showPair([kh, kw]), ...extra],
        shape,
        roles: [['kernel', filter]],
      };
    }
    const x = this.featureMap(node, 0);
    const filter = this.constant(node, 1, 'filter');
    const [kh, kw] = [filter.shape[0]!, filter.shape[1]!];
    const out = (input: number | null, s: number, k: number, d: number) =>
      input === null ? null : padding === 'same' ? Math.ceil(input / s) : Math.ceil((input - (k - 1) * d) / s);
    const shape = [
      x.shape[0]!,
      out(x.shape[1]!, stride[0], kh, dilation[0]),
      out(x.shape[2]!, stride[1], kw, dilation[1]),
      channels,
    ];
    if (filter.shape[2] !== x.shape[3])
      this.refuse(node, `its filter takes ${filter.shape[2]} channels, the input has ${x.shape[3]}`);
    if (base === 'DepthwiseConv2dNative') {
      const multiplier = filter.shape[3]!;
      return {
        op: 'dwconv',
        args: [
          x.name,
          `kernel: ${showPair([kh, kw])}`,
          ...extra,
          ...(multiplier === 1 ? [] : [`multiplier: ${multiplier}`]),
        ],
        shape,
        roles: [['depthwiseKernel', filter]],
      };
    }
    return {
      op: 'conv',
      args: [x.name, String(channels), showPair([kh, kw]), ...extra],
      shape,
      roles: [['kernel', filter]],
    };
  }

  /** Element-wise with two tensors (`add`, `mul`, broadcasting), or with a constant (a 1×1 depthwise convolution). */
  private binary(node: GraphNode): void {
    const [a, b] = [this.value(node, 0), this.value(node, 1)];
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      if (node.op === 'Sub')
        this.refuse(node, 'a difference of two computed tensors', '.seg has add and mul of tensors');
      const op = node.op === 'Mul' ? 'mul' : 'add';
      const rank = Math.max(a.shape.length, b.shape.length);
      const at = (s: Shape, axis: number) => s[axis - (rank - s.length)] ?? 1;
      const shape = Array.from({ length: rank }, (_, axis) => {
        const [l, r] = [at(a.shape, axis), at(b.shape, axis)];
        return l === 1 ? r : l;
      });
      return void this.emit(node, `${op}(${a.name}, ${b.name})`, shape);
    }
    if (a.kind === 'const' && b.kind === 'const')
      this.refuse(node, 'both inputs are constants', 'fold constants before converting');
    const [x, constant, constantFirst] =
      a.kind === 'tensor'
        ? [a, (b as ConstValue).tensor, false]
        : [b as { name: string; shape: Shape }, a.tensor, true];
    const channels = x.shape.at(-1);
    if ((x.shape.length !== 4 && x.shape.length !== 2) || channels === null || channels === undefined)
      this.refuse(
        node,
        `a constant with a tensor of rank ${x.shape.length}`,
        'constants are applied to [N, H, W, C] maps and [N, C] matrices',
      );
    const perChannel = constant.shape.every((size, axis) => size === 1 || axis === constant.shape.length - 1);
    if (!perChannel || constant.rank > 4 || (constant.size !== 1 && constant.size !== channels))
      this.refuse(
        node,
        `its constant has shape [${constant.shape.join(', ')}], not one value or one per channel (${channels})`,
      );
    const values = Float32Array.from({ length: channels }, (_, c) => constant.dataSync()[constant.size === 1 ? 0 : c]!);
    const ones = new Float32Array(channels).fill(1);
    const negated = (v: Float32Array) => v.map((value) => -value);
    const [scale, shift] =
      node.op === 'Mul'
        ? [values, undefined]
        : node.op === 'Sub'
          ? constantFirst
            ? [negated(ones), values]
            : [ones, negated(values)]
          : [ones, values];
    // A [N, C] matrix (a batch norm after a dense layer) is scaled as the map [N, 1, 1, C] and
    // flattened back: reshaping moves no value, so the arithmetic is the same.
    const matrix = x.shape.length === 2;
    const part = (suffix: string) => ({ ...node, name: `${node.name}_${suffix}` });
    const input = matrix
      ? this.emit(
          part('map'),
          `reshape(${x.name}, [1, 1, ${channels}])`,
          [x.shape[0]!, 1, 1, channels],
          `${node.op} ${node.name}: [N, C] as [N, 1, 1, C]`,
        )
      : x.name;
    const name = this.emit(
      matrix ? part('scaled') : node,
      `dwconv(${input}, kernel: 1${shift ? '' : ', bias: false'})`,
      matrix ? [x.shape[0]!, 1, 1, channels] : x.shape,
      `${node.op} ${node.name}: ${node.op === 'Mul' ? 'scaled' : 'shifted'} by a constant (a 1×1 depthwise convolution holds it)`,
    );
    this.weights.set(`${name}/dwconv/depthwiseKernel`, tf.tensor(scale, [1, 1, channels, 1], 'float32'));
    if (shift) this.weights.set(`${name}/dwconv/bias`, tf.tensor(shift, [channels], 'float32'));
    if (matrix) this.emit(node, `flatten(${name})`, x.shape, `${node.op} ${node.name}: back to [N, C]`);
  }

  private merge(node: GraphNode, op: 'add' | 'max'): void {
    const inputs = node.inputs.map((_, index) => this.tensor(node, index));
    const shape = inputs[0]!.shape;
    if (inputs.some((x) => x.shape.join() !== shape.join()))
      this.refuse(node, 'its inputs differ in shape', 'AddN adds tensors of one shape');
    if (inputs.length === 1) return void this.values.set(node.name, this.value(node, 0));
    this.emit(node, `${op}([${inputs.map((x) => x.name).join(', ')}])`, shape);
  }

  private pool(node: GraphNode): void {
    this.checkNhwc(node);
    const x = this.featureMap(node);
    const size = this.spatial(node, 'ksize', 1);
    const stride = this.spatial(node, 'strides', 1);
    const padding = this.padding(node);
    const op = node.op === 'MaxPool' ? 'maxpool' : 'avgpool';
    const out = (input: number | null, s: number, k: number) =>
      input === null ? null : padding === 'same' ? Math.ceil(input / s) : Math.ceil((input - k + 1) / s);
    const args = [x.name, showPair(size)];
    if (stride[0] !== size[0] || stride[1] !== size[1]) args.push(`stride: ${showPair(stride)}`);
    if (padding === 'same') args.push('padding: same');
    this.emit(node, `${op}(${args.join(', ')})`, [
      x.shape[0]!,
      out(x.shape[1]!, stride[0], size[0]),
      out(x.shape[2]!, stride[1], size[1]),
      x.shape[3]!,
    ]);
  }

  private mean(node: GraphNode): void {
    const x = this.featureMap(node);
    const axes = this.constantInts(node, 1, 'axes')
      .map((axis) => (axis < 0 ? axis + 4 : axis))
      .sort();
    if (axes.join() !== '1,2')
      this.refuse(
        node,
        `a reduction over axes [${axes.join(', ')}]`,
        'segc reads the mean and the maximum over H and W (gap, gmp)',
      );
    const keep = node.attr.keep_dims?.b === true;
    this.emit(
      node,
      `${node.op === 'Max' ? 'gmp' : 'gap'}(${x.name}${keep ? ', keep: true' : ''})`,
      keep ? [x.shape[0]!, 1, 1, x.shape[3]!] : [x.shape[0]!, x.shape[3]!],
    );
  }

  private resize(node: GraphNode): void {
    const x = this.featureMap(node);
    const [height, width] = this.constantInts(node, 1, 'size');
    const alignCorners = node.attr.align_corners?.b === true;
    const halfPixel = node.attr.half_pixel_centers?.b === true;
    const mode = node.op === 'ResizeBilinear' ? 'bilinear' : 'nearest';
    this.emit(
      node,
      `upsample(${x.name}, size: [${height}, ${width}], mode: ${mode}, alignCorners: ${alignCorners}, halfPixel: ${halfPixel})`,
      [x.shape[0]!, height!, width!, x.shape[3]!],
    );
  }

  private concat(node: GraphNode): void {
    const count = Number(node.attr.N?.i ?? node.inputs.length - 1);
    const inputs = Array.from({ length: count }, (_, index) => this.tensor(node, index));
    const rank = inputs[0]!.shape.length;
    let axis = this.constantInts(node, count, 'axis')[0]!;
    if (axis < 0) axis += rank;
    if (axis === 0) this.refuse(node, 'a concatenation along the batch axis');
    const shape = inputs[0]!.shape.map((size, index) =>
      index === axis
        ? inputs.reduce<number | null>(
            (total, x) => (total === null || x.shape[index] == null ? null : total + x.shape[index]!),
            0,
          )
        : size,
    );
    this.emit(
      node,
      `concat([${inputs.map((x) => x.name).join(', ')}]${axis === rank - 1 ? '' : `, axis: ${axis}`})`,
      shape,
    );
  }

  /**
   * `Minimum(x, 6)` feeding only `Maximum(·, 0)`, or the other way round (Keras's
   * `clip_by_value`), is `relu6`; other clips by constants are refused.
   */
  private clip(node: GraphNode): void {
    // The constant may not be visited yet: it is read from the graph's constants.
    const constantAt = (n: GraphNode, index: number) =>
      this.byName.get(n.inputs[index]!)?.op === 'Const' ? this.model.constants.get(n.inputs[index]!) : undefined;
    const bound = (n: GraphNode) => {
      const index = constantAt(n, 0) ? 0 : 1;
      const tensor = constantAt(n, index);
      return { at: 1 - index, value: tensor?.size === 1 ? tensor.dataSync()[0] : undefined };
    };
    const first = bound(node);
    const next = this.soleConsumer(node.name);
    const pair = next && (next.op === 'Minimum' || next.op === 'Maximum') && next.op !== node.op ? next : undefined;
    const second = pair ? bound(pair) : undefined;
    const [low, high] = node.op === 'Maximum' ? [first.value, second?.value] : [second?.value, first.value];
    if (node.op === 'Maximum' && low === 0 && !(pair && high === 6)) {
      const x = this.tensor(node, first.at);
      return void this.emit(node, `relu(${x.name})`, x.shape, `${node.op} ${node.name}: a maximum with 0`);
    }
    if (!pair || low !== 0 || high !== 6)
      this.refuse(
        node,
        `a ${node.op === 'Maximum' ? 'maximum' : 'minimum'} with a constant other than relu's 0 or relu6's clip to [0, 6]`,
        '.seg has relu and relu6; a maximum or minimum with other constants has no exact equivalent',
      );
    const x = this.tensor(node, first.at);
    this.absorbed.add(pair.name);
    this.emit(pair, `relu6(${x.name})`, x.shape, `${node.op} ${node.name} … ${pair.op} ${pair.name}: a clip to [0, 6]`);
  }

  /**
   * Zero channels appended or prepended (BlazeFace's channel padding) are a 1×1 convolution
   * whose kernel copies each input channel and writes zeros to the new ones: exact, as every
   * output sums one product x · 1 and products 0 · x.
   */
  private channelPad(
    node: GraphNode,
    x: { name: string; shape: Shape },
    before: number,
    after: number,
  ): { name: string; shape: Shape } {
    const channels = x.shape[3]!;
    if (channels === null) this.refuse(node, 'the input has an open channel count');
    const count = before + channels + after;
    const kernel = new Float32Array(channels * count);
    for (let c = 0; c < channels; c++) kernel[c * count + before + c] = 1;
    const shape = [x.shape[0]!, x.shape[1]!, x.shape[2]!, count];
    const name = this.emit(
      { ...node, name: `${node.name}_channels` },
      `conv(${x.name}, ${count}, 1, bias: false)`,
      shape,
      `${node.op} ${node.name}: ${before} zero channels before and ${after} after (a 1×1 convolution copies the rest)`,
    );
    this.weights.set(`${name}/conv/kernel`, tf.tensor(kernel, [1, 1, channels, count], 'float32'));
    return { name, shape };
  }

  private pad(node: GraphNode): void {
    let x = this.featureMap(node);
    const amounts = this.constantInts(node, 1, 'paddings');
    if (amounts.length !== 8 || amounts[0] !== 0 || amounts[1] !== 0)
      this.refuse(node, `paddings [${amounts.join(', ')}] reach over the batch`);
    const fill = node.op === 'PadV2' ? this.constant(node, 2, 'fill value').dataSync()[0]! : 0;
    if (amounts[6] !== 0 || amounts[7] !== 0) {
      if (node.op === 'MirrorPad' || fill !== 0)
        this.refuse(node, `paddings [${amounts.join(', ')}] mirror or fill the channels with ${fill}`);
      x = this.channelPad(node, x, amounts[6]!, amounts[7]!);
      if (amounts.slice(2, 6).every((a) => a === 0)) return void this.values.set(node.name, { kind: 'tensor', ...x });
    }
    const [top, bottom, left, right] = amounts.slice(2, 6) as [number, number, number, number];
    let mode = '';
    if (node.op === 'MirrorPad') mode = `, mode: ${(decode(node.attr.mode?.s) ?? 'REFLECT').toLowerCase()}`;
    if (fill !== 0) mode = `, value: ${number(fill)}`;
    const grow = (size: number | null, by: number) => (size === null ? null : size + by);
    this.emit(node, `pad(${x.name}, [${top}, ${bottom}, ${left}, ${right}]${mode})`, [
      x.shape[0]!,
      grow(x.shape[1]!, top + bottom),
      grow(x.shape[2]!, left + right),
      x.shape[3]!,
    ]);
  }

  /**
   * A reshape or squeeze that keeps the batch first: a flatten ([N, …] → [N, K]) or a `reshape`
   * of the other axes. Sizes must be known to tell which. A leading 1 keeps the batch only where
   * the source fixes the batch to 1.
   */
  private reshape(node: GraphNode): void {
    const x = this.tensor(node, 0);
    const known = x.shape.slice(1);
    if (known.some((size) => size === null))
      this.refuse(node, 'the input has open sizes', 'give the input a fixed size');
    const count = (known as number[]).reduce((a, b) => a * b, 1);
    let rest: number[];
    if (node.op === 'Squeeze') {
      const axes = ints(node.attr.squeeze_dims).map((axis) => (axis < 0 ? axis + x.shape.length : axis));
      if (axes.includes(0) || (axes.length === 0 && x.shape[0] === 1)) this.refuse(node, 'it squeezes the batch axis');
      rest = (known as number[]).filter((size, index) => (axes.length ? !axes.includes(index + 1) : size !== 1));
    } else {
      const target = this.constantInts(node, 1, 'shape');
      const batch = target[0];
      const open = target.slice(1).filter((size) => size !== -1);
      const product = open.reduce((a, b) => a * b, 1);
      rest = target.slice(1).map((size) => (size === -1 ? count / product : size));
      const batchKept = batch === -1 || (batch === 1 && x.shape[0] === 1);
      if (!batchKept || rest.reduce((a, b) => a * b, 1) !== count)
        this.refuse(node, `shape [${target.join(', ')}] mixes the batch with the other axes`);
    }
    const shape = [x.shape[0]!, ...rest];
    if (rest.length === 1) return void this.emit(node, `flatten(${x.name})`, shape);
    this.emit(node, `reshape(${x.name}, [${rest.join(', ')}])`, shape);
  }
}
