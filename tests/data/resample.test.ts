import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/data/random.js';
import { type Window, flipColumns, resizeWindow, sampleBilinear, sampleNearest } from '../../src/data/resample.js';

const TOLERANCE = 1e-5;

function randomImage(height: number, width: number, channels: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: height * width * channels }, () => random.next());
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index]! - b[index]!));
  return worst;
}

/** tfjs resize with half-pixel centres, cropped to the window and padded with `fill`, as the reference. */
function reference(
  data: Float32Array,
  height: number,
  width: number,
  channels: number,
  window: Window,
  mode: 'bilinear' | 'nearest',
  fill: number,
): Float32Array {
  return tf.tidy(() => {
    const image = tf.tensor3d(data, [height, width, channels]);
    const size: [number, number] = [window.scaledHeight, window.scaledWidth];
    const scaled =
      mode === 'bilinear'
        ? tf.image.resizeBilinear(image, size, false, true)
        : tf.image.resizeNearestNeighbor(image, size, false, true);
    const rows = Math.max(0, Math.min(window.height, window.scaledHeight - window.top));
    const columns = Math.max(0, Math.min(window.width, window.scaledWidth - window.left));
    const crop = tf.slice(scaled, [window.top, window.left, 0], [rows, columns, channels]);
    const padded = tf.pad(
      crop,
      [
        [0, window.height - rows],
        [0, window.width - columns],
        [0, 0],
      ],
      fill,
    );
    return padded.dataSync() as Float32Array;
  });
}

describe('resampling against tf.image with half-pixel centres', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [string, number, number, number, number][] = [
    ['upscale', 5, 7, 11, 16],
    ['downscale', 12, 9, 5, 4],
    ['mixed', 6, 10, 13, 3],
  ];
  it.each(cases)('%s resize', (_, height, width, outHeight, outWidth) => {
    const before = tf.memory().numTensors;
    const data = randomImage(height, width, 3, height * width);
    const window = resizeWindow(height, width, outHeight, outWidth);
    expect(
      maxDifference(
        sampleBilinear({ data, height, width, channels: 3 }, window),
        reference(data, height, width, 3, window, 'bilinear', 0),
      ),
    ).toBeLessThan(TOLERANCE);
    const mask = Uint8Array.from(data, (value) => Math.floor(value * 5));
    const expected = reference(Float32Array.from(mask), height, width, 3, window, 'nearest', 0);
    expect(Array.from(sampleNearest({ data: mask, height, width, channels: 3 }, window, 0))).toEqual(
      Array.from(expected),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scale-crop windows, including crops that run past the scaled image', () => {
    const before = tf.memory().numTensors;
    const data = randomImage(8, 6, 1, 99);
    const windows: Window[] = [
      { scaleY: 2, scaleX: 2, scaledHeight: 16, scaledWidth: 12, top: 3, left: 5, height: 7, width: 6 },
      { scaleY: 5 / 8, scaleX: 4 / 6, scaledHeight: 5, scaledWidth: 4, top: 0, left: 0, height: 7, width: 6 },
      { scaleY: 1.5, scaleX: 1.5, scaledHeight: 12, scaledWidth: 9, top: 8, left: 7, height: 6, width: 4 },
    ];
    for (const window of windows) {
      const raster = { data, height: 8, width: 6, channels: 1 };
      expect(
        maxDifference(sampleBilinear(raster, window, 0.25), reference(data, 8, 6, 1, window, 'bilinear', 0.25)),
      ).toBeLessThan(TOLERANCE);
      const mask = Uint8Array.from(data, (value) => Math.floor(value * 4));
      const nearest = sampleNearest({ ...raster, data: mask }, window, 255);
      expect(Array.from(nearest)).toEqual(
        Array.from(reference(Float32Array.from(mask), 8, 6, 1, window, 'nearest', 255)),
      );
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flips columns, and twice is the identity', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const raster = { data, height: 2, width: 3, channels: 2 };
    const flipped = flipColumns(raster);
    expect(Array.from(flipped)).toEqual([5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8]);
    expect(Array.from(flipColumns({ ...raster, data: flipped }))).toEqual(Array.from(data));
  });
});
