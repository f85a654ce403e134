/**
 * From data set samples to the tensors a model reads: samples are resized to a model's fixed
 * input size (bilinear for images, nearest for masks) and RGB is averaged to grey for a
 * one-channel model (the data sets store grey images as equal RGB channels); an input that
 * declares `@preprocess` gets its channel order, grey, scale, mean and std.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Preprocessing } from '../ir/preprocessing.js';
import { prepareImage } from '../runtime/preprocess-image.js';
import { resizeSample } from '../data/augment.js';
import { stackSamples } from '../data/batch.js';
import type { Batch, Sample } from '../data/sample.js';
import type { InputSpec, Task } from './task.js';
import { isMaskless, maskClassTargets } from './weak.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** The sample at the model's fixed size (unchanged when the model's size is symbolic). */
export function fitSample(sample: Sample, spec: InputSpec): Sample {
  const height = spec.height ?? sample.height;
  const width = spec.width ?? sample.width;
  return resizeSample(sample, height, width);
}

function toChannels(images: Float32Array, pixels: number, channels: number): Float32Array {
  if (channels === 3) return images;
  if (channels !== 1)
    throw diagnosticError(
      codes.inputDoesNotFit,
      `the model's input has ${channels} channels; data sets hold RGB images`,
      { hint: 'models read 1 (grey) or 3 (RGB) channels' },
    );
  const grey = new Float32Array(pixels);
  for (let index = 0; index < pixels; index++)
    grey[index] = (images[index * 3]! + images[index * 3 + 1]! + images[index * 3 + 2]!) / 3;
  return grey;
}

/** The batch as the input declares it (`@preprocess`): the same tensor `segc run` makes of an image. */
function declaredTensor(batch: Batch, channels: number, preprocessing: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const rgb = tf.tensor4d(batch.images, [batch.size, batch.height, batch.width, 3]);
    return prepareImage(rgb, batch.height, batch.width, channels, preprocessing);
  });
}

export interface BatchTensors {
  readonly size: number;
  readonly images: tf.Tensor4D;
  /** int32 [N, H, W] (segmentation). */
  readonly masks?: tf.Tensor3D;
  /** int32 [N] (classification, ACoL). */
  readonly labels?: tf.Tensor1D;
  /** float32 [N, C] multi-hot (multi-label classification). */
  readonly targets?: tf.Tensor2D;
  /** Segmentation with image-level labels: multi-hot over mask classes [N, C], 1 for images without a mask [N], 1 for the object classes [C]. */
  readonly imageLevel?: {
    readonly targets: tf.Tensor2D;
    readonly weights: tf.Tensor1D;
    readonly classMask: tf.Tensor1D;
  };
}

export function disposeBatch(batch: BatchTensors): void {
  for (const tensor of [
    batch.images,
    batch.masks,
    batch.labels,
    batch.targets,
    batch.imageLevel?.targets,
    batch.imageLevel?.weights,
    batch.imageLevel?.classMask,
  ])
    tensor?.dispose();
}

/** `[N, classes]` row-major: 1 for every class a sample holds (its `labels`, else its `label`). */
export function multiHot(samples: readonly Sample[], classes: number): Float32Array {
  const targets = new Float32Array(samples.length * classes);
  samples.forEach((sample, row) => {
    for (const label of sample.labels ?? (sample.label !== undefined ? [sample.label] : []))
      targets[row * classes + label] = 1;
  });
  return targets;
}

/** What each task needs from a sample. */
export function requireTaskData(sample: Sample, task: Task, multiLabel: boolean): void {
  const missing =
    task.kind === 'segmentation'
      ? !sample.mask
        ? 'a mask'
        : undefined
      : multiLabel
        ? !sample.labels && sample.label === undefined
          ? 'image-level labels'
          : undefined
        : sample.label === undefined
          ? 'a class label'
          : undefined;
  if (missing) {
    throw diagnosticError(
      codes.dataDoesNotFitTask,
      `the sample ${sample.id} has no ${missing}, which a ${task.kind} model needs`,
      {
        hint:
          task.kind === 'segmentation'
            ? 'use a data set with images/ and masks/'
            : 'use one folder per class, or labels.json beside the images',
      },
    );
  }
}

/** Image and mask class names, for image-level labels of segmentation samples. */
export interface ClassNames {
  readonly classes: readonly string[];
  readonly maskClasses: readonly string[];
}

function imageLevelTensors(samples: readonly Sample[], names: ClassNames): BatchTensors['imageLevel'] {
  const count = names.maskClasses.length;
  const targets = new Float32Array(samples.length * count);
  samples.forEach((sample, row) =>
    targets.set(maskClassTargets(sample, names.classes, names.maskClasses), row * count),
  );
  const weights = Float32Array.from(samples, (sample) => (isMaskless(sample) ? 1 : 0));
  const classMask = Float32Array.from({ length: count }, (_, index) => (index === 0 ? 0 : 1));
  return {
    targets: tf.tensor2d(targets, [samples.length, count]),
    weights: tf.tensor1d(weights),
    classMask: tf.tensor1d(classMask),
  };
}

/**
 * Stacks fitted samples into tensors for the model and the loss. With `imageLevel`, a
 * segmentation batch also carries the image-level targets of the samples whose mask is all
 * ignored (incomplete supervision).
 */
export function batchTensors(
  samples: readonly Sample[],
  spec: InputSpec,
  task: Task,
  multiLabel = false,
  imageLevel?: ClassNames,
): BatchTensors {
  samples.forEach((sample) => requireTaskData(sample, task, multiLabel));
  const batch: Batch = stackSamples(samples);
  const pixels = batch.size * batch.height * batch.width;
  const channels = toChannels(batch.images, pixels, spec.channels);
  const images = spec.preprocessing
    ? declaredTensor(batch, spec.channels, spec.preprocessing)
    : tf.tensor4d(channels, [batch.size, batch.height, batch.width, spec.channels]);
  if (task.kind === 'segmentation') {
    const masks = tf.tensor3d(Int32Array.from(batch.masks!), [batch.size, batch.height, batch.width], 'int32');
    return {
      size: batch.size,
      images,
      masks,
      ...(imageLevel && samples.some(isMaskless) ? { imageLevel: imageLevelTensors(samples, imageLevel) } : {}),
    };
  }
  if (multiLabel)
    return {
      size: batch.size,
      images,
      targets: tf.tensor2d(multiHot(samples, task.classes), [batch.size, task.classes]),
    };
  return { size: batch.size, images, labels: tf.tensor1d(batch.labels!, 'int32') };
}
