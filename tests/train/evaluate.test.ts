/**
 * Evaluation on data sets built in memory, with hand-set weights whose class maps and scores
 * are known in closed form: top-1/top-5, MaxBoxAcc and top-1 localisation from CAM, and the
 * segmentation confusion matrix with ignored pixels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../../src/data/dataset.js';
import type { Sample } from '../../src/data/sample.js';
import { SegModel } from '../../src/runtime/model.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { inferTask, inputSpec } from '../../src/train/task.js';
import { useBackend } from '../ops/backends.js';
import { compileModel } from './fixtures.js';

/** Class 0's map is the image itself, class 1's its negative. */
const KNOWN_CAM = `
model KnownCam(classes: int = 2) {
  input image: f32[N, 8, 8, 1]
  output logits = image -> conv(classes, 1) @classmap -> gap
}
`;

/** Per-pixel logits (x, −x): class 0 wherever the image is positive. */
const KNOWN_SEGMENTATION = `
model KnownSeg(classes: int = 2) {
  input image: f32[N, 4, 4, 1]
  output logits = image -> conv(classes, 1)
}
`;

function modelWith(source: string, kernel: number[], bias: number[]): SegModel {
  const { graph, sizes } = compileModel(source);
  const [kernelName, biasName] = graph.nodes.flatMap((n) => n.weights.map((w) => w.name));
  const tensors = new Map<string, tf.Tensor>([
    [kernelName!, tf.tensor4d(kernel, [1, 1, 1, 2])],
    [biasName!, tf.tensor1d(bias)],
  ]);
  const model = SegModel.fromTensors(graph, sizes, tensors);
  tf.dispose([...tensors.values()]);
  return model;
}

function memoryDataset(samples: Sample[], classes: string[], layout: 'segmentation' | 'classification') {
  return createDataset({
    root: 'memory',
    layout,
    classes,
    maskClasses: classes,
    ids: samples.map((s) => s.id),
    load: async (index) => samples[index]!,
  });
}

/** An 8×8 image, 1 inside the box [x0, y0, x1, y1), 0 outside, as equal RGB channels. */
function squareImage(box: [number, number, number, number]): Float32Array {
  const image = new Float32Array(8 * 8 * 3);
  for (let y = box[1]; y < box[3]; y++)
    for (let x = box[0]; x < box[2]; x++) image.fill(1, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  return image;
}

beforeAll(() => useBackend('cpu'));
afterAll(() => tf.disposeVariables());

describe('evaluateDataset', () => {
  it('scores classification and CAM localisation as worked out by hand', async () => {
    const model = modelWith(KNOWN_CAM, [1, -1], [0, 0]);
    const box: [number, number, number, number] = [1, 2, 5, 6];
    const samples: Sample[] = [0, 0, 1].map((label, index) => ({
      id: `images/${index}.png`,
      image: squareImage(box),
      height: 8,
      width: 8,
      label,
      boxes: [[...box, label]],
    }));
    const before = tf.memory().numTensors;
    const report = await evaluateDataset(
      model,
      memoryDataset(samples, ['bright', 'dark'], 'segmentation'),
      inferTask(model.graph),
      inputSpec(model.graph),
      { mapMethod: 'cam', batchSize: 2 },
    );
    expect(tf.memory().numTensors).toBe(before);
    // Every image scores (0.25, −0.25): class 0 is predicted, right for two of three images.
    expect(report.classification).toEqual({ examples: 3, top1: 2 / 3, top5: 1 });
    // Class 0's map is the square itself (IoU 1); class 1's map lights the background, whose box is the whole image (IoU 16/64).
    expect(report.localisation!.maxBoxAcc).toBeCloseTo(2 / 3, 12);
    // V2 with every component: the background ring is one component boxed as the whole image
    // (IoU 0.25 < 0.3), so each δ hits the two class-0 images only.
    expect(report.localisation!.maxBoxAccV2).toBeCloseTo(2 / 3, 12);
    expect(report.localisation!.maxBoxAccV2Levels.map((level) => [level.iouThreshold, level.maxBoxAcc])).toEqual([
      [0.3, 2 / 3],
      [0.5, 2 / 3],
      [0.7, 2 / 3],
    ]);
    expect(report.localisation!.top1Localisation).toBeCloseTo(2 / 3, 12);
    expect(report.localisation!.knownClassLocalisation).toBeCloseTo(2 / 3, 12);
    expect(report.confusion.count(1, 0)).toBe(1);
    model.dispose();
  });

  it('scores the map of the label against the boxes of that class only', async () => {
    const model = modelWith(KNOWN_CAM, [1, -1], [0, 0]);
    const square: [number, number, number, number] = [1, 2, 5, 6];
    // Class 0's map lights the square, but the square's box is labelled class 1 and class 0's box lies elsewhere.
    const samples: Sample[] = [
      {
        id: 'images/0.png',
        image: squareImage(square),
        height: 8,
        width: 8,
        label: 0,
        boxes: [
          [...square, 1],
          [6, 6, 8, 8, 0],
        ],
      },
    ];
    const report = await evaluateDataset(
      model,
      memoryDataset(samples, ['bright', 'dark'], 'segmentation'),
      inferTask(model.graph),
      inputSpec(model.graph),
      { mapMethod: 'cam' },
    );
    expect(report.localisation!.maxBoxAcc).toBe(0);
    expect(report.localisation!.maxBoxAccV2).toBe(0);
    const boxed: Sample[] = [
      {
        ...samples[0]!,
        boxes: [
          [...square, 0],
          [6, 6, 8, 8, 1],
        ],
      },
    ];
    const hit = await evaluateDataset(
      model,
      memoryDataset(boxed, ['bright', 'dark'], 'segmentation'),
      inferTask(model.graph),
      inputSpec(model.graph),
      { mapMethod: 'cam' },
    );
    expect(hit.localisation!.maxBoxAcc).toBe(1);
    model.dispose();
  });

  it("scores a multi-label classifier against each image's label set", async () => {
    const model = modelWith(KNOWN_CAM, [1, -1], [0, 0]);
    const box: [number, number, number, number] = [1, 2, 5, 6];
    const sets = [[0], [0, 1], [1]];
    const samples: Sample[] = sets.map((labels, index) => ({
      id: `images/${index}.png`,
      image: squareImage(box),
      height: 8,
      width: 8,
      label: labels[0]!,
      labels,
    }));
    const before = tf.memory().numTensors;
    const report = await evaluateDataset(
      model,
      memoryDataset(samples, ['bright', 'dark'], 'classification'),
      inferTask(model.graph),
      inputSpec(model.graph),
      { multiLabel: true, batchSize: 2 },
    );
    expect(tf.memory().numTensors).toBe(before);
    // Every image scores (0.25, −0.25): "bright" present, "dark" absent. Right: 2 + 1 + 0 of 6 decisions; image 0 entirely.
    // Both classes have all scores tied, 2 positives and 1 negative: AP 2/3.
    expect(report.multiLabel).toEqual({
      examples: 3,
      labelAccuracy: 0.5,
      exactMatch: 1 / 3,
      meanAP: expect.closeTo(2 / 3, 6),
      classes: [
        { averagePrecision: expect.closeTo(2 / 3, 6), positives: 2 },
        { averagePrecision: expect.closeTo(2 / 3, 6), positives: 2 },
      ],
    });
    const single = await evaluateDataset(
      model,
      memoryDataset(samples, ['bright', 'dark'], 'classification'),
      inferTask(model.graph),
      inputSpec(model.graph),
    );
    expect(single.multiLabel).toBeUndefined();
    model.dispose();
  });

  it('with multiLabel, scores the map of every class an image holds against the boxes of that class', async () => {
    const model = modelWith(KNOWN_CAM, [1, -1], [0, 0]);
    const square: [number, number, number, number] = [1, 2, 5, 6];
    // Class 0's map is the square (boxed exactly by its class-0 box); class 1's map lights the
    // background ring, one component whose box is the whole image: a hit against a class-1 box of
    // the whole image, a miss against the corner box.
    const sample = (index: number, classOneBox: [number, number, number, number]): Sample => ({
      id: `images/${index}.png`,
      image: squareImage(square),
      height: 8,
      width: 8,
      label: 0,
      labels: [0, 1],
      boxes: [
        [...square, 0],
        [...classOneBox, 1],
      ],
    });
    const samples = [sample(0, [0, 0, 8, 8]), sample(1, [6, 6, 8, 8]), { ...sample(2, [0, 0, 8, 8]), labels: [0] }];
    const score = (options: Parameters<typeof evaluateDataset>[4]) =>
      evaluateDataset(
        model,
        memoryDataset(samples, ['bright', 'dark'], 'classification'),
        inferTask(model.graph),
        inputSpec(model.graph),
        options,
      );
    const before = tf.memory().numTensors;
    const pairs = await score({ mapMethod: 'cam', multiLabel: true, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // Five (image, class) maps: three class-0 hits, the class-1 hit of image 0, the miss of image 1.
    expect(pairs.localisation!.images).toBe(5);
    expect(pairs.localisation!.maxBoxAccV2).toBeCloseTo(4 / 5, 12);
    // Without multiLabel, only each image's label (class 0) is scored.
    const labels = await score({ mapMethod: 'cam', batchSize: 2 });
    expect(labels.localisation!.images).toBe(3);
    expect(labels.localisation!.maxBoxAccV2).toBe(1);
    // Grad-CAM at the class map of a global-average head is ReLU(CAM) (weights 1/HW on the
    // class's channel): class 1's map, −1 on the square and 0 elsewhere, becomes flat and boxes
    // nothing, so both class-1 maps miss. The layer is passed to the explanation, where an
    // unknown name is refused.
    const gradcam = await score({ mapMethod: 'gradcam', multiLabel: true, batchSize: 2 });
    expect(gradcam.localisation!.images).toBe(5);
    expect(gradcam.localisation!.maxBoxAccV2).toBeCloseTo(3 / 5, 12);
    await expect(score({ mapMethod: 'gradcam', mapLayer: 'nowhere', batchSize: 2 })).rejects.toThrow(
      /no tensor named `nowhere`/,
    );
    model.dispose();
  });

  it('accumulates the segmentation confusion matrix over the set, leaving out ignored pixels', async () => {
    const model = modelWith(KNOWN_SEGMENTATION, [1, -1], [0, 0]);
    const image = Float32Array.from({ length: 16 * 3 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? 1 : -1));
    // Predicted: class 0 on even pixels, class 1 on odd ones.
    const mask = Uint8Array.from({ length: 16 }, (_, pixel) => (pixel < 4 ? 255 : pixel < 10 ? 0 : 1));
    const samples: Sample[] = [0, 1].map((index) => ({ id: `images/${index}.png`, image, height: 4, width: 4, mask }));
    const report = await evaluateDataset(
      model,
      memoryDataset(samples, ['even', 'odd'], 'segmentation'),
      inferTask(model.graph),
      inputSpec(model.graph),
    );
    // Pixels 4..9 are class 0 (4, 6, 8 right; 5, 7, 9 wrong); 10..15 class 1 (11, 13, 15 right).
    expect(report.confusion.toJSON().counts).toEqual([
      [6, 6],
      [6, 6],
    ]);
    expect(report.segmentation!.pixels).toBe(24);
    expect(report.segmentation!.meanIoU).toBeCloseTo(1 / 3, 12);
    model.dispose();
  });

  it('refuses a data set whose class count differs from the model', async () => {
    const model = modelWith(KNOWN_SEGMENTATION, [1, -1], [0, 0]);
    const dataset = memoryDataset([], ['a', 'b', 'c'], 'segmentation');
    await expect(evaluateDataset(model, dataset, inferTask(model.graph), inputSpec(model.graph))).rejects.toThrow(
      /predicts 2 classes but the data set memory has 3/,
    );
    model.dispose();
  });
});
