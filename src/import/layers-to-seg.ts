/**
 * Keras layers → `.seg` statements, one `let` per layer named after it, and the map from each
 * Keras weight to the segc weight it becomes (`conv2d_1/kernel` → `conv2d_1/conv/kernel`).
 * Every setting that changes the result is either expressed or refused with the layer's name
 * and type: the import never writes a silently different network.
 *
 * tfjs-layers semantics carried over: `UpSampling2D` resizes without half-pixel centres;
 * `SeparableConv2D` bias is after the pointwise step; `BatchNormalization` without `center` or
 * `scale` has beta 0 or gamma 1; `Flatten` of NHWC is row-major, as segc's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OPS } from '../ops/registry.js';
import type { KerasLayer, KerasModel } from './layers-model.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

export interface SegStatement {
  /** `input NAME: f32[...]`, `let NAME = EXPR` or `output NAME = NAME`. */
  readonly text: string;
  /** A comment above the statement: the Keras layer it came from. */
  readonly comment?: string;
}

export interface Translation {
  readonly statements: readonly SegStatement[];
  /** segc weight name → tensor (new tensors where values were filled in; the caller disposes). */
  readonly weights: Map<string, tf.Tensor>;
}

const KEYWORDS = [
  'as',
  'block',
  'false',
  'for',
  'from',
  'if',
  'import',
  'in',
  'input',
  'let',
  'model',
  'null',
  'output',
  'repeat',
  'return',
  'true',
  'where',
  'same',
  'valid',
  'none',
  'nearest',
  'bilinear',
  'constant',
  'reflect',
  'symmetric',
  'N',
  'H',
  'W',
];
export const RESERVED = new Set([...KEYWORDS, ...OPS.map((op) => op.name)]);

export class Namer {
  private readonly used = new Set<string>();
  private readonly byLayer = new Map<string, string>();

  name(layer: string): string {
    const known = this.byLayer.get(layer);
    if (known) return known;
    let base = layer.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, 'layer_');
    if (RESERVED.has(base)) base = `${base}_layer`;
    let name = base;
    for (let count = 2; this.used.has(name); count++) name = `${base}_${count}`;
    this.used.add(name);
    this.byLayer.set(layer, name);
    return name;
  }
}

const pair = (value: unknown): [number, number] =>
  Array.isArray(value) ? [Number(value[0]), Number(value[1])] : [Number(value), Number(value)];
export const showPair = ([a, b]: [number, number]) => (a === b ? String(a) : `[${a}, ${b}]`);
export const number = (value: number) => (Number.isInteger(value) ? `${value}.0` : String(value));

export function translate(model: KerasModel, file: string): Translation {
  const state = new TranslationState(model, file);
  for (const layer of model.layers) state.layer(layer);
  for (const output of model.outputs)
    state.statements.push({ text: `output ${state.namer.name(output)} = ${state.valueOf(output)}` });
  return { statements: state.statements, weights: state.weights };
}

class TranslationState {
  readonly statements: SegStatement[] = [];
  readonly weights = new Map<string, tf.Tensor>();
  readonly namer = new Namer();
  /** The `.seg` name holding each layer's output, and its rank. */
  private readonly values = new Map<string, { name: string; rank: number }>();

  constructor(
    private readonly model: KerasModel,
    private readonly file: string,
  ) {}

  valueOf(layer: string): string {
    return this.values.get(layer)!.name;
  }

  refuse(layer: KerasLayer, why: string, hint: string): never {
    throw diagnosticError(
      codes.importUnsupportedLayer,
      `layer \`${layer.name}\` (${layer.className}) cannot be written in .seg: ${why}`,
      { span: fileSpan(this.file), hint },
    );
  }

  private input(layer: KerasLayer, index = 0): { name: string; rank: number } {
    const found = this.values.get(layer.inputs[index]!);
    if (!found)
      this.refuse(
        layer,
        `its input \`${layer.inputs[index]}\` is not a layer output seen before it`,
        'save the model with its layers in order',
      );
    return found;
  }

  private emit(layer: KerasLayer, expression: string, rank: number): string {
    const name = this.namer.name(layer.name);
    this.statements.push({ text: `let ${name} = ${expression}`, comment: `${layer.className} ${layer.name}` });
    this.values.set(layer.name, { name, rank });
    return name;
  }

  /** Moves Keras weight `layer/role` to segc's `let/op/role`, or fills it with `fill` when the layer has none. */
  private weight(layer: KerasLayer, kerasRole: string, segName: string, fill?: () => tf.Tensor): void {
    const found = [...this.model.weights.keys()].find(
      (key) => key === `${layer.name}/${kerasRole}` || key.endsWith(`/${layer.name}/${kerasRole}`),
    );
    if (found) this.weights.set(segName, this.model.weights.get(found)!);
    else if (fill) this.weights.set(segName, fill());
    else
      this.refuse(
        layer,
        `its weight \`${layer.name}/${kerasRole}\` is missing from the weights manifest`,
        'save the model with its weights',
      );
  }

  /** Keras activation → a segc `activation:` value, or a wrapping op for softmax; undefined for linear. */
  private activation(layer: KerasLayer): { fused?: string; wrap?: string } {
    const name = String(layer.config.activation ?? 'linear');
    if (name === 'linear') return {};
    if (['relu', 'relu6', 'sigmoid', 'tanh'].includes(name)) return { fused: name };
    if (name === 'softmax') return { wrap: 'softmax' };
    // Keras's and tfjs-layers' hard sigmoid is clip(0.2x + 0.5, 0, 1): hardSigmoid's defaults.
    if (name === 'hard_sigmoid') return { wrap: 'hardSigmoid' };
    return this.refuse(
      layer,
      `activation \`${name}\` has no exact .seg equivalent`,
      'use linear, relu, relu6, sigmoid, tanh, hard_sigmoid or softmax',
    );
  }

  private checkChannelsLast(layer: KerasLayer): void {
    const format = layer.config.data_format;
    if (format !== undefined && format !== null && format !== 'channels_last')
      this.refuse(
        layer,
        `data_format ${String(format)}; .seg is channels-last (NHWC)`,
        'save the model with channels_last layers',
      );
  }

  private padding(layer: KerasLayer): string {
    const padding = String(layer.config.padding ?? 'valid');
    if (padding !== 'same' && padding !== 'valid')
      this.refuse(layer, `padding \`${padding}\``, 'use same or valid padding');
    return padding;
  }

  /** A weighted layer whose activation may be fused, or wrapped in softmax as a second `let`. */
  private weighted(layer: KerasLayer, op: string, args: string[], rank: number, roles: [string, string][]): void {
    const { fused, wrap } = this.activation(layer);
    const all = [...args, ...(fused ? [`activation: ${fused}`] : [])];
    const holder = wrap ? { ...layer, name: `${layer.name}_linear` } : layer;
    const name = this.emit(holder, `${op}(${all.join(', ')})`, rank);
    for (const [kerasRole, segRole] of roles) this.weight(layer, kerasRole, `${name}/${op}/${segRole}`);
    if (wrap) this.emit(layer, `${wrap}(${name})`, rank);
  }

  private convolution(layer: KerasLayer, op: 'conv' | 'dwconv' | 'sepconv'): void {
    this.checkChannelsLast(layer);
    const c = layer.config;
    const x = this.input(layer);
    if (x.rank !== 4) this.refuse(layer, `its input has rank ${x.rank}, not 4`, 'convolutions take [N, H, W, C]');
    if (Number(c.groups ?? 1) !== 1)
      this.refuse(layer, `groups ${String(c.groups)}`, 'grouped convolutions are not in .seg');
    const stride = pair(c.strides ?? 1);
    const dilation = pair(c.dilation_rate ?? 1);
    const multiplier = Number(c.depth_multiplier ?? 1);
    if (op === 'sepconv' && multiplier !== 1)
      this.refuse(
        layer,
        `depth_multiplier ${multiplier}; .seg's sepconv has one depthwise kernel per channel`,
        'use a DepthwiseConv2D then a 1×1 Conv2D',
      );
    const args = [
      x.name,
      ...(op === 'dwconv' ? [] : [String(c.filters)]),
      op === 'dwconv' ? `${showPair(pair(c.kernel_size))}` : showPair(pair(c.kernel_size)),
    ];
    if (op === 'dwconv') args.splice(1, 1, `kernel: ${args[1]}`);
    if (stride.some((s) => s !== 1)) args.push(`stride: ${showPair(stride)}`);
    if (dilation.some((d) => d !== 1)) args.push(`dilation: ${showPair(dilation)}`);
    args.push(`padding: ${this.padding(layer)}`);
    if (op === 'dwconv' && multiplier !== 1) args.push(`multiplier: ${multiplier}`);
    const bias = c.use_bias !== false;
    if (!bias) args.push('bias: false');
    const roles: [string, string][] =
      op === 'conv'
        ? [['kernel', 'kernel']]
        : op === 'dwconv'
          ? [['depthwise_kernel', 'depthwiseKernel']]
          : [
              ['depthwise_kernel', 'depthwiseKernel'],
              ['pointwise_kernel', 'pointwiseKernel'],
            ];
    this.weighted(layer, op, args, 4, bias ? [...roles, ['bias', 'bias']] : roles);
  }

  private batchNorm(layer: KerasLayer): void {
    const c = layer.config;
    const x = this.input(layer);
    const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
    if (axis.length !== 1 || (Number(axis[0]) !== -1 && Number(axis[0]) !== x.rank - 1))
      this.refuse(
        layer,
        `axis ${JSON.stringify(c.axis)}; .seg normalises the channel (last) axis`,
        'normalise the last axis',
      );
    const epsilon = Number(c.epsilon ?? 1e-3);
    const name = this.emit(layer, `bn(${x.name}, epsilon: ${number(epsilon)})`, x.rank);
    const channels = this.channelsOf(layer, 'moving_mean');
    this.weight(layer, 'gamma', `${name}/bn/gamma`, c.scale === false ? () => tf.ones([channels]) : undefined);
    this.weight(layer, 'beta', `${name}/bn/beta`, c.center === false ? () => tf.zeros([channels]) : undefined);
    this.weight(layer, 'moving_mean', `${name}/bn/movingMean`);
    this.weight(layer, 'moving_variance', `${name}/bn/movingVariance`);
  }

  private channelsOf(layer: KerasLayer, role: string): number {
    const key = [...this.model.weights.keys()].find(
      (k) => k === `${layer.name}/${role}` || k.endsWith(`/${layer.name}/${role}`),
    );
    return key
      ? this.model.weights.get(key)!.shape[0]!
      : this.refuse(layer, `its weight \`${layer.name}/${role}\` is missing`, 'save the model with its weights');
  }

  private reluLayer(layer: KerasLayer): void {
    const c = layer.config;
    const x = this.input(layer);
    const max = c.max_value === null || c.max_value === undefined ? undefined : Number(c.max_value);
    const slope = Number(c.negative_slope ?? 0);
    if (Number(c.threshold ?? 0) !== 0)
      this.refuse(layer, `threshold ${String(c.threshold)}`, 'use a ReLU with threshold 0');
    if (max === undefined && slope === 0) this.emit(layer, `relu(${x.name})`, x.rank);
    else if (max === 6 && slope === 0) this.emit(layer, `relu6(${x.name})`, x.rank);
    else if (max === undefined) this.emit(layer, `leakyRelu(${x.name}, alpha: ${number(slope)})`, x.rank);
    else this.refuse(layer, `max_value ${max} with negative_slope ${slope}`, '.seg has relu, relu6 and leakyRelu');
  }

  /** PReLU with one slope per channel: shared over H and W of a map, none shared on [N, C]. */
  private preluLayer(layer: KerasLayer): void {
    const x = this.input(layer);
    const shared = (Array.isArray(layer.config.shared_axes) ? layer.config.shared_axes : []).map(Number).sort();
    if (
      (x.rank === 4 && shared.join() !== '1,2') ||
      (x.rank === 2 && shared.length > 0) ||
      (x.rank !== 4 && x.rank !== 2)
    )
      this.refuse(
        layer,
        `shared_axes ${JSON.stringify(layer.config.shared_axes ?? null)} on a rank-${x.rank} input`,
        '.seg has one slope per channel: shared_axes [1, 2] on [N, H, W, C], none on [N, C]',
      );
    const name = this.emit(layer, `prelu(${x.name})`, x.rank);
    const key = [...this.model.weights.keys()].find(
      (k) => k === `${layer.name}/alpha` || k.endsWith(`/${layer.name}/alpha`),
    );
    if (!key)
      this.refuse(
        layer,
        `its weight \`${layer.name}/alpha\` is missing from the weights manifest`,
        'save the model with its weights',
      );
    const alpha = this.model.weights.get(key)!;
    // [1, 1, C] on a map: segc keeps [C] (a new tensor; the source's is disposed by the caller).
    this.weights.set(`${name}/prelu/alpha`, tf.tensor(alpha.dataSync(), [alpha.shape.at(-1)!], 'float32'));
  }

  private activationLayer(layer: KerasLayer): void {
    const x = this.input(layer);
    const { fused, wrap } = this.activation(layer);
    const op = fused ?? wrap;
    if (op) this.emit(layer, `${op}(${x.name})`, x.rank);
    else this.values.set(layer.name, x);
  }

  private pooling(layer: KerasLayer, op: 'maxpool' | 'avgpool'): void {
    this.checkChannelsLast(layer);
    const x = this.input(layer);
    const size = pair(layer.config.pool_size ?? 2);
    const stride = pair(layer.config.strides ?? size);
    const args = [x.name, showPair(size)];
    if (stride[0] !== size[0] || stride[1] !== size[1]) args.push(`stride: ${showPair(stride)}`);
    if (this.padding(layer) === 'same') args.push('padding: same');
    this.emit(layer, `${op}(${args.join(', ')})`, 4);
  }

  private dense(layer: KerasLayer): void {
    const x = this.input(layer);
    if (x.rank !== 2)
      this.refuse(
        layer,
        `its input has rank ${x.rank}; .seg's dense takes [N, C]`,
        'flatten or pool before the Dense layer',
      );
    const bias = layer.config.use_bias !== false;
    this.weighted(
      layer,
      'dense',
      [x.name, String(layer.config.units), ...(bias ? [] : ['bias: false'])],
      2,
      bias
        ? [
            ['kernel', 'kernel'],
            ['bias', 'bias'],
          ]
        : [['kernel', 'kernel']],
    );
  }

  private merge(layer: KerasLayer, op: string): void {
    const inputs = layer.inputs.map((_, index) => this.input(layer, index));
    let extra = '';
    if (op === 'concat') {
      const axis = Number(layer.config.axis ?? -1);
      const rank = inputs[0]!.rank;
      if (axis !== -1 && axis !== rank - 1) extra = `, axis: ${axis}`;
    }
    this.emit(layer, `${op}([${inputs.map((i) => i.name).join(', ')}]${extra})`, inputs[0]!.rank);
  }

  private upsampling(layer: KerasLayer): void {
    this.checkChannelsLast(layer);
    const x = this.input(layer);
    const mode = String(layer.config.interpolation ?? 'nearest');
    if (mode !== 'nearest' && mode !== 'bilinear')
      this.refuse(layer, `interpolation \`${mode}\``, 'use nearest or bilinear');
    const modeArg = mode === 'bilinear' ? ', mode: bilinear' : '';
    this.emit(
      layer,
      `upsample(${x.name}, factor: ${showPair(pair(layer.config.size ?? 2))}${modeArg}, halfPixel: false)`,
      4,
    );
  }

  layer(layer: KerasLayer): void {
    const x = () => this.input(layer);
    switch (layer.className) {
      case 'InputLayer':
        return this.inputLayer(layer);
      case 'Conv2D':
        return this.convolution(layer, 'conv');
      case 'DepthwiseConv2D':
        return this.convolution(layer, 'dwconv');
      case 'SeparableConv2D':
        return this.convolution(layer, 'sepconv');
      case 'BatchNormalization':
        return this.batchNorm(layer);
      case 'ReLU':
        return this.reluLayer(layer);
      case 'LeakyReLU':
        return void this.emit(
          layer,
          `leakyRelu(${x().name}, alpha: ${number(Number(layer.config.alpha ?? 0.3))})`,
          x().rank,
        );
      case 'Activation':
        return this.activationLayer(layer);
      case 'PReLU':
        return this.preluLayer(layer);
      case 'Softmax':
        return this.softmax(layer);
      case 'MaxPooling2D':
        return this.pooling(layer, 'maxpool');
      case 'AveragePooling2D':
        return this.pooling(layer, 'avgpool');
      case 'GlobalAveragePooling2D':
        return this.globalPool(layer, 'gap');
      case 'GlobalMaxPooling2D':
        return this.globalPool(layer, 'gmp');
      case 'Dense':
        return this.dense(layer);
      case 'Flatten':
        return void this.emit(layer, `flatten(${x().name})`, 2);
      case 'Add':
        return this.merge(layer, 'add');
      case 'Multiply':
        return this.merge(layer, 'mul');
      case 'Maximum':
        return this.merge(layer, 'max');
      case 'Concatenate':
        return this.merge(layer, 'concat');
      case 'UpSampling2D':
        return this.upsampling(layer);
      case 'ZeroPadding2D':
        return this.zeroPadding(layer);
      case 'Reshape':
        return this.reshape(layer);
      case 'Dropout':
      case 'SpatialDropout2D':
        return void this.emit(
          layer,
          `dropout(${x().name}, rate: ${number(Number(layer.config.rate ?? 0.5))})`,
          x().rank,
        );
      default:
        return this.refuse(
          layer,
          'segc import has no translation for this layer type',
          'see docs/import.md for the layers it reads; express the layer in .seg by hand',
        );
    }
  }

  /** `padding`: an int, [rows, cols], or [[top, bottom], [left, right]] → pad's [top, bottom, left, right]. */
  private zeroPadding(layer: KerasLayer): void {
    this.checkChannelsLast(layer);
    const x = this.input(layer);
    const raw = layer.config.padding ?? 1;
    const sides = Array.isArray(raw) ? raw.map((side) => pair(side)) : [pair(raw), pair(raw)];
    const [[top, bottom], [left, right]] = sides as [[number, number], [number, number]];
    this.emit(layer, `pad(${x.name}, [${top}, ${bottom}, ${left}, ${right}])`, 4);
  }

  private reshape(layer: KerasLayer): void {
    const x = this.input(layer);
    // tfjs-layers writes the inferred size (-1) as null.
    const target = ((layer.config.target_shape as (number | null)[] | undefined) ?? []).map((size) => size ?? -1);
    if (target.length === 0 || !target.every((size) => Number.isInteger(size) && (size > 0 || size === -1)))
      this.refuse(
        layer,
        `target_shape ${JSON.stringify(layer.config.target_shape)}`,
        'give positive sizes, at most one -1',
      );
    this.emit(layer, `reshape(${x.name}, [${target.join(', ')}])`, target.length + 1);
  }

  private softmax(layer: KerasLayer): void {
    const x = this.input(layer);
    const axis = Number(layer.config.axis ?? -1);
    this.emit(layer, `softmax(${x.name}${axis === -1 || axis === x.rank - 1 ? '' : `, axis: ${axis}`})`, x.rank);
  }

  private globalPool(layer: KerasLayer, op: 'gap' | 'gmp'): void {
    this.checkChannelsLast(layer);
    const keep = layer.config.keepdims === true;
    this.emit(layer, `${op}(${this.input(layer).name}${keep ? ', keep: true' : ''})`, keep ? 4 : 2);
  }

  private inputLayer(layer: KerasLayer): void {
    const shape = (layer.config.batch_input_shape ?? layer.config.batch_shape) as (number | null)[] | undefined;
    if (!Array.isArray(shape) || shape.length !== 4)
      this.refuse(
        layer,
        `input shape ${JSON.stringify(shape)} is not [batch, height, width, channels]`,
        'segc models take images [N, H, W, C]',
      );
    const [, height, width, channels] = shape;
    if (channels === null || channels === undefined)
      this.refuse(layer, 'its channel count is not fixed', 'give the input a fixed channel count');
    const dims = ['N', height ?? 'H', width ?? 'W', channels].join(', ');
    const name = this.namer.name(layer.name);
    this.statements.push({ text: `input ${name}: f32[${dims}]`, comment: `${layer.className} ${layer.name}` });
    this.values.set(layer.name, { name, rank: 4 });
  }
}
