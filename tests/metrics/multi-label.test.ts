/** Multi-label scores against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { MultiLabelAccuracy } from '../../src/metrics/multi-label.js';

const rows = (values: number[][]) => ({
  values: Float32Array.from(values.flat()),
  count: values.length,
  classes: values[0]!.length,
});

describe('MultiLabelAccuracy', () => {
  it('label accuracy, exact match and per-class AP, a class with no positive left out of the mean', () => {
    const scores = new MultiLabelAccuracy(4);
    // Decisions (logit > 0): [1,0,1,0], [0,1,1,0], [1,1,0,0] against the targets below.
    scores.add(
      rows([
        [2, -1, 0.5, -1],
        [-0.5, 1.5, 0.2, -1],
      ]),
      [1, 0, 0, 0, 0, 1, 1, 0],
    );
    scores.add(rows([[1, 0.25, -2, -1]]), [1, 0, 1, 0]);
    const result = scores.result();
    expect(result.examples).toBe(3);
    // Wrong: image 0 class 2; image 2 classes 1 and 2. 9 of 12 right; only image 1 is right everywhere.
    expect(result.labelAccuracy).toBeCloseTo(9 / 12, 12);
    expect(result.exactMatch).toBeCloseTo(1 / 3, 12);
    // Class 2 ranks 0.5 (negative), 0.2 (positive), −2 (positive): AP = (1/2 + 2/3) / 2 = 7/12.
    expect(result.classes.map((c) => c.averagePrecision)).toEqual([1, 1, expect.closeTo(7 / 12, 6), null]);
    expect(result.classes.map((c) => c.positives)).toEqual([2, 1, 2, 0]);
    expect(result.meanAP).toBeCloseTo((1 + 1 + 7 / 12) / 3, 6);
  });

  it('takes tied scores together (a positive tied with a negative has precision 1/2)', () => {
    const scores = new MultiLabelAccuracy(1);
    scores.add(rows([[1], [1], [0.5]]), [1, 0, 1]);
    // Threshold 1: 1 TP, 1 FP → P = 1/2 at recall 1/2; threshold 0.5: P = 2/3 at recall 1.
    expect(scores.result().meanAP).toBeCloseTo(0.5 * 0.5 + 0.5 * (2 / 3), 6);
  });

  it('has no scores before any image, and refuses targets that do not match the logits', () => {
    expect(new MultiLabelAccuracy(2).result()).toEqual({
      examples: 0,
      labelAccuracy: null,
      exactMatch: null,
      meanAP: null,
      classes: [
        { averagePrecision: null, positives: 0 },
        { averagePrecision: null, positives: 0 },
      ],
    });
    expect(() => new MultiLabelAccuracy(2).add(rows([[1, 2]]), [1])).toThrow(
      /got 2 logits and 1 targets for 1 examples of 2 classes/,
    );
  });
});
