import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import {
  applyColormap,
  featureGrid,
  heatmapOverlay,
  maskToColors,
  overlay,
  resizeImage,
  vocPalette,
} from '../../src/runtime/image.js';
import { decodeImage, encodePng, readImage, readImageResized, writePng } from '../../src/runtime/node/image-io.js';
import { expectClose, seededValues, useBackend, withoutLeaks } from './helpers.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'segc-image-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A random image whose values are exact multiples of 1/255, so PNG stores them losslessly. */
function byteImage(height: number, width: number, seed: number): tf.Tensor4D {
  const values = seededValues(height * width * 3, seed).map((v) => Math.round(((v + 1) / 2) * 255) / 255);
  return tf.tensor4d(values, [1, height, width, 3]);
}

async function codeOf(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DiagnosticError);
    return (error as DiagnosticError).diagnostics[0]!;
  }
  throw new Error('expected a DiagnosticError');
}

describe('image files', () => {
  it('PNG encode → decode is lossless for 8-bit values, and written atomically', () =>
    withoutLeaks(async () => {
      const image = byteImage(7, 5, 1);
      const path = join(root, 'round.png');
      await writePng(path, image);
      expect((await readdir(root)).filter((name) => name.startsWith('.'))).toEqual([]);
      const decoded = await readImage(path);
      expect(decoded.shape).toEqual([1, 7, 5, 3]);
      expectClose(decoded, image, 1e-7);
      tf.dispose([image, decoded]);
    }));

  it('grayscale and RGBA PNGs decode to RGB (alpha dropped)', () =>
    withoutLeaks(() => {
      const png = new PNG({ width: 2, height: 1 });
      png.data = Buffer.from([10, 20, 30, 0, 255, 128, 0, 77]);
      const rgba = decodeImage(new Uint8Array(PNG.sync.write(png)), 'rgba.png');
      expect(Array.from(rgba.dataSync()).map((v) => Math.round(v * 255))).toEqual([10, 20, 30, 255, 128, 0]);
      const gray = decodeImage(new Uint8Array(PNG.sync.write(png, { colorType: 0 })), 'gray.png');
      const [r, g, b] = Array.from(gray.dataSync()).slice(0, 3);
      expect(r).toBe(g);
      expect(g).toBe(b);
      tf.dispose([rgba, gray]);
    }));

  it('decodes a JPEG close to the encoded pixels', () =>
    withoutLeaks(async () => {
      const width = 16;
      const height = 8;
      const data = new Uint8Array(width * height * 4);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) data.set([x * 16, y * 32, 200, 255], (y * width + x) * 4);
      const path = join(root, 'smooth.jpg');
      await writeFile(path, jpeg.encode({ data, width, height }, 100).data);
      const decoded = await readImage(path);
      const expected = tf.tensor4d(
        Array.from({ length: width * height * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]! / 255),
        [1, height, width, 3],
      );
      const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(decoded, expected))).dataSync()[0]!);
      expect(worst).toBeLessThan(0.03);
      tf.dispose([decoded, expected]);
    }));

  it('resizes to the model input size on reading', () =>
    withoutLeaks(async () => {
      const path = join(root, 'resize.png');
      const image = byteImage(4, 6, 2);
      await writePng(path, image);
      const resized = await readImageResized(path, 8, 3);
      expect(resized.shape).toEqual([1, 8, 3, 3]);
      tf.dispose([image, resized]);
    }));

  it('E0601: a missing file names the path', async () => {
    const problem = await codeOf(() => readImage(join(root, 'nope.png')));
    expect(problem).toMatchObject({ code: 'E0601', message: `cannot read image ${join(root, 'nope.png')} (ENOENT)` });
  });

  it('E0602: a file that is not PNG or JPEG', async () => {
    const path = join(root, 'notes.png');
    await writeFile(path, 'GIF89a not really');
    expect(await codeOf(() => readImage(path))).toMatchObject({
      code: 'E0602',
      message: `${path} is not a PNG or JPEG image`,
    });
  });

  it('E0603: a truncated PNG and a damaged JPEG', () =>
    withoutLeaks(async () => {
      const image = byteImage(6, 6, 3);
      const bytes = await encodePng(image);
      const png = await codeOf(async () => decodeImage(bytes.slice(0, bytes.length - 20), 'cut.png'));
      expect(png.code).toBe('E0603');
      expect(png.message).toMatch(/^cut\.png looks like a PNG but cannot be decoded/);
      const broken = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]);
      expect((await codeOf(async () => decodeImage(broken, 'broken.jpg'))).code).toBe('E0603');
      image.dispose();
    }));
});

describe('colours for results', () => {
  it('vocPalette has the published PASCAL VOC colours', () => {
    const palette = vocPalette();
    const color = (label: number) => Array.from(palette.slice(label * 3, label * 3 + 3));
    expect(color(0)).toEqual([0, 0, 0]);
    expect(color(1)).toEqual([128, 0, 0]);
    expect(color(2)).toEqual([0, 128, 0]);
    expect(color(7)).toEqual([128, 128, 128]);
    expect(color(8)).toEqual([64, 0, 0]);
    expect(color(12)).toEqual([64, 0, 128]);
    expect(color(15)).toEqual([192, 128, 128]);
    expect(color(20)).toEqual([0, 64, 128]);
    expect(color(255)).toEqual([224, 224, 192]);
  });

  it('maskToColors maps labels through the palette', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const colors = maskToColors(
          tf.tensor2d(
            [
              [0, 1],
              [15, 255],
            ],
            [2, 2],
            'int32',
          ),
        );
        expect(colors.shape).toEqual([1, 2, 2, 3]);
        expect(Array.from(colors.dataSync()).map((v) => Math.round(v * 255))).toEqual([
          0, 0, 0, 128, 0, 0, 192, 128, 128, 224, 224, 192,
        ]);
      }),
    ));

  it('overlay blends linearly and resizes the colours to the image', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const image = tf.fill([1, 4, 4, 3], 0.2) as tf.Tensor4D;
        const colors = tf.fill([1, 2, 2, 3], 1) as tf.Tensor4D;
        expectClose(overlay(image, colors, 0.25), tf.fill([1, 4, 4, 3], 0.2 * 0.75 + 0.25), 1e-6);
      }),
    ));

  it("jet follows MATLAB's end points and middle; turbo goes from dark to green to red", () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const values = tf.tensor2d([[0, 0.5, 1]]);
        expectClose(applyColormap(values, 'jet'), [0, 0, 0.5, 0.5, 1, 0.5, 0.5, 0, 0], 1e-6);
        const [low, middle, high] = tf.split(applyColormap(values, 'turbo'), 3, 2).map((t) => Array.from(t.dataSync()));
        expect(low!.reduce((a, b) => a + b)).toBeLessThan(0.5);
        expect(middle![1]).toBeGreaterThan(Math.max(middle![0]!, middle![2]!));
        expect(high![0]).toBeGreaterThan(Math.max(high![1]!, high![2]!));
        for (const value of [...low!, ...middle!, ...high!]) expect(value).toBeGreaterThanOrEqual(0);
      }),
    ));

  it('heatmapOverlay normalises the map before colouring it', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const image = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
        const heat = tf.tensor2d([
          [5, 5],
          [5, 7],
        ]);
        const expected = tf.mul(
          applyColormap(
            tf.tensor2d([
              [0, 0],
              [0, 1],
            ]),
            'jet',
          ),
          0.5,
        );
        expectClose(heatmapOverlay(image, heat, 0.5, 'jet'), expected, 1e-6);
      }),
    ));

  it('featureGrid tiles min-max-normalised channels with white gaps', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const [height, width, channels] = [2, 3, 5];
        const values = seededValues(height * width * channels, 4);
        const grid = featureGrid(tf.tensor4d(values, [1, height, width, channels]));
        expect(grid.shape).toEqual([1, 2 * 3 - 1, 3 * 4 - 1, 3]);
        const pixels = grid.dataSync();
        const at = (y: number, x: number) => pixels[(y * 11 + x) * 3]!;
        for (let channel = 0; channel < channels; channel++) {
          const own = Array.from({ length: height * width }, (_, i) => values[i * channels + channel]!);
          const [low, high] = [Math.min(...own), Math.max(...own)];
          const [row, column] = [Math.floor(channel / 3), channel % 3];
          for (let y = 0; y < height; y++)
            for (let x = 0; x < width; x++) {
              expect(at(row * 3 + y, column * 4 + x)).toBeCloseTo((own[y * width + x]! - low) / (high - low), 5);
            }
        }
        expect(at(2, 0)).toBe(1);
        expect(at(0, 3)).toBe(1);
        expect(at(3, 2 * 4)).toBe(1);
      }),
    ));

  it('resizeImage uses half-pixel centres (a 2× upsample keeps the mean and the corners)', () =>
    withoutLeaks(() =>
      tf.tidy(() => {
        const image = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
        const resized = resizeImage(image as tf.Tensor4D, 4, 4).dataSync();
        // Half-pixel: output pixel 1 samples at 0.25 → 0.75·x0 + 0.25·x1, output 0 clamps to x0.
        expect(resized[0]).toBeCloseTo(0, 6);
        expect(resized[1]).toBeCloseTo(0.25, 6);
        expect(resized[15]).toBeCloseTo(3, 6);
      }),
    ));
});
