import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { ClassificationAccuracy, argmaxRows, topKAccuracy, topKCorrect } from '../../src/metrics/index.js';

// Four examples over six classes; the label's rank is 0, 2, 5 and (tied) 1.
const values = Float32Array.from([
  9,
  1,
  2,
  3,
  4,
  5, // label 0: best
  1,
  7,
  8,
  9,
  0,
  0, // label 1: two classes above it
  6,
  5,
  4,
  3,
  2,
  1, // label 5: worst
  3,
  5,
  5,
  0,
  0,
  0, // label 2: tied with class 1 for the top
]);
const logits = { values, count: 4, classes: 6 };
const labels = Int32Array.from([0, 1, 5, 2]);

describe('top-k accuracy', () => {
  it('counts a label within the top k when fewer than k classes score strictly higher', () => {
    expect(topKCorrect(logits, labels, 1)).toBe(2);
    expect(topKCorrect(logits, labels, 2)).toBe(2);
    expect(topKCorrect(logits, labels, 3)).toBe(3);
    expect(topKCorrect(logits, labels, 5)).toBe(3);
    expect(topKAccuracy(logits, labels, 6)).toBe(1);
  });

  it('accumulates top-1 and top-5 over batches', () => {
    const accuracy = new ClassificationAccuracy();
    accuracy.add({ values: values.subarray(0, 12), count: 2, classes: 6 }, labels.subarray(0, 2));
    accuracy.add({ values: values.subarray(12), count: 2, classes: 6 }, labels.subarray(2));
    expect(accuracy.result()).toEqual({ examples: 4, top1: 0.5, top5: 0.75 });
    expect(new ClassificationAccuracy().result()).toEqual({ examples: 0, top1: null, top5: null });
  });

  it('takes the first class on argmax ties', () => {
    expect(Array.from(argmaxRows(logits))).toEqual([0, 3, 0, 1]);
  });

  it('never counts a NaN score as correct', () => {
    expect(topKCorrect({ values: Float32Array.from([Number.NaN, 1]), count: 1, classes: 2 }, [0], 2)).toBe(0);
  });

  it('reports bad labels and shapes as diagnostics', () => {
    const code = (action: () => void) => {
      try {
        action();
      } catch (error) {
        return (error as DiagnosticError).diagnostics?.[0]?.code;
      }
      return undefined;
    };
    expect(code(() => topKCorrect(logits, [0, 1, 6, 0], 1))).toBe('E0851');
    expect(code(() => topKCorrect(logits, [0, 1], 1))).toBe('E0850');
    expect(code(() => topKCorrect(logits, labels, 0))).toBe('E0852');
  });
});
