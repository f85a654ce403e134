/**
 * 2-D convolution, atrous when `dilation` > 1. tfjs's fused kernel (bias and activation in
 * one pass) is used except when a gradient is needed through a dilated kernel: tfjs refuses
 * that gradient, so the differentiable `atrousConv2d` takes over.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dim, mul } from '../shapes/symbolic.js';
import { atrousConv2d } from './kernels/atrous.js';
import {
  leakyAlpha,
  applyActivation,
  emitActivation,
  emitFusedActivation,
  finishOutput,
  planActivation,
} from './activation.js';
import { channelsOf } from './common.js';
import {
  convolutionInput,
  convolutionOutput,
  optionalBias,
  readConvolution,
  validateConvolution,
  weightOf,
} from './convolution.js';
import type { OpDef, ParamSpec } from './op.js';
import { activation, bias, dilation, explicitPad, featureMap, filters, kernel, padding, stride } from './params.js';
import { emitPadForWindow, emitPair, emitTidy, padForWindow, windowStep } from './spatial.js';

const NAME = 'conv';
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  filters,
  kernel(3),
  stride(1),
  dilation,
  padding('same'),
  explicitPad,
  bias,
  activation,
];

export const conv: OpDef = {
  name: NAME,
  summary: '2-D convolution (atrous when dilation > 1) with optional bias and activation',
  notes:
    '`same` padding gives ceil(H / stride) rows; when the total padding is odd, tfjs (like TensorFlow) puts the extra ' +
    'pixel at the bottom and right. `valid` gives floor((H - e) / stride) + 1 with extent e = k + (k - 1)(d - 1); an ' +
    'explicit `pad: p` gives floor((H + 2p - e) / stride) + 1. Weights: `kernel` [kh, kw, Cin, filters] (He normal), ' +
    '`bias` [filters] (zeros). With a gradient and dilation > 1 it runs `atrousConv2d` (tfjs refuses that gradient).',
  params: PARAMS,
  fusesActivation: true,
  foldsBatchNorm: { kernel: 'kernel' },
  validate: (attrs) => validateConvolution(NAME, PARAMS, attrs, ['filters']),
  shape(inputs, attrs, context) {
    const { x } = convolutionInput(NAME, inputs, context);
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    return convolutionOutput(NAME, x, window, read.int('filters'), context);
  },
  weights(inputs, attrs) {
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    const [filterCount, cin] = [read.int('filters'), channelsOf(NAME, inputs[0]!)];
    const kernelWeight = {
      role: 'kernel',
      shape: [...window.kernel, cin, filterCount],
      init: 'heNormal',
      trainable: true,
    } as const;
    const biasWeight = { role: 'bias', shape: [filterCount], init: 'zeros', trainable: true } as const;
    return read.bool('bias') ? [kernelWeight, biasWeight] : [kernelWeight];
  },
  flops(inputs, output, attrs) {
    const { window } = readConvolution(NAME, PARAMS, attrs);
    const perOutput = 2 * window.kernel[0] * window.kernel[1] * channelsOf(NAME, inputs[0]!);
    return mul(dim(perOutput), ...output.shape);
  },
  receptiveField: ({ attrs }) => windowStep(readConvolution(NAME, PARAMS, attrs).window),
  execute({ tf, inputs, weights, attrs, context }) {
    const { window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const filter = weightOf(NAME, weights, 'kernel') as tf.Tensor4D;
    const biasValue = optionalBias(NAME, weights, hasBias);
    return tf.tidy(() => {
      const { x, mode } = padForWindow(tf, inputs[0] as tf.Tensor4D, window.padding);
      if (context.needsGradient && window.dilation.some((d) => d > 1)) {
        return finishOutput(
          tf,
          atrousConv2d(tf, x, filter, window.stride, window.dilation, mode),
          biasValue,
          activationName,
          leakyAlpha(attrs),
        );
      }
      const plan = planActivation(activationName, context.needsGradient);
      const y = tf.fused.conv2d({
        x,
        filter,
        strides: [...window.stride],
        pad: mode,
        dilations: [...window.dilation],
        ...(biasValue ? { bias: biasValue } : {}),
        activation: plan.fused,
        leakyreluAlpha: leakyAlpha(attrs),
      });
      return applyActivation(tf, y, plan.after, leakyAlpha(attrs));
    });
  },
  emit({ inputs, weights, attrs }) {
    const { window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const { x, mode, temporary } = emitPadForWindow(inputs[0]!, window.padding);
    const activationCode = emitFusedActivation(activationName, leakyAlpha(attrs));
    const fields = [`x: ${x}`, `filter: ${weights.kernel}`, `strides: ${emitPair(window.stride)}`, `pad: '${mode}'`];
    if (window.dilation.some((d) => d > 1)) fields.push(`dilations: ${emitPair(window.dilation)}`);
    if (hasBias) fields.push(`bias: ${weights.bias}`);
    const call = emitActivation(
      `tf.fused.conv2d({ ${[...fields, ...activationCode.fields].join(', ')} })`,
      activationCode.after,
      leakyAlpha(attrs),
    );
    return { expression: emitTidy(call, temporary || activationCode.after !== 'none') };
  },
};
