/**
 * `explain` and `featureMaps` as callers meet them: every method leaves no tensor behind, maps
 * are [N, H, W] in [0, 1] at the input size, the caller's image survives, and every bad
 * request is a diagnostic with its code, checked before any gradient is taken, leaking nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, type ExplainOptions } from '../../src/explain/explain.js';
import { featureMaps } from '../../src/explain/features.js';
import { EXPLAIN_METHODS } from '../../src/explain/request.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import type { SegModel } from '../../src/runtime/model.js';
import { codeOf, exampleGraph, randomModel, seededInput, values, withoutLeaks } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

async function expectGoodMap(model: SegModel, image: tf.Tensor4D, options: ExplainOptions): Promise<void> {
  const result = await explain(model, image, options);
  const [count, height, width] = image.shape;
  expect(result.map.shape).toEqual([count, height, width]);
  expect(result.classIndex).toHaveLength(count);
  const data = values(result.map);
  expect(data.every((v) => v >= 0 && v <= 1)).toBe(true);
  tf.dispose([result.map, result.raw]);
}

describe('ACoL model: every method', () => {
  let model: SegModel;
  let image: tf.Tensor4D;
  beforeAll(() => {
    model = randomModel(exampleGraph('examples/acol.seg'), 21);
    image = seededInput([2, 64, 64, 1], 22);
  });
  afterAll(() => {
    model.dispose();
    image.dispose();
  });

  it.each(EXPLAIN_METHODS)('%s leaks nothing and gives [N, H, W] maps in [0, 1]', (method) =>
    withoutLeaks(() => expectGoodMap(model, image, { method })),
  );

  it.each(['logitsB', 'fused'])('Grad-CAM and CAM on the output %s', (output) =>
    withoutLeaks(async () => {
      await expectGoodMap(model, image, { method: 'gradcam', output });
      await expectGoodMap(model, image, { method: 'cam', output, order: 'normalize-first' });
    }),
  );

  it('feature maps of a named tensor and of the default target, each channel in [0, 1]', () =>
    withoutLeaks(() => {
      const named = featureMaps(model, image, 'erased');
      expect(named.target).toBe('erased/erase');
      expect(named.maps.shape).toEqual([2, 16, 16, 64]);
      const fallback = featureMaps(model, image);
      expect(fallback.target).toBe('mapA/conv_1');
      expect(values(fallback.maps).every((v) => v >= 0 && v <= 1)).toBe(true);
      tf.dispose([named.maps, fallback.maps]);
    }));

  const failures: [string, string, ExplainOptions][] = [
    ['an unknown method', 'E0907', { method: 'gradcm' as 'gradcam' }],
    ['an unknown order', 'E0907', { method: 'cam', order: 'sideways' as 'normalize-first' }],
    ['an unknown output', 'E0901', { method: 'cam', output: 'logitsC' }],
    ['an unknown target', 'E0903', { method: 'gradcam', target: 'mapC' }],
    ['a 2-D target', 'E0903', { method: 'gradcam', target: 'logitsA' }],
    ['a target the score does not depend on', 'E0903', { method: 'gradcam', output: 'logitsA', target: 'mapB' }],
    ['a class out of range', 'E0904', { method: 'gradcam', classIndex: 10 }],
    ['a fractional class', 'E0904', { method: 'cam', classIndex: 1.5 }],
    ['one class for two images', 'E0904', { method: 'cam', classIndex: [1] }],
    ['a region on a classification', 'E0906', { method: 'gradcam', region: { box: [0, 0, 4, 4] } }],
  ];
  it.each(failures)('%s is a diagnostic %s, leaking nothing', (_what, code, options) =>
    withoutLeaks(async () => {
      expect(await codeOf(() => explain(model, image, options))).toBe(code);
    }),
  );

  it("an input of the wrong size is the runtime's diagnostic, leaking nothing", () =>
    withoutLeaks(async () => {
      const wrong = seededInput([1, 32, 32, 1], 1);
      expect(await codeOf(() => explain(model, wrong, { method: 'gradcampp' }))).toBe('E0422');
      wrong.dispose();
    }));

  it('features of a tensor without channels is a diagnostic', () =>
    withoutLeaks(async () => {
      expect(await codeOf(() => featureMaps(model, image, 'logitsA'))).toBe('E0903');
    }));
});

describe('segmentation (examples/aspp.seg) and GAP → dense (examples/gap_cam.seg)', () => {
  let aspp: SegModel;
  let gapCam: SegModel;
  let image: tf.Tensor4D;
  beforeAll(() => {
    aspp = randomModel(exampleGraph('examples/aspp.seg'), 31);
    gapCam = randomModel(exampleGraph('examples/gap_cam.seg'), 32);
    image = seededInput([1, 24, 32, 3], 33);
  });
  afterAll(() => {
    aspp.dispose();
    gapCam.dispose();
    image.dispose();
  });

  it.each(['gradcam', 'gradcampp', 'layercam'] as const)('%s with the default region, a box and a mask', (method) =>
    withoutLeaks(async () => {
      await expectGoodMap(aspp, image, { method });
      await expectGoodMap(aspp, image, { method, classIndex: 1, region: { box: [4, 2, 20, 18] } });
      const mask = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([24, 32], 0, 1, 'float32', 3), 0.5), 'float32'));
      await expectGoodMap(aspp, image, { method, classIndex: 3, region: { mask } });
      mask.dispose();
    }),
  );

  it.each([
    ['CAM without GAP → dense or a class map', 'E0905', { method: 'cam' }],
    ['ACoL without two class-map branches', 'E0905', { method: 'acol' }],
    ['the argmax output', 'E0901', { method: 'gradcam', output: 'mask' }],
    ['a box outside the output', 'E0906', { method: 'gradcam', region: { box: [0, 0, 33, 10] } }],
    ['an empty box', 'E0906', { method: 'gradcam', region: { box: [5, 5, 5, 9] } }],
  ] as [string, string, ExplainOptions][])('%s is a diagnostic %s, leaking nothing', (_what, code, options) =>
    withoutLeaks(async () => {
      expect(await codeOf(() => explain(aspp, image, options))).toBe(code);
    }),
  );

  it('a mask of the wrong size is a diagnostic (E0906), leaking nothing', () =>
    withoutLeaks(async () => {
      const mask = tf.ones([24, 30]);
      expect(await codeOf(() => explain(aspp, image, { method: 'layercam', region: { mask } }))).toBe('E0906');
      mask.dispose();
    }));

  it("the model input itself may be the target, and the caller's image is not disposed", () =>
    withoutLeaks(async () => {
      const digits = seededInput([1, 28, 28, 1], 35);
      await expectGoodMap(gapCam, digits, { method: 'gradcam', target: 'image' });
      expect(digits.isDisposed).toBe(false);
      const features = featureMaps(gapCam, digits, 'image');
      features.maps.dispose();
      expect(digits.isDisposed).toBe(false);
      digits.dispose();
    }));

  it('ACoL on a model without it, and every method on GAP → dense', () =>
    withoutLeaks(async () => {
      const digits = seededInput([2, 28, 28, 1], 34);
      expect(await codeOf(() => explain(gapCam, digits, { method: 'acol' }))).toBe('E0905');
      for (const method of ['cam', 'gradcam', 'gradcampp', 'layercam'] as const)
        await expectGoodMap(gapCam, digits, { method, output: 'probabilities' });
      digits.dispose();
    }));
});
