/**
 * Depthwise-separable convolution (Keras SeparableConv2D): a depthwise convolution carrying the
 * stride and dilation, then a 1×1 pointwise convolution that mixes channels and takes the bias
 * and activation.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dim, mul } from '../shapes/symbolic.js';
import { leakyAlpha, applyActivation, emitActivation, emitFusedActivation, planActivation } from './activation.js';
import { channelsOf } from './common.js';
import {
  convolutionInput,
  convolutionOutput,
  depthwise,
  optionalBias,
  readConvolution,
  validateConvolution,
  weightOf,
} from './convolution.js';
import type { OpDef, ParamSpec, WeightSpec } from './op.js';
import { activation, bias, dilation, explicitPad, featureMap, filters, kernel, padding, stride } from './params.js';
import { emitPadForWindow, emitPair, windowStep } from './spatial.js';

const NAME = 'sepconv';
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

export const sepconv: OpDef = {
  name: NAME,
  summary: 'depthwise-separable convolution: depthwise (stride, dilation) then 1×1 pointwise',
  notes:
    'Padding as for `conv`, applied in the depthwise step. Weights: `depthwiseKernel` [kh, kw, Cin, 1], ' +
    '`pointwiseKernel` [1, 1, Cin, filters] (both He normal), `bias` [filters] (zeros).',
  params: PARAMS,
  fusesActivation: true,
  foldsBatchNorm: { kernel: 'pointwiseKernel' },
  // Each output of a depthwise kernel sees one input channel: fan-in kh·kw, as in PyTorch.
  fanIn: (role, shape) => (role === 'depthwiseKernel' ? shape[0]! * shape[1]! : undefined),
  validate: (attrs) => validateConvolution(NAME, PARAMS, attrs, ['filters']),
  shape(inputs, attrs, context) {
    const { x } = convolutionInput(NAME, inputs, context);
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    return convolutionOutput(NAME, x, window, read.int('filters'), context);
  },
  weights(inputs, attrs) {
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    const [cin, count] = [channelsOf(NAME, inputs[0]!), read.int('filters')];
    const specs: WeightSpec[] = [
      { role: 'depthwiseKernel', shape: [...window.kernel, cin, 1], init: 'heNormal', trainable: true },
      { role: 'pointwiseKernel', shape: [1, 1, cin, count], init: 'heNormal', trainable: true },
    ];
    if (read.bool('bias')) specs.push({ role: 'bias', shape: [count], init: 'zeros', trainable: true });
    return specs;
  },
  flops(inputs, output, attrs) {
    const { window } = readConvolution(NAME, PARAMS, attrs);
    const cin = channelsOf(NAME, inputs[0]!);
    const count = channelsOf(NAME, output);
    const [n, rows, columns] = output.shape;
    const depthwiseCost = 2 * window.kernel[0] * window.kernel[1] * cin;
    return mul(dim(depthwiseCost + 2 * cin * count), n!, rows!, columns!);
  },
  receptiveField: ({ attrs }) => windowStep(readConvolution(NAME, PARAMS, attrs).window),
  execute({ tf, inputs, weights, attrs, context }) {
    const { window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const depthwiseFilter = weightOf(NAME, weights, 'depthwiseKernel') as tf.Tensor4D;
    const pointwiseFilter = weightOf(NAME, weights, 'pointwiseKernel') as tf.Tensor4D;
    const biasValue = optionalBias(NAME, weights, hasBias);
    return tf.tidy(() => {
      const spatial = depthwise(tf, inputs[0] as tf.Tensor4D, depthwiseFilter, {
        ...window,
        needsGradient: context.needsGradient,
      });
      const plan = planActivation(activationName, context.needsGradient);
      const y = tf.fused.conv2d({
        x: spatial,
        filter: pointwiseFilter,
        strides: 1,
        pad: 'valid',
        ...(biasValue ? { bias: biasValue } : {}),
        activation: plan.fused,
        leakyreluAlpha: leakyAlpha(attrs),
      });
      return applyActivation(tf, y, plan.after, leakyAlpha(attrs));
    });
  },
  emit({ inputs, weights, attrs }) {
    const { window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    // As `depthwise` does at inference: explicit padding first, then the dilated kernel as is.
    const { x, mode } = emitPadForWindow(inputs[0]!, window.padding);
    const spatial = `tf.depthwiseConv2d(${x}, ${weights.depthwiseKernel}, ${emitPair(window.stride)}, '${mode}', 'NHWC', ${emitPair(window.dilation)})`;
    const activationCode = emitFusedActivation(activationName, leakyAlpha(attrs));
    const fields = [`x: ${spatial}`, `filter: ${weights.pointwiseKernel}`, 'strides: 1', "pad: 'valid'"];
    if (hasBias) fields.push(`bias: ${weights.bias}`);
    const call = emitActivation(
      `tf.fused.conv2d({ ${[...fields, ...activationCode.fields].join(', ')} })`,
      activationCode.after,
      leakyAlpha(attrs),
    );
    return { expression: `tf.tidy(() => ${call})` };
  },
};
