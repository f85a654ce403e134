/**
 * One training step: the graph as written runs in training mode (batch statistics, dropout
 * from the step's seed, ACoL erasing steered by the labels), the task's loss plus L2 weight
 * decay is differentiated with respect to the trainable variables, the optimizer updates them,
 * and the batch-norm moving statistics the run reported are assigned. Everything else is
 * released: the number of live tensors is the same after every step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '../runtime/gradients.js';
import type { SegModel } from '../runtime/model.js';
import { weightDeclarations } from '../runtime/model.js';
import type { BatchTensors } from './inputs.js';
import { acolLoss } from '../explain/acol.js';
import {
  classificationCrossEntropy,
  imageLevelLoss,
  isDecayedWeight,
  type LossOptions,
  multiLabelCrossEntropy,
  pixelCrossEntropy,
  robustPixelLoss,
  smoothBinaryTargets,
  weightDecayLoss,
} from './losses.js';
import type { Optimizer } from './optimizer.js';
import type { Task } from './task.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface StepOptions {
  readonly learningRate: number;
  /** L2 weight decay on convolution and dense kernels. */
  readonly weightDecay: number;
  /** Seeds dropout; derive it from the run's seed and the step so a resumed run replays it. */
  readonly seed: number;
  readonly multiLabel?: boolean;
  /** The loss for noisy labels; plain cross-entropy when absent. */
  readonly loss?: LossOptions;
  /** Weight of the image-level loss of images without a mask; default 1. */
  readonly imageLabelWeight?: number;
}

export interface StepResult {
  /** The task loss, without weight decay. */
  readonly loss: number;
  /** Correct pixels (segmentation) or images (classification), for the running accuracy. */
  readonly correct: number;
  readonly counted: number;
}

/** The trainable variables by weight name. */
export function trainableByName(model: SegModel): Map<string, tf.Variable> {
  return new Map(
    weightDeclarations(model.graph)
      .filter((d) => d.train)
      .map((d) => [d.name, model.weights.get(d.name)!]),
  );
}

/**
 * The task loss of one run's outputs. Segmentation: the pixel loss over counted pixels, plus
 * the weighted image-level loss when the batch has images without a mask. Classification: the
 * loss averaged over images (multi-label: sigmoid cross-entropy against the smoothed targets).
 */
export function taskLoss(
  task: Task,
  outputs: Record<string, tf.Tensor>,
  batch: BatchTensors,
  options: Pick<StepOptions, 'loss' | 'imageLabelWeight'> = {},
): tf.Scalar {
  const logits = outputs[task.outputs[0]!]!;
  const loss = options.loss;
  if (task.kind === 'segmentation') {
    const pixels = loss ? robustPixelLoss(logits, batch.masks!, loss) : pixelCrossEntropy(logits, batch.masks!);
    if (!batch.imageLevel) return pixels;
    const { targets, weights, classMask } = batch.imageLevel;
    return tf.tidy(
      () =>
        tf.add(
          pixels,
          tf.mul(imageLevelLoss(logits as tf.Tensor4D, targets, weights, classMask), options.imageLabelWeight ?? 1),
        ) as tf.Scalar,
    );
  }
  if (task.kind === 'acol') return acolLoss(logits, outputs[task.outputs[1]!]!, batch.labels!);
  if (batch.targets)
    return loss?.smoothing
      ? tf.tidy(() => multiLabelCrossEntropy(logits, smoothBinaryTargets(batch.targets!, loss.smoothing!)))
      : multiLabelCrossEntropy(logits, batch.targets);
  return loss ? robustPixelLoss(logits, batch.labels!, loss, -1) : classificationCrossEntropy(logits, batch.labels!);
}

/** [correct, counted] as a float32 [2] tensor. */
export function correctCounts(task: Task, logits: tf.Tensor, batch: BatchTensors): tf.Tensor1D {
  return tf.tidy(() => {
    if (batch.targets) {
      const predicted = tf.cast(tf.greater(logits, 0), 'float32');
      return tf.stack([
        tf.sum(tf.cast(tf.equal(predicted, batch.targets), 'float32')),
        tf.scalar(batch.targets.size),
      ]) as tf.Tensor1D;
    }
    const truth = task.kind === 'segmentation' ? batch.masks! : batch.labels!;
    const counted = tf.notEqual(truth, tf.scalar(255, 'int32'));
    const hits = tf.logicalAnd(counted, tf.equal(tf.argMax(logits, -1), truth));
    return tf.stack([tf.sum(tf.cast(hits, 'float32')), tf.sum(tf.cast(counted, 'float32'))]) as tf.Tensor1D;
  });
}

/** Async because reading the loss back must be asynchronous on WebGPU. */
export async function trainStep(
  model: SegModel,
  task: Task,
  optimizer: Optimizer,
  batch: BatchTensors,
  options: StepOptions,
): Promise<StepResult> {
  registerGradients();
  const variables = trainableByName(model);
  const nameOf = new Map([...variables].map(([name, variable]) => [variable.name, name]));
  const kernels = [...variables].filter(([name]) => isDecayedWeight(name)).map(([, variable]) => variable);
  const updates: [string, tf.Tensor][] = [];
  let kept: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const run = model.run(batch.images, {
      training: true,
      needsGradient: true,
      seed: options.seed,
      ...(task.kind === 'acol' ? { targetClasses: batch.labels! } : {}),
      updateState: (name, tensor) => updates.push([name, tensor]),
    });
    const loss = taskLoss(task, run.outputs, batch, options);
    kept = [tf.keep(tf.clone(loss)), tf.keep(correctCounts(task, run.outputs[task.outputs[0]!]!, batch))];
    return tf.add(loss, weightDecayLoss(kernels, options.weightDecay)) as tf.Scalar;
  }, [...variables.values()]);
  try {
    const [lossValues, counts, totals] = await Promise.all([kept[0]!.data(), kept[1]!.data(), value.data()]);
    const loss = lossValues[0]!;
    if (!Number.isFinite(loss) || !Number.isFinite(totals[0]!)) {
      throw diagnosticError(codes.lossNotFinite, `the loss became ${loss} at step ${optimizer.step + 1}`, {
        hint: 'lower the learning rate (--lr), or check the data for bad labels',
      });
    }
    optimizer.apply(
      new Map(Object.entries(grads).map(([name, gradient]) => [nameOf.get(name)!, gradient])),
      options.learningRate,
    );
    for (const [name, tensor] of updates) model.weights.get(name)!.assign(tensor);
    return { loss, correct: counts[0]!, counted: counts[1]! };
  } finally {
    tf.dispose([value, ...Object.values(grads), ...kept, ...updates.map(([, tensor]) => tensor)]);
  }
}
