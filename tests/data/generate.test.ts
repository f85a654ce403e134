import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDataset } from '../../src/data/dataset.js';
import { assignDigits } from '../../src/data/generate/digits.js';
import { INK_THRESHOLD, STROKE_THRESHOLD, generateCanvasImage } from '../../src/data/generate/mnist-canvas.js';
import { generateShapesImage } from '../../src/data/generate/shapes.js';
import { shapesSource } from '../../src/data/generate/sources.js';
import { splitCounts } from '../../src/data/generate/splits.js';
import { openDataset } from '../../src/data/node/dataset.js';
import { loadMnistDigits } from '../../src/data/node/mnist-source.js';
import { readIndexedPng } from '../../src/data/node/png-indexed.js';
import { generateDataset } from '../../src/data/node/write-dataset.js';
import { Random } from '../../src/data/random.js';
import type { LabelledBox } from '../../src/data/sample.js';
import { maskBox } from '../../src/metrics/boxes.js';
import { withTemporaryFolder } from './fixtures.js';

async function filesUnder(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files.set(relative(root, join(entry.parentPath, entry.name)), await readFile(join(entry.parentPath, entry.name)));
  }
  return files;
}

/** Pixels of `mask` equal to `value` inside the box only. */
function insideBox(mask: Uint8Array, width: number, [x0, y0, x1, y1]: LabelledBox, value: number): Uint8Array {
  return mask.map((pixel, index) => {
    const x = index % width;
    const y = Math.floor(index / width);
    return pixel === value && x >= x0 && x < x1 && y >= y0 && y < y1 ? 1 : 0;
  });
}

/** Each box is the tight box of its class's pixels, and every shape pixel lies in exactly one box of its class. */
function expectBoxesMatchMask(mask: Uint8Array, width: number, boxes: readonly LabelledBox[]): void {
  for (const box of boxes) expect(maskBox(insideBox(mask, width, box, box[4]), width)).toEqual(box.slice(0, 4));
  mask.forEach((classIndex, index) => {
    if (classIndex === 0) return;
    const x = index % width;
    const y = Math.floor(index / width);
    const holders = boxes.filter(([x0, y0, x1, y1, c]) => c === classIndex && x >= x0 && x < x1 && y >= y0 && y < y1);
    expect(holders.length).toBe(1);
  });
}

describe('shapes generator', () => {
  it('gives boxes that are the tight boxes of the mask, and labels from the largest shape', () => {
    for (let seed = 0; seed < 40; seed++) {
      const generated = generateShapesImage({ size: 48, shapesPerImage: [1, 4] }, new Random(seed));
      expect(generated.boxes.length).toBeGreaterThan(0);
      expectBoxesMatchMask(generated.mask, 48, generated.boxes);
      const areas = generated.boxes.map((box) => insideBox(generated.mask, 48, box, box[4]).reduce((a, b) => a + b, 0));
      const largest = areas.indexOf(Math.max(...areas));
      expect(generated.label).toBe(generated.boxes[largest]![4]);
      expect(generated.labels).toEqual([...new Set(generated.boxes.map((box) => box[4]))].sort());
      expect(generated.image.every((value) => value >= 0 && value <= 1)).toBe(true);
    }
  });

  it('writes byte-identical data sets for one seed, different ones for another', async () => {
    await withTemporaryFolder(async (root) => {
      const options = { count: 6, size: 32, seed: 12 };
      const result = await generateDataset('shapes', join(root, 'a'), options);
      await generateDataset('shapes', join(root, 'b'), options);
      await generateDataset('shapes', join(root, 'c'), { ...options, seed: 13 });
      expect(result.counts).toEqual({ train: 5, val: 1, test: 0 });
      expect(result.classes).toEqual(['background', 'circle', 'square', 'triangle']);
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => filesUnder(join(root, name))));
      expect([...a!.keys()].sort()).toEqual([...b!.keys()].sort());
      for (const [path, bytes] of a!) expect(bytes.equals(b!.get(path)!)).toBe(true);
      expect(a!.get('train/images/00000.png')!.equals(c!.get('train/images/00000.png')!)).toBe(false);
    });
  });

  it('reads back through the loader with masks, boxes and labels intact', async () => {
    await withTemporaryFolder(async (root) => {
      await generateDataset('shapes', join(root, 'set'), { count: 5, size: 32, seed: 1, splits: { train: 1 } });
      const dataset = await openDataset(join(root, 'set', 'train'));
      expect(dataset.size).toBe(5);
      for await (const sample of dataset.samples()) {
        expectBoxesMatchMask(sample.mask!, 32, sample.boxes!);
        expect(sample.labels).toContain(sample.label);
      }
      expect(dataset.problems).toEqual([]);
    });
  });
});

describe('shapes in memory', () => {
  it('reproduces the written data set, up to 8-bit rounding', async () => {
    await withTemporaryFolder(async (root) => {
      await generateDataset('shapes', join(root, 'set'), { count: 3, size: 24, seed: 8, splits: { train: 1 } });
      const disk = await openDataset(join(root, 'set', 'train'));
      const memory = createDataset(shapesSource({ count: 3, size: 24, seed: 8 }));
      expect(memory.ids).toEqual(disk.ids);
      for (let index = 0; index < 3; index++) {
        const [stored, generated] = [await disk.load(index), await memory.load(index)];
        expect(Array.from(generated.mask!)).toEqual(Array.from(stored.mask!));
        expect(generated.boxes).toEqual(stored.boxes);
        generated.image.forEach((value, at) =>
          expect(Math.abs(value - stored.image[at]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-6),
        );
      }
    });
  });
});

describe('MNIST generators', () => {
  it('mnist-canvas boxes contain the digit mask, labels and boxes name the digit', async () => {
    const digits = await loadMnistDigits();
    expect(digits.counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (let seed = 0; seed < 20; seed++) {
      const digit = seed % 10;
      const pixels = digits.pixels(digit, seed);
      const generated = generateCanvasImage(pixels, digit, { size: 56 }, new Random(seed));
      expect(generated.label).toBe(digit);
      const [x0, y0, x1, y1, classIndex] = generated.boxes[0]!;
      expect(classIndex).toBe(digit);
      const strokes = maskBox(generated.mask, 56)!;
      expect(strokes[0]).toBeGreaterThanOrEqual(x0);
      expect(strokes[1]).toBeGreaterThanOrEqual(y0);
      expect(strokes[2]).toBeLessThanOrEqual(x1);
      expect(strokes[3]).toBeLessThanOrEqual(y1);
      generated.mask.forEach((inside, pixel) => {
        expect(generated.image[pixel * 3]).toBe(generated.image[pixel * 3 + 2]);
        if (inside) expect(generated.image[pixel * 3]).toBeGreaterThan(STROKE_THRESHOLD);
      });
    }
  });

  it('without noise, the mask and box follow the image exactly', async () => {
    const digits = await loadMnistDigits();
    for (let seed = 0; seed < 10; seed++) {
      const generated = generateCanvasImage(
        digits.pixels(seed, 2 * seed),
        seed,
        { size: 50, noise: 0 },
        new Random(seed),
      );
      const grey = Array.from({ length: 50 * 50 }, (_, pixel) => generated.image[pixel * 3]!);
      expect(Array.from(generated.mask)).toEqual(grey.map((value) => (value > STROKE_THRESHOLD ? 1 : 0)));
      expect(generated.boxes[0]!.slice(0, 4)).toEqual(
        maskBox(
          grey.map((value) => (value > INK_THRESHOLD ? 1 : 0)),
          50,
        ),
      );
    }
  });

  it('never puts one handwritten sample into two splits', async () => {
    const digits = await loadMnistDigits();
    const picks = assignDigits(digits, splitCounts(3000, { train: 0.7, test: 0.3 }), 5);
    const keys = (split: string) => new Set(picks[split]!.map(({ digit, index }) => `${digit}:${index}`));
    const train = keys('train');
    const test = keys('test');
    expect([train.size, test.size]).toEqual([2100, 900]);
    expect([...test].filter((key) => train.has(key))).toEqual([]);
  });

  it('writes plain MNIST as class folders of the raw digits, reproducibly', async () => {
    await withTemporaryFolder(async (root) => {
      const digits = await loadMnistDigits();
      const result = await generateDataset('mnist', join(root, 'a'), { count: 10, seed: 3 });
      await generateDataset('mnist', join(root, 'b'), { count: 10, seed: 3 });
      expect(result.counts).toEqual({ train: 8, test: 2 });
      const a = await filesUnder(join(root, 'a'));
      const b = await filesUnder(join(root, 'b'));
      for (const [path, bytes] of a) expect(bytes.equals(b.get(path)!)).toBe(true);
      const picks = assignDigits(digits, result.counts, 3);
      const dataset = await openDataset(join(root, 'a', 'train'));
      expect(dataset.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      for (const [index, { digit, index: sample }] of picks.train!.entries()) {
        const file = join(root, 'a', 'train', String(digit), `${String(index).padStart(5, '0')}.png`);
        const stored = readIndexedPng(await readFile(file));
        expect([stored.width, stored.height]).toEqual([28, 28]);
        expect(Array.from(stored.values)).toEqual(
          Array.from(digits.pixels(digit, sample), (value) => Math.round(value * 255)),
        );
      }
      expect((await openDataset(join(root, 'a', 'test'))).size).toBe(2);
    });
  });

  it('writes mnist-canvas reproducibly, and the loader reads it with both class lists', async () => {
    await withTemporaryFolder(async (root) => {
      const result = await generateDataset('mnist-canvas', join(root, 'set'), { count: 4, seed: 2, size: 40 });
      await generateDataset('mnist-canvas', join(root, 'again'), { count: 4, seed: 2, size: 40 });
      const [first, second] = [await filesUnder(join(root, 'set')), await filesUnder(join(root, 'again'))];
      expect(first.size).toBe(second.size);
      for (const [path, bytes] of first) expect(bytes.equals(second.get(path)!)).toBe(true);
      expect(result.maskClasses).toEqual(['background', 'digit']);
      const dataset = await openDataset(join(root, 'set', 'train'));
      expect([dataset.classes.length, dataset.maskClasses.length]).toEqual([10, 2]);
      for await (const sample of dataset.samples()) {
        expect(sample.boxes![0]![4]).toBe(sample.label);
        expect(new Set(sample.mask)).toEqual(new Set([0, 1]));
      }
    });
  });
});

describe('writing atomically', () => {
  it('refuses to replace a folder unless asked, then replaces it whole', async () => {
    await withTemporaryFolder(async (root) => {
      const target = join(root, 'set');
      await generateDataset('shapes', target, { count: 2, size: 16, splits: { train: 1 } });
      await writeFile(join(target, 'stale.txt'), 'old');
      await expect(generateDataset('shapes', target, { count: 2, size: 16 })).rejects.toMatchObject({
        diagnostics: [{ code: 'E0832' }],
      });
      await generateDataset('shapes', target, { count: 3, size: 16, splits: { train: 1 }, overwrite: true });
      const files = [...(await filesUnder(target)).keys()];
      expect(files).not.toContain('stale.txt');
      expect(files.filter((file) => file.startsWith('train/images/') && file.endsWith('.png'))).toHaveLength(3);
      expect((await readdir(root)).sort()).toEqual(['set']);
    });
  });

  it('leaves nothing behind when the options are impossible', async () => {
    await withTemporaryFolder(async (root) => {
      await expect(generateDataset('mnist', join(root, 'set'), { count: 20_000 })).rejects.toMatchObject({
        diagnostics: [{ code: 'E0831' }],
      });
      await expect(generateDataset('shapes', join(root, 'set'), { splits: { train: 0.5 } })).rejects.toMatchObject({
        diagnostics: [{ code: 'E0831' }],
      });
      await expect(generateDataset('shapes', join(root, 'set'), { size: 8 })).rejects.toMatchObject({
        diagnostics: [{ code: 'E0831' }],
      });
      expect(await readdir(root)).toEqual([]);
    });
  });
});
