/** Pseudo-masks from class maps: the thresholds, several classes per image, and the class mapping. */
import { describe, expect, it } from 'vitest';
import { maskClassOf, pseudoMask } from '../../src/train/pseudo-masks.js';

describe('pseudoMask', () => {
  it('marks foreground at or above fg, background at or below bg, and 255 between', () => {
    const map = { maskClass: 2, values: [0, 0.2, 0.21, 0.59, 0.6, 1] };
    expect(Array.from(pseudoMask([map], 6, { foreground: 0.6, background: 0.2 }))).toEqual([0, 0, 255, 255, 2, 2]);
  });

  it('gives each pixel the class of its strongest map', () => {
    const circle = { maskClass: 1, values: [0.9, 0.7, 0.1, 0.5] };
    const square = { maskClass: 2, values: [0.8, 0.95, 0.1, 0.3] };
    expect(Array.from(pseudoMask([circle, square], 4))).toEqual([1, 2, 0, 255]);
  });

  it('uses the given background class and refuses bg above fg', () => {
    expect(Array.from(pseudoMask([{ maskClass: 1, values: [0, 1] }], 2, { backgroundClass: 3 }))).toEqual([3, 1]);
    expect(() => pseudoMask([], 1, { foreground: 0.2, background: 0.5 })).toThrow(/0 ≤ bg ≤ fg ≤ 1/);
  });
});

describe('maskClassOf', () => {
  it('maps by name, or to foreground with two mask classes', () => {
    const shapes = ['background', 'circle', 'square', 'triangle'];
    expect(maskClassOf(3, shapes, shapes)).toBe(3);
    expect(maskClassOf(7, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['background', 'digit'])).toBe(1);
    expect(() => maskClassOf(1, ['cat', 'dog'], ['background', 'cat', 'bird'])).toThrow(
      /no mask class of the same name/,
    );
  });
});
