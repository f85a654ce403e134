/**
 * ACoL erasing. For each image, the class map of one class is min-max normalised to [0, 1];
 * feature positions where it reaches `threshold` are zeroed, so a second classifier must find
 * other evidence. The class is the target when training with labels, else the predicted one.
 * The mask is a constant for differentiation: gradients reach `x` through the multiply and
 * never reach `by` through the mask.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { add, dim, mul } from '../shapes/symbolic.js';
import { AttributeReader } from './attributes.js';
import { channelsOf, elementCount, expectFeatureMap, inputAt } from './common.js';
import type { Attrs, EmitHelper, OpDef, ParamSpec, RunContext, Tfjs } from './op.js';
import { featureMap } from './params.js';

const NAME = 'erase';
const PARAMS: readonly ParamSpec[] = [
  featureMap,
  { name: 'by', type: 'tensor', doc: 'class maps [N, H, W, classes], one channel per class' },
  { name: 'threshold', type: 'float', default: 0.6, doc: 'erase where the normalised map is at least this' },
];

const thresholdOf = (attrs: Attrs) => new AttributeReader(NAME, PARAMS, attrs).number('threshold');

/** The class per image: the label while training with labels, else the argmax of gap(by). */
function chosenClasses(tf: Tfjs, by: tf.Tensor4D, context: RunContext): tf.Tensor1D {
  if (context.training && context.targetClasses) return tf.cast(context.targetClasses, 'int32');
  return tf.argMax(tf.mean(by, [1, 2]), 1) as tf.Tensor1D;
}

/** 1 where the feature survives, 0 where it is erased: [N, H, W, 1]. */
function keepMask(tf: Tfjs, by: tf.Tensor4D, classes: tf.Tensor1D, threshold: number): tf.Tensor4D {
  const [n, rows, columns, count] = by.shape;
  const pick = tf.reshape(tf.oneHot(classes, count), [n, 1, 1, count]);
  const map = tf.sum(tf.mul(by, pick), 3, true);
  const low = tf.min(map, [1, 2], true);
  const range = tf.sub(tf.max(map, [1, 2], true), low);
  // A flat map has no peak to erase: normalise it to 0 instead of dividing by zero.
  const safeRange = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
  const normalised = tf.div(tf.sub(map, low), safeRange);
  return tf.reshape(tf.cast(tf.less(normalised, threshold), 'float32'), [n, rows, columns, 1]);
}

/** Computes the mask as a constant: its gradient with respect to `by` is zero by definition. */
function constantMask(tf: Tfjs, by: tf.Tensor4D, classes: tf.Tensor1D, threshold: number): tf.Tensor4D {
  const masked = tf.customGrad<tf.Tensor4D>((...args) => {
    const value = args[0] as tf.Tensor4D;
    return { value: keepMask(tf, value, classes, threshold), gradFunc: () => tf.zerosLike(value) };
  });
  return masked(by);
}

/**
 * Inference-time erasing as a module-level function of the generated code: the predicted
 * class, then `keepMask` step for step (no gradient is taken, so no `customGrad`).
 */
const ERASE_HELPER: EmitHelper = {
  name: 'eraseWhereClassMapIsHigh',
  parameters: [
    { name: 'x', type: 'tf.Tensor4D' },
    { name: 'by', type: 'tf.Tensor4D' },
    { name: 'threshold', type: 'number' },
  ],
  returnType: 'tf.Tensor4D',
  docs: "ACoL erasing at inference: zeroes `x` where the predicted class's map in `by`, min-max normalised per image, reaches `threshold`.",
  statements: [
    'return tf.tidy(() => {',
    '  const [n, rows, columns, count] = by.shape;',
    '  const classes = tf.argMax(tf.mean(by, [1, 2]), 1);',
    '  const pick = tf.reshape(tf.oneHot(classes, count), [n, 1, 1, count]);',
    '  const map = tf.sum(tf.mul(by, pick), 3, true);',
    '  const low = tf.min(map, [1, 2], true);',
    '  const range = tf.sub(tf.max(map, [1, 2], true), low);',
    '  // A flat map has no peak to erase: normalise it to 0 instead of dividing by zero.',
    '  const safeRange = tf.where(tf.greater(range, 0), range, tf.onesLike(range));',
    '  const normalised = tf.div(tf.sub(map, low), safeRange);',
    "  const keep = tf.reshape(tf.cast(tf.less(normalised, threshold), 'float32'), [n, rows, columns, 1]);",
    '  return tf.mul(x, keep);',
    '});',
  ],
};

export const erase: OpDef = {
  name: NAME,
  summary: 'ACoL erasing: zero features where the chosen class map is high',
  notes:
    'Per image, the class is `targetClasses[n]` when training with labels, else the argmax of gap(`by`). That ' +
    "class's map is normalised (m - min) / (max - min) (a flat map normalises to 0) and `x` is zeroed where it " +
    'is at least `threshold`. The mask carries no gradient; the gradient reaches `x` through the multiply. `by` ' +
    'must have the spatial size of `x`.',
  params: PARAMS,
  erasing: { classMaps: 'by' },
  validate(attrs) {
    const threshold = thresholdOf(attrs);
    return threshold >= 0 && threshold <= 1 ? undefined : `\`threshold\` must be between 0 and 1, got ${threshold}`;
  },
  shape(inputs, _attrs, context) {
    const x = expectFeatureMap(NAME, inputAt(NAME, inputs, 0, 'x'), context);
    const by = expectFeatureMap(NAME, inputAt(NAME, inputs, 1, 'by'), context, 'by');
    channelsOf(NAME, x);
    channelsOf(NAME, by, 'by');
    const words = ['batch sizes', 'rows', 'columns'];
    words.forEach((word, axis) => {
      const describe = (l: string, r: string) =>
        `the feature map of erase has ${l} ${word} but its class map \`by\` has ${r}`;
      context.requireEqual(x.shape[axis]!, by.shape[axis]!, describe, 'by');
    });
    return x;
  },
  flops: (inputs, output) => add(elementCount(output.shape), mul(dim(2), elementCount(inputs[1]!.shape))),
  execute({ tf, inputs, attrs, context }) {
    const [x, by] = [inputs[0] as tf.Tensor4D, inputs[1] as tf.Tensor4D];
    return tf.tidy(() => tf.mul(x, constantMask(tf, by, chosenClasses(tf, by, context), thresholdOf(attrs))));
  },
  emit: ({ inputs, attrs, literal }) => ({
    expression: `eraseWhereClassMapIsHigh(${inputs[0]}, ${inputs[1]}, ${literal(thresholdOf(attrs))})`,
    helpers: [ERASE_HELPER],
  }),
};
