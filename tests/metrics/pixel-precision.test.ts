import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PixelPrecision, averagePrecisionSorted, pixelAveragePrecision } from '../../src/metrics/index.js';

/**
 * Straight from the definition: every distinct score is a threshold (score ≥ t predicts
 * foreground); walking them from the highest down, AP = Σ (R_n − R_{n−1}) P_n.
 */
function bruteForceAP(scores: readonly number[], truth: readonly number[]): number {
  const positives = truth.filter((t) => t === 1).length;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let previousRecall = 0;
  let sum = 0;
  for (const threshold of thresholds) {
    let truePositives = 0;
    let predicted = 0;
    scores.forEach((score, index) => {
      if (score < threshold) return;
      predicted += 1;
      if (truth[index] === 1) truePositives += 1;
    });
    const recall = truePositives / positives;
    sum += (recall - previousRecall) * (truePositives / predicted);
    previousRecall = recall;
  }
  return sum;
}

describe('pixel average precision', () => {
  it('matches the hand-computed example', () => {
    // Thresholds 0.9, 0.8, 0.7 (tie of a positive and a negative), 0.4, 0.2:
    // P = 1, 1/2, 2/4, 3/5, 3/6 and R = 1/3, 1/3, 2/3, 1, 1, so AP = (1 + 0.5 + 0.6) / 3 = 0.7.
    const map = { values: Float32Array.from([0.9, 0.8, 0.7, 0.7, 0.4, 0.2]), width: 3, height: 2 };
    const mask = Uint8Array.from([1, 0, 1, 0, 1, 0]);
    expect(pixelAveragePrecision([{ map, mask }])).toBeCloseTo(0.7, 6);
  });

  it('is 1 for a perfect ranking and NaN without foreground', () => {
    const map = { values: Float32Array.from([0.1, 0.9, 0.8, 0.2]), width: 2, height: 2 };
    expect(pixelAveragePrecision([{ map, mask: [0, 1, 1, 0] }])).toBe(1);
    expect(pixelAveragePrecision([{ map, mask: [0, 0, 0, 0] }])).toBeNaN();
  });

  it('leaves out ignored pixels and treats any other non-zero class as foreground', () => {
    const map = { values: Float32Array.from([0.9, 0.8, 0.7, 0.1]), width: 4, height: 1 };
    const accumulator = new PixelPrecision();
    accumulator.add(map, [255, 3, 0, 2]);
    expect(accumulator.result()).toEqual({
      averagePrecision: (1 / 2) * 1 + (1 / 2) * (2 / 3),
      positives: 2,
      negatives: 1,
    });
  });

  it('agrees with the brute-force definition over several images, with ties', () => {
    const pixel = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1 }));
    fc.assert(
      fc.property(fc.array(pixel, { minLength: 2, maxLength: 80 }), fc.integer({ min: 1, max: 79 }), (pixels, cut) => {
        fc.pre(pixels.some(([, t]) => t === 1));
        const scores = pixels.map(([s]) => s / 8);
        const truth = pixels.map(([, t]) => t);
        const split = Math.min(cut, pixels.length - 1);
        const accumulator = new PixelPrecision();
        accumulator.add(
          { values: Float32Array.from(scores.slice(0, split)), width: split, height: 1 },
          truth.slice(0, split),
        );
        const rest = pixels.length - split;
        accumulator.add({ values: Float32Array.from(scores.slice(split)), width: rest, height: 1 }, truth.slice(split));
        expect(Math.abs(accumulator.result().averagePrecision - bruteForceAP(scores, truth))).toBeLessThan(1e-12);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('works from sorted score arrays directly', () => {
    expect(averagePrecisionSorted(Float32Array.from([0.5]), Float32Array.from([0.5]))).toBeCloseTo(0.5, 12);
  });
});
