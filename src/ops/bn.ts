/**
 * Batch normalisation over the channel (last) axis. Inference normalises with the moving
 * statistics; training normalises with the batch's own and reports the new moving statistics
 * through `context.updateState`, so the training semantics live here, not in the runtime.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { AttributeReader } from './attributes.js';
import { channelsOf, expectFloat, formatShape, inputAt, perElement } from './common.js';
import { weightOf } from './convolution.js';
import {
  type Attrs,
  type OpDef,
  type ParamSpec,
  type RunContext,
  ShapeError,
  type Tfjs,
  type WeightSpec,
} from './op.js';

const NAME = 'bn';
const PARAMS: readonly ParamSpec[] = [
  { name: 'x', type: 'tensor', doc: 'the input [N, H, W, C] or [N, C]' },
  { name: 'epsilon', type: 'float', default: 1e-5, doc: 'added to the variance before the square root' },
  { name: 'momentum', type: 'float', default: 0.9, doc: 'weight of the old moving statistics in each update' },
];

const read = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs);

interface Statistics {
  readonly mean: tf.Tensor;
  readonly variance: tf.Tensor;
}

/** New moving statistics: old * momentum + batch * (1 - momentum), variance unbiased. */
function movingUpdate(tf: Tfjs, batch: Statistics, moving: Statistics, count: number, momentum: number): Statistics {
  const correction = count > 1 ? count / (count - 1) : 1;
  const blend = (old: tf.Tensor, value: tf.Tensor) => tf.add(tf.mul(old, momentum), tf.mul(value, 1 - momentum));
  return { mean: blend(moving.mean, batch.mean), variance: blend(moving.variance, tf.mul(batch.variance, correction)) };
}

function reportUpdate(
  tf: Tfjs,
  context: RunContext,
  batch: Statistics,
  moving: Statistics,
  count: number,
  momentum: number,
): void {
  const { updateState } = context;
  if (!updateState) return;
  // Kept: these outlive the tidy scope of the forward pass; the executor disposes them.
  const updated = tf
    .tidy(() => {
      const next = movingUpdate(tf, batch, moving, count, momentum);
      return [next.mean, next.variance];
    })
    .map((value) => tf.keep(value));
  updateState('movingMean', updated[0]!);
  updateState('movingVariance', updated[1]!);
}

export const bn: OpDef = {
  name: NAME,
  summary: 'batch normalisation over the channel axis',
  notes:
    'Inference: (x - movingMean) / sqrt(movingVariance + epsilon) * gamma + beta. Training: the batch mean and ' +
    '(biased) variance over every axis but the channels normalise the batch; the moving statistics become ' +
    'moving * momentum + batch * (1 - momentum) (the Keras convention: momentum 0.9 here is PyTorch momentum 0.1), ' +
    'with the unbiased batch variance n / (n - 1) as PyTorch does, n = N*H*W. Weights: `gamma` (ones), `beta` ' +
    '(zeros) trainable; `movingMean` (zeros), `movingVariance` (ones) not trainable. The executor owns the ' +
    'tensors handed to `updateState`.',
  params: PARAMS,
  channelwise: true,
  foldableBatchNorm: true,
  validate(attrs) {
    const attributes = read(attrs);
    if (!(attributes.number('epsilon') > 0)) return `\`epsilon\` must be positive, got ${attributes.number('epsilon')}`;
    const momentum = attributes.number('momentum');
    return momentum >= 0 && momentum <= 1 ? undefined : `\`momentum\` must be between 0 and 1, got ${momentum}`;
  },
  shape(inputs, _attrs, context) {
    const x = inputAt(NAME, inputs, 0, 'x');
    if (x.shape.length !== 2 && x.shape.length !== 4) {
      throw new ShapeError(`${NAME}: expected [N, H, W, C] or [N, C] for \`x\`, got ${formatShape(x, context)}`, 'x');
    }
    expectFloat(NAME, x, 'x');
    channelsOf(NAME, x);
    return x;
  },
  weights(inputs) {
    const shape = [channelsOf(NAME, inputs[0]!)];
    const spec = (role: string, init: WeightSpec['init'], trainable: boolean): WeightSpec => ({
      role,
      shape,
      init,
      trainable,
    });
    return [
      spec('gamma', 'ones', true),
      spec('beta', 'zeros', true),
      spec('movingMean', 'zeros', false),
      spec('movingVariance', 'ones', false),
    ];
  },
  flops: (_inputs, output) => perElement(output, 2),
  execute({ tf, inputs, weights, attrs, context }) {
    const attributes = read(attrs);
    const x = inputs[0]!;
    const [gamma, beta] = [weightOf(NAME, weights, 'gamma'), weightOf(NAME, weights, 'beta')];
    const moving = { mean: weightOf(NAME, weights, 'movingMean'), variance: weightOf(NAME, weights, 'movingVariance') };
    const epsilon = attributes.number('epsilon');
    if (!context.training) return tf.batchNorm(x, moving.mean, moving.variance, beta, gamma, epsilon);
    return tf.tidy(() => {
      const axes = x.shape.slice(0, -1).map((_, axis) => axis);
      const batch = tf.moments(x, axes);
      const count = x.size / x.shape[x.shape.length - 1]!;
      reportUpdate(tf, context, batch, moving, count, attributes.number('momentum'));
      return tf.batchNorm(x, batch.mean, batch.variance, beta, gamma, epsilon);
    });
  },
  emit({ inputs, weights, attrs, literal }) {
    const epsilon = literal(read(attrs).number('epsilon'));
    return {
      expression: `tf.batchNorm(${inputs[0]}, ${weights.movingMean}, ${weights.movingVariance}, ${weights.beta}, ${weights.gamma}, ${epsilon})`,
    };
  },
};
