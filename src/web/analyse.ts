/**
 * What the demo page computes for one image: the segmentation (logits and class mask) and a
 * Grad-CAM heatmap for one class, read back to plain arrays, and the overlays it draws. Every
 * tensor made here is released before the promise settles.
 */
import * as tf from '@tensorflow/tfjs-core';
import { explain } from '../explain/explain.js';
import { isPixelScores, outputKind } from '../ir/analysis/output-kind.js';
import { preprocessingOf } from '../ir/preprocessing.js';
import { heatmapOverlay, maskToColors, type RgbImage } from '../runtime/image.js';
import type { SegModel } from '../runtime/model.js';
import { prepareModelInput, resizeAs } from '../runtime/preprocess-image.js';
import { webOnnxExplainerOf } from './onnx.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface Segmentation {
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  /** [H, W, classes] row-major, pre-softmax scores. */
  readonly logits: Float32Array;
  /** [H, W] class index per pixel. */
  readonly mask: Int32Array;
}

export interface Heatmap {
  /** [H, W] in [0, 1] at the input's size. */
  readonly map: Float32Array;
  readonly classIndex: number;
  /** The layer Grad-CAM differentiated with respect to. */
  readonly target: string;
}

/**
 * The image resized to the size the model runs at, the way its input declares (by default
 * bilinear with half-pixel centres); still RGB in [0, 1], for showing; a new tensor.
 */
export function fitToModel(image: RgbImage, height: number, width: number, model?: SegModel): RgbImage {
  return resizeAs(image, height, width, preprocessingOf(model?.graph.inputs[0]));
}

/**
 * A fitted image as the model's input tensor: channel order or grey, scale, mean and std as its
 * input declares (`@preprocess`); a new tensor. `segment` and `gradCamHeatmap` call it.
 */
export function modelInputOf(model: SegModel, image: RgbImage): tf.Tensor4D {
  const [, height, width] = image.shape;
  return prepareModelInput(model.graph, image, height, width);
}

/**
 * The model's class scores are its first output of per-pixel scores (`f32[N, H, W, classes]`, see
 * ir/analysis/output-kind.ts); its mask is its first int output, or the arg-max of the scores.
 */
function pickOutputs(model: SegModel, outputs: Record<string, tf.Tensor>): { logits: tf.Tensor4D; mask: tf.Tensor } {
  const tensors = Object.values(outputs);
  const graph = model.graph;
  const scores = graph.outputs.find((o) => isPixelScores(outputKind(graph.nodes[o.node]!)));
  const logits = scores && (outputs[scores.name] as tf.Tensor4D | undefined);
  if (!logits) {
    const shapes = Object.entries(outputs)
      .map(([name, t]) => `${name} [${t.shape.join(', ')}]`)
      .join(', ');
    throw diagnosticError(
      codes.notSegmentationModel,
      `the model \`${model.graph.model}\` has no 4-D class-score output to segment with (its outputs: ${shapes})`,
      {
        hint: 'bundle a segmentation model, whose output is [N, H, W, classes]',
      },
    );
  }
  const mask = tensors.find((t) => t.dtype === 'int32') ?? tf.argMax(logits, -1);
  return { logits, mask };
}

export async function segment(model: SegModel, image: RgbImage): Promise<Segmentation> {
  // predictAsync: on ONNX Runtime when useOnnxRuntimeWeb put the model there, else on tfjs.
  const input = modelInputOf(model, image);
  const outputs = await model.predictAsync(input).finally(() => input.dispose());
  const made: tf.Tensor[] = [];
  try {
    const { logits, mask } = pickOutputs(model, outputs);
    if (!Object.values(outputs).includes(mask)) made.push(mask);
    const [, height, width, classes] = logits.shape;
    const [scores, labels] = await Promise.all([logits.data(), mask.data()]);
    return { height, width, classes, logits: scores as Float32Array, mask: Int32Array.from(labels) };
  } finally {
    for (const tensor of [...Object.values(outputs), ...made]) tensor.dispose();
  }
}

/** Grad-CAM for the class summed over every pixel of the segmentation output. */
export async function gradCamHeatmap(model: SegModel, image: RgbImage, classIndex: number): Promise<Heatmap> {
  const onnx = webOnnxExplainerOf(model);
  const input = modelInputOf(model, image);
  const result = await (
    onnx
      ? onnx.explain(input, { method: 'gradcam', classIndex })
      : explain(model, input, { method: 'gradcam', classIndex })
  ).finally(() => input.dispose());
  try {
    return { map: (await result.map.data()) as Float32Array, classIndex: result.classIndex[0]!, target: result.target };
  } finally {
    result.map.dispose();
    result.raw.dispose();
  }
}

/** Pixels per class, for the legend and the default class to explain. */
export function classHistogram(mask: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of mask) if (label >= 0 && label < classes) counts[label]!++;
  return counts;
}

/** The most frequent class other than `background` (class 0), or 1 when the mask holds only background. */
export function mostFrequentForeground(mask: Int32Array, classes: number): number {
  const counts = classHistogram(mask, classes);
  let best = Math.min(1, classes - 1);
  for (let label = 1; label < classes; label++) if (counts[label]! > counts[best]!) best = label;
  return best;
}

/**
 * The image with the class colours (VOC palette) blended in, faithful to the legend: each class
 * colour is mixed with the image's grey level only (`alpha·colour + (1 − alpha)·grey`), so a
 * pixel keeps exactly its class's hue, where mixing with the image's own colours would shift it
 * (a red image under a square's green reads as the triangle's olive).
 */
export function maskOverlayImage(image: RgbImage, segmentation: Segmentation, alpha = 0.6): RgbImage {
  return tf.tidy(() => {
    const labels = tf.tensor2d(segmentation.mask, [segmentation.height, segmentation.width], 'int32');
    const grey = tf.sum(tf.mul(image, tf.tensor1d(LUMA)), -1, true);
    return tf.add(tf.mul(maskToColors(labels), alpha), tf.mul(grey, 1 - alpha)) as RgbImage;
  });
}

/** Rec. 601 luma weights: the grey level a person sees in an RGB colour. */
const LUMA = [0.299, 0.587, 0.114];

/** The image with the heatmap (turbo colours) blended in. */
export function heatmapOverlayImage(image: RgbImage, heatmap: Heatmap, alpha = 0.5): RgbImage {
  const [, height, width] = image.shape;
  return tf.tidy(() => heatmapOverlay(image, tf.tensor2d(heatmap.map, [height, width]), alpha));
}
