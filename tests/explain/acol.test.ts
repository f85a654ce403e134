/**
 * ACoL end to end on examples/acol.seg with random weights: the `erase` op against a plain-loop
 * statement of the paper's rule, the fused inference map against plain loops, and the
 * two-branch loss against plain loops, tfjs's own cross-entropy and its known gradient. Then
 * examples/train/acol_canvas.seg, whose class maps pass a ReLU: what it is built for (8-pixel
 * windows, maps that are never negative) and that erasing and the fused map read those maps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acolLoss } from '../../src/explain/acol.js';
import { receptiveFields } from '../../src/ir/analysis/receptive-field.js';
import { explain } from '../../src/explain/explain.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import type { SegModel } from '../../src/runtime/model.js';
import { codeOf, exampleGraph, randomModel, relativeError, seededInput, values, withoutLeaks } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

const DELTA = 0.6;

interface Planes {
  readonly data: Float32Array;
  readonly count: number;
  readonly pixels: number;
  readonly channels: number;
}

const planes = (tensor: tf.Tensor): Planes => {
  const [count, height, width, channels] = tensor.shape as [number, number, number, number];
  return { data: values(tensor), count, pixels: height * width, channels };
};

/** Channel `c` of image `n`, min-max normalised (a flat map becomes 0). */
function normalisedChannel(maps: Planes, n: number, c: number): Float32Array {
  const channel = Float32Array.from(
    { length: maps.pixels },
    (_, p) => maps.data[(n * maps.pixels + p) * maps.channels + c]!,
  );
  const low = Math.min(...channel);
  const range = Math.max(...channel) - low;
  return channel.map((v) => (range > 0 ? (v - low) / range : 0));
}

function meanArgmax(maps: Planes, n: number): number {
  const sums = new Array<number>(maps.channels).fill(0);
  for (let p = 0; p < maps.pixels; p++)
    for (let c = 0; c < maps.channels; c++) sums[c]! += maps.data[(n * maps.pixels + p) * maps.channels + c]!;
  return sums.indexOf(Math.max(...sums));
}

/** The paper's rule: zero the features wherever the normalised map of the class is ≥ δ. */
function erasedReference(features: Planes, mapA: Planes, classes: readonly number[]): Float32Array {
  const out = Float32Array.from(features.data);
  for (let n = 0; n < features.count; n++) {
    const normalised = normalisedChannel(mapA, n, classes[n]!);
    for (let p = 0; p < features.pixels; p++) {
      if (normalised[p]! >= DELTA)
        for (let k = 0; k < features.channels; k++) out[(n * features.pixels + p) * features.channels + k] = 0;
    }
  }
  return out;
}

describe('ACoL (examples/acol.seg)', () => {
  let model: SegModel;
  let image: tf.Tensor4D;
  const id = (name: string) => model.graph.nodes.find((n) => n.name === name)!.id;
  beforeAll(() => {
    model = randomModel(exampleGraph('examples/acol.seg'), 11);
    image = seededInput([2, 64, 64, 1], 12);
  });
  afterAll(() => {
    model.dispose();
    image.dispose();
  });

  it("erase zeroes the shared features where branch A's normalised map of the predicted class is ≥ 0.6", () =>
    withoutLeaks(() => {
      expect(model.graph.nodes[id('erased/erase')]!.attrs.threshold).toBe(DELTA);
      const kept = tf.tidy(() => {
        const run = model.run(image, { keep: [id('features/relu_2'), id('mapA/conv_1'), id('erased/erase')] });
        return [...run.kept.values()].map((t) => tf.clone(t));
      });
      const [features, mapA, erased] = kept.map(planes) as [Planes, Planes, Planes];
      const classes = [0, 1].map((n) => meanArgmax(mapA, n));
      const expected = erasedReference(features, mapA, classes);
      expect(relativeError(erased.data, expected)).toBeLessThan(1e-6);
      const zeroedPositions = expected.filter((v, i) => v === 0 && features.data[i] !== 0).length;
      expect(zeroedPositions).toBeGreaterThan(0);
      tf.dispose(kept);
    }));

  it('in training, erase reads the target class instead of the prediction', () =>
    withoutLeaks(() => {
      const targets = [7, 3];
      const kept = tf.tidy(() => {
        const run = model.run(image, {
          training: true,
          targetClasses: tf.tensor1d(targets, 'int32'),
          updateState: (_weight, value) => value.dispose(),
          keep: [id('features/relu_2'), id('mapA/conv_1'), id('erased/erase')],
        });
        return [...run.kept.values()].map((t) => tf.clone(t));
      });
      const [features, mapA, erased] = kept.map(planes) as [Planes, Planes, Planes];
      expect(relativeError(erased.data, erasedReference(features, mapA, targets))).toBeLessThan(1e-6);
      tf.dispose(kept);
    }));

  it("the fused map is the maximum of both branches' normalised class maps", () =>
    withoutLeaks(async () => {
      const result = await explain(model, image, { method: 'acol', classIndex: [2, 5] });
      expect(result.target).toBe('mapA/conv_1 + mapB/conv_1');
      const kept = tf.tidy(() =>
        [id('mapA/conv_1'), id('mapB/conv_1')].map((node) =>
          tf.clone(model.run(image, { keep: [node] }).kept.get(node)!),
        ),
      );
      const [mapA, mapB] = kept.map(planes) as [Planes, Planes];
      const expected = [2, 5].flatMap((c, n) => {
        const a = normalisedChannel(mapA, n, c);
        const b = normalisedChannel(mapB, n, c);
        return Array.from(a, (v, p) => Math.max(v, b[p]!));
      });
      expect(result.raw.shape).toEqual([2, 16, 16]);
      expect(relativeError(values(result.raw), expected)).toBeLessThan(1e-6);
      expect(result.map.shape).toEqual([2, 64, 64]);
      tf.dispose([result.map, result.raw, ...kept]);
    }));

  it("without a class, the fused map explains branch A's prediction (the class erasing used)", () =>
    withoutLeaks(async () => {
      const result = await explain(model, image, { method: 'acol' });
      const mapA = tf.tidy(() =>
        tf.clone(model.run(image, { keep: [id('mapA/conv_1')] }).kept.get(id('mapA/conv_1'))!),
      );
      expect(result.output).toBe('logitsA');
      expect(result.classIndex).toEqual([0, 1].map((n) => meanArgmax(planes(mapA), n)));
      tf.dispose([result.map, result.raw, mapA]);
    }));

  it("the fused output, explained without a class, takes branch A's prediction, not the class winning most pixels", () =>
    withoutLeaks(async () => {
      const skewed = randomModel(exampleGraph('examples/acol.seg'), 11);
      try {
        const mapAId = id('mapA/conv_1');
        const mapA = tf.tidy(() => tf.clone(skewed.run(image, { keep: [mapAId] }).kept.get(mapAId)!));
        const branchA = [0, 1].map((n) => meanArgmax(planes(mapA), n));
        // Branch B's bias for a class that branch A predicts for neither image is raised, so that
        // class wins every pixel of the fused map: the segmentation rule would pick it.
        const loud = [...Array(10).keys()].find((c) => !branchA.includes(c))!;
        const bias = skewed.graph.nodes[id('mapB/conv_1')]!.weights.find((w) => w.role === 'bias')!.name;
        const variable = skewed.weights.get(bias)!;
        const raised = tf.tidy(() =>
          tf.add(variable, tf.tensor1d(Array.from({ length: 10 }, (_, c) => (c === loud ? 1000 : 0)))),
        );
        variable.assign(raised);
        raised.dispose();
        const fused = tf.tidy(() => tf.clone(skewed.predict(image).fused!));
        const pixelWinners = tf.tidy(() => tf.argMax(fused, -1));
        expect(new Set(values(pixelWinners))).toEqual(new Set([loud]));
        const viaFused = await explain(skewed, image, { method: 'cam', output: 'fused' });
        const viaAcol = await explain(skewed, image, { method: 'acol' });
        expect(viaFused.output).toBe('fused');
        expect(viaFused.classIndex).toEqual(branchA);
        expect(viaAcol.classIndex).toEqual(branchA);
        tf.dispose([mapA, fused, pixelWinners, viaFused.map, viaFused.raw, viaAcol.map, viaAcol.raw]);
      } finally {
        skewed.dispose();
      }
    }));
});

describe('ACoLCanvas (examples/train/acol_canvas.seg)', () => {
  let model: SegModel;
  let image: tf.Tensor4D;
  const id = (name: string) => model.graph.nodes.find((n) => n.name === name)!.id;
  beforeAll(() => {
    model = randomModel(exampleGraph('examples/train/acol_canvas.seg'), 21);
    image = seededInput([2, 64, 64, 1], 22);
  });
  afterAll(() => {
    model.dispose();
    image.dispose();
  });

  it('its class maps see 8×8-pixel windows at stride 2, against 26 at stride 4 for the first ACoL', () => {
    const field = (graph: SegModel['graph'], name: string) =>
      receptiveFields(graph)[graph.nodes.find((n) => n.name === name)!.id]!;
    expect(field(model.graph, 'mapA/relu_1')).toEqual({ receptiveField: 8, outputStride: 2 });
    expect(field(exampleGraph('examples/acol.seg').graph, 'mapA/conv_1')).toEqual({
      receptiveField: 26,
      outputStride: 4,
    });
  });

  it('erasing and the fused map read the class maps after their ReLU, which are never negative', () =>
    withoutLeaks(async () => {
      const nodes = [
        id('features/relu_2'),
        id('mapA/conv_1'),
        id('mapA/relu_1'),
        id('mapB/relu_1'),
        id('erased/erase'),
      ];
      const kept = tf.tidy(() => {
        const run = model.run(image, { keep: nodes });
        return nodes.map((node) => tf.clone(run.kept.get(node)!));
      });
      const [features, beforeRelu, mapA, mapB, erased] = kept.map(planes) as [Planes, Planes, Planes, Planes, Planes];
      // The random weights give the class maps negative values before the ReLU: the ReLU is not idle.
      expect(Math.min(...beforeRelu.data)).toBeLessThan(0);
      expect(Math.min(...mapA.data, ...mapB.data)).toBe(0);
      const classes = [0, 1].map((n) => meanArgmax(mapA, n));
      expect(relativeError(erased.data, erasedReference(features, mapA, classes))).toBeLessThan(1e-6);

      const result = await explain(model, image, { method: 'acol', classIndex: [3, 8] });
      expect(result.target).toBe('mapA/relu_1 + mapB/relu_1');
      expect(result.raw.shape).toEqual([2, 32, 32]);
      const expected = [3, 8].flatMap((c, n) => {
        const a = normalisedChannel(mapA, n, c);
        const b = normalisedChannel(mapB, n, c);
        return Array.from(a, (v, p) => Math.max(v, b[p]!));
      });
      expect(relativeError(values(result.raw), expected)).toBeLessThan(1e-6);
      tf.dispose([result.map, result.raw, ...kept]);
    }));
});

describe('acolLoss', () => {
  const logitsA = [
    [1.5, -0.5, 0.25],
    [0.1, 2.0, -1.0],
  ];
  const logitsB = [
    [-0.3, 0.8, 0.0],
    [1.2, -0.7, 0.4],
  ];
  const labels = [2, 1];

  /** Mean over rows of log Σ exp(z) − z_y, in double precision. */
  const crossEntropy = (rows: number[][]) =>
    rows.reduce((sum, row, n) => sum + Math.log(row.reduce((s, z) => s + Math.exp(z), 0)) - row[labels[n]!]!, 0) /
    rows.length;

  it('is CE(A) + CE(B), from class indices or one-hot labels, and agrees with tf.losses.softmaxCrossEntropy', () =>
    withoutLeaks(() => {
      const [a, b] = [tf.tensor2d(logitsA), tf.tensor2d(logitsB)];
      const indices = tf.tensor1d(labels, 'int32');
      const oneHot = tf.tidy(() => tf.oneHot(indices, 3));
      const fromIndices = acolLoss(a, b, indices);
      const fromOneHot = acolLoss(a, b, oneHot);
      const tfjs = tf.tidy(() =>
        tf.add(tf.losses.softmaxCrossEntropy(oneHot, a), tf.losses.softmaxCrossEntropy(oneHot, b)),
      );
      const expected = crossEntropy(logitsA) + crossEntropy(logitsB);
      expect(fromIndices.dataSync()[0]).toBeCloseTo(expected, 5);
      expect(fromOneHot.dataSync()[0]).toBeCloseTo(expected, 5);
      expect(tfjs.dataSync()[0]).toBeCloseTo(expected, 5);
      tf.dispose([a, b, indices, oneHot, fromIndices, fromOneHot, tfjs]);
    }));

  it("has gradient (softmax(z) − y) / N in each branch's logits", () =>
    withoutLeaks(() => {
      const [a, b] = [tf.tensor2d(logitsA), tf.tensor2d(logitsB)];
      const indices = tf.tensor1d(labels, 'int32');
      const [gradientA, gradientB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => acolLoss(x, y, indices))([a, b]);
      const expected = (rows: number[][]) =>
        rows.flatMap((row, n) => {
          const total = row.reduce((s, z) => s + Math.exp(z), 0);
          return row.map((z, c) => (Math.exp(z) / total - (c === labels[n] ? 1 : 0)) / rows.length);
        });
      expect(relativeError(values(gradientA!), expected(logitsA))).toBeLessThan(1e-5);
      expect(relativeError(values(gradientB!), expected(logitsB))).toBeLessThan(1e-5);
      tf.dispose([a, b, indices, gradientA!, gradientB!]);
    }));

  it('rejects logits and labels that do not fit with E0908, leaking nothing', () =>
    withoutLeaks(async () => {
      const [a, b] = [tf.zeros([2, 3]), tf.zeros([2, 4])];
      const [rightLabels, wrongLabels] = [tf.zeros([2], 'int32'), tf.zeros([3], 'int32')];
      expect(await codeOf(() => acolLoss(a, b, rightLabels))).toBe('E0908');
      expect(await codeOf(() => acolLoss(a, a, wrongLabels))).toBe('E0908');
      tf.dispose([a, b, rightLabels, wrongLabels]);
    }));
});
