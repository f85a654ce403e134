/**
 * `segment` (src/web) takes the scores from the output that output-kind.ts calls per-pixel scores,
 * whatever order the model lists its outputs in, and refuses a classifier.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { segment } from '../../src/web/analyse.js';
import type { RgbImage } from '../../src/runtime/image.js';
import { compileGraph, randomModel } from '../explain/helpers.js';

const source = (outputs: string) =>
  `model M() {\n  input x: f32[1, 16, 16, 3]\n  let f = x -> conv(4, 3)\n${outputs}\n}\n`;

describe('segment', () => {
  it('reads the per-pixel scores, after a classifier output and before the labels', async () => {
    await tf.setBackend('cpu');
    const model = randomModel(
      compileGraph(source('  output c = f -> gap -> dense(5)\n  output s = f -> conv(3, 1)\n  output m = s -> argmax')),
    );
    const image = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as RgbImage;
    const before = tf.memory().numTensors;
    const result = await segment(model, image);
    expect(tf.memory().numTensors).toBe(before);
    const expected = model.predict(image);
    expect([result.height, result.width, result.classes]).toEqual([16, 16, 3]);
    expect(Array.from(result.logits)).toEqual(Array.from(expected.s!.dataSync()));
    expect(Array.from(result.mask)).toEqual(Array.from(expected.m!.dataSync()));
    tf.dispose([image, ...Object.values(expected)]);
    model.dispose();
  });

  it('refuses a model with no per-pixel scores', async () => {
    const model = randomModel(compileGraph(source('  output c = f -> gap -> dense(5)')));
    const image = tf.zeros([1, 16, 16, 3]) as RgbImage;
    await expect(segment(model, image)).rejects.toThrow(/has no 4-D class-score output/);
    image.dispose();
    model.dispose();
  });
});
