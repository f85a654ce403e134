/**
 * Map post-processing against plain-loop references: half-pixel bilinear upsampling,
 * per-image min-max normalisation and the two orders; boxes and masks from maps; the .npy
 * encoding (checked by NumPy itself when python3 with numpy is available).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapToBox, mapToMask } from '../../src/explain/localise.js';
import { finishMaps, normalisePerImage, upsampleMaps } from '../../src/explain/maps.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { codeOf, relativeError, values, withoutLeaks } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Bilinear sampling with half-pixel centres: source coordinate (i + 0.5)·in/out − 0.5, clamped. */
function bilinearReference(
  source: Float32Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const coordinate = (i: number, from: number, to: number) =>
    Math.min(Math.max((i + 0.5) * (from / to) - 0.5, 0), from - 1);
  const out = new Float32Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const sy = coordinate(y, height, outHeight);
    const [y0, y1] = [Math.floor(sy), Math.min(Math.floor(sy) + 1, height - 1)];
    for (let x = 0; x < outWidth; x++) {
      const sx = coordinate(x, width, outWidth);
      const [x0, x1] = [Math.floor(sx), Math.min(Math.floor(sx) + 1, width - 1)];
      const at = (r: number, c: number) => source[r * width + c]!;
      const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (sx - x0);
      const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (sx - x0);
      out[y * outWidth + x] = top + (bottom - top) * (sy - y0);
    }
  }
  return out;
}

const minMax = (data: Float32Array) => {
  const low = Math.min(...data);
  const range = Math.max(...data) - low;
  return data.map((v) => (range > 0 ? (v - low) / range : 0));
};

describe('upsampling and normalisation', () => {
  const raw = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i * 1.7) * 3 + i * 0.2);

  it('upsamples bilinearly with half-pixel centres and alignCorners false (3×5 → 7×8)', () =>
    withoutLeaks(() => {
      const maps = tf.tensor3d(raw, [1, 3, 5]);
      const up = upsampleMaps(maps, [7, 8]);
      expect(up.shape).toEqual([1, 7, 8]);
      expect(relativeError(values(up), bilinearReference(raw, 3, 5, 7, 8))).toBeLessThan(1e-5);
      tf.dispose([maps, up]);
    }));

  it('normalises each image on its own; a constant map becomes zeros', () =>
    withoutLeaks(() => {
      const maps = tf.tensor3d([...raw, ...raw.map((v) => v * 100 - 7), ...new Array(15).fill(2.5)], [3, 3, 5]);
      const normalised = normalisePerImage(maps);
      const data = values(normalised);
      expect(relativeError(data.slice(0, 15), minMax(raw))).toBeLessThan(1e-6);
      expect(relativeError(data.slice(15, 30), minMax(raw))).toBeLessThan(1e-5);
      expect(Array.from(data.slice(30))).toEqual(new Array(15).fill(0));
      tf.dispose([maps, normalised]);
    }));

  it('upsample-first reaches exactly 0 and 1 at input size; normalize-first is upsample(normalise(raw))', () =>
    withoutLeaks(() => {
      const maps = tf.tensor3d(raw, [1, 3, 5]);
      const [upsampledFirst, normalisedFirst] = [
        finishMaps(maps, [9, 10]),
        finishMaps(maps, [9, 10], 'normalize-first'),
      ];
      const first = values(upsampledFirst);
      expect(relativeError(first, minMax(bilinearReference(raw, 3, 5, 9, 10)))).toBeLessThan(1e-5);
      expect([Math.min(...first), Math.max(...first)]).toEqual([0, 1]);
      const second = values(normalisedFirst);
      expect(relativeError(second, bilinearReference(minMax(raw), 3, 5, 9, 10))).toBeLessThan(1e-5);
      expect(Math.min(...second)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...second)).toBeLessThanOrEqual(1);
      tf.dispose([maps, upsampledFirst, normalisedFirst]);
    }));
});

describe('boxes and masks from maps', () => {
  /** 6×8 map: a 3×3 blob at value 1 (x 1..3, y 1..3) and a 1×2 blob at 0.9 (x 6..7, y 4). */
  const blobs = (() => {
    const data = new Float32Array(48).fill(0.1);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) data[y * 8 + x] = 1;
    data[4 * 8 + 6] = 0.9;
    data[4 * 8 + 7] = 0.9;
    return data;
  })();

  it('the largest component, or every component, above half the maximum', () =>
    withoutLeaks(async () => {
      const map = tf.tensor3d([...blobs, ...blobs.map((v) => v * 2)], [2, 6, 8]);
      expect(await mapToBox(map)).toEqual([
        [1, 1, 4, 4],
        [1, 1, 4, 4],
      ]);
      expect(await mapToBox(map, { components: 'all' })).toEqual([
        [1, 1, 8, 5],
        [1, 1, 8, 5],
      ]);
      expect(await mapToBox(map, { threshold: 0.95 })).toEqual([
        [1, 1, 4, 4],
        [1, 1, 4, 4],
      ]);
      const [largest] = await mapToMask(map);
      const [all] = await mapToMask(map, { components: 'all' });
      expect(largest!.mask.reduce((a, b) => a + b, 0)).toBe(9);
      expect(all!.mask.reduce((a, b) => a + b, 0)).toBe(11);
      expect([largest!.height, largest!.width]).toEqual([6, 8]);
      map.dispose();
    }));

  it('the threshold is strict: nothing is strictly above the maximum', () =>
    withoutLeaks(async () => {
      const map = tf.tensor2d(blobs, [6, 8]);
      expect(await mapToBox(map, { threshold: 1 })).toEqual([null]);
      expect(await codeOf(() => mapToBox(map, { threshold: 1.5 }))).toBe('E0907');
      expect(await codeOf(() => mapToMask(map, { components: 'some' as 'all' }))).toBe('E0907');
      map.dispose();
    }));
});

describe('.npy', () => {
  const data = Float32Array.from([0.5, -1.25, 3e-8, 7, 1e9, -0]);

  it('has the v1.0 header, 64-byte aligned, and little-endian float32 values', () => {
    const bytes = encodeNpy(data, [2, 3]);
    expect(Array.from(bytes.slice(0, 8))).toEqual([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), 1, 0]);
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = String.fromCharCode(...bytes.slice(10, 10 + headerLength));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const decoded = new Float32Array(bytes.slice(10 + headerLength).buffer);
    expect(Array.from(decoded)).toEqual(Array.from(data));
  });

  const python = (() => {
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!python)('loads in NumPy with the same shape and values (python3 with numpy present)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'segc-npy-'));
    try {
      const file = join(folder, 'map.npy');
      writeFileSync(file, encodeNpy(data, [2, 3]));
      writeFileSync(join(folder, 'vector.npy'), encodeNpy(data, [6]));
      const script =
        'import json, sys, numpy\nprint(json.dumps([[list(a.shape), str(a.dtype), a.ravel().tolist()] for a in (numpy.load(p) for p in sys.argv[1:])]))';
      const loaded = JSON.parse(
        execFileSync('python3', ['-c', script, file, join(folder, 'vector.npy')], { encoding: 'utf8' }),
      );
      expect(loaded).toEqual([
        [[2, 3], 'float32', Array.from(data)],
        [[6], 'float32', Array.from(data)],
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
