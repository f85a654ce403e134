/**
 * Fully connected layer on flat [N, C] tensors. A feature map must be pooled or flattened
 * first: the shape rule says so rather than flattening silently.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { dim, mul } from '../shapes/symbolic.js';
import { leakyAlpha, applyActivation, emitActivation, emitFusedActivation, planActivation } from './activation.js';
import { AttributeReader, requireAtLeast } from './attributes.js';
import { channelsOf, expectFloat, formatShape, inputAt, tensorType } from './common.js';
import { optionalBias, weightOf } from './convolution.js';
import { type Attrs, type OpDef, type ParamSpec, ShapeError } from './op.js';
import { type ActivationName, activation, bias } from './params.js';

const NAME = 'dense';
const PARAMS: readonly ParamSpec[] = [
  { name: 'x', type: 'tensor', doc: 'the input [N, C]' },
  { name: 'units', type: 'int', doc: 'output features' },
  bias,
  activation,
];

const read = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs);

export const dense: OpDef = {
  name: NAME,
  summary: 'fully connected layer on [N, C]',
  notes:
    'Weights: `kernel` [C, units] (Glorot uniform), `bias` [units] (zeros). A 4-D input is an error: pool (`gap`) or `flatten` first.',
  params: PARAMS,
  fusesActivation: true,
  foldsBatchNorm: { kernel: 'kernel' },
  linearInChannels: { kernel: 'kernel' },
  spatial: 'global',
  validate: (attrs) => requireAtLeast(read(attrs), 1, 'units'),
  shape(inputs, attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    if (x.shape.length !== 2) {
      throw new ShapeError(
        `${NAME}: expected a flat [N, C] tensor for \`x\`, got ${formatShape(x, context)}`,
        'x',
        'pool (gap) or flatten first',
      );
    }
    expectFloat(NAME, x, 'x');
    channelsOf(NAME, x);
    return tensorType([x.shape[0]!, dim(read(attrs).int('units'))]);
  },
  weights(inputs, attrs) {
    const units = read(attrs).int('units');
    const kernelWeight = {
      role: 'kernel',
      shape: [channelsOf(NAME, inputs[0]!), units],
      init: 'glorotUniform',
      trainable: true,
    } as const;
    const biasWeight = { role: 'bias', shape: [units], init: 'zeros', trainable: true } as const;
    return read(attrs).bool('bias') ? [kernelWeight, biasWeight] : [kernelWeight];
  },
  flops: (inputs, output) => mul(dim(2 * channelsOf(NAME, inputs[0]!)), ...output.shape),
  execute({ tf, inputs, weights, attrs, context }) {
    const attributes = read(attrs);
    const kernel = weightOf(NAME, weights, 'kernel') as tf.Tensor2D;
    const biasValue = optionalBias(NAME, weights, attributes.bool('bias'));
    const plan = planActivation(attributes.text('activation') as ActivationName, context.needsGradient);
    return tf.tidy(() => {
      const y = tf.fused.matMul({
        a: inputs[0] as tf.Tensor2D,
        b: kernel,
        ...(biasValue ? { bias: biasValue } : {}),
        activation: plan.fused,
        leakyreluAlpha: leakyAlpha(attrs),
      });
      return applyActivation(tf, y, plan.after, leakyAlpha(attrs));
    });
  },
  emit({ inputs, weights, attrs }) {
    const attributes = read(attrs);
    const activationCode = emitFusedActivation(attributes.text('activation') as ActivationName, leakyAlpha(attrs));
    const fields = [`a: ${inputs[0]}`, `b: ${weights.kernel}`];
    if (attributes.bool('bias')) fields.push(`bias: ${weights.bias}`);
    // tfjs types fused.matMul's result as a plain Tensor; the shape rule knows it is [N, units].
    const call = emitActivation(
      `tf.fused.matMul({ ${[...fields, ...activationCode.fields].join(', ')} }) as tf.Tensor2D`,
      activationCode.after,
      leakyAlpha(attrs),
    );
    return { expression: activationCode.after === 'none' ? call : `tf.tidy(() => ${call})` };
  },
};
