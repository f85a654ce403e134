import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { type SampleSource, createDataset, epochOrder } from '../../src/data/dataset.js';
import { encodeRgbPng } from '../../src/data/node/codecs.js';
import { openDataset } from '../../src/data/node/dataset.js';
import { writeIndexedPng } from '../../src/data/node/png-indexed.js';
import { DataProblemError } from '../../src/data/problems.js';
import type { Sample } from '../../src/data/sample.js';
import { withTemporaryFolder } from './fixtures.js';

const CLASSES = ['background', 'a', 'b'];

/** A 4×6 image whose red channel is (pixel index)/24, quantised to the PNG's 8 bits. */
function image(height = 4, width = 6): Float32Array {
  return Float32Array.from({ length: height * width * 3 }, (_, index) =>
    index % 3 === 0 ? Math.floor(index / 3) / 24 : 0.5,
  );
}

function mask(values: number[] | number, height = 4, width = 6): Buffer {
  const data = typeof values === 'number' ? new Uint8Array(height * width).fill(values) : Uint8Array.from(values);
  return writeIndexedPng(data, width, height);
}

/** A segmentation folder with `good.png` plus whatever `extra` adds. */
async function segmentationFolder(root: string, extra: Record<string, Buffer | string> = {}): Promise<void> {
  const files: Record<string, Buffer | string> = {
    'classes.json': JSON.stringify(CLASSES),
    'images/good.png': encodeRgbPng(image(), 4, 6),
    'masks/good.png': mask([0, 1, 2, 255, ...new Array(20).fill(1)]),
    ...extra,
  };
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), contents);
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function problemOf(action: () => Promise<unknown>): Promise<{ code: string; file: string }> {
  try {
    await action();
  } catch (error) {
    if (error instanceof DataProblemError) return { code: error.problem.code, file: error.problem.file };
    throw error;
  }
  throw new Error('expected a data problem');
}

describe('segmentation layout', () => {
  it('loads images, palette or grey masks, boxes and labels', async () => {
    await withTemporaryFolder(async (root) => {
      await segmentationFolder(root, {
        'images/boxes.json': JSON.stringify({ 'good.png': [[0, 0, 2, 3, 1]] }),
        'images/labels.json': JSON.stringify({ 'good.png': { label: 2, labels: [1, 2] } }),
      });
      const dataset = await openDataset(root);
      expect(dataset.layout).toBe('segmentation');
      expect(dataset.ids).toEqual(['images/good.png']);
      const sample = await dataset.load(0);
      expect([sample.height, sample.width]).toEqual([4, 6]);
      expect(Array.from(sample.mask!.subarray(0, 5))).toEqual([0, 1, 2, 255, 1]);
      for (let pixel = 0; pixel < 24; pixel++)
        expect(sample.image[pixel * 3]).toBeCloseTo(Math.round(Math.fround(pixel / 24) * 255) / 255, 6);
      expect(sample.boxes).toEqual([[0, 0, 2, 3, 1]]);
      expect([sample.label, sample.labels]).toEqual([2, [1, 2]]);
    });
  });

  it('reads JPEG images', async () => {
    await withTemporaryFolder(async (root) => {
      const rgba = Buffer.alloc(4 * 6 * 4, 128);
      await segmentationFolder(root, {
        'images/photo.jpg': Buffer.from(jpeg.encode({ data: rgba, width: 6, height: 4 }, 95).data),
        'masks/photo.png': mask(0),
      });
      const sample = await (await openDataset(root)).load(1);
      expect(sample.id).toBe('images/photo.jpg');
      expect(Math.abs(sample.image[0]! - 128 / 255)).toBeLessThan(3 / 255);
    });
  });

  const badFiles: [string, Record<string, Buffer | string>, string, string][] = [
    ['an unreadable image', { 'images/bad.png': 'not an image', 'masks/bad.png': mask(0) }, 'E0811', 'images/bad.png'],
    [
      'a mask of the wrong size',
      { 'images/bad.png': encodeRgbPng(image(), 4, 6), 'masks/bad.png': mask(0, 4, 5) },
      'E0814',
      'masks/bad.png',
    ],
    [
      'a class out of range',
      { 'images/bad.png': encodeRgbPng(image(), 4, 6), 'masks/bad.png': mask([...new Array(23).fill(0), 3]) },
      'E0815',
      'masks/bad.png',
    ],
    [
      'an undecodable mask',
      { 'images/bad.png': encodeRgbPng(image(), 4, 6), 'masks/bad.png': 'garbage' },
      'E0813',
      'masks/bad.png',
    ],
    [
      'a box outside the image',
      {
        'images/bad.png': encodeRgbPng(image(), 4, 6),
        'masks/bad.png': mask(0),
        'images/boxes.json': JSON.stringify({ 'bad.png': [[0, 0, 7, 2, 1]] }),
      },
      'E0816',
      'images/boxes.json',
    ],
  ];

  it.each(badFiles)(
    'with %s: stop throws the file, skip continues and keeps the problem',
    async (_, extra, code, file) => {
      await withTemporaryFolder(async (root) => {
        await segmentationFolder(root, extra);
        const stopping = await openDataset(root, { onBadFile: 'stop' });
        expect(await problemOf(() => collect(stopping.samples()))).toEqual({ code, file: join(root, file) });
        const skipping = await openDataset(root, { onBadFile: 'skip' });
        const samples = await collect(skipping.samples());
        await collect(skipping.samples({ shuffle: true, epoch: 1 }));
        expect(samples.map((sample) => sample.id)).toEqual(['images/good.png']);
        expect(skipping.problems.map((problem) => [problem.code, problem.file])).toEqual([[code, join(root, file)]]);
        expect(skipping.problems[0]!.message).toContain(join(root, file));
      });
    },
  );

  it('reports an image without a mask when the data set opens', async () => {
    await withTemporaryFolder(async (root) => {
      await segmentationFolder(root, { 'images/lonely.png': encodeRgbPng(image(), 4, 6) });
      expect(await problemOf(() => openDataset(root))).toEqual({
        code: 'E0812',
        file: join(root, 'images/lonely.png'),
      });
      const skipping = await openDataset(root, { onBadFile: 'skip' });
      expect(skipping.ids).toEqual(['images/good.png']);
      expect(skipping.problems[0]!.code).toBe('E0812');
    });
  });

  it('reports malformed annotation files', async () => {
    await withTemporaryFolder(async (root) => {
      await segmentationFolder(root, {
        'images/boxes.json': '{ "good.png": [[0, 0, 1]] }',
        'images/labels.json': '{ oops',
      });
      expect(await problemOf(() => openDataset(root))).toEqual({
        code: 'E0803',
        file: join(root, 'images/boxes.json'),
      });
      const skipping = await openDataset(root, { onBadFile: 'skip' });
      expect(skipping.problems.map((problem) => problem.file)).toEqual([
        join(root, 'images/boxes.json'),
        join(root, 'images/labels.json'),
      ]);
      expect((await skipping.load(0)).boxes).toBeUndefined();
    });
  });

  it('needs a class list and an existing folder', async () => {
    await withTemporaryFolder(async (root) => {
      await segmentationFolder(root);
      await writeFile(join(root, 'classes.json'), '{"names": 3}');
      await expect(openDataset(root)).rejects.toMatchObject({ diagnostics: [{ code: 'E0803' }] });
      await expect(openDataset(join(root, 'missing'))).rejects.toMatchObject({ diagnostics: [{ code: 'E0801' }] });
    });
  });
});

describe('classification layout', () => {
  async function classFolders(root: string, folders: Record<string, number>): Promise<void> {
    for (const [folder, count] of Object.entries(folders)) {
      await mkdir(join(root, folder), { recursive: true });
      for (let index = 0; index < count; index++)
        await writeFile(join(root, folder, `${index}.png`), encodeRgbPng(image(2, 2), 2, 2));
    }
  }

  it('labels by sorted folder name and writes classes.json', async () => {
    await withTemporaryFolder(async (root) => {
      await classFolders(root, { dog: 2, cat: 1, emu: 1 });
      const dataset = await openDataset(root);
      expect(dataset.layout).toBe('classification');
      expect(dataset.classes).toEqual(['cat', 'dog', 'emu']);
      expect(JSON.parse(await readFile(join(root, 'classes.json'), 'utf8'))).toEqual(['cat', 'dog', 'emu']);
      const samples = await collect(dataset.samples());
      expect(samples.map((sample) => [sample.id, sample.label])).toEqual([
        ['cat/0.png', 0],
        ['dog/0.png', 1],
        ['dog/1.png', 1],
        ['emu/0.png', 2],
      ]);
    });
  });

  it('recognises no layout in a folder without images/ or class folders', async () => {
    await withTemporaryFolder(async (root) => {
      await writeFile(join(root, 'stray.png'), encodeRgbPng(image(2, 2), 2, 2));
      await expect(openDataset(root)).rejects.toMatchObject({ diagnostics: [{ code: 'E0802' }] });
    });
  });

  it('keeps the order of an existing classes.json and reports unlisted folders', async () => {
    await withTemporaryFolder(async (root) => {
      await classFolders(root, { dog: 1, cat: 1, yak: 1 });
      await writeFile(join(root, 'classes.json'), JSON.stringify(['dog', 'cat']));
      expect(await problemOf(() => openDataset(root))).toEqual({ code: 'E0804', file: join(root, 'yak') });
      const dataset = await openDataset(root, { onBadFile: 'skip' });
      expect((await collect(dataset.samples())).map((sample) => [sample.id, sample.label])).toEqual([
        ['cat/0.png', 1],
        ['dog/0.png', 0],
      ]);
    });
  });
});

describe('order and batches', () => {
  function memorySource(count: number, loads: number[]): SampleSource {
    const ids = Array.from({ length: count }, (_, index) => `s${index}`);
    return {
      root: 'memory',
      layout: 'classification',
      classes: ['x', 'y'],
      maskClasses: ['x', 'y'],
      ids,
      load: async (index) => {
        loads.push(index);
        return { id: ids[index]!, image: new Float32Array(12).fill(index), height: 2, width: 2, label: index % 2 };
      },
    };
  }

  it('shuffles by seed and epoch, visiting every sample once', () => {
    const order = epochOrder(20, { shuffle: true, seed: 9, epoch: 0 });
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(epochOrder(20, { shuffle: true, seed: 9, epoch: 0 })).toEqual(order);
    expect(epochOrder(20, { shuffle: true, seed: 9, epoch: 1 })).not.toEqual(order);
    expect(epochOrder(20, { shuffle: true, seed: 10, epoch: 0 })).not.toEqual(order);
    expect(epochOrder(3, {})).toEqual([0, 1, 2]);
  });

  it('streams batches: only one batch of samples is decoded ahead', async () => {
    const loads: number[] = [];
    const dataset = createDataset(memorySource(7, loads));
    const seen: number[][] = [];
    for await (const batch of dataset.batches(3, { shuffle: true, seed: 2 })) {
      expect(loads.length).toBe(seen.flat().length + batch.size);
      seen.push(Array.from(batch.labels!));
      expect(batch.images.length).toBe(batch.size * 2 * 2 * 3);
      batch.ids.forEach((id, slot) => expect(batch.images[slot * 12]).toBe(Number(id.slice(1))));
    }
    expect(seen.map((labels) => labels.length)).toEqual([3, 3, 1]);
    expect(loads).toEqual(epochOrder(7, { shuffle: true, seed: 2 }));
    const dropped = [];
    for await (const batch of dataset.batches(3, { dropLast: true })) dropped.push(batch.size);
    expect(dropped).toEqual([3, 3]);
  });

  it('reports invalid batch and augmentation options', async () => {
    const dataset = createDataset(memorySource(2, []));
    await expect(collect(dataset.batches(0))).rejects.toMatchObject({ diagnostics: [{ code: 'E0831' }] });
    await expect(collect(dataset.samples({ augment: { crop: { height: 0, width: 4 } } }))).rejects.toMatchObject({
      diagnostics: [{ code: 'E0831' }],
    });
    await expect(
      collect(dataset.samples({ augment: { crop: { height: 4, width: 4, scale: [2, 1] } } })),
    ).rejects.toMatchObject({ diagnostics: [{ code: 'E0831' }] });
    await expect(collect(dataset.samples({ augment: { flip: 1.5 } }))).rejects.toMatchObject({
      diagnostics: [{ code: 'E0831' }],
    });
  });

  it('refuses to stack samples of different sizes', async () => {
    const samples: Sample[] = [
      { id: 'a', image: new Float32Array(12), height: 2, width: 2 },
      { id: 'b', image: new Float32Array(18), height: 2, width: 3 },
    ];
    const dataset = createDataset({
      root: 'memory',
      layout: 'segmentation',
      classes: ['x'],
      maskClasses: ['x'],
      ids: ['a', 'b'],
      load: async (index) => samples[index]!,
    });
    await expect(collect(dataset.batches(2))).rejects.toMatchObject({ diagnostics: [{ code: 'E0821' }] });
    const resized = await collect(dataset.batches(2, { augment: { resize: { height: 4, width: 4 } } }));
    expect([resized[0]!.size, resized[0]!.height, resized[0]!.width]).toEqual([2, 4, 4]);
  });
});
