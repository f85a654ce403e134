/**
 * Refinement of class maps into pseudo-masks (background estimation and an affinity random
 * walk), and the precision and recall of pseudo-masks, on hand-made cases worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  backgroundMap,
  grownPseudoMask,
  growRegion,
  randomWalk,
  refinedPseudoMask,
  transitionMatrix,
  walkStep,
} from '../../src/data/pseudo-mask-refine.js';
import { PseudoMaskScores } from '../../src/metrics/pseudo-mask-quality.js';
import { pseudoMask } from '../../src/train/pseudo-masks.js';

/** A width × height grey image, the value of column x given by `column(x)` (one channel). */
function columns(width: number, height: number, column: (x: number) => number) {
  const values = Float32Array.from({ length: width * height }, (_, index) => column(index % width));
  return { values, width, height, channels: 1 };
}

describe('background estimation', () => {
  it('is (1 − max_c M_c)^α', () => {
    const a = [0.5, 0.2, 0, 1];
    const b = [0.1, 0.9, 0, 0.3];
    const expected = [0.25, 0.01, 1, 0];
    Array.from(backgroundMap([a, b], 4, 2)).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 6));
    expect(Array.from(backgroundMap([a], 4, 1))).toEqual([0.5, 0.8, 1, 0].map(Math.fround));
    expect(Array.from(backgroundMap([], 2, 4))).toEqual([1, 1]);
  });
});

describe('affinity random walk', () => {
  it('averages over in-image neighbours with equal weights on a flat image', () => {
    // 3×1, radius 1: pixel 0 sees {0, 1}, pixel 1 sees {0, 1, 2}, pixel 2 sees {1, 2}.
    const transition = transitionMatrix(
      columns(3, 1, () => 0.5),
      1,
      0.1,
    );
    const step = walkStep(transition, [1, 0, 0]);
    expect(step[0]).toBeCloseTo(1 / 2, 6);
    expect(step[1]).toBeCloseTo(1 / 3, 6);
    expect(step[2]).toBeCloseTo(0, 6);
    // Two steps: pixel 0 = (1/2 + 1/3) / 2, pixel 1 = (1/2 + 1/3 + 0) / 3, pixel 2 = (1/3 + 0) / 2.
    const [twice] = randomWalk(
      columns(3, 1, () => 0.5),
      [[1, 0, 0]],
      { radius: 1, iterations: 2 },
    );
    expect(Array.from(twice!).map((v) => +v.toFixed(6))).toEqual([5 / 12, 5 / 18, 1 / 6].map((v) => +v.toFixed(6)));
  });

  it('weighs neighbours by exp(−‖ΔI‖² / 2σ²) and normalises each row', () => {
    // Colours 0, 0, 1 with σ = 0.5: across the edge a = exp(−1 / 0.5) = e^−2.
    const e = Math.exp(-2);
    const transition = transitionMatrix(
      columns(3, 1, (x) => (x === 2 ? 1 : 0)),
      1,
      0.5,
    );
    const row = (pixel: number) => Array.from(transition.weights.subarray(pixel * 9 + 3, pixel * 9 + 6));
    expect(row(0)).toEqual([0, 0.5, 0.5].map(Math.fround));
    [0, 1 / (2 + e), 1 / (2 + e), e / (2 + e)].slice(1).forEach((value, k) => expect(row(1)[k]).toBeCloseTo(value, 6));
    [e / (1 + e), 1 / (1 + e)].forEach((value, k) => expect(row(2)[k]).toBeCloseTo(value, 6));
    expect(row(2)[2]).toBe(0);
  });

  it('keeps maps in [0, 1] and constant maps constant (rows sum to 1)', () => {
    const image = {
      values: Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => ((i * 37) % 11) / 10),
      width: 5,
      height: 4,
      channels: 3,
    };
    const [flat, spiky] = randomWalk(
      image,
      [new Float32Array(20).fill(0.7), Float32Array.from({ length: 20 }, (_, i) => (i === 7 ? 1 : 0))],
      { radius: 2, sigma: 0.3, iterations: 5 },
    );
    for (const value of flat!) expect(value).toBeCloseTo(0.7, 5);
    for (const value of spiky!) expect(value >= 0 && value <= 1).toBe(true);
  });
});

describe('refined pseudo-masks', () => {
  // A 12×4 image: the object is columns 0–5 (grey 1), the background columns 6–11 (grey 0).
  // A blurry CAM spills two columns over the edge: 1 on columns 0–5, 0.8 on 6–7, 0 beyond.
  const width = 12;
  const height = 4;
  const image = columns(width, height, (x) => (x < 6 ? 1 : 0));
  const cam = Float32Array.from({ length: width * height }, (_, index) => {
    const x = index % width;
    return x < 6 ? 1 : x < 8 ? 0.8 : 0;
  });
  const truth = Uint8Array.from({ length: width * height }, (_, index) => (index % width < 6 ? 2 : 0));

  it('thresholding alone takes the spill as object; the walk stops it at the colour edge', () => {
    const thresholded = pseudoMask([{ maskClass: 2, values: cam }], width * height, {
      foreground: 0.6,
      background: 0.2,
    });
    const raw = new PseudoMaskScores();
    raw.add(truth, thresholded);
    // 24 true object pixels, 32 labelled object: precision 24/32, recall 1.
    expect(raw.result()).toMatchObject({
      pixels: 48,
      coverage: 1,
      objectPrecision: 0.75,
      objectRecall: 1,
      backgroundPrecision: 1,
      backgroundRecall: 16 / 24,
    });

    const refined = refinedPseudoMask(image, [{ maskClass: 2, values: cam }], {
      radius: 2,
      sigma: 0.1,
      iterations: 10,
      alpha: 4,
    });
    expect(Array.from(refined)).toEqual(Array.from(truth));
    const scores = new PseudoMaskScores();
    scores.add(truth, refined);
    expect(scores.result()).toMatchObject({
      objectPrecision: 1,
      objectRecall: 1,
      backgroundPrecision: 1,
      backgroundRecall: 1,
    });
  });

  it('spreads a CAM that lights only part of an object over the whole object', () => {
    // The CAM is strongest on columns 0–1 (the most telling part) and fades over the rest of the
    // object: 0.5 on columns 2–3, 0.25 on 4–5, 0 on the background. Thresholds keep columns 0–1
    // only (2–5 lie between bg and fg: ignored). The background estimate (1 − M)^4 is 0, 0.0625
    // and 0.316 on the object's column pairs, so its mean there (0.13) stays below the CAM's
    // (0.58) and the walk, confined to the object by the colour edge, labels it all.
    const partial = Float32Array.from(
      { length: width * height },
      (_, index) => [1, 1, 0.5, 0.5, 0.25, 0.25][index % width] ?? 0,
    );
    const thresholded = pseudoMask([{ maskClass: 2, values: partial }], width * height, {
      foreground: 0.6,
      background: 0.2,
    });
    const raw = new PseudoMaskScores();
    raw.add(truth, thresholded);
    expect(raw.result()).toMatchObject({ objectPrecision: 1, objectRecall: 8 / 24, coverage: 32 / 48 });
    const refined = refinedPseudoMask(image, [{ maskClass: 2, values: partial }], {
      radius: 3,
      sigma: 0.1,
      iterations: 40,
      alpha: 4,
    });
    expect(Array.from(refined)).toEqual(Array.from(truth));
  });

  it('loses a part-only CAM that is 0 on the rest of the object: the background estimate outweighs it there', () => {
    // The limit of the method: with M = 0 on columns 2–5, background scores 1 on four of the six
    // object columns, and the walk's mean over the object favours background.
    const peak = Float32Array.from({ length: width * height }, (_, index) => (index % width < 2 ? 1 : 0));
    const refined = refinedPseudoMask(image, [{ maskClass: 2, values: peak }], {
      radius: 3,
      sigma: 0.1,
      iterations: 40,
      alpha: 4,
    });
    expect(Array.from(refined).filter((value) => value === 2).length).toBe(0);
  });

  it('gives each pixel the labelled class with the highest refined score, background on ties', () => {
    const flat = columns(2, 1, () => 0);
    expect(
      Array.from(
        refinedPseudoMask(
          flat,
          [
            { maskClass: 1, values: [1, 0] },
            { maskClass: 3, values: [0, 1] },
          ],
          { radius: 0, iterations: 3 },
        ),
      ),
    ).toEqual([1, 3]);
    // With no map every pixel is background.
    expect(Array.from(refinedPseudoMask(flat, [], { backgroundClass: 5 }))).toEqual([5, 5]);
  });
});

describe('pseudo-mask precision and recall', () => {
  it('counts object and background pixels, leaves out ignored truth and counts ignored pseudo pixels as missed', () => {
    const scores = new PseudoMaskScores();
    //            truth:  1  1  2  0  0  0  255  1
    //            pseudo: 1  2  2  1  0  255  1  255
    scores.add([1, 1, 2, 0, 0, 0, 255, 1], [1, 2, 2, 1, 0, 255, 1, 255]);
    // 7 counted pixels, 5 labelled. Object: predicted {1,2,2,1} → right 2 of 4; true object 4 → right 2.
    // Background: predicted {0} → right 1; true background 3 → right 1.
    expect(scores.result()).toEqual({
      pixels: 7,
      coverage: 5 / 7,
      objectPrecision: 0.5,
      objectRecall: 0.5,
      backgroundPrecision: 1,
      backgroundRecall: 1 / 3,
    });
  });

  it('is NaN where there is nothing to count, and refuses masks of different sizes', () => {
    const scores = new PseudoMaskScores();
    scores.add([0, 0], [0, 0]);
    expect(scores.result().objectPrecision).toBeNaN();
    expect(scores.result().objectRecall).toBeNaN();
    expect(() => scores.add([0], [0, 0])).toThrow(/1 pixels against a pseudo-mask of 2/);
  });
});

describe('seed growing', () => {
  // 5×3, one channel, row-major:
  //   0.0 0.0 0.5 0.9 0.9
  //   0.0 0.5 0.5 0.9 0.0
  //   0.0 0.0 0.5 0.0 0.0
  const image = {
    values: Float32Array.from([0, 0, 0.5, 0.9, 0.9, 0, 0.5, 0.5, 0.9, 0, 0, 0, 0.5, 0, 0]),
    width: 5,
    height: 3,
    channels: 1,
  };
  const peakAt = (pixel: number) => Float32Array.from({ length: 15 }, (_, index) => (index === pixel ? 1 : 0.5));

  it('grows from the seed over 4-connected pixels of the seed colour, distance ≤ tolerance included', () => {
    expect(growRegion(image, 7, 0.1, 15).sort((a, b) => a - b)).toEqual([2, 6, 7, 12]);
    // 0.9 lies 0.4 from 0.5: in at tolerance 0.4, out just below it.
    expect(growRegion(image, 7, 0.4, 15).sort((a, b) => a - b)).toEqual([2, 3, 4, 6, 7, 8, 12]);
    expect(growRegion(image, 7, 0.39, 15).sort((a, b) => a - b)).toEqual([2, 6, 7, 12]);
  });

  it('drops a region larger than the limit', () => {
    // The 0.0 pixels reachable from pixel 0: 0, 1, 5, 10, 11 (the 0.0 pixels at 9, 13, 14 are cut off).
    expect(growRegion(image, 0, 0.1, 5).sort((a, b) => a - b)).toEqual([0, 1, 5, 10, 11]);
    expect(growRegion(image, 0, 0.1, 4)).toEqual([]);
  });

  it('labels each class from its map peak, first class first, the rest background', () => {
    const mask = grownPseudoMask(
      image,
      [
        { maskClass: 2, values: peakAt(3) },
        { maskClass: 1, values: peakAt(12) },
      ],
      { tolerance: 0.1, maxArea: 0.5 },
    );
    expect(Array.from(mask)).toEqual([0, 0, 1, 2, 2, 0, 1, 1, 2, 0, 0, 0, 1, 0, 0]);
    // At tolerance 0.4 class 2 (first) grows over the 0.5 pixels too; class 1 finds them taken.
    const wide = grownPseudoMask(
      image,
      [
        { maskClass: 2, values: peakAt(3) },
        { maskClass: 1, values: peakAt(12) },
      ],
      { tolerance: 0.4, maxArea: 0.5 },
    );
    expect(Array.from(wide)).toEqual([0, 0, 2, 2, 2, 0, 2, 2, 2, 0, 0, 0, 2, 0, 0]);
    // A peak on the background grows past the area limit (5 pixels > 0.3 × 15 = 4.5), so it is dropped.
    const dropped = grownPseudoMask(image, [{ maskClass: 1, values: peakAt(0) }], {
      tolerance: 0.1,
      maxArea: 0.3,
      backgroundClass: 0,
    });
    expect(Array.from(dropped)).toEqual(new Array(15).fill(0));
  });

  it('with --seeds k, tries the highest pixel outside every region tried so far, until a region is kept', () => {
    // The peak (pixel 0) and the runner-up (pixel 1) lie on the background region {0, 1, 5, 10, 11},
    // which passes the limit (5 > 4.5); the next pixel outside it is 6, on the 0.5 object.
    const values = Float32Array.from({ length: 15 }, (_, index) => ({ 0: 1, 1: 0.9, 6: 0.8 })[index] ?? 0);
    const grow = (seeds: number) =>
      Array.from(grownPseudoMask(image, [{ maskClass: 1, values }], { tolerance: 0.1, maxArea: 0.3, seeds }));
    expect(grow(1)).toEqual(new Array(15).fill(0));
    expect(grow(2)).toEqual([0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(grow(8)).toEqual(grow(2));
    // The region that reaches the limit marks every pixel it passed, not only the first five.
    const tried = new Uint8Array(15);
    expect(growRegion(image, 0, 0.1, 4, tried)).toEqual([]);
    expect(Array.from(tried)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
  });
});
