import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import {
  ConfusionMatrix,
  classAccuracy,
  classIoU,
  frequencyWeightedIoU,
  meanClassAccuracy,
  meanIoU,
  pixelAccuracy,
  segmentationReport,
} from '../../src/metrics/index.js';

const TOLERANCE = 1e-12;

// Five classes. Class 3 appears only under an ignored pixel (absent from both sides once the
// ignore pixel is dropped); class 4 is in the ground truth but never predicted.
const truth = [0, 0, 1, 1, 1, 255, 2, 2, 0, 1, 4, 4];
const prediction = [0, 1, 1, 1, 0, 3, 0, 2, 0, 2, 2, 1];

function handMatrix(): ConfusionMatrix {
  const matrix = new ConfusionMatrix(5);
  matrix.add(Int32Array.from(truth), Int32Array.from(prediction));
  return matrix;
}

describe('ConfusionMatrix on a hand-computed example', () => {
  it('counts pairs, skipping the ignore label', () => {
    expect(handMatrix().toJSON().counts).toEqual([
      [2, 1, 0, 0, 0],
      [1, 2, 1, 0, 0],
      [1, 0, 1, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 1, 1, 0, 0],
    ]);
    expect(handMatrix().total).toBe(11);
  });

  it('gives the hand-computed scores', () => {
    const matrix = handMatrix();
    expect(pixelAccuracy(matrix)).toBeCloseTo(5 / 11, 12);
    const iou = Array.from(classIoU(matrix));
    expect(iou[0]).toBeCloseTo(2 / 5, 12);
    expect(iou[1]).toBeCloseTo(2 / 6, 12);
    expect(iou[2]).toBeCloseTo(1 / 4, 12);
    expect(iou[3]).toBeNaN();
    expect(iou[4]).toBe(0);
    expect(meanIoU(matrix)).toBeCloseTo((2 / 5 + 2 / 6 + 1 / 4 + 0) / 4, 12);
    const accuracy = Array.from(classAccuracy(matrix));
    expect(accuracy.slice(0, 3)).toEqual([2 / 3, 2 / 4, 1 / 2]);
    expect(accuracy[3]).toBeNaN();
    expect(accuracy[4]).toBe(0);
    expect(meanClassAccuracy(matrix)).toBeCloseTo((2 / 3 + 0.5 + 0.5 + 0) / 4, 12);
    expect(frequencyWeightedIoU(matrix)).toBeCloseTo((3 / 11) * 0.4 + (4 / 11) * (1 / 3) + (2 / 11) * 0.25, 12);
  });

  it('reports undefined classes as null in JSON', () => {
    const report = JSON.parse(JSON.stringify(segmentationReport(handMatrix(), ['bg', 'a', 'b', 'c', 'd'])));
    expect(report.classes[3]).toEqual({ name: 'c', iou: null, accuracy: null, truthPixels: 0, predictedPixels: 0 });
    expect(report.classes[4].iou).toBe(0);
    expect(report.pixels).toBe(11);
  });

  it('is NaN everywhere when only ignored pixels were seen', () => {
    const matrix = new ConfusionMatrix(2);
    matrix.add([255, 255], [0, 1]);
    expect(pixelAccuracy(matrix)).toBeNaN();
    expect(meanIoU(matrix)).toBeNaN();
    expect(segmentationReport(matrix).meanIoU).toBeNull();
  });

  it('merges like adding the data in one go', () => {
    const first = new ConfusionMatrix(5);
    first.add(truth.slice(0, 6), prediction.slice(0, 6));
    const second = new ConfusionMatrix(5);
    second.add(truth.slice(6), prediction.slice(6));
    first.merge(second);
    expect(Array.from(first.counts)).toEqual(Array.from(handMatrix().counts));
  });
});

describe('ConfusionMatrix input errors', () => {
  function codeOf(action: () => void): string | undefined {
    try {
      action();
    } catch (error) {
      return error instanceof DiagnosticError ? error.diagnostics[0]!.code : 'not a diagnostic';
    }
    return undefined;
  }

  it('rejects out-of-range classes that are not the ignore label', () => {
    expect(codeOf(() => new ConfusionMatrix(3).add([3], [0]))).toBe('E0851');
    expect(codeOf(() => new ConfusionMatrix(3).add([0], [255]))).toBe('E0851');
    expect(codeOf(() => new ConfusionMatrix(3, { ignoreLabel: null }).add([255], [0]))).toBe('E0851');
  });

  it('rejects arrays of different lengths and mismatched merges', () => {
    expect(codeOf(() => new ConfusionMatrix(3).add([0, 1], [0]))).toBe('E0850');
    expect(codeOf(() => new ConfusionMatrix(3).merge(new ConfusionMatrix(4)))).toBe('E0854');
    expect(codeOf(() => new ConfusionMatrix(0))).toBe('E0852');
  });
});

describe('per-class IoU against a binary-mask reference', () => {
  // |t = c ∧ p = c| / |t = c ∨ p = c| over counted pixels, computed pixel by pixel.
  function referenceIoU(t: number[], p: number[], c: number): number {
    let intersection = 0;
    let union = 0;
    t.forEach((actual, index) => {
      if (actual === 255) return;
      const inTruth = actual === c;
      const inPrediction = p[index] === c;
      if (inTruth && inPrediction) intersection += 1;
      if (inTruth || inPrediction) union += 1;
    });
    return union === 0 ? Number.NaN : intersection / union;
  }

  it('agrees on random label maps with ignore pixels', () => {
    const pixel = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(255)), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(pixel, { minLength: 1, maxLength: 60 }), (pairs) => {
        const t = pairs.map(([a]) => a);
        const p = pairs.map(([, b]) => b);
        const matrix = new ConfusionMatrix(4);
        matrix.add(t, p);
        const iou = classIoU(matrix);
        for (let c = 0; c < 4; c++) {
          const expected = referenceIoU(t, p, c);
          if (Number.isNaN(expected)) expect(iou[c]).toBeNaN();
          else expect(Math.abs(iou[c]! - expected)).toBeLessThan(TOLERANCE);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
