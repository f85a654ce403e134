import { describe, expect, it } from 'vitest';
import { augmentSample, flipSample, randomCropWindow, resampleSample } from '../../src/data/augment.js';
import { createDataset, sampleRandom } from '../../src/data/dataset.js';
import { Random } from '../../src/data/random.js';
import type { LabelledBox, Sample } from '../../src/data/sample.js';
import { maskBox } from '../../src/metrics/boxes.js';

/** A sample whose image encodes the mask: red = class / 4, green = column / width, blue = row / height. */
function codedSample(id: string, height: number, width: number, rectangles: readonly LabelledBox[]): Sample {
  const mask = new Uint8Array(height * width);
  for (const [x0, y0, x1, y1, classIndex] of rectangles) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * width + x] = classIndex;
  }
  const image = new Float32Array(height * width * 3);
  mask.forEach((classIndex, pixel) =>
    image.set([classIndex / 4, (pixel % width) / width, Math.floor(pixel / width) / height], pixel * 3),
  );
  return { id, image, height, width, mask, boxes: rectangles, label: 1 };
}

const sample = codedSample('a.png', 10, 12, [
  [1, 2, 4, 6, 1],
  [7, 5, 11, 9, 3],
]);

describe('horizontal flip', () => {
  it('moves image, mask and boxes alike', () => {
    const flipped = flipSample(sample);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 12; x++) {
        const from = y * 12 + (11 - x);
        expect(flipped.mask![y * 12 + x]).toBe(sample.mask![from]);
        expect(Array.from(flipped.image.subarray((y * 12 + x) * 3, (y * 12 + x) * 3 + 3))).toEqual(
          Array.from(sample.image.subarray(from * 3, from * 3 + 3)),
        );
        expect(flipped.image[(y * 12 + x) * 3]).toBe(flipped.mask![y * 12 + x]! / 4);
      }
    }
    expect(flipped.boxes).toEqual([
      [8, 2, 11, 6, 1],
      [1, 5, 5, 9, 3],
    ]);
    for (const box of flipped.boxes!) expect(maskBox(flipped.mask!, 12, box[4])).toEqual(box.slice(0, 4));
  });
});

describe('random scale and crop', () => {
  it('keeps mask classes unblended and boxes on the mask at an exact ×2 scale', () => {
    const window = { scaleY: 2, scaleX: 2, scaledHeight: 20, scaledWidth: 24, top: 1, left: 3, height: 16, width: 16 };
    const cropped = resampleSample(sample, window);
    expect(new Set(cropped.mask)).toEqual(new Set([0, 1, 3]));
    expect(cropped.boxes).toEqual([
      [0, 3, 5, 11, 1],
      [11, 9, 16, 16, 3],
    ]);
    for (const box of cropped.boxes!) expect(maskBox(cropped.mask!, 16, box[4])).toEqual(box.slice(0, 4));
  });

  it('pads with the ignore label and black where the crop exceeds the scaled image', () => {
    const window = { scaleY: 0.5, scaleX: 0.5, scaledHeight: 5, scaledWidth: 6, top: 0, left: 0, height: 8, width: 8 };
    const padded = resampleSample(sample, window);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const outside = y >= 5 || x >= 6;
        expect(padded.mask![y * 8 + x] === 255).toBe(outside);
        if (outside) expect(padded.image[(y * 8 + x) * 3 + 1]).toBe(0);
      }
    }
  });

  it('draws windows inside the scaled image when it is large enough', () => {
    const random = new Random(3);
    for (let draw = 0; draw < 200; draw++) {
      const window = randomCropWindow(10, 12, { height: 6, width: 6, scale: [0.8, 1.5] }, random);
      expect(window.scaledHeight / 10).toBeGreaterThanOrEqual(0.75);
      expect(window.top).toBeGreaterThanOrEqual(0);
      expect(window.left).toBeGreaterThanOrEqual(0);
      expect(window.top + window.height).toBeLessThanOrEqual(window.scaledHeight);
      expect(window.left + window.width).toBeLessThanOrEqual(window.scaledWidth);
    }
  });

  it('places a scaled image smaller than the crop at every offset inside it, padding the rest', () => {
    const random = new Random(5);
    const tops = new Set<number>();
    const lefts = new Set<number>();
    for (let draw = 0; draw < 300; draw++) {
      // 20×20 scaled by 0.5 is 10×10 inside a 13×14 crop: 3 rows and 4 columns of slack.
      const window = randomCropWindow(20, 20, { height: 13, width: 14, scale: [0.5, 0.5] }, random);
      expect([window.scaledHeight, window.scaledWidth]).toEqual([10, 10]);
      tops.add(window.top);
      lefts.add(window.left);
    }
    expect([...tops].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0]);
    expect([...lefts].sort((a, b) => a - b)).toEqual([-4, -3, -2, -1, 0]);
    // A negative offset pads before the image: the 10×12 sample lands at row 2, column 1.
    const shifted = resampleSample(sample, {
      scaleY: 1,
      scaleX: 1,
      scaledHeight: 10,
      scaledWidth: 12,
      top: -2,
      left: -1,
      height: 14,
      width: 14,
    });
    for (let y = 0; y < 14; y++) {
      for (let x = 0; x < 14; x++) {
        const outside = y < 2 || y >= 12 || x < 1 || x >= 13;
        expect(shifted.mask![y * 14 + x] === 255).toBe(outside);
        if (!outside) expect(shifted.mask![y * 14 + x]).toBe(sample.mask![(y - 2) * 12 + (x - 1)]);
      }
    }
    expect(shifted.boxes).toEqual([
      [2, 4, 5, 8, 1],
      [8, 7, 12, 11, 3],
    ]);
  });
});

describe('seeded augmentation', () => {
  const options = { crop: { height: 8, width: 8 }, flip: true } as const;

  it('depends only on seed, epoch and sample id', () => {
    const first = augmentSample(sample, options, sampleRandom({ seed: 5, epoch: 0 }, sample.id));
    const again = augmentSample(sample, options, sampleRandom({ seed: 5, epoch: 0 }, sample.id));
    expect(Array.from(again.image)).toEqual(Array.from(first.image));
    expect(Array.from(again.mask!)).toEqual(Array.from(first.mask!));
    const outcomes = new Set(
      [0, 1, 2, 3, 4, 5, 6, 7].map((epoch) =>
        Array.from(augmentSample(sample, options, sampleRandom({ seed: 5, epoch }, sample.id)).mask!).join(),
      ),
    );
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it('flips about half the samples and keeps image and mask together', async () => {
    const samples = Array.from({ length: 60 }, (_, index) => ({ ...sample, id: `s${index}` }));
    const dataset = createDataset({
      root: 'memory',
      layout: 'segmentation',
      classes: ['bg', 'a', 'b', 'c'],
      maskClasses: ['bg', 'a', 'b', 'c'],
      ids: samples.map((s) => s.id),
      load: async (index) => samples[index]!,
    });
    let flips = 0;
    for await (const augmented of dataset.samples({ seed: 1, augment: { flip: true } })) {
      const flipped = augmented.mask![1] !== sample.mask![1] || augmented.boxes![0]![0] !== 1;
      if (flipped) flips += 1;
      augmented.mask!.forEach((classIndex, pixel) => expect(augmented.image[pixel * 3]).toBe(classIndex / 4));
    }
    // Binomial(60, 0.5): 15..45 holds with probability above 0.9999.
    expect(flips).toBeGreaterThan(15);
    expect(flips).toBeLessThan(45);
  });
});
