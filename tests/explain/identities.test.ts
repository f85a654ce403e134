/**
 * Mathematical identities the methods must satisfy on random weights (cpu): Grad-CAM against
 * CAM on a GAP → dense head, CAM against the class channel of a NIN head and against the
 * logits of the folded inference graph, LayerCAM against Grad-CAM where gradients are constant
 * and non-negative, and Grad-CAM's gradients and weights against finite differences of the
 * score, perturbing single elements of the target through `substitute`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveExplanations } from '../../src/ir/analysis/explanations/derive.js';
import { explain, targetGradient } from '../../src/explain/explain.js';
import { gradCamWeights } from '../../src/explain/methods/grad-cam.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import type { SegModel } from '../../src/runtime/model.js';
import {
  compileGraph,
  exampleGraph,
  randomModel,
  relativeError,
  seededInput,
  values,
  withoutLeaks,
} from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

const nodeId = (model: SegModel, name: string) => model.graph.nodes.find((n) => n.name === name)!.id;

/** The inference graph caches its folded batch-norm weights on first use; that is not a leak. */
function warmUp(model: SegModel, image: tf.Tensor): void {
  tf.dispose(Object.values(model.predict(image)));
}

/** Spatial mean of each image's [N, h, w] map. */
function imageMeans(map: tf.Tensor3D): number[] {
  const [count, height, width] = map.shape;
  const data = values(map);
  return Array.from(
    { length: count },
    (_, n) => data.slice(n * height * width, (n + 1) * height * width).reduce((a, b) => a + b, 0) / (height * width),
  );
}

describe('GAP → dense head (examples/gap_cam.seg)', () => {
  let model: SegModel;
  let image: tf.Tensor4D;
  beforeAll(() => {
    model = randomModel(exampleGraph('examples/gap_cam.seg'), 3);
    image = seededInput([2, 28, 28, 1], 5);
    warmUp(model, image);
  });
  afterAll(() => {
    model.dispose();
    image.dispose();
  });

  it('Grad-CAM on the pooled features equals ReLU(CAM) / (H·W), raw maps, 1e-5 relative', () =>
    withoutLeaks(async () => {
      const cam = await explain(model, image, { method: 'cam', classIndex: [2, 7] });
      const gradCam = await explain(model, image, { method: 'gradcam', classIndex: [2, 7] });
      expect(gradCam.target).toBe('features/relu_3');
      expect(cam.target).toBe(gradCam.target);
      const expected = tf.tidy(() => tf.div(tf.relu(cam.raw), 7 * 7));
      expect(relativeError(values(gradCam.raw), values(expected))).toBeLessThan(1e-5);
      tf.dispose([cam.map, cam.raw, gradCam.map, gradCam.raw, expected]);
    }));

  it('the spatial mean of CAM_c plus the bias b_c is logit c of the folded inference graph', () =>
    withoutLeaks(async () => {
      const cam = await explain(model, image, { method: 'cam', classIndex: [4, 9] });
      const outputs = model.predict(image);
      const logits = outputs.logits!;
      const bias = values(model.weights.get('logits/gap_head/dense/bias')!);
      const scores = values(logits);
      const expected = [scores[0 * 10 + 4]! - bias[4]!, scores[1 * 10 + 9]! - bias[9]!];
      expect(relativeError(imageMeans(cam.raw), expected)).toBeLessThan(1e-4);
      tf.dispose([cam.map, cam.raw, ...Object.values(outputs)]);
    }));

  it('LayerCAM equals Grad-CAM when the gradient is spatially constant and non-negative, and differs otherwise', () =>
    withoutLeaks(async () => {
      // dense(gap(f)): ∂y_c/∂f_k(x, y) = w[k, c] / (H·W), constant in (x, y); |w| makes it non-negative.
      const positive = randomModel(exampleGraph('examples/gap_cam.seg'), 3);
      const kernel = positive.weights.get('logits/gap_head/dense/kernel')!;
      tf.tidy(() => kernel.assign(tf.abs(kernel)));
      const options = { classIndex: [1, 5], target: 'features' } as const;
      const layer = await explain(positive, image, { method: 'layercam', ...options });
      const grad = await explain(positive, image, { method: 'gradcam', ...options });
      expect(relativeError(values(layer.raw), values(grad.raw))).toBeLessThan(1e-5);
      const signedLayer = await explain(model, image, { method: 'layercam', ...options });
      const signedGrad = await explain(model, image, { method: 'gradcam', ...options });
      expect(relativeError(values(signedLayer.raw), values(signedGrad.raw))).toBeGreaterThan(1e-2);
      positive.dispose();
      tf.dispose([
        layer.map,
        layer.raw,
        grad.map,
        grad.raw,
        signedLayer.map,
        signedLayer.raw,
        signedGrad.map,
        signedGrad.raw,
      ]);
    }));
});

describe('NIN head (examples/nin.seg)', () => {
  let model: SegModel;
  let image: tf.Tensor4D;
  beforeAll(() => {
    model = randomModel(exampleGraph('examples/nin.seg'), 4);
    image = seededInput([2, 28, 28, 1], 6);
    warmUp(model, image);
  });
  afterAll(() => {
    model.dispose();
    image.dispose();
  });

  it('CAM is the class channel of the @classmap tensor, read with a plain loop', () =>
    withoutLeaks(async () => {
      const classes = [3, 8];
      const cam = await explain(model, image, { method: 'cam', classIndex: classes });
      const mapId = nodeId(model, 'logits/nin_head/conv');
      const kept = tf.tidy(() => tf.clone(model.run(image, { keep: [mapId] }).kept.get(mapId)!));
      const [count, height, width, channels] = kept.shape as [number, number, number, number];
      const data = values(kept);
      const expected = new Float32Array(count * height * width);
      for (let n = 0; n < count; n++)
        for (let p = 0; p < height * width; p++)
          expected[n * height * width + p] = data[(n * height * width + p) * channels + classes[n]!]!;
      expect(cam.raw.shape).toEqual([count, height, width]);
      expect(relativeError(values(cam.raw), expected)).toBeLessThan(1e-6);
      tf.dispose([cam.map, cam.raw, kept]);
    }));

  it('the spatial mean of the CAM is the logit of the folded inference graph; the default class is the top logit', () =>
    withoutLeaks(async () => {
      const cam = await explain(model, image, { method: 'cam' });
      const outputs = model.predict(image);
      const scores = values(outputs.logits!);
      const top = [0, 1].map((n) =>
        scores.slice(n * 10, n * 10 + 10).reduce((best, v, i, row) => (v > row[best]! ? i : best), 0),
      );
      expect(cam.classIndex).toEqual(top);
      expect(
        relativeError(
          imageMeans(cam.raw),
          top.map((c, n) => scores[n * 10 + c]!),
        ),
      ).toBeLessThan(1e-4);
      tf.dispose([cam.map, cam.raw, ...Object.values(outputs)]);
    }));
});

/**
 * A tiny classifier whose target is read by a ReLU, so the gradient varies over positions; the
 * only kink after the target is that ReLU's, which the finite differences step around.
 */
const TINY_CLASSIFIER = `
model Tiny(classes: int = 3) {
  input image: f32[N, 6, 6, 2]
  let hidden = image -> conv(4, 3) -> relu
  let target = hidden -> conv(3, 3)
  output logits = target -> relu -> conv(5, 1) -> gap -> dense(classes)
}`;

/** A tiny segmentation model: stride 2, then bilinear upsampling back to the input size. */
const TINY_SEGMENTER = `
model TinySeg(classes: int = 3) {
  input image: f32[N, 8, 8, 2]
  let hidden = image -> conv(4, 3, stride: 2) -> relu
  let target = hidden -> conv(4, 3)
  output logits = target -> relu -> conv(classes, 1) -> upsample(like: image, mode: bilinear)
}`;

/**
 * ∂(Σ selector ⊙ score)/∂A by finite differences, one element of A at a time, through
 * `substitute`. The networks are piecewise linear, so a difference inside one linear piece is
 * exact: central differences, except that an element within ε of the kink of the ReLU that
 * reads A steps only away from the kink.
 */
function finiteDifferences(
  model: SegModel,
  image: tf.Tensor,
  target: number,
  activation: tf.Tensor,
  score: number,
  selector: tf.Tensor,
  epsilon: number,
): Float32Array {
  const base = values(activation);
  const scoreAt = (index: number, step: number) =>
    tf.tidy(() => {
      const shifted = Float32Array.from(base);
      shifted[index]! += step;
      const { kept } = model.run(image, {
        keep: [score],
        substitute: new Map([[target, tf.tensor(shifted, activation.shape)]]),
      });
      return tf.sum(tf.mul(kept.get(score)!, selector)).dataSync()[0]!;
    });
  return Float32Array.from(base, (value, index) => {
    if (Math.abs(value) >= epsilon) return (scoreAt(index, epsilon) - scoreAt(index, -epsilon)) / (2 * epsilon);
    const step = value >= 0 ? epsilon : -epsilon;
    return (scoreAt(index, step) - scoreAt(index, 0)) / step;
  });
}

/** ReLU(Σ_k α_k A_k) and α (spatial means of the gradient), with plain loops. */
function referenceGradCam(activation: Float32Array, gradient: Float32Array, shape: readonly number[]) {
  const [, height, width, channels] = shape as [number, number, number, number];
  const alpha = new Float32Array(channels);
  for (let index = 0; index < gradient.length; index++) alpha[index % channels]! += gradient[index]! / (height * width);
  const map = new Float32Array(height * width);
  for (let index = 0; index < activation.length; index++)
    map[Math.floor(index / channels)]! += alpha[index % channels]! * activation[index]!;
  return { alpha, map: map.map((v) => Math.max(v, 0)) };
}

describe('Grad-CAM against finite differences of the score', () => {
  it('classification: every ∂y_c/∂A element, the weights α and the map', () =>
    withoutLeaks(async () => {
      const model = randomModel(compileGraph(TINY_CLASSIFIER), 7);
      const image = seededInput([1, 6, 6, 2], 8);
      const plan = deriveExplanations(model.graph)[0]!;
      const target = nodeId(model, 'target/conv');
      const activation = tf.tidy(() => tf.clone(model.run(image, { keep: [target] }).kept.get(target)!));
      const selector = tf.tidy(() => tf.oneHot(tf.tensor1d([1], 'int32'), 3));
      const gradient = targetGradient(model, image, target, activation, plan.score, selector);
      const numeric = finiteDifferences(model, image, target, activation, plan.score, selector, 1e-2);
      expect(relativeError(values(gradient), numeric)).toBeLessThan(2e-3);
      const reference = referenceGradCam(values(activation), numeric, activation.shape);
      const alpha = gradCamWeights(gradient as tf.Tensor4D);
      expect(relativeError(values(alpha), reference.alpha)).toBeLessThan(2e-3);
      const result = await explain(model, image, { method: 'gradcam', target: 'target', classIndex: 1 });
      expect(result.target).toBe('target/conv');
      expect(relativeError(values(result.raw), reference.map)).toBeLessThan(2e-3);
      model.dispose();
      tf.dispose([image, activation, selector, gradient, alpha, result.map, result.raw]);
    }));

  it('segmentation: the region score Σ over the pixels predicted as c, and over a box', () =>
    withoutLeaks(async () => {
      const model = randomModel(compileGraph(TINY_SEGMENTER), 9);
      const image = seededInput([1, 8, 8, 2], 10);
      const plan = deriveExplanations(model.graph)[0]!;
      const target = nodeId(model, 'target/conv');
      const [activation, logits] = tf.tidy(() => {
        const { kept } = model.run(image, { keep: [target, plan.score] });
        return [tf.clone(kept.get(target)!), tf.clone(kept.get(plan.score)!)];
      });
      const classIndex = 2;
      const scores = values(logits!);
      const predictedMask = Array.from({ length: 64 }, (_, p) => {
        const row = scores.slice(p * 3, p * 3 + 3);
        return row.indexOf(Math.max(...row)) === classIndex ? 1 : 0;
      });
      const anyPredicted = predictedMask.some((v) => v === 1);
      const boxMask = Array.from({ length: 64 }, (_, p) =>
        p % 8 >= 1 && p % 8 < 5 && Math.floor(p / 8) >= 2 && Math.floor(p / 8) < 7 ? 1 : 0,
      );
      const cases = [
        { mask: anyPredicted ? predictedMask : predictedMask.map(() => 1), region: undefined },
        { mask: boxMask, region: { box: [1, 2, 5, 7] as const } },
      ];
      for (const { mask, region } of cases) {
        const selector = tf.tensor4d(
          mask.flatMap((m) => [0, 1, 2].map((c) => (c === classIndex ? m : 0))),
          [1, 8, 8, 3],
        );
        const numeric = finiteDifferences(model, image, target, activation!, plan.score, selector, 1e-2);
        const reference = referenceGradCam(values(activation!), numeric, activation!.shape);
        const result = await explain(model, image, {
          method: 'gradcam',
          target: 'target',
          classIndex,
          ...(region ? { region } : {}),
        });
        expect(relativeError(values(result.raw), reference.map)).toBeLessThan(2e-3);
        expect(result.map.shape).toEqual([1, 8, 8]);
        tf.dispose([selector, result.map, result.raw]);
      }
      model.dispose();
      tf.dispose([image, activation!, logits!]);
    }));
});
