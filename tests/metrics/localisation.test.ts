import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Box,
  boxAccuracy,
  boxIoU,
  connectedComponents,
  localisationAccuracy,
  mapToBox,
  mapToMask,
  maskBox,
  MAP_THRESHOLDS_V2,
  MAX_BOX_ACC_V2,
  maxBoxAccuracy,
  maxBoxAccuracyV2,
  normaliseMap,
} from '../../src/metrics/index.js';

/** A width × height map with the given rectangles painted (later ones on top). */
function paint(width: number, height: number, regions: readonly [Box, number][]): Float32Array {
  const values = new Float32Array(width * height);
  for (const [[x0, y0, x1, y1], value] of regions) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) values[y * width + x] = value;
  }
  return values;
}

describe('box IoU', () => {
  const cases: [string, Box, Box, number][] = [
    ['identical', [1, 1, 4, 3], [1, 1, 4, 3], 1],
    ['disjoint', [0, 0, 2, 2], [5, 5, 7, 7], 0],
    ['touching edges share no pixel', [0, 0, 2, 2], [2, 0, 4, 2], 0],
    ['half shifted', [0, 0, 2, 2], [1, 0, 3, 2], 2 / 6],
    ['contained', [0, 0, 4, 4], [1, 1, 3, 3], 4 / 16],
    ['crossing', [0, 1, 4, 3], [1, 0, 3, 4], 4 / 12],
    ['both empty', [2, 2, 2, 2], [3, 3, 3, 3], 0],
  ];
  it.each(cases)('%s', (_, a, b, expected) => {
    expect(boxIoU(a, b)).toBeCloseTo(expected, 12);
    expect(boxIoU(b, a)).toBeCloseTo(expected, 12);
  });

  it('accepts data-set boxes that carry a class index', () => {
    expect(boxIoU([0, 0, 2, 2, 7], [1, 0, 3, 2, 1])).toBeCloseTo(1 / 3, 12);
  });
});

describe('map to mask and box', () => {
  // Two blobs: a 2×2 at value 1 and a 3×2 at value 0.5 that touches it only diagonally.
  const width = 6;
  const height = 5;
  const values = paint(width, height, [
    [[0, 0, 2, 2], 1],
    [[2, 2, 5, 4], 0.5],
  ]);
  const map = { values, width, height };

  it('keeps pixels strictly above the fraction of the maximum', () => {
    expect(Array.from(mapToMask(map, 0.5)).reduce((a, b) => a + b, 0)).toBe(4);
    expect(Array.from(mapToMask(map, 0.49)).reduce((a, b) => a + b, 0)).toBe(10);
    expect(Array.from(mapToMask(map, 0)).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('joins diagonal neighbours (8-connectivity)', () => {
    const { components } = connectedComponents(mapToMask(map, 0.2), width, height);
    expect(components).toEqual([{ area: 10, box: [0, 0, 5, 4] }]);
  });

  it('boxes the largest component or the union of all', () => {
    const apart = paint(7, 5, [
      [[0, 0, 2, 2], 1],
      [[4, 1, 7, 4], 0.5],
    ]);
    const spread = { values: apart, width: 7, height: 5 };
    expect(mapToBox(spread, 0.2, 'largest')).toEqual([4, 1, 7, 4]);
    expect(mapToBox(spread, 0.2, 'union')).toEqual([0, 0, 7, 4]);
    expect(mapToBox(spread, 0.6, 'largest')).toEqual([0, 0, 2, 2]);
    expect(mapToBox({ values: new Float32Array(35), width: 7, height: 5 }, 0)).toBeNull();
  });

  it('finds the tight box of mask pixels', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 3, 0]);
    expect(maskBox(mask, 4, 3)).toEqual([1, 1, 3, 3]);
    expect(maskBox(mask, 4, 2)).toBeNull();
  });

  it('min-max normalises, constant maps to zero', () => {
    expect(Array.from(normaliseMap([2, 4, 6]))).toEqual([0, 0.5, 1]);
    expect(Array.from(normaliseMap([3, 3]))).toEqual([0, 0]);
  });
});

describe('connected components against union-find', () => {
  /** Components by merging every pair of touching foreground pixels (8 neighbours). */
  function referenceAreas(mask: number[], width: number): number[] {
    const parent = mask.map((_, index) => index);
    const find = (index: number): number => (parent[index] === index ? index : (parent[index] = find(parent[index]!)));
    for (let index = 0; index < mask.length; index++) {
      for (let other = 0; other < mask.length; other++) {
        const touching =
          Math.abs((index % width) - (other % width)) <= 1 &&
          Math.abs(Math.floor(index / width) - Math.floor(other / width)) <= 1;
        if (mask[index] && mask[other] && touching) parent[find(index)] = find(other);
      }
    }
    const areas = new Map<number, number>();
    mask.forEach((value, index) => value && areas.set(find(index), (areas.get(find(index)) ?? 0) + 1));
    return [...areas.values()].sort((a, b) => a - b);
  }

  it('finds the same components on random masks', () => {
    const masks = fc
      .integer({ min: 1, max: 7 })
      .chain((width) =>
        fc
          .integer({ min: 1, max: 7 })
          .chain((height) =>
            fc.tuple(
              fc.constant(width),
              fc.constant(height),
              fc.array(fc.integer({ min: 0, max: 1 }), { minLength: width * height, maxLength: width * height }),
            ),
          ),
      );
    fc.assert(
      fc.property(masks, ([width, height, mask]) => {
        const { components, labels } = connectedComponents(mask, width, height);
        expect(components.map((component) => component.area).sort((a, b) => a - b)).toEqual(
          referenceAreas(mask, width),
        );
        components.forEach((component, index) => expect(maskBox(labels, width, index + 1)).toEqual(component.box));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('MaxBoxAcc on hand-made maps', () => {
  // Image A: truth [0,0,2,2]; the map also lights the neighbouring block at 0.5, so below τ = 0.5
  // the box is [0,0,4,2] (IoU 0.5), from τ = 0.5 on it is exact (IoU 1).
  const imageA = {
    map: {
      values: paint(4, 4, [
        [[0, 0, 2, 2], 1],
        [[2, 0, 4, 2], 0.5],
      ]),
      width: 4,
      height: 4,
    },
    truthBoxes: [[0, 0, 2, 2]] as Box[],
  };
  // Image B: truth [2,2,4,4] lit at 0.25; a lone peak of 1 at (0,0). Below τ = 0.25 the largest
  // component is the true block (IoU 1) and the union box is [0,0,4,4] (IoU 0.25); above, only the peak (IoU 0).
  const imageB = {
    map: {
      values: paint(4, 4, [
        [[0, 0, 1, 1], 1],
        [[2, 2, 4, 4], 0.25],
      ]),
      width: 4,
      height: 4,
    },
    truthBoxes: [[2, 2, 4, 4]] as Box[],
  };
  const examples = [imageA, imageB];

  /** Hit rate per τ given each image's IoU as a function of τ. */
  function expectedCurve(iouA: (t: number) => number, iouB: (t: number) => number, delta: number): number[] {
    return Array.from({ length: 100 }, (_, index) => {
      const t = index / 100;
      return ((iouA(t) >= delta ? 1 : 0) + (iouB(t) >= delta ? 1 : 0)) / 2;
    });
  }
  const iouA = (t: number) => (t < 0.5 ? 0.5 : 1);
  const iouLargestB = (t: number) => (t < 0.25 ? 1 : 0);
  const iouUnionB = (t: number) => (t < 0.25 ? 0.25 : 0);

  it('largest component: curves, maxima and best thresholds', () => {
    const result = boxAccuracy(examples, { iouThresholds: [0.3, 0.5, 0.7] });
    expect(result.images).toBe(2);
    for (const level of result.levels) {
      expect(level.accuracy).toEqual(expectedCurve(iouA, iouLargestB, level.iouThreshold));
    }
    expect(result.levels.map((level) => level.maxBoxAcc)).toEqual([1, 1, 0.5]);
    expect(result.levels.map((level) => level.bestThreshold)).toEqual([0, 0, 0]);
    expect(maxBoxAccuracy(examples)).toBe(1);
    expect(maxBoxAccuracyV2(examples)).toBeCloseTo(2.5 / 3, 12);
  });

  it('union of components', () => {
    const result = boxAccuracy(examples, { iouThresholds: [0.3, 0.5, 0.7], mode: 'union' });
    for (const level of result.levels) {
      expect(level.accuracy).toEqual(expectedCurve(iouA, iouUnionB, level.iouThreshold));
    }
    expect(result.levels.map((level) => level.maxBoxAcc)).toEqual([0.5, 0.5, 0.5]);
    expect(result.levels[2]!.bestThreshold).toBe(0.5);
    expect(maxBoxAccuracyV2(examples, 'union')).toBeCloseTo(0.5, 12);
  });

  it('each component: the best box among all components', () => {
    // Image B below τ = 0.25 keeps the peak and the true block: the block's box scores IoU 1.
    const result = boxAccuracy(examples, { iouThresholds: [0.3, 0.5, 0.7], mode: 'each' });
    for (const level of result.levels) {
      expect(level.accuracy).toEqual(expectedCurve(iouA, iouLargestB, level.iouThreshold));
    }
    const peakWins = {
      map: {
        values: paint(4, 4, [
          [[0, 0, 1, 1], 1],
          [[2, 2, 4, 4], 0.25],
        ]),
        width: 4,
        height: 4,
      },
      truthBoxes: [[0, 0, 1, 1]] as Box[],
    };
    expect(boxAccuracy([peakWins], { mode: 'each' }).levels[0]!.accuracy.every((value) => value === 1)).toBe(true);
    expect(boxAccuracy([peakWins], { mode: 'largest' }).levels[0]!.accuracy[0]).toBe(0);
  });

  it('top-1 localisation needs the right class and IoU ≥ 0.5', () => {
    const scores = localisationAccuracy([
      { predictedClass: 1, label: 1, box: [0, 0, 2, 2], truthBoxes: [[0, 0, 2, 2]] },
      { predictedClass: 2, label: 1, box: [0, 0, 2, 2], truthBoxes: [[0, 0, 2, 2]] },
      { predictedClass: 1, label: 1, box: [0, 0, 4, 2], truthBoxes: [[0, 0, 2, 2]] },
      { predictedClass: 1, label: 1, box: [0, 0, 4, 4], truthBoxes: [[0, 0, 2, 2]] },
      { predictedClass: 1, label: 1, box: null, truthBoxes: [[0, 0, 2, 2]] },
    ]);
    expect(scores).toEqual({ images: 5, top1Localisation: 2 / 5, knownClassLocalisation: 3 / 5 });
  });
});

describe('MaxBoxAccV2 as Choe et al. define it', () => {
  // Two equal 2×2 blobs at 1 joined by a 1-pixel-wide bridge at 0.5; the truth box is the second
  // blob's box grown by one row: [3,0,5,3] (6 pixels).
  //   τ < 0.5: one component, box [0,0,5,2]: IoU 4 / (10 + 6 − 4) = 1/3.
  //   τ ≥ 0.5: two components of 4 pixels; the largest (first in raster order on the tie) is the
  //   first blob (IoU 0); the second blob's box [3,0,5,2] has IoU 4/6 = 2/3.
  const twoBlobs = {
    map: {
      values: paint(5, 3, [
        [[0, 0, 2, 2], 1],
        [[2, 0, 3, 2], 0.5],
        [[3, 0, 5, 2], 1],
      ]),
      width: 5,
      height: 3,
    },
    truthBoxes: [[3, 0, 5, 3]] as Box[],
  };

  it('scores every component by default: two equal blobs with the box on the second give 2/3', () => {
    // Every component: δ = 0.3 hit (1/3 below τ = 0.5, 2/3 above), δ = 0.5 hit (2/3), δ = 0.7 never.
    expect(maxBoxAccuracyV2([twoBlobs])).toBeCloseTo(2 / 3, 12);
    const result = boxAccuracy([twoBlobs], MAX_BOX_ACC_V2);
    expect(result.levels.map((level) => level.maxBoxAcc)).toEqual([1, 1, 0]);
    expect(result.levels.map((level) => level.bestThreshold)).toEqual([0, 0.5, 0]);
    // The largest component only: δ = 0.3 below τ = 0.5, nothing else.
    expect(maxBoxAccuracyV2([twoBlobs], 'largest')).toBeCloseTo(1 / 3, 12);
    // V1 (δ = 0.5, largest component) misses this image at every τ.
    expect(maxBoxAccuracy([twoBlobs])).toBe(0);
  });

  it('uses the reference grid of 1000 thresholds, step 0.001', () => {
    expect(MAX_BOX_ACC_V2.thresholds).toBe(MAP_THRESHOLDS_V2);
    expect(MAP_THRESHOLDS_V2.length).toBe(1000);
    expect(MAP_THRESHOLDS_V2[1]).toBe(0.001);
    expect(MAP_THRESHOLDS_V2[999]).toBe(0.999);
    // A peak at 1 over a 2×2 shoulder at 127/128 = 0.9921875 (exact in float32): only τ ≥ 0.993
    // keeps the peak alone, which the 0.01 grid of V1 never visits (τ = 0.99 keeps the shoulder too).
    const shoulder = {
      map: {
        values: paint(4, 4, [
          [[0, 0, 2, 2], 127 / 128],
          [[0, 0, 1, 1], 1],
        ]),
        width: 4,
        height: 4,
      },
      truthBoxes: [[0, 0, 1, 1]] as Box[],
    };
    const result = boxAccuracy([shoulder], MAX_BOX_ACC_V2);
    expect(result.levels.map((level) => level.maxBoxAcc)).toEqual([1, 1, 1]);
    // IoU 1/4 below τ = 0.993 misses δ = 0.3, so the hits are τ = 0.993 … 0.999.
    expect(result.levels[0]!.bestThreshold).toBe(0.993);
    expect(result.levels[0]!.accuracy.filter((value) => value === 1).length).toBe(7);
    expect(maxBoxAccuracy([shoulder])).toBe(0);
  });

  it('reuses nothing wrongly across thresholds: the fast path agrees with one threshold at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 36, maxLength: 36 }), (levels) => {
        const map = { values: Float32Array.from(levels, (level) => level / 4), width: 6, height: 6 };
        const example = { map, truthBoxes: [[1, 1, 4, 4]] as Box[] };
        const whole = boxAccuracy([example], MAX_BOX_ACC_V2);
        const sample = [0, 0.2, 0.25, 0.5, 0.74, 0.75, 0.999];
        for (const t of sample) {
          const single = boxAccuracy([example], { ...MAX_BOX_ACC_V2, thresholds: [t] });
          const index = MAP_THRESHOLDS_V2.indexOf(t);
          whole.levels.forEach((level, l) => expect(level.accuracy[index]).toBe(single.levels[l]!.accuracy[0]));
        }
      }),
      { numRuns: 50, seed: 19 },
    );
  });
});
