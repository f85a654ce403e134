/**
 * An independent reference for whole models (used by tests/model and bench/runtime.ts): the IR graph rebuilt with @tensorflow/tfjs-layers
 * layers (Conv2D, BatchNormalization, SeparableConv2D, ...) given the same weights. It shares no
 * execution code with segc's ops. Two things tfjs-layers cannot express call tfjs-core directly:
 * bilinear upsampling with half-pixel centres (UpSampling2D has none) and dilated depthwise
 * convolution (DepthwiseConv2D ignores its dilation rate); the op tests check both against
 * plain loops.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Graph, IRNode } from '../../src/ir/graph.js';
import { evaluate } from '../../src/shapes/symbolic.js';

type SymbolicTensor = tfl.SymbolicTensor;

class ResizeLayer extends tfl.layers.Layer {
  static className = 'SegcTestResize';
  constructor(
    private readonly size: [number, number],
    private readonly mode: string,
    private readonly alignCorners: boolean,
    private readonly halfPixel: boolean,
  ) {
    super({});
  }
  override computeOutputShape(shape: tfl.Shape): tfl.Shape {
    return [shape[0]!, this.size[0], this.size[1], shape[3]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return this.mode === 'bilinear'
      ? tf.image.resizeBilinear(x, this.size, this.alignCorners, this.halfPixel)
      : tf.image.resizeNearestNeighbor(x, this.size, this.alignCorners, this.halfPixel);
  }
}

class DilatedDepthwiseLayer extends tfl.layers.Layer {
  static className = 'SegcTestDilatedDepthwise';
  kernel!: tf.Tensor4D;
  bias?: tf.Tensor1D;
  constructor(
    private readonly strides: [number, number],
    private readonly dilations: [number, number],
    private readonly padding: 'same' | 'valid',
    private readonly outChannels: number,
  ) {
    super({});
  }
  override computeOutputShape(shape: tfl.Shape): tfl.Shape {
    return [shape[0]!, shape[1]!, shape[2]!, this.outChannels];
  }
  override setWeights(weights: tf.Tensor[]): void {
    this.kernel = weights[0] as tf.Tensor4D;
    this.bias = weights[1] as tf.Tensor1D | undefined;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x, this.kernel, this.strides, this.padding, 'NHWC', this.dilations);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)];

/** Concrete shapes of every node for a fixed input shape (the reference needs numbers). */
function concreteShape(node: IRNode, env: Map<string, number>): number[] {
  return node.type.shape.map((d) => evaluate(d, env));
}

function convLayers(node: IRNode, kind: 'conv' | 'sepconv' | 'dwconv'): tfl.layers.Layer[] {
  const explicit = node.attrs.pad !== null && node.attrs.pad !== undefined;
  const common = {
    kernelSize: pair(node.attrs.kernel),
    strides: pair(node.attrs.stride),
    dilationRate: pair(node.attrs.dilation),
    padding: (explicit ? 'valid' : node.attrs.padding) as 'same' | 'valid',
    useBias: node.attrs.bias !== false,
  };
  const dilated = common.dilationRate[0] > 1 || common.dilationRate[1] > 1;
  const layer =
    kind === 'dwconv' && dilated
      ? new DilatedDepthwiseLayer(
          common.strides,
          common.dilationRate,
          common.padding,
          (node.type.shape[3] as { value: number }).value,
        )
      : kind === 'conv'
        ? tfl.layers.conv2d({
            ...common,
            filters: node.type.shape[3]!.kind === 'const' ? (node.type.shape[3] as { value: number }).value : 0,
          })
        : kind === 'sepconv'
          ? tfl.layers.separableConv2d({ ...common, filters: (node.type.shape[3] as { value: number }).value })
          : tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: Number(node.attrs.multiplier ?? 1) });
  if (!explicit) return [layer];
  const [pr, pc] = pair(node.attrs.pad);
  return [
    tfl.layers.zeroPadding2d({
      padding: [
        [pr, pr],
        [pc, pc],
      ],
    }),
    layer,
  ];
}

function activation(name: unknown): tfl.layers.Layer | undefined {
  if (name === undefined || name === 'none') return undefined;
  if (name === 'relu6') return tfl.layers.reLU({ maxValue: 6 });
  return tfl.layers.activation({ activation: name as 'relu' });
}

/** Builds the reference model; returns it with a function that loads segc's weights into it. */
export function layersReference(graph: Graph, inputShape: number[], weights: ReadonlyMap<string, tf.Tensor>) {
  const input = graph.nodes[graph.inputs[0]!.node]!;
  const env = new Map<string, number>();
  input.type.shape.forEach((d, i) => d.kind === 'sym' && env.set(d.name, inputShape[i]!));
  const values = new Map<number, SymbolicTensor>();
  const assignments: [tfl.layers.Layer, tf.Tensor[]][] = [];
  const modelInput = tfl.input({ shape: inputShape.slice(1) });
  const w = (node: IRNode, role: string) => weights.get(`${node.name}/${role}`)!;
  for (const node of graph.nodes) {
    const xs = node.inputs.map((i) => values.get(i)!);
    const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[] = xs[0]!) =>
      layer.apply(x) as SymbolicTensor;
    let out: SymbolicTensor;
    switch (node.op) {
      case 'input':
        out = modelInput;
        break;
      case 'conv':
      case 'sepconv':
      case 'dwconv': {
        const layers = convLayers(node, node.op);
        out = layers.reduce<SymbolicTensor>((x, layer) => apply(layer, x), xs[0]!);
        const main = layers[layers.length - 1]!;
        const roles =
          node.op === 'conv'
            ? ['kernel']
            : node.op === 'sepconv'
              ? ['depthwiseKernel', 'pointwiseKernel']
              : ['depthwiseKernel'];
        assignments.push([
          main,
          [...roles.map((r) => w(node, r)), ...(node.attrs.bias !== false ? [w(node, 'bias')] : [])],
        ]);
        const act = activation(node.attrs.activation);
        if (act) out = apply(act, out);
        break;
      }
      case 'bn': {
        const layer = tfl.layers.batchNormalization({ epsilon: Number(node.attrs.epsilon), axis: -1 });
        out = apply(layer);
        assignments.push([layer, ['gamma', 'beta', 'movingMean', 'movingVariance'].map((r) => w(node, r))]);
        break;
      }
      case 'dense': {
        const layer = tfl.layers.dense({
          units: (node.type.shape[1] as { value: number }).value,
          useBias: node.attrs.bias !== false,
        });
        out = apply(layer);
        assignments.push([layer, [w(node, 'kernel'), ...(node.attrs.bias !== false ? [w(node, 'bias')] : [])]]);
        const act = activation(node.attrs.activation);
        if (act) out = apply(act, out);
        break;
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        out = apply(tfl.layers.activation({ activation: node.op }));
        break;
      case 'relu6':
        out = apply(tfl.layers.reLU({ maxValue: 6 }));
        break;
      case 'softmax':
        out = apply(tfl.layers.softmax({ axis: Number(node.attrs.axis ?? -1) }));
        break;
      case 'dropout':
        out = apply(tfl.layers.dropout({ rate: Number(node.attrs.rate) }));
        break;
      case 'maxpool':
      case 'avgpool': {
        const options = {
          poolSize: pair(node.attrs.size),
          strides: pair(node.attrs.stride ?? node.attrs.size),
          padding: node.attrs.padding as 'same' | 'valid',
        };
        let x = xs[0]!;
        if (node.attrs.pad !== null && node.attrs.pad !== undefined) {
          // Inputs to these pools follow a ReLU in the examples, so zero padding equals −∞ padding.
          const [pr, pc] = pair(node.attrs.pad);
          x = apply(
            tfl.layers.zeroPadding2d({
              padding: [
                [pr, pr],
                [pc, pc],
              ],
            }),
            x,
          );
          options.padding = 'valid';
        }
        out = apply(node.op === 'maxpool' ? tfl.layers.maxPooling2d(options) : tfl.layers.averagePooling2d(options), x);
        break;
      }
      case 'gap': {
        out = apply(tfl.layers.globalAveragePooling2d({}));
        if (node.attrs.keep)
          out = apply(tfl.layers.reshape({ targetShape: [1, 1, concreteShape(node, env)[3]!] }), out);
        break;
      }
      case 'concat':
        out = apply(tfl.layers.concatenate({ axis: -1 }), xs);
        break;
      case 'add':
        out = apply(tfl.layers.add(), xs);
        break;
      case 'upsample': {
        const [, h, wd] = concreteShape(node, env);
        out = apply(
          new ResizeLayer(
            [h!, wd!],
            String(node.attrs.mode),
            node.attrs.alignCorners === true,
            node.attrs.halfPixel !== false,
          ),
          xs[0]!,
        );
        break;
      }
      case 'argmax':
        // Not a layer; the test compares the float outputs it is computed from.
        continue;
      default:
        throw new Error(`the layers reference does not cover ${node.op}`);
    }
    values.set(node.id, out);
  }
  const outputs = graph.outputs.filter((o) => graph.nodes[o.node]!.type.dtype === 'f32');
  const model = tfl.model({ inputs: modelInput, outputs: outputs.map((o) => values.get(o.node)!) });
  for (const [layer, tensors] of assignments) layer.setWeights(tensors);
  return { model, outputNames: outputs.map((o) => o.name) };
}
