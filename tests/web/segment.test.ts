/**
 * `segment` (src/web) takes the scores from the output that output-kind.ts calls per-pixel scores,
 * whatever order the model lists its outputs in, and refuses a classifier; the image becomes the
 * tensor the model's input declares (`@preprocess`), checked against the arithmetic done by hand.
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

  it('feeds the model the tensor its input declares: BGR, mean and std', async () => {
    await tf.setBackend('cpu');
    const declared = '@preprocess(order: "bgr", scale: 1, mean: [100, 110, 120], std: [50, 55, 60])';
    const model = randomModel(
      compileGraph(`model M() {\n  input x: f32[1, 2, 2, 3] ${declared}\n  output s = x -> relu\n}\n`),
    );
    const bytes = [10, 200, 30, 250, 140, 60, 90, 180, 255, 0, 120, 220];
    const image = tf.tensor4d(
      bytes.map((b) => b / 255),
      [1, 2, 2, 3],
    ) as RgbImage;
    const before = tf.memory().numTensors;
    const result = await segment(model, image);
    expect(tf.memory().numTensors).toBe(before);
    const expected = bytes.map((_, index) => {
      const [pixel, channel] = [Math.floor(index / 3), index % 3];
      const value = bytes[pixel * 3 + (2 - channel)]!;
      return Math.max(0, (value - [100, 110, 120][channel]!) / [50, 55, 60][channel]!);
    });
    Array.from(result.logits).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
    image.dispose();
    model.dispose();
  });
});
