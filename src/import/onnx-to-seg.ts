/**
 * ONNX nodes → `.seg` statements. ONNX graphs from PyTorch are channel-first (NCHW); segc is
 * channel-last (NHWC), so every rank-4 value is carried with its ONNX shape and written as the
 * NHWC tensor holding the same numbers: weights are transposed (Conv `[out, in, kh, kw]` →
 * `[kh, kw, in, out]`), channel axes become the last axis, and a Gemm after a Flatten of a
 * feature map gets its weight rows permuted, since segc flattens in (h, w, c) order and ONNX in
 * (c, h, w) order. BatchNormalization, constant scales and shifts and hard-sigmoid's affine part
 * are 1×1 depthwise convolutions holding the model's own values.
 *
 * Every node is either expressed with the same arithmetic or refused with its name and op:
 * the import never writes a silently different network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';
import { codes } from '../diagnostics/codes.js';
import { Namer, number, type SegStatement, showPair, type Translation } from './layers-to-seg.js';
import { DEFAULT_PREPROCESSING, type Preprocessing } from '../ir/preprocessing.js';
import type { ImportOptions } from './options.js';
import type { OnnxConstant, OnnxModel, OnnxNode } from './onnx-model.js';

/** ONNX sizes (NCHW for rank 4); null where open. */
type Shape = readonly (number | null)[];

interface TensorValue {
  readonly kind: 'tensor';
  readonly name: string;
  readonly shape: Shape;
  /** Set on a flattened feature map: its [C, H, W] before the flatten, to reorder Gemm rows. */
  readonly flattenedFrom?: readonly [number, number, number];
  /**
   * A rank-4 value ONNX holds channel-last ([N, H, W, C], `shape` in that order), as segc's own
   * export has at its inputs and outputs: only a transpose back to NCHW or an output reads it.
   */
  readonly channelsLast?: true;
  /** An int32 value (argmax): a cast to an integer type keeps it. */
  readonly integer?: true;
}
type Value = TensorValue | { readonly kind: 'const'; readonly tensor: OnnxConstant };

/** Ops computed at import time when every input is a constant (shape arithmetic). */
const FOLDABLE = new Set([
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Cast',
  'Identity',
  'Concat',
  'Slice',
  'Add',
  'Sub',
  'Mul',
  'Div',
]);
/** [N, C, H, W] with a known channel count; H and W may be open. */
type FeatureShape = readonly [number | null, number, number | null, number | null];
/** A size grown by `by`, or open. */
const grow = (size: number | null, by: number) => (size === null ? null : size + by);
const ceil = (size: number | null, by: number) => (size === null ? null : Math.ceil(size / by));

/** The shortest decimal that reads back as the float32 `value` (`0.2`, not `0.20000000298023224`). */
export function float32(value: number): string {
  for (let digits = 1; digits < 17; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return Number.isInteger(Number(text)) ? `${text}.0` : text;
  }
  return number(value);
}

/** Nodes that compute nothing at inference. */
const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/**
 * `@preprocess(...)` with the settings that differ from the defaults (none when all are), so
 * that a model exported by segc comes back with the preprocessing it declared.
 */
function preprocessAnnotation(preprocessing: Preprocessing | undefined): string {
  if (!preprocessing) return '';
  const list = (values: readonly number[]) => (values.length === 1 ? String(values[0]) : `[${values.join(', ')}]`);
  const args: string[] = [];
  for (const key of ['resize', 'centres', 'order', 'grey'] as const)
    if (preprocessing[key] !== DEFAULT_PREPROCESSING[key]) args.push(`${key}: "${preprocessing[key]}"`);
  if (preprocessing.scale !== DEFAULT_PREPROCESSING.scale) args.push(`scale: ${preprocessing.scale}`);
  if (list(preprocessing.mean) !== list(DEFAULT_PREPROCESSING.mean)) args.push(`mean: ${list(preprocessing.mean)}`);
  if (list(preprocessing.std) !== list(DEFAULT_PREPROCESSING.std)) args.push(`std: ${list(preprocessing.std)}`);
  return args.length === 0 ? '' : ` @preprocess(${args.join(', ')})`;
}

export function translateOnnx(model: OnnxModel, file: string, options: ImportOptions = {}): Translation {
  return new OnnxTranslation(model, file, options).run();
}

class OnnxTranslation {
  private readonly statements: SegStatement[] = [];
  private readonly weights = new Map<string, tf.Tensor>();
  private readonly namer = new Namer();
  private readonly values = new Map<string, Value>();
  /** Nodes already written by the statement of an earlier node. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly model: OnnxModel,
    private readonly file: string,
    private readonly options: ImportOptions,
  ) {}

  run(): Translation {
    try {
      for (const [name, tensor] of this.model.constants) this.values.set(name, { kind: 'const', tensor });
      for (const input of this.model.inputs) this.input(input.name, input.shape);
      for (const node of this.model.nodes) if (!this.skipped.has(node.name)) this.node(node);
      for (const output of this.model.outputs) {
        const value = this.values.get(output);
        if (!value || value.kind !== 'tensor')
          throw diagnosticError(codes.importUnsupportedLayer, `the output \`${output}\` is not a computed tensor`, {
            span: fileSpan(this.file),
            hint: 'see docs/import.md for the ops segc import reads',
          });
        let name = this.namer.name(output);
        if (name === value.name) name = this.namer.name(`${output}_output`);
        this.statements.push({ text: `output ${name} = ${value.name}` });
      }
    } catch (error) {
      tf.dispose([...this.weights.values()]);
      throw error;
    }
    return { statements: this.statements, weights: this.weights };
  }

  private refuse(node: OnnxNode, why: string, hint = 'see docs/import.md for the ops segc import reads'): never {
    throw diagnosticError(
      codes.importUnsupportedLayer,
      `node \`${node.name}\` (${node.op}) cannot be written in .seg: ${why}`,
      {
        span: fileSpan(this.file),
        hint,
      },
    );
  }

  private input(name: string, declared: Shape): void {
    const node: OnnxNode = { name, op: 'input', inputs: [], outputs: [name], attr: {} };
    if (declared.length !== 4 && declared.length !== 2)
      this.refuse(node, `the input has rank ${declared.length}, not [N, C, H, W]`);
    // A channel-last input that the graph transposes to NCHW first (segc's own export does).
    const readers = this.model.nodes.filter((n) => n.inputs.includes(name));
    const channelsLast =
      declared.length === 4 &&
      readers.length > 0 &&
      readers.every((n) => n.op === 'Transpose' && this.ints(n, 'perm', []).join() === '0,3,1,2');
    let shape = declared;
    const fixed = this.options.inputSize;
    if (fixed && declared.length === 4) {
      const [hAxis, wAxis] = channelsLast ? [1, 2] : [2, 3];
      shape = declared.map((size, axis) => {
        const given = axis === hAxis ? fixed[0] : axis === wAxis ? fixed[1] : undefined;
        if (given !== undefined && size !== null && size !== given)
          throw diagnosticError(
            codes.importUnreadable,
            `--input-size ${fixed.join('x')} disagrees with the input \`${name}\`, whose ${axis === hAxis ? 'height' : 'width'} is ${size}`,
            { span: fileSpan(this.file), hint: 'leave --input-size out, or give the size the model declares' },
          );
        return given ?? size;
      });
    }
    const open =
      shape[shape.length === 4 && channelsLast ? 1 : 2] === null ||
      shape[shape.length === 4 && channelsLast ? 2 : 3] === null;
    const where =
      preprocessAnnotation(this.model.preprocessing.get(name)) +
      (open && this.model.constraints.length > 0 ? ` where ${this.model.constraints.join(', ')}` : '');
    if (channelsLast) {
      if (shape[3] === null) this.refuse(node, 'the input has an open channel count');
      const segName = this.namer.name(name);
      const show = (size: number | null | undefined, symbol: string) => (size == null ? symbol : String(size));
      this.statements.push({
        text: `input ${segName}: f32[N, ${show(shape[1], 'H')}, ${show(shape[2], 'W')}, ${shape[3]}]${where}`,
        comment: `ONNX input ${name}: [${shape.map((s) => s ?? '?').join(', ')}] (channel-last)`,
      });
      return void this.values.set(name, { kind: 'tensor', name: segName, shape, channelsLast: true });
    }
    if (shape[1] === null) this.refuse(node, 'the input has an open channel count');
    const segName = this.namer.name(name);
    const show = (size: number | null | undefined, symbol: string) => (size == null ? symbol : String(size));
    const dims =
      shape.length === 4 ? `N, ${show(shape[2], 'H')}, ${show(shape[3], 'W')}, ${shape[1]}` : `N, ${shape[1]}`;
    this.statements.push({
      text: `input ${segName}: f32[${dims}]${shape.length === 4 ? where : ''}`,
      comment: `ONNX input ${name}: [${shape.map((s) => s ?? '?').join(', ')}] (channel-first; NHWC here)`,
    });
    this.values.set(name, { kind: 'tensor', name: segName, shape });
  }

  private value(node: OnnxNode, index: number): Value {
    const name = node.inputs[index];
    const found = name ? this.values.get(name) : undefined;
    if (!found) this.refuse(node, `its input ${index} \`${name ?? ''}\` is missing or not computed`);
    return found;
  }

  private tensor(node: OnnxNode, index = 0): TensorValue {
    const value = this.value(node, index);
    if (value.kind !== 'tensor') this.refuse(node, `its input ${index} is a constant where a tensor is expected`);
    return value;
  }

  private featureMap(node: OnnxNode, index = 0): TensorValue & { shape: FeatureShape } {
    const x = this.tensor(node, index);
    if (x.shape.length !== 4 || x.shape[1] === null)
      this.refuse(node, `its input is [${x.shape.map((s) => s ?? '?').join(', ')}], not [N, C, H, W] with known C`);
    return x as TensorValue & { shape: FeatureShape };
  }

  private constant(node: OnnxNode, index: number, what: string): OnnxConstant {
    const value = this.value(node, index);
    if (value.kind !== 'const') this.refuse(node, `its ${what} is computed, not a constant`);
    return value.tensor;
  }

  private optionalConstant(node: OnnxNode, index: number, what: string): OnnxConstant | undefined {
    return node.inputs[index] ? this.constant(node, index, what) : undefined;
  }

  private ints(node: OnnxNode, key: string, fallback: number[]): number[] {
    return node.attr[key]?.ints?.slice() ?? fallback;
  }

  private emit(
    node: OnnxNode,
    expression: string,
    shape: Shape,
    comment = `${node.op} ${node.name}`,
    extra: Partial<TensorValue> = {},
  ): string {
    const output = node.outputs[0]!;
    // PyTorch names nodes by module path (`/layer1/conv/Conv`): `layer1_conv_Conv`.
    const name = this.namer.name((node.name || output).replace(/^\//, ''));
    this.statements.push({ text: `let ${name} = ${expression}`, comment });
    this.values.set(output, { kind: 'tensor', name, shape, ...extra });
    return name;
  }

  private node(node: OnnxNode): void {
    if (node.outputs.slice(1).some((o) => o !== '') && !PASS_THROUGH.has(node.op) && node.op !== 'BatchNormalization')
      this.refuse(node, 'it has several outputs; segc ops have one');
    if (this.fold(node)) return;
    const channelsLast = node.inputs.findIndex(
      (input) => (this.values.get(input) as TensorValue | undefined)?.channelsLast,
    );
    if (channelsLast >= 0 && !['Transpose', ...PASS_THROUGH].includes(node.op))
      this.refuse(node, `its input ${channelsLast} is channel-last ([N, H, W, C]); segc import reads NCHW graphs`);
    if (node.op === 'Add' && this.explodedHardActivation(node)) return;
    switch (node.op) {
      case 'Constant': {
        const tensor = node.attr.value?.t;
        if (!tensor) this.refuse(node, 'it holds no tensor value');
        return void this.values.set(node.outputs[0]!, { kind: 'const', tensor });
      }
      case 'Conv':
        return this.conv(node);
      case 'ConvTranspose':
        return this.convTranspose(node);
      case 'BatchNormalization':
        return this.batchNorm(node);
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        const x = this.tensor(node);
        return void this.emit(node, `${node.op.toLowerCase()}(${x.name})`, x.shape);
      }
      case 'LeakyRelu': {
        const x = this.tensor(node);
        return void this.emit(
          node,
          `leakyRelu(${x.name}, alpha: ${number(Math.fround(node.attr.alpha?.f ?? 0.01))})`,
          x.shape,
        );
      }
      case 'PRelu':
        return this.prelu(node);
      case 'Clip':
        return this.clip(node);
      case 'HardSigmoid':
      case 'HardSwish':
        return this.hardSigmoid(node);
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
        return this.binary(node);
      case 'Concat':
        return this.concat(node);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(node);
      case 'GlobalAveragePool':
      case 'GlobalMaxPool': {
        const x = this.featureMap(node);
        return void this.emit(node, `${node.op === 'GlobalMaxPool' ? 'gmp' : 'gap'}(${x.name}, keep: true)`, [
          x.shape[0],
          x.shape[1],
          1,
          1,
        ]);
      }
      case 'Resize':
      case 'Upsample':
        return this.resize(node);
      case 'Flatten':
      case 'Reshape':
        return this.flatten(node);
      case 'Gemm':
      case 'MatMul':
        return this.gemm(node);
      case 'Softmax':
        return this.softmax(node);
      case 'Pad':
        return this.pad(node);
      case 'Transpose':
        return this.transpose(node);
      case 'ArgMax':
        return this.argmax(node);
      case 'Cast': {
        const x = this.tensor(node);
        // ONNX element types: 1 float, 6 int32, 7 int64.
        const to = node.attr.to?.i;
        if ((x.integer && (to === 6 || to === 7)) || (!x.integer && to === 1))
          return void this.values.set(node.outputs[0]!, x);
        return this.refuse(node, `a cast to element type ${to} of a ${x.integer ? 'int32' : 'float32'} tensor`);
      }
      case 'Squeeze':
        return this.squeeze(node);
      default:
        if (PASS_THROUGH.has(node.op)) return void this.values.set(node.outputs[0]!, this.value(node, 0));
        return this.refuse(node, 'segc import has no translation for this op');
    }
  }

  /**
   * Shape arithmetic PyTorch exports around a resize to a fixed size (`Shape` → `Gather` →
   * `Unsqueeze` → `Concat` → sizes) is computed here from the sizes the import knows; an open
   * size (the batch) is NaN and may only reach places that ignore it.
   */
  private fold(node: OnnxNode): boolean {
    const known = node.inputs.filter((input) => input !== '').map((input) => this.values.get(input));
    const output = node.outputs[0]!;
    const set = (values: ArrayLike<number>, dims: number[] = [values.length]) =>
      void this.values.set(output, { kind: 'const', tensor: { dims, values: Float32Array.from(values) } });
    if (node.op === 'Shape') {
      const x = known[0];
      if (x?.kind !== 'tensor') return false;
      set(x.shape.map((size) => size ?? NaN));
      return true;
    }
    if (!FOLDABLE.has(node.op) || known.length === 0 || known.some((value) => value?.kind !== 'const')) return false;
    const [a, b] = known.map((value) => (value as { tensor: OnnxConstant }).tensor);
    if (a!.dims.length > 1 || (b && b.dims.length > 1)) this.refuse(node, 'shape arithmetic on a tensor of rank > 1');
    const av = Array.from(a!.values);
    switch (node.op) {
      case 'Gather':
        set(
          Array.from(b!.values, (i) => av[i < 0 ? i + av.length : i]!),
          [...b!.dims],
        );
        break;
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Cast':
      case 'Identity':
        set(av);
        break;
      case 'Concat':
        set(known.flatMap((value) => Array.from((value as { tensor: OnnxConstant }).tensor.values)));
        break;
      case 'Slice': {
        // Opset 10 on reads starts and ends as inputs; before, as attributes.
        const bound = (index: number, key: string) =>
          node.inputs[index] ? this.constant(node, index, key).values[0]! : this.ints(node, key, [0])[0]!;
        const axes = node.inputs[3] ? Array.from(this.constant(node, 3, 'axes').values) : this.ints(node, 'axes', [0]);
        if (axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) this.refuse(node, `a slice along axes [${axes}]`);
        if (node.inputs[4] && this.constant(node, 4, 'steps').values[0] !== 1) this.refuse(node, 'a slice with steps');
        const [start, end] = [bound(1, 'starts'), bound(2, 'ends')];
        const at = (i: number) => Math.max(0, Math.min(av.length, i < 0 ? i + av.length : i));
        set(av.slice(at(start), at(end)));
        break;
      }
      default: {
        const bv = Array.from(b!.values);
        const pick = (list: number[], i: number) => list[list.length === 1 ? 0 : i]!;
        const length = Math.max(av.length, bv.length);
        const apply = (x: number, y: number) =>
          node.op === 'Add' ? x + y : node.op === 'Sub' ? x - y : node.op === 'Mul' ? x * y : x / y;
        set(Array.from({ length }, (_, i) => apply(pick(av, i), pick(bv, i))));
      }
    }
    return true;
  }

  /**
   * ONNX pads `[top, left, bottom, right]` or auto_pad as `.seg` arguments: SAME_UPPER is tfjs's
   * `same` (the extra pixel at the bottom and right), symmetric pads are `pad:`, uneven ones
   * a `pad(…)` in front (`x` is replaced by it).
   */
  private padding(
    node: OnnxNode,
    x: TensorValue & { shape: FeatureShape },
    kernel: [number, number],
    stride: [number, number],
    dilation: [number, number],
    zeroPadAllowed: boolean,
  ): { x: typeof x; args: string[]; size: [number | null, number | null] } {
    const auto = node.attr.auto_pad?.s ?? 'NOTSET';
    const [h, w] = [x.shape[2], x.shape[3]];
    const extent = (k: number, d: number) => (k - 1) * d + 1;
    if (auto === 'SAME_UPPER') return { x, args: ['padding: same'], size: [ceil(h, stride[0]), ceil(w, stride[1])] };
    if (auto === 'SAME_LOWER') this.refuse(node, 'auto_pad SAME_LOWER (extra padding at the top and left)');
    const pads = auto === 'VALID' ? [0, 0, 0, 0] : this.ints(node, 'pads', [0, 0, 0, 0]);
    const [top, left, bottom, right] = pads as [number, number, number, number];
    const out = (size: number | null, before: number, after: number, k: number, s: number, d: number) =>
      size === null ? null : Math.floor((size + before + after - extent(k, d)) / s) + 1;
    const size: [number | null, number | null] = [
      out(h, top, bottom, kernel[0], stride[0], dilation[0]),
      out(w, left, right, kernel[1], stride[1], dilation[1]),
    ];
    if (top === bottom && left === right)
      return { x, args: top === 0 && left === 0 ? ['padding: valid'] : [`pad: ${showPair([top, left])}`], size };
    if (!zeroPadAllowed) this.refuse(node, `uneven pads [${pads.join(', ')}]`, 'segc pools with symmetric padding');
    const padded = this.emit(
      { ...node, name: `${node.name}_pad`, outputs: [`${node.outputs[0]}:pad`] },
      `pad(${x.name}, [${top}, ${bottom}, ${left}, ${right}])`,
      [x.shape[0], x.shape[1], grow(h, top + bottom), grow(w, left + right)],
      `${node.op} ${node.name}: uneven pads [${pads.join(', ')}]`,
    );
    const value = this.values.get(`${node.outputs[0]}:pad`) as typeof x;
    void padded;
    return { x: value, args: ['padding: valid'], size };
  }

  private conv(node: OnnxNode): void {
    const x = this.featureMap(node);
    const w = this.constant(node, 1, 'weight');
    const bias = this.optionalConstant(node, 2, 'bias');
    const [out, perGroup, kh, kw] = w.dims as [number, number, number, number];
    const group = node.attr.group?.i ?? 1;
    const channels = x.shape[1];
    const stride = this.ints(node, 'strides', [1, 1]) as [number, number];
    const dilation = this.ints(node, 'dilations', [1, 1]) as [number, number];
    const depthwise = group > 1 && group === channels && perGroup === 1 && out % channels === 0;
    if (group !== 1 && !depthwise)
      this.refuse(node, `group ${group} with ${channels} input channels`, 'segc has full and depthwise convolutions');
    if (group === 1 && perGroup !== channels)
      this.refuse(node, `its weight takes ${perGroup} channels, the input has ${channels}`);
    const padded = this.padding(node, x, [kh, kw], stride, dilation, true);
    const extra = [
      ...(stride.some((s) => s !== 1) ? [`stride: ${showPair(stride)}`] : []),
      ...(dilation.some((d) => d !== 1) ? [`dilation: ${showPair(dilation)}`] : []),
      ...padded.args,
      ...(bias ? [] : ['bias: false']),
    ];
    const source = w.values;
    let kernel: Float32Array;
    let expression: string;
    let op: string;
    let role: string;
    let shape: number[];
    if (depthwise) {
      const multiplier = out / channels;
      kernel = new Float32Array(kh * kw * out);
      // ONNX output channel c·m + j is segc's channel c, multiplier j: the same order.
      for (let o = 0; o < out; o++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) kernel[(i * kw + j) * out + o] = source[(o * kh + i) * kw + j]!;
      op = 'dwconv';
      role = 'depthwiseKernel';
      shape = [kh, kw, channels, multiplier];
      expression = `dwconv(${[padded.x.name, `kernel: ${showPair([kh, kw])}`, ...extra, ...(multiplier === 1 ? [] : [`multiplier: ${multiplier}`])].join(', ')})`;
    } else {
      kernel = new Float32Array(kh * kw * channels * out);
      for (let o = 0; o < out; o++)
        for (let c = 0; c < channels; c++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              kernel[((i * kw + j) * channels + c) * out + o] = source[((o * channels + c) * kh + i) * kw + j]!;
      op = 'conv';
      role = 'kernel';
      shape = [kh, kw, channels, out];
      expression = `conv(${[padded.x.name, String(out), showPair([kh, kw]), ...extra].join(', ')})`;
    }
    const name = this.emit(node, expression, [x.shape[0], out, ...padded.size]);
    this.weights.set(`${name}/${op}/${role}`, tf.tensor(kernel, shape, 'float32'));
    if (bias) this.weights.set(`${name}/${op}/bias`, tf.tensor(bias.values, [out], 'float32'));
  }

  /** Only the case `.seg`'s `valid` gives exactly: no pads, no output padding, no dilation, one group. */
  private convTranspose(node: OnnxNode): void {
    const x = this.featureMap(node);
    const w = this.constant(node, 1, 'weight');
    const bias = this.optionalConstant(node, 2, 'bias');
    const [cin, out, kh, kw] = w.dims as [number, number, number, number];
    const stride = this.ints(node, 'strides', [1, 1]) as [number, number];
    const settings = [
      ...this.ints(node, 'pads', []),
      ...this.ints(node, 'output_padding', []),
      ...this.ints(node, 'dilations', [1, 1]).map((d) => d - 1),
    ];
    if (
      (node.attr.group?.i ?? 1) !== 1 ||
      settings.some((v) => v !== 0) ||
      node.attr.output_shape ||
      (node.attr.auto_pad?.s ?? 'NOTSET') !== 'NOTSET'
    )
      this.refuse(
        node,
        'pads, output padding, dilation, groups or an output shape',
        "segc's convTranspose reads the unpadded case ((H - 1) · stride + k)",
      );
    if (cin !== x.shape[1]) this.refuse(node, `its weight takes ${cin} channels, the input has ${x.shape[1]}`);
    const kernel = new Float32Array(kh * kw * out * cin);
    for (let c = 0; c < cin; c++)
      for (let o = 0; o < out; o++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            kernel[((i * kw + j) * out + o) * cin + c] = w.values[((c * out + o) * kh + i) * kw + j]!;
    const args = [
      x.name,
      String(out),
      showPair([kh, kw]),
      `stride: ${showPair(stride)}`,
      'padding: valid',
      ...(bias ? [] : ['bias: false']),
    ];
    const name = this.emit(node, `convTranspose(${args.join(', ')})`, [
      x.shape[0],
      out,
      grow(x.shape[2] === null ? null : (x.shape[2] - 1) * stride[0], kh),
      grow(x.shape[3] === null ? null : (x.shape[3] - 1) * stride[1], kw),
    ]);
    this.weights.set(`${name}/convTranspose/kernel`, tf.tensor(kernel, [kh, kw, out, cin], 'float32'));
    if (bias) this.weights.set(`${name}/convTranspose/bias`, tf.tensor(bias.values, [out], 'float32'));
  }

  /** `x · scale + shift` per channel: a 1×1 depthwise convolution holding the values. */
  private affine(
    node: OnnxNode,
    x: TensorValue,
    scale: Float32Array,
    shift: Float32Array | undefined,
    comment: string,
  ): string {
    const channels = x.shape[1];
    if (x.shape.length !== 4 || channels == null)
      this.refuse(
        node,
        `a per-channel scale or shift of a tensor of rank ${x.shape.length}`,
        'constants are applied to [N, C, H, W] maps',
      );
    const name = this.emit(node, `dwconv(${x.name}, kernel: 1${shift ? '' : ', bias: false'})`, x.shape, comment);
    this.weights.set(`${name}/dwconv/depthwiseKernel`, tf.tensor(scale, [1, 1, channels, 1], 'float32'));
    if (shift) this.weights.set(`${name}/dwconv/bias`, tf.tensor(shift, [channels], 'float32'));
    return name;
  }

  /** PRelu with one slope, or one per channel ([C], [C, 1, 1], [1, C, 1, 1]): `prelu` holding them. */
  private prelu(node: OnnxNode): void {
    const x = this.tensor(node);
    const slope = this.constant(node, 1, 'slope');
    const channels = x.shape[1];
    // Broadcast from the last axis: the one size that is not 1 must land on the channel axis.
    const rank = x.shape.length;
    const aligned = [...new Array<number>(Math.max(0, rank - slope.dims.length)).fill(1), ...slope.dims];
    const perChannel = aligned.length === rank && aligned.every((size, axis) => size === (axis === 1 ? channels : 1));
    if ((rank !== 4 && rank !== 2) || channels == null || (slope.values.length !== 1 && !perChannel))
      this.refuse(
        node,
        `a slope of shape [${slope.dims.join(', ')}] on a tensor of shape [${x.shape.map((s) => s ?? '?').join(', ')}]`,
        'segc reads one slope, or one per channel',
      );
    const name = this.emit(node, `prelu(${x.name})`, x.shape);
    const values = Float32Array.from({ length: channels }, (_, c) => slope.values[slope.values.length === 1 ? 0 : c]!);
    this.weights.set(`${name}/prelu/alpha`, tf.tensor(values, [channels], 'float32'));
  }

  private batchNorm(node: OnnxNode): void {
    if (node.outputs.slice(1).some((o) => o !== ''))
      this.refuse(node, 'it is in training mode (running statistics are outputs)');
    const x = this.tensor(node);
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => this.constant(node, i, 'statistics').values);
    const epsilon = Math.fround(node.attr.epsilon?.f ?? 1e-5);
    const scale = gamma!.map((g, c) => g / Math.sqrt(variance![c]! + epsilon));
    const shift = beta!.map((b, c) => b - mean![c]! * scale[c]!);
    this.affine(node, x, scale, shift, `${node.op} ${node.name}: folded into a per-channel scale and shift`);
  }

  /**
   * Clip to [0, 6] is relu6, to [0, ∞) relu; other bounds are refused. A Relu's output clipped
   * to at most 6 with no lower bound above 0 (PyTorch's relu6 at opset 9) is relu6 too.
   */
  private clip(node: OnnxNode): void {
    const x = this.tensor(node);
    const [low, high] = this.clipBounds(node);
    if (low === 0 && high === 6) return void this.emit(node, `relu6(${x.name})`, x.shape);
    if (this.afterRelu(node) && (low === undefined || low <= 0) && high === 6)
      return void this.emit(node, `relu6(${x.name})`, x.shape, `${node.op} ${node.name}: a Relu's output to at most 6`);
    if (low === 0 && (high === undefined || high === Infinity || high >= 3.4e38))
      return void this.emit(node, `relu(${x.name})`, x.shape);
    this.refuse(
      node,
      `a clip to [${low ?? '-∞'}, ${high ?? '∞'}]`,
      '.seg has relu (clip at 0) and relu6 (clip to [0, 6])',
    );
  }

  /** A Clip's bounds (inputs from opset 11, attributes before); undefined where open. */
  private clipBounds(clip: OnnxNode): [number | undefined, number | undefined] {
    const bound = (index: number, attr: string) => {
      const input = clip.inputs[index];
      if (!input) return clip.attr[attr]?.f;
      const constant = this.constantAhead(input);
      if (constant?.values.length !== 1) this.refuse(clip, `its ${attr} is not one constant value`);
      return constant.values[0];
    };
    const [low, high] = [bound(1, 'min'), bound(2, 'max')];
    return [low === -Infinity || (low !== undefined && low <= -3.4e38) ? undefined : low, high];
  }

  /** The node's input is a Relu's output. */
  private afterRelu(node: OnnxNode): boolean {
    return this.model.nodes.some((n) => n.op === 'Relu' && n.outputs[0] === node.inputs[0]);
  }

  /**
   * HardSwish is `hardSwish`; HardSigmoid is `hardSigmoid` with the model's α and β, or, when
   * α is 1/6 and β 0.5 and its only reader multiplies it by its own input (PyTorch's export of
   * hard-swish before opset 14), `hardSwish` named after that product.
   */
  private hardSigmoid(node: OnnxNode): void {
    const x = this.tensor(node);
    if (node.op === 'HardSwish') return void this.emit(node, `hardSwish(${x.name})`, x.shape);
    const alpha = Math.fround(node.attr.alpha?.f ?? 0.2);
    const beta = Math.fround(node.attr.beta?.f ?? 0.5);
    const product = this.onlyReader(node.outputs[0]!);
    const other = product?.inputs.find((input) => input !== node.outputs[0]);
    if (
      alpha === Math.fround(1 / 6) &&
      beta === 0.5 &&
      product?.op === 'Mul' &&
      product.inputs.length === 2 &&
      other === node.inputs[0]
    ) {
      this.skipped.add(product.name);
      return void this.emit(
        product,
        `hardSwish(${x.name})`,
        x.shape,
        `HardSigmoid ${node.name} … Mul ${product.name}: x · hardSigmoid(x), α = 1/6, β = 0.5`,
      );
    }
    this.emit(node, `hardSigmoid(${x.name}, alpha: ${float32(alpha)}, beta: ${float32(beta)})`, x.shape);
  }

  /** A constant value, also one a `Constant` node later in the graph defines. */
  private constantAhead(name: string): OnnxConstant | undefined {
    const value = this.values.get(name);
    if (value) return value.kind === 'const' ? value.tensor : undefined;
    return this.model.nodes.find((n) => n.op === 'Constant' && n.outputs[0] === name)?.attr.value?.t;
  }

  /** The one node reading `value`, unless the value is also a model output. */
  private onlyReader(value: string): OnnxNode | undefined {
    const readers = this.model.nodes.filter((n) => n.inputs.includes(value));
    return readers.length === 1 && !this.model.outputs.includes(value) ? readers[0] : undefined;
  }

  /**
   * Hard-swish and hard-sigmoid as exporters write them out: `x + 3` → a clip to [0, 6] (a
   * `Clip`) → `· x` and `/ 6` (a `Div` by 6 or a `Mul` by 1/6 in float32), in either order, each
   * value read only by the next. `x · clip(x + 3, 0, 6) / 6` is `hardSwish(x)`, `clip(x + 3, 0,
   * 6) / 6` is `hardSigmoid(x, alpha: 1/6, beta: 0.5)`, written as one statement named after the
   * last node. Other constants are the same arithmetic written out by `binary` and `clip`.
   */
  private explodedHardActivation(add: OnnxNode): boolean {
    const [a, b] = [this.values.get(add.inputs[0] ?? ''), this.values.get(add.inputs[1] ?? '')];
    const xIndex =
      a?.kind === 'tensor' && b?.kind === 'const' ? 0 : b?.kind === 'tensor' && a?.kind === 'const' ? 1 : -1;
    if (xIndex < 0) return false;
    const x = (xIndex === 0 ? a : b) as TensorValue;
    const xName = add.inputs[xIndex]!;
    /** The constant input of a binary node: every value `want`, and no wider than `x`. */
    const constantIs = (node: OnnxNode, want: (v: number) => boolean): boolean => {
      const index = node.inputs.findIndex((input) => this.constantAhead(input) !== undefined);
      if (index < 0 || node.inputs.length !== 2) return false;
      const constant = this.constantAhead(node.inputs[index]!)!;
      const dims = [...constant.dims];
      const fits =
        dims.length <= x.shape.length &&
        dims.every((size, i) => size === 1 || size === x.shape[x.shape.length - dims.length + i]);
      return fits && constant.values.length > 0 && Array.from(constant.values).every(want);
    };
    if (!constantIs(add, (v) => v === 3)) return false;
    // PyTorch writes relu6 as a Relu, then the Clip.
    const relu = this.onlyReader(add.outputs[0]!);
    const before = relu?.op === 'Relu' ? relu : add;
    const clip = this.onlyReader(before.outputs[0]!);
    if (clip?.op !== 'Clip' || clip.inputs[0] !== before.outputs[0]) return false;
    const [low, high] = this.clipBounds(clip);
    if (high !== 6 || !(low === 0 || (before === relu && (low === undefined || low <= 0)))) return false;
    const isScale = (node: OnnxNode, by: string) =>
      (node.op === 'Div' && node.inputs[0] === by && constantIs(node, (v) => v === 6)) ||
      (node.op === 'Mul' && node.inputs.includes(by) && constantIs(node, (v) => Math.fround(v) === Math.fround(1 / 6)));
    const isProduct = (node: OnnxNode, by: string) =>
      node.op === 'Mul' && node.inputs.length === 2 && node.inputs.includes(xName) && node.inputs.includes(by);
    const chain: OnnxNode[] = before === add ? [add, clip] : [add, before, clip];
    let last = clip;
    let scaled = false;
    let multiplied = false;
    for (let step = 0; step < 2; step++) {
      const next = this.onlyReader(last.outputs[0]!);
      if (!next) break;
      if (!scaled && isScale(next, last.outputs[0]!)) scaled = true;
      else if (!multiplied && isProduct(next, last.outputs[0]!)) multiplied = true;
      else break;
      chain.push(next);
      last = next;
    }
    if (!scaled) return false;
    for (const node of chain.slice(1)) this.skipped.add(node.name);
    const names = chain.map((node) => `${node.op} ${node.name}`).join(' … ');
    if (multiplied) this.emit(last, `hardSwish(${x.name})`, x.shape, `${names}: x · clip(x + 3, 0, 6) / 6`);
    else
      this.emit(
        last,
        `hardSigmoid(${x.name}, alpha: ${float32(Math.fround(1 / 6))}, beta: 0.5)`,
        x.shape,
        `${names}: clip(x + 3, 0, 6) / 6`,
      );
    return true;
  }

  private binary(node: OnnxNode): void {
    const [a, b] = [this.value(node, 0), this.value(node, 1)];
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      if (node.op === 'Div') this.refuse(node, 'a quotient of two computed tensors');
      if (a.shape.length !== b.shape.length) this.refuse(node, 'its inputs differ in rank');
      const shape = a.shape.map((size, axis) => (size === 1 ? b.shape[axis]! : size));
      if (node.op === 'Sub') {
        // a − b = a + (−1 · b): negation is exact.
        const negated = this.affine(
          { ...node, name: `${node.name}_negated`, outputs: [`${node.outputs[0]}:negated`] },
          b,
          new Float32Array(b.shape[1] ?? 0).fill(-1),
          undefined,
          `${node.op} ${node.name}: the subtrahend negated`,
        );
        return void this.emit(node, `add(${a.name}, ${negated})`, shape);
      }
      return void this.emit(node, `${node.op === 'Mul' ? 'mul' : 'add'}(${a.name}, ${b.name})`, shape);
    }
    if (a.kind === 'const' && b.kind === 'const')
      this.refuse(node, 'both inputs are constants', 'fold constants when exporting');
    const constantFirst = a.kind === 'const';
    const x = (constantFirst ? b : a) as TensorValue;
    const constant = ((constantFirst ? a : b) as { tensor: OnnxConstant }).tensor;
    const channels = x.shape[1];
    if (x.shape.length !== 4 || channels == null)
      this.refuse(
        node,
        `a constant with a tensor of rank ${x.shape.length}`,
        'constants are applied to [N, C, H, W] maps',
      );
    const count = constant.values.length;
    // Broadcast against [N, C, H, W]: one value, or one per channel ([C, 1, 1] or [1, C, 1, 1]).
    const dims = [...constant.dims];
    while (dims.length < 4) dims.unshift(1);
    const perChannel = count === channels && dims[1] === channels;
    if (count !== 1 && !perChannel)
      this.refuse(
        node,
        `its constant has shape [${constant.dims.join(', ')}], not one value or one per channel (${channels})`,
      );
    if (node.op === 'Div' && constantFirst) this.refuse(node, 'a constant divided by a tensor');
    const values = Float32Array.from({ length: channels }, (_, c) => constant.values[count === 1 ? 0 : c]!);
    const ones = new Float32Array(channels).fill(1);
    const [scale, shift] =
      node.op === 'Mul'
        ? [values, undefined]
        : node.op === 'Div'
          ? [values.map((v) => 1 / v), undefined]
          : node.op === 'Sub'
            ? constantFirst
              ? [ones.map(() => -1), values]
              : [ones, values.map((v) => -v)]
            : [ones, values];
    this.affine(node, x, scale, shift, `${node.op} ${node.name}: by a constant (a 1×1 depthwise convolution holds it)`);
  }

  /** Channel axis 1 of a feature map is segc's last axis; axis 1 of a [N, K] matrix likewise. */
  private concat(node: OnnxNode): void {
    const inputs = node.inputs.map((_, index) => this.tensor(node, index));
    const rank = inputs[0]!.shape.length;
    const axis = (node.attr.axis?.i ?? 1) < 0 ? node.attr.axis!.i! + rank : (node.attr.axis?.i ?? 1);
    if (axis !== 1 || inputs.some((x) => x.shape.length !== rank))
      this.refuse(
        node,
        `a concatenation along axis ${axis} of rank-${rank} tensors`,
        'segc import reads concatenations of channels',
      );
    const shape = inputs[0]!.shape.map((size, index) =>
      index === 1
        ? inputs.reduce<number | null>(
            (total, x) => (total === null || x.shape[1] == null ? null : total + x.shape[1]),
            0,
          )
        : size,
    );
    this.emit(node, `concat([${inputs.map((x) => x.name).join(', ')}])`, shape);
  }

  private pool(node: OnnxNode): void {
    const x = this.featureMap(node);
    const size = this.ints(node, 'kernel_shape', []) as [number, number];
    if (size.length !== 2) this.refuse(node, `kernel_shape [${size.join(', ')}] is not 2-D`);
    const stride = this.ints(node, 'strides', [1, 1]) as [number, number];
    if ((node.attr.ceil_mode?.i ?? 0) !== 0) this.refuse(node, 'ceil_mode 1', 'export with ceil_mode=False');
    if (this.ints(node, 'dilations', [1, 1]).some((d) => d !== 1)) this.refuse(node, 'a dilated pooling window');
    const average = node.op === 'AveragePool';
    const padded = this.padding(node, x, size, stride, [1, 1], false);
    const explicit = padded.args.some((a) => a.startsWith('pad:'));
    if (average && explicit && (node.attr.count_include_pad?.i ?? 0) !== 1)
      this.refuse(
        node,
        'padded average pooling that excludes the padding from the count',
        "segc's explicit pad counts the zeros (count_include_pad=1)",
      );
    if (average && padded.args.includes('padding: same') && (node.attr.count_include_pad?.i ?? 0) !== 0)
      this.refuse(node, 'SAME_UPPER average pooling that counts the padding');
    if (explicit && padded.args[0] !== undefined) {
      const [ph, pw] = this.ints(node, 'pads', [0, 0]) as [number, number];
      if (2 * ph > size[0] || 2 * pw > size[1]) this.refuse(node, 'pads larger than half the window');
    }
    const args = [x.name, showPair(size)];
    if (stride[0] !== size[0] || stride[1] !== size[1]) args.push(`stride: ${showPair(stride)}`);
    args.push(...padded.args.filter((a) => a !== 'padding: valid'));
    this.emit(node, `${average ? 'avgpool' : 'maxpool'}(${args.join(', ')})`, [x.shape[0], x.shape[1], ...padded.size]);
  }

  /**
   * Resize and Upsample to a fixed size. tfjs's resize computes the source coordinate as
   * ONNX's `half_pixel` (halfPixel), `align_corners` (alignCorners) or `asymmetric` (neither)
   * transformation; nearest rounds as ONNX's `round_prefer_ceil` with half-pixel or aligned
   * corners and as `floor` with the asymmetric one. Other combinations are refused.
   */
  private resize(node: OnnxNode): void {
    const x = this.featureMap(node);
    const rawMode = node.attr.mode?.s ?? 'nearest';
    const mode =
      rawMode === 'linear' || rawMode === 'bilinear' ? 'bilinear' : rawMode === 'nearest' ? 'nearest' : undefined;
    if (!mode) this.refuse(node, `mode ${rawMode}`, 'segc resizes with nearest and bilinear (linear) interpolation');
    const upsample = node.op === 'Upsample';
    const transform = upsample ? 'asymmetric' : (node.attr.coordinate_transformation_mode?.s ?? 'half_pixel');
    const rounding = upsample ? 'floor' : (node.attr.nearest_mode?.s ?? 'round_prefer_floor');
    const [h, w] = [x.shape[2], x.shape[3]];
    let size: [number | null, number | null];
    // Integer scales of an open size: `factor:` gives floor(H · scale) as well.
    let factor: [number, number] | undefined;
    const sizes = upsample ? undefined : node.inputs[3] ? this.constant(node, 3, 'sizes').values : undefined;
    if (sizes && sizes.length > 0) {
      if (!Number.isNaN(sizes[0]) && sizes[0] !== x.shape[0]) this.refuse(node, 'it resizes the batch');
      if (sizes[1] !== x.shape[1]) this.refuse(node, 'it resizes the channels');
      size = [sizes[2]!, sizes[3]!];
      if (!size.every(Number.isFinite)) this.refuse(node, 'its output size depends on an open size');
    } else {
      const scales = this.constant(node, upsample ? 1 : 2, 'scales').values;
      if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1)
        this.refuse(node, `scales [${Array.from(scales).join(', ')}] reach over the batch or channels`);
      const [sh, sw] = [scales[2]!, scales[3]!];
      if (h === null || w === null) {
        if (!Number.isInteger(sh) || !Number.isInteger(sw) || sh < 1 || sw < 1)
          this.refuse(node, `scales [${sh}, ${sw}] of an open size`, 'segc resizes open sizes by whole factors');
        factor = [sh, sw];
      }
      size = [h === null ? null : Math.floor(h * sh), w === null ? null : Math.floor(w * sw)];
    }
    // pytorch_half_pixel differs from half_pixel only for an output one pixel long.
    const long = (length: number | null, by: number | undefined) => (length === null ? (by ?? 1) >= 2 : length > 1);
    const halfPixel =
      transform === 'half_pixel' ||
      (transform === 'pytorch_half_pixel' && long(size[0], factor?.[0]) && long(size[1], factor?.[1]));
    const alignCorners = transform === 'align_corners';
    const asymmetric = transform === 'asymmetric';
    const exact =
      (halfPixel || alignCorners || asymmetric) &&
      (mode === 'bilinear' || (asymmetric ? rounding === 'floor' : rounding === 'round_prefer_ceil'));
    if (!exact)
      this.refuse(
        node,
        `${rawMode} resize with ${transform} coordinates${mode === 'nearest' ? ` and ${rounding} rounding` : ''}`,
        'segc reads half_pixel, align_corners and asymmetric coordinates (nearest: round_prefer_ceil, or floor with asymmetric)',
      );
    this.emit(
      node,
      `upsample(${x.name}, ${factor ? `factor: ${showPair(factor)}` : `size: ${showPair(size as [number, number])}`}, mode: ${mode}, alignCorners: ${alignCorners}, halfPixel: ${halfPixel})`,
      [x.shape[0], x.shape[1], ...size],
    );
  }

  /** Flatten at axis 1, or a Reshape to [N, -1]; a flattened feature map remembers its [C, H, W]. */
  private flatten(node: OnnxNode): void {
    const x = this.tensor(node);
    if (node.op === 'Flatten' && (node.attr.axis?.i ?? 1) !== 1) this.refuse(node, `axis ${node.attr.axis?.i}`);
    if (node.op === 'Reshape') {
      const target = Array.from(this.constant(node, 1, 'shape').values);
      const count = x.shape.slice(1).reduce<number | null>((a, b) => (a === null || b === null ? null : a * b), 1);
      // The batch entry may be the input's own (open) batch, read by a `Shape` (NaN here).
      const batchKept =
        target[0] === 0 ||
        target[0] === -1 ||
        (Number.isNaN(target[0]) && x.shape[0] === null) ||
        (target[0] === 1 && x.shape[0] === 1);
      if (target.length !== 2 || !batchKept || (target[1] !== -1 && target[1] !== count))
        this.refuse(node, `shape [${target.join(', ')}] is not [N, -1]`, 'segc import reads Reshape as a flatten');
    }
    if (x.shape.length === 2) return void this.values.set(node.outputs[0]!, x);
    if (x.shape.length !== 4 || x.shape.slice(1).some((s) => s === null)) this.refuse(node, 'the input has open sizes');
    const [c, h, w] = x.shape.slice(1) as [number, number, number];
    this.emit(
      node,
      `flatten(${x.name})`,
      [x.shape[0]!, c * h * w],
      `${node.op} ${node.name}`,
      h * w > 1 ? { flattenedFrom: [c, h, w] } : {},
    );
  }

  /** Squeeze of a pooled [N, C, 1, 1] map over axes 2 and 3: a flatten in either layout. */
  private squeeze(node: OnnxNode): void {
    const x = this.tensor(node);
    const axes = (node.inputs[1] ? Array.from(this.constant(node, 1, 'axes').values) : this.ints(node, 'axes', [])).map(
      (axis) => (axis < 0 ? axis + x.shape.length : axis),
    );
    if (x.shape.length !== 4 || axes.sort().join() !== '2,3' || x.shape[2] !== 1 || x.shape[3] !== 1)
      this.refuse(
        node,
        `a squeeze of axes [${axes.join(', ')}] of [${x.shape.map((s) => s ?? '?').join(', ')}]`,
        'segc import reads the squeeze of a pooled [N, C, 1, 1] map',
      );
    this.emit(node, `flatten(${x.name})`, [x.shape[0]!, x.shape[1]!]);
  }

  /** Gemm (`A · B′ + C`, alpha = beta = 1) or MatMul of a [N, K] tensor with a constant. */
  private gemm(source: OnnxNode): void {
    let node = source;
    const x = this.tensor(node);
    if (x.shape.length !== 2 || x.shape[1] === null) this.refuse(node, 'its input is not [N, K]');
    const b = this.constant(node, 1, 'weight');
    const gemm = node.op === 'Gemm';
    if (gemm && ((node.attr.transA?.i ?? 0) !== 0 || (node.attr.alpha?.f ?? 1) !== 1 || (node.attr.beta?.f ?? 1) !== 1))
      this.refuse(node, 'transA, alpha or beta other than the plain A · B + C');
    const transposed = gemm && (node.attr.transB?.i ?? 0) === 1;
    if (b.dims.length !== 2) this.refuse(node, `its weight has rank ${b.dims.length}`);
    const [k, units] = (transposed ? [b.dims[1], b.dims[0]] : b.dims) as [number, number];
    if (k !== x.shape[1]) this.refuse(node, `its weight takes ${k} inputs, the input has ${x.shape[1]}`);
    // segc row for ONNX input i: ONNX flattens (c, h, w), segc (h, w, c).
    const row = (i: number) => {
      if (!x.flattenedFrom) return i;
      const [, h, w] = x.flattenedFrom;
      const c = Math.floor(i / (h * w));
      const rest = i % (h * w);
      return rest * x.flattenedFrom[0] + c;
    };
    const kernel = new Float32Array(k * units);
    for (let i = 0; i < k; i++)
      for (let u = 0; u < units; u++) kernel[row(i) * units + u] = b.values[transposed ? u * k + i : i * units + u]!;
    let bias = gemm ? this.optionalConstant(node, 2, 'bias') : undefined;
    // MatMul then Add of a constant (Paddle's and TensorFlow's fully connected layer): the Add
    // is the dense layer's bias when it is the product's only reader.
    const readers = this.model.nodes.filter((other) => other.inputs.includes(node.outputs[0]!));
    const add = readers[0];
    if (!gemm && readers.length === 1 && add?.op === 'Add' && !this.model.outputs.includes(node.outputs[0]!)) {
      const other = this.values.get(add.inputs[add.inputs[0] === node.outputs[0] ? 1 : 0] ?? '');
      if (other?.kind === 'const' && other.tensor.dims.length <= 1 && [1, units].includes(other.tensor.values.length)) {
        bias = other.tensor;
        this.skipped.add(add.name);
        node = { ...node, name: add.name, outputs: add.outputs };
      }
    }
    if (bias && bias.values.length !== units && bias.values.length !== 1)
      this.refuse(node, `its bias has ${bias.values.length} values for ${units}`);
    const name = this.emit(node, `dense(${x.name}, ${units}${bias ? '' : ', bias: false'})`, [
      x.shape[0] ?? null,
      units,
    ]);
    this.weights.set(`${name}/dense/kernel`, tf.tensor(kernel, [k, units], 'float32'));
    if (bias)
      this.weights.set(
        `${name}/dense/bias`,
        tf.tensor(
          Float32Array.from({ length: units }, (_, u) => bias.values[bias.values.length === 1 ? 0 : u]!),
          [units],
          'float32',
        ),
      );
  }

  /** Pads of H and W only (`[n, c, h, w, n, c, h, w]`), with a constant or a reflection. */
  private pad(node: OnnxNode): void {
    const x = this.featureMap(node);
    const pads = node.inputs[1] ? Array.from(this.constant(node, 1, 'pads').values) : this.ints(node, 'pads', []);
    const fill = node.inputs[2] ? this.constant(node, 2, 'value').values[0]! : (node.attr.value?.f ?? 0);
    const mode = node.attr.mode?.s ?? 'constant';
    if (pads.length !== 8 || [0, 1, 4, 5].some((axis) => pads[axis] !== 0))
      this.refuse(node, `pads [${pads.join(', ')}] reach over the batch or the channels`);
    if (mode !== 'constant' && mode !== 'reflect')
      this.refuse(
        node,
        `mode ${mode}`,
        "segc pads with a constant or a reflection (ONNX's edge mode has no equivalent)",
      );
    const [top, left, bottom, right] = [pads[2]!, pads[3]!, pads[6]!, pads[7]!];
    if ([top, left, bottom, right].some((p) => p < 0)) this.refuse(node, 'negative pads (a crop)');
    const extra = mode === 'reflect' ? ', mode: reflect' : fill !== 0 ? `, value: ${number(fill)}` : '';
    this.emit(node, `pad(${x.name}, [${top}, ${bottom}, ${left}, ${right}]${extra})`, [
      x.shape[0],
      x.shape[1],
      grow(x.shape[2], top + bottom),
      grow(x.shape[3], left + right),
    ]);
  }

  /**
   * Opsets before 13 softmax the last axis only, so PyTorch writes a softmax over the channels
   * of a feature map as Transpose [0, 2, 3, 1] → Softmax (last axis) → Transpose [0, 3, 1, 2]:
   * in NHWC that is one `softmax`. Other transposes are refused.
   */
  /**
   * A transpose between NCHW and NHWC changes only how the import reads the ONNX shape: the
   * segc tensor is NHWC either way. Others are refused (see channelSoftmax).
   */
  private transpose(node: OnnxNode): void {
    const x = this.tensor(node);
    const perm = this.ints(node, 'perm', []).join();
    const [n, a, b, c] = x.shape;
    if (x.channelsLast && perm === '0,3,1,2')
      return void this.values.set(node.outputs[0]!, { kind: 'tensor', name: x.name, shape: [n!, c!, a!, b!] });
    const readers = this.model.nodes.filter((other) => other.inputs.includes(node.outputs[0]!));
    if (!x.channelsLast && x.shape.length === 4 && perm === '0,2,3,1' && readers.every((r) => r.op !== 'Softmax'))
      return void this.values.set(node.outputs[0]!, {
        kind: 'tensor',
        name: x.name,
        shape: [n!, b!, c!, a!],
        channelsLast: true,
      });
    this.channelSoftmax(node);
  }

  /** ArgMax over the channels, without keeping the axis: segc's `argmax` (int32). */
  private argmax(node: OnnxNode): void {
    const x = this.tensor(node);
    const axis = node.attr.axis?.i ?? 0;
    if (x.shape.length !== 4 || (axis !== 1 && axis !== -3) || (node.attr.keepdims?.i ?? 1) !== 0)
      this.refuse(
        node,
        `an argmax over axis ${axis} (keepdims ${node.attr.keepdims?.i ?? 1})`,
        'segc reads the argmax over the channels of a feature map',
      );
    this.emit(node, `argmax(${x.name})`, [x.shape[0]!, x.shape[2]!, x.shape[3]!], `${node.op} ${node.name}`, {
      integer: true,
    });
  }

  private channelSoftmax(node: OnnxNode): void {
    const only = (name: string) => {
      const readers = this.model.nodes.filter((n) => n.inputs.includes(name));
      return readers.length === 1 && !this.model.outputs.includes(name) ? readers[0] : undefined;
    };
    const perm = this.ints(node, 'perm', []);
    const softmax = only(node.outputs[0]!);
    const back = softmax?.op === 'Softmax' ? only(softmax.outputs[0]!) : undefined;
    const axis = softmax?.attr.axis?.i ?? -1;
    // The channels moved last, the softmax over them, and a transpose that undoes the first.
    const undo = back?.op === 'Transpose' ? this.ints(back, 'perm', []) : [];
    const restores = undo.length === 4 && undo.every((q, i) => perm[q] === i);
    if (!back || perm.length !== 4 || perm[3] !== 1 || !restores || (axis !== -1 && axis !== 3))
      this.refuse(
        node,
        `perm [${perm.join(', ')}]`,
        "segc's layout is fixed: only the transposes around a softmax over the channels are read",
      );
    const x = this.featureMap(node);
    this.emit(
      back,
      `softmax(${x.name})`,
      x.shape,
      `Transpose ${node.name} … Softmax ${softmax!.name} … Transpose ${back.name}: a softmax over the channels`,
    );
    this.skipped.add(softmax!.name);
    this.skipped.add(back.name);
  }

  private softmax(node: OnnxNode): void {
    const x = this.tensor(node);
    const rank = x.shape.length;
    const raw = node.attr.axis?.i ?? (this.model.opset >= 13 ? -1 : 1);
    const axis = raw < 0 ? raw + rank : raw;
    // Opset < 13 flattens from `axis` on: axis 1 of [N, C] or of [N, C, 1, 1] is still the channels.
    const channels =
      rank === 2 ? axis === 1 : axis === 1 && (this.model.opset >= 13 || (x.shape[2] === 1 && x.shape[3] === 1));
    if (!channels)
      this.refuse(
        node,
        `a softmax over axis ${raw} of a rank-${rank} tensor`,
        'segc applies softmax over the channels',
      );
    this.emit(node, `softmax(${x.name})`, x.shape);
  }
}
