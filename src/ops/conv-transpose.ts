/**
 * Transposed convolution (learned upsampling), tfjs conv2dTranspose. The output size is
 * computed from the runtime input shape, so the op works for any input size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Dim, add, constValue, dim, mul } from '../shapes/symbolic.js';
import { emitActivation, finishOutput } from './activation.js';
import type { Pair } from './attributes.js';
import { channelsOf, tensorType } from './common.js';
import { convolutionInput, optionalBias, readConvolution, validateConvolution, weightOf } from './convolution.js';
import type { OpDef, ParamSpec } from './op.js';
import { activation, bias, featureMap, filters, kernel, padding, stride } from './params.js';
import { emitPair } from './spatial.js';

const NAME = 'convTranspose';
const PARAMS: readonly ParamSpec[] = [featureMap, filters, kernel(2), stride(2), padding('same'), bias, activation];

/** same → H * s; valid → (H - 1) * s + k. */
function upsampledSize(size: Dim, kernelSize: number, strideSize: number, mode: string): Dim {
  return mode === 'same' ? mul(size, dim(strideSize)) : add(mul(size, dim(strideSize)), dim(kernelSize - strideSize));
}

function outputSizes(rows: Dim, columns: Dim, kernelSize: Pair, strides: Pair, mode: string): [Dim, Dim] {
  return [
    upsampledSize(rows, kernelSize[0], strides[0], mode),
    upsampledSize(columns, kernelSize[1], strides[1], mode),
  ];
}

function concreteSize(size: number, kernelSize: number, strideSize: number, mode: string): number {
  return mode === 'same' ? size * strideSize : (size - 1) * strideSize + kernelSize;
}

/** `concreteSize` as code: the size the type fixes, or the arithmetic on the runtime size. */
function sizeCode(known: Dim, runtime: string, kernelSize: number, strideSize: number, mode: string): string {
  const value = constValue(known);
  if (value !== undefined) return String(value);
  return mode === 'same' ? `${runtime} * ${strideSize}` : `(${runtime} - 1) * ${strideSize} + ${kernelSize}`;
}

export const convTranspose: OpDef = {
  name: NAME,
  summary: 'transposed convolution (learned upsampling)',
  notes:
    '`same` gives H * stride rows, `valid` gives (H - 1) * stride + k (as PyTorch with no padding; Keras gives ' +
    'H * stride when k < stride). Weights: `kernel` [kh, kw, filters, Cin], the layout tfjs conv2dTranspose ' +
    'expects (output channels before input channels), He normal; `bias` [filters] (zeros). The receptive-field ' +
    'step is extent ceil(k / stride), stride 1 / stride.',
  params: PARAMS,
  validate: (attrs) => validateConvolution(NAME, PARAMS, attrs, ['filters']),
  shape(inputs, attrs, context) {
    const { x } = convolutionInput(NAME, inputs, context);
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    const [rows, columns] = outputSizes(x.shape[1]!, x.shape[2]!, window.kernel, window.stride, read.text('padding'));
    return tensorType([x.shape[0]!, rows, columns, dim(read.int('filters'))]);
  },
  weights(inputs, attrs) {
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    const [cin, count] = [channelsOf(NAME, inputs[0]!), read.int('filters')];
    const kernelWeight = {
      role: 'kernel',
      shape: [...window.kernel, count, cin],
      init: 'heNormal',
      trainable: true,
    } as const;
    const biasWeight = { role: 'bias', shape: [count], init: 'zeros', trainable: true } as const;
    return read.bool('bias') ? [kernelWeight, biasWeight] : [kernelWeight];
  },
  flops(inputs, output, attrs) {
    const { window } = readConvolution(NAME, PARAMS, attrs);
    const input = inputs[0]!;
    const perInput = 2 * window.kernel[0] * window.kernel[1] * channelsOf(NAME, output);
    return mul(dim(perInput), ...input.shape);
  },
  receptiveField({ attrs }) {
    const { window } = readConvolution(NAME, PARAMS, attrs);
    const extent = Math.max(
      Math.ceil(window.kernel[0] / window.stride[0]),
      Math.ceil(window.kernel[1] / window.stride[1]),
    );
    return { extent, stride: 1 / Math.max(...window.stride) };
  },
  execute({ tf, inputs, weights, attrs }) {
    const { read, window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const filter = weightOf(NAME, weights, 'kernel') as tf.Tensor4D;
    const biasValue = optionalBias(NAME, weights, hasBias);
    const x = inputs[0] as tf.Tensor4D;
    const mode = read.text('padding') as 'same' | 'valid';
    const [n, rows, columns] = x.shape;
    const outputShape: [number, number, number, number] = [
      n,
      concreteSize(rows, window.kernel[0], window.stride[0], mode),
      concreteSize(columns, window.kernel[1], window.stride[1], mode),
      filter.shape[2],
    ];
    return tf.tidy(() =>
      finishOutput(tf, tf.conv2dTranspose(x, filter, outputShape, [...window.stride], mode), biasValue, activationName),
    );
  },
  emit({ inputs, weights, attrs, output, typeName }) {
    const { read, window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const x = inputs[0]!;
    const mode = read.text('padding');
    const batch = constValue(output.shape[0]!) ?? `${x}.shape[0]`;
    const rows = sizeCode(output.shape[1]!, `${x}.shape[1]`, window.kernel[0], window.stride[0], mode);
    const columns = sizeCode(output.shape[2]!, `${x}.shape[2]`, window.kernel[1], window.stride[1], mode);
    const shape = `[${batch}, ${rows}, ${columns}, ${read.int('filters')}]`;
    const call = `tf.conv2dTranspose(${x}, ${weights.kernel}, ${shape}, ${emitPair(window.stride)}, '${mode}')`;
    // tfjs types `add` loosely; the cast restores the rank for the activation that follows.
    const biased = hasBias ? `tf.add(${call}, ${weights.bias}) as ${typeName(output)}` : call;
    const expression = emitActivation(biased, activationName);
    return { expression: expression === call ? call : `tf.tidy(() => ${expression})` };
  },
};
