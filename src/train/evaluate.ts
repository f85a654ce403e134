/**
 * Scores a model on a data set, batch by batch with the inference graph: a confusion matrix
 * over every counted pixel for segmentation (the ignore label excluded; classes absent from
 * both truth and prediction are left out of the means, see src/metrics/segmentation.ts), top-1
 * and top-5 for classifiers (with `multiLabel`, also label accuracy, exact match and per-class
 * average precision against every class an image holds), and for classifiers on data with
 * boxes the localisation scores of their class maps (MaxBoxAcc and MaxBoxAccV2 over map
 * thresholds, and top-1 localisation at MaxBoxAcc's best threshold).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import type { LabelledBox, Sample } from '../data/sample.js';
import { explain } from '../explain/explain.js';
import type { ExplainMethod } from '../explain/request.js';
import {
  argmaxRows,
  BoxAccuracy,
  ClassificationAccuracy,
  ConfusionMatrix,
  MultiLabelAccuracy,
  segmentationReport,
  type BoxLike,
  type ClassificationScores,
  type MultiLabelScores,
  type SegmentationReport,
} from '../metrics/index.js';
import { localisationAccuracy, MAX_BOX_ACC, MAX_BOX_ACC_V2, type LocalisationRecord } from '../metrics/box-accuracy.js';
import { mapToBox } from '../metrics/map-to-box.js';
import type { SegModel } from '../runtime/model.js';
import { batchTensors, disposeBatch, fitSample, multiHot } from './inputs.js';
import type { InputSpec, Task } from './task.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** How the class maps scored for localisation are made: any method of `explain`. */
export type MapMethod = ExplainMethod;

export interface EvaluateOptions {
  readonly batchSize?: number;
  /** Class maps for localisation on data with boxes; none skips localisation. */
  readonly mapMethod?: MapMethod;
  /** The layer gradient methods make their maps at (`explain`'s `target`); default the derived one. */
  readonly mapLayer?: string;
  readonly classNames?: readonly string[];
  /**
   * A classifier trained with one sigmoid per class: score it against every class an image holds,
   * and localise the map of each of those classes against that class's boxes.
   */
  readonly multiLabel?: boolean;
}

export interface LocalisationReport {
  readonly method: MapMethod;
  /** Maps scored: one per image (its label), or with `multiLabel` one per class an image holds. */
  readonly images: number;
  /** MaxBoxAcc (V1): IoU 0.5, largest component, with the true class's map (Choe et al. 2020). */
  readonly maxBoxAcc: number;
  readonly bestThreshold: number;
  /** MaxBoxAccV2: mean over δ ∈ {0.3, 0.5, 0.7}, every component's box a candidate, τ step 0.001. */
  readonly maxBoxAccV2: number;
  /** MaxBoxAccV2's terms: MaxBoxAcc and its best threshold at each δ. */
  readonly maxBoxAccV2Levels: readonly {
    readonly iouThreshold: number;
    readonly maxBoxAcc: number;
    readonly bestThreshold: number;
  }[];
  /** Right class and IoU ≥ 0.5, boxes at the best threshold. */
  readonly top1Localisation: number;
  /** IoU ≥ 0.5 with the true class's map at the best threshold. */
  readonly knownClassLocalisation: number;
}

export interface EvaluationReport {
  readonly task: Task['kind'];
  readonly images: number;
  readonly classNames: readonly string[];
  readonly segmentation?: SegmentationReport;
  /** Rows: truth, columns: prediction (pixels for segmentation, images for classifiers). */
  readonly confusion: ConfusionMatrix;
  readonly classification?: ClassificationScores;
  /** With `multiLabel`: decisions at logit 0 against each image's label set. */
  readonly multiLabel?: MultiLabelScores;
  readonly localisation?: LocalisationReport;
}

interface StoredMap {
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly predicted: number;
  readonly label: number;
  readonly truthBoxes: readonly BoxLike[];
}

class Accumulator {
  readonly matrix: ConfusionMatrix;
  readonly accuracy = new ClassificationAccuracy();
  readonly maps: StoredMap[] = [];
  readonly labelSets?: MultiLabelAccuracy;
  images = 0;

  constructor(
    readonly task: Task,
    readonly multiLabel: boolean,
  ) {
    this.matrix = new ConfusionMatrix(task.classes, task.kind === 'segmentation' ? {} : { ignoreLabel: null });
    if (multiLabel && task.kind !== 'segmentation') this.labelSets = new MultiLabelAccuracy(task.classes);
  }
}

function checkClasses(dataset: Dataset, task: Task): void {
  const names = task.kind === 'segmentation' ? dataset.maskClasses : dataset.classes;
  if (names.length !== task.classes) {
    throw diagnosticError(
      codes.classCountMismatch,
      `the model predicts ${task.classes} classes but the data set ${dataset.root} has ${names.length} (${names.join(', ')})`,
      { hint: "set the model's class count, e.g. --param classes=" + names.length },
    );
  }
}

async function addBatch(
  model: SegModel,
  samples: readonly Sample[],
  input: InputSpec,
  accumulator: Accumulator,
  { mapMethod, mapLayer }: EvaluateOptions,
): Promise<void> {
  const { task } = accumulator;
  const batch = batchTensors(samples, input, task);
  try {
    const outputs = model.predict(batch.images);
    const logits = outputs[task.outputs[0]!]!;
    try {
      if (task.kind === 'segmentation') {
        const predicted = tf.tidy(() => tf.argMax(logits, -1));
        accumulator.matrix.add(await batch.masks!.data(), await predicted.data());
        predicted.dispose();
      } else {
        const values = Float32Array.from(await logits.data());
        const labels = await batch.labels!.data();
        accumulator.accuracy.add({ values, count: samples.length, classes: task.classes }, labels);
        accumulator.matrix.add(labels, argmaxRows({ values, count: samples.length, classes: task.classes }));
        // batchTensors required a label of every sample, which multiHot falls back on.
        accumulator.labelSets?.add(
          { values, count: samples.length, classes: task.classes },
          multiHot(samples, task.classes),
        );
        if (mapMethod && samples.every((s) => s.boxes))
          await addMaps(model, batch.images, samples, values, accumulator, mapMethod, mapLayer);
      }
    } finally {
      tf.dispose(Object.values(outputs));
    }
  } finally {
    disposeBatch(batch);
  }
  accumulator.images += samples.length;
}

/** The boxes of the class whose map is scored; all boxes when none has that class. */
function boxesOfClass(sample: Sample, label: number): readonly LabelledBox[] {
  const own = sample.boxes!.filter((box) => box[4] === label);
  return own.length > 0 ? own : sample.boxes!;
}

/** The (image, class) pairs whose maps are scored: each image's label, or every class it holds. */
function mapPairs(samples: readonly Sample[], multiLabel: boolean): { index: number; label: number }[] {
  return samples.flatMap((sample, index) =>
    (multiLabel && sample.labels ? sample.labels : [sample.label!]).map((label) => ({ index, label })),
  );
}

async function addMaps(
  model: SegModel,
  images: tf.Tensor4D,
  samples: readonly Sample[],
  logits: Float32Array,
  accumulator: Accumulator,
  method: MapMethod,
  layer: string | undefined,
): Promise<void> {
  const pairs = mapPairs(samples, accumulator.multiLabel);
  // One map per image in order: the batch as it is; otherwise each pair's image gathered.
  const inOrder = pairs.length === samples.length && pairs.every((pair, index) => pair.index === index);
  const inputs = inOrder
    ? images
    : tf.gather(
        images,
        pairs.map((pair) => pair.index),
      );
  const result = await explain(model, inputs, {
    method,
    classIndex: pairs.map((pair) => pair.label),
    ...(layer !== undefined ? { target: layer } : {}),
  }).finally(() => {
    if (!inOrder) inputs.dispose();
  });
  const [, height, width] = result.map.shape;
  const values = await result.map.data();
  tf.dispose([result.map, result.raw]);
  const classes = accumulator.task.classes;
  pairs.forEach(({ index, label }, at) => {
    const sample = samples[index]!;
    const row = logits.subarray(index * classes, (index + 1) * classes);
    const predicted = row.indexOf(Math.max(...row));
    accumulator.maps.push({
      values: Float32Array.from(values.subarray(at * height * width, (at + 1) * height * width)),
      height,
      width,
      predicted,
      label,
      truthBoxes: boxesOfClass(sample, label).map(([x0, y0, x1, y1]) => [
        x0 * (width / sample.width),
        y0 * (height / sample.height),
        x1 * (width / sample.width),
        y1 * (height / sample.height),
      ]),
    });
  });
}

function localisation(maps: readonly StoredMap[], method: MapMethod): LocalisationReport | undefined {
  if (maps.length === 0) return undefined;
  const boxes = new BoxAccuracy(MAX_BOX_ACC);
  const boxesV2 = new BoxAccuracy(MAX_BOX_ACC_V2);
  for (const map of maps) {
    boxes.add({ map, truthBoxes: map.truthBoxes });
    boxesV2.add({ map, truthBoxes: map.truthBoxes });
  }
  const { levels } = boxes.result();
  const v2 = boxesV2.result();
  const best = levels[0]!;
  const records: LocalisationRecord[] = maps.map((map) => ({
    predictedClass: map.predicted,
    label: map.label,
    box: mapToBox(map, best.bestThreshold),
    truthBoxes: map.truthBoxes,
  }));
  const located = localisationAccuracy(records);
  return {
    method,
    images: maps.length,
    maxBoxAcc: best.maxBoxAcc,
    bestThreshold: best.bestThreshold,
    maxBoxAccV2: v2.mean,
    maxBoxAccV2Levels: v2.levels.map(({ iouThreshold, maxBoxAcc, bestThreshold }) => ({
      iouThreshold,
      maxBoxAcc,
      bestThreshold,
    })),
    top1Localisation: located.top1Localisation,
    knownClassLocalisation: located.knownClassLocalisation,
  };
}

export async function evaluateDataset(
  model: SegModel,
  dataset: Dataset,
  task: Task,
  input: InputSpec,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  checkClasses(dataset, task);
  const accumulator = new Accumulator(task, options.multiLabel === true);
  const size = options.batchSize ?? 16;
  let pending: Sample[] = [];
  for await (const sample of dataset.samples()) {
    pending.push(fitSample(sample, input));
    if (pending.length < size) continue;
    await addBatch(model, pending, input, accumulator, options);
    pending = [];
  }
  if (pending.length > 0) await addBatch(model, pending, input, accumulator, options);
  const names = options.classNames ?? (task.kind === 'segmentation' ? dataset.maskClasses : dataset.classes);
  const { matrix, images } = accumulator;
  if (task.kind === 'segmentation')
    return {
      task: task.kind,
      images,
      classNames: names,
      segmentation: segmentationReport(matrix, names),
      confusion: matrix,
    };
  const located = options.mapMethod ? localisation(accumulator.maps, options.mapMethod) : undefined;
  const multiLabel = accumulator.labelSets?.result();
  return {
    task: task.kind,
    images,
    classNames: names,
    classification: accumulator.accuracy.result(),
    ...(multiLabel ? { multiLabel } : {}),
    confusion: matrix,
    ...(located ? { localisation: located } : {}),
  };
}

/** The headline scores of a report, for training history and progress lines. */
export function headlineScores(report: EvaluationReport): Record<string, number | null> {
  if (report.segmentation)
    return { meanIoU: report.segmentation.meanIoU, pixelAccuracy: report.segmentation.pixelAccuracy };
  if (report.multiLabel) return { labelAccuracy: report.multiLabel.labelAccuracy, meanAP: report.multiLabel.meanAP };
  return {
    top1: report.classification?.top1 ?? null,
    ...(report.localisation
      ? { maxBoxAcc: report.localisation.maxBoxAcc, maxBoxAccV2: report.localisation.maxBoxAccV2 }
      : {}),
  };
}
