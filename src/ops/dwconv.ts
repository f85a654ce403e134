/**
 * Depthwise convolution: each input channel is convolved with its own `multiplier` kernels.
 * With a gradient through a dilated kernel, the kernel is spread with zeros instead (tfjs has
 * no gradient for dilated depthwise convolution).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dim, mul } from '../shapes/symbolic.js';
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
  depthwise,
  optionalBias,
  readConvolution,
  validateConvolution,
  weightOf,
} from './convolution.js';
import type { OpDef, ParamSpec } from './op.js';
import { activation, bias, dilation, explicitPad, featureMap, kernel, padding, stride } from './params.js';
import { emitPadForWindow, emitPair, emitTidy, padForWindow, windowStep } from './spatial.js';

const NAME = 'dwconv';
const multiplier: ParamSpec = { name: 'multiplier', type: 'int', default: 1, doc: 'kernels per input channel' };
// Only the kernel is positional: `conv(x, filters, kernel)` reads `dwconv(32, 3)` as 32 filters
// of 3×3, but a depthwise convolution has no filter count, so nothing may sit where it would.
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  kernel(3),
  ...[stride(1), dilation, padding('same'), explicitPad, multiplier, bias, activation].map((p) => ({
    ...p,
    named: true,
  })),
];

export const dwconv: OpDef = {
  name: NAME,
  summary: 'depthwise convolution: one kernel (or `multiplier` kernels) per input channel',
  notes:
    'Padding as for `conv`. Weights: `depthwiseKernel` [kh, kw, Cin, multiplier] (He normal), `bias` ' +
    '[Cin * multiplier] (zeros). Output channel c * multiplier + m comes from input channel c. With a gradient and ' +
    'dilation > 1 the kernel is spread with zeros between taps (tfjs has no dilated depthwise gradient).',
  params: PARAMS,
  fusesActivation: true,
  foldsBatchNorm: { kernel: 'depthwiseKernel', depthwise: true },
  // Each output of a depthwise kernel sees one input channel: fan-in kh·kw, as in PyTorch.
  fanIn: (role, shape) => (role === 'depthwiseKernel' ? shape[0]! * shape[1]! : undefined),
  positionalHint:
    'dwconv keeps the channel count of its input (`multiplier:` multiplies it), so it takes no filter count; after the kernel, arguments are named: `dwconv(3, stride: 2)`',
  validate: (attrs) => validateConvolution(NAME, PARAMS, attrs, ['multiplier']),
  shape(inputs, attrs, context) {
    const { x, channels } = convolutionInput(NAME, inputs, context);
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    return convolutionOutput(NAME, x, window, channels * read.int('multiplier'), context);
  },
  weights(inputs, attrs) {
    const { read, window } = readConvolution(NAME, PARAMS, attrs);
    const [cin, count] = [channelsOf(NAME, inputs[0]!), read.int('multiplier')];
    const kernelWeight = {
      role: 'depthwiseKernel',
      shape: [...window.kernel, cin, count],
      init: 'heNormal',
      trainable: true,
    } as const;
    const biasWeight = { role: 'bias', shape: [cin * count], init: 'zeros', trainable: true } as const;
    return read.bool('bias') ? [kernelWeight, biasWeight] : [kernelWeight];
  },
  flops(_inputs, output, attrs) {
    const { window } = readConvolution(NAME, PARAMS, attrs);
    return mul(dim(2 * window.kernel[0] * window.kernel[1]), ...output.shape);
  },
  receptiveField: ({ attrs }) => windowStep(readConvolution(NAME, PARAMS, attrs).window),
  execute({ tf, inputs, weights, attrs, context }) {
    const { window, bias: hasBias, activation: activationName } = readConvolution(NAME, PARAMS, attrs);
    const filter = weightOf(NAME, weights, 'depthwiseKernel') as tf.Tensor4D;
    const biasValue = optionalBias(NAME, weights, hasBias);
    const x = inputs[0] as tf.Tensor4D;
    return tf.tidy(() => {
      if (context.needsGradient && window.dilation.some((d) => d > 1)) {
        return finishOutput(
          tf,
          depthwise(tf, x, filter, { ...window, needsGradient: true }),
          biasValue,
          activationName,
          leakyAlpha(attrs),
        );
      }
      const plan = planActivation(activationName, context.needsGradient);
      const { x: padded, mode } = padForWindow(tf, x, window.padding);
      const y = tf.fused.depthwiseConv2d({
        x: padded,
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
    const fields = [
      `x: ${x}`,
      `filter: ${weights.depthwiseKernel}`,
      `strides: ${emitPair(window.stride)}`,
      `pad: '${mode}'`,
    ];
    if (window.dilation.some((d) => d > 1)) fields.push(`dilations: ${emitPair(window.dilation)}`);
    if (hasBias) fields.push(`bias: ${weights.bias}`);
    const call = emitActivation(
      `tf.fused.depthwiseConv2d({ ${[...fields, ...activationCode.fields].join(', ')} })`,
      activationCode.after,
      leakyAlpha(attrs),
    );
    return { expression: emitTidy(call, temporary || activationCode.after !== 'none') };
  },
};
