/**
 * `segc explain` in process: the files it writes for each image (overlay PNG at the image's
 * size, map and raw map as JSON or .npy, box JSON), `--list`, and bad input reported as
 * diagnostics or usage errors with the documented exit codes, never a stack trace.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { withoutLeaks } from './helpers.js';

interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function segc(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A PNG with a bright disc on a dark background. */
function writeImage(path: string, width: number, height: number): void {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
      png.data.set([inside ? 240 : 20, inside ? 200 : 30, 40, 255], (y * width + x) * 4);
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'segc-explain-'));
  writeImage(join(folder, 'digit.png'), 20, 24);
  writeImage(join(folder, 'other.png'), 28, 28);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('segc explain', () => {
  it('writes the overlay PNG at the image size, the maps as JSON and the box, per image', () =>
    withoutLeaks(async () => {
      const out = join(folder, 'cam');
      const result = await segc(
        'explain',
        'examples/gap_cam.seg',
        '--image',
        join(folder, 'digit.png'),
        '--image',
        join(folder, 'other.png'),
        '--out',
        out,
        '--method',
        'cam',
        '--backend',
        'cpu',
        '--json',
      );
      expect(result.code, result.err).toBe(0);
      expect(result.err).toContain('WARNING: no --weights given');
      for (const [stem, width, height] of [
        ['digit', 20, 24],
        ['other', 28, 28],
      ] as const) {
        const png = PNG.sync.read(readFileSync(join(out, `${stem}.cam.png`)));
        expect([png.width, png.height]).toEqual([width, height]);
        const map = readJson(join(out, `${stem}.cam.map.json`));
        expect(map.shape).toEqual([28, 28]);
        expect(map.values).toHaveLength(28 * 28);
        expect(Math.min(...map.values)).toBe(0);
        expect(Math.max(...map.values)).toBe(1);
        const raw = readJson(join(out, `${stem}.cam.raw.json`));
        expect(raw.shape).toEqual([7, 7]);
        const box = readJson(join(out, `${stem}.cam.box.json`));
        expect(box.threshold).toBe(0.5);
        expect(box.imageSize).toEqual([height, width]);
        const [x0, y0, x1, y1] = box.box;
        expect(0 <= x0 && x0 < x1 && x1 <= width && 0 <= y0 && y0 < y1 && y1 <= height).toBe(true);
      }
      const reports = result.out
        .trim()
        .split(/\n(?=\{)/)
        .map((text) => JSON.parse(text));
      expect(reports.map((r) => [r.method, r.output, r.target, r.randomWeights])).toEqual([
        ['cam', 'logits', 'features/relu_3', true],
        ['cam', 'logits', 'features/relu_3', true],
      ]);
    }));

  it('Grad-CAM with a layer, a class and .npy files; repeated image names do not overwrite', () =>
    withoutLeaks(async () => {
      const out = join(folder, 'npy');
      const image = join(folder, 'other.png');
      const result = await segc(
        'explain',
        'examples/nin.seg',
        '--image',
        image,
        '--image',
        image,
        '--out',
        out,
        '--method',
        'gradcam',
        '--layer',
        'features',
        '--class',
        '3',
        '--format',
        'npy',
        '--backend',
        'cpu',
        '--json',
      );
      expect(result.code, result.err).toBe(0);
      for (const stem of ['other', 'other-2']) {
        for (const suffix of ['gradcam.png', 'gradcam.map.npy', 'gradcam.raw.npy', 'gradcam.box.json'])
          expect(existsSync(join(out, `${stem}.${suffix}`)), `${stem}.${suffix}`).toBe(true);
      }
      const bytes = readFileSync(join(out, 'other.gradcam.map.npy'));
      expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
      expect(bytes.toString('latin1')).toContain("'shape': (28, 28)");
      expect(JSON.parse(result.out.trim().split(/\n(?=\{)/)[0]!)).toMatchObject({ class: 3, target: 'features/relu' });
    }));

  it('feature maps as a grid PNG', () =>
    withoutLeaks(async () => {
      const out = join(folder, 'features');
      const result = await segc(
        'explain',
        'examples/acol.seg',
        '--image',
        join(folder, 'other.png'),
        '--out',
        out,
        '--method',
        'features',
        '--layer',
        'mapA',
        '--backend',
        'cpu',
      );
      expect(result.code, result.err).toBe(0);
      const png = PNG.sync.read(readFileSync(join(out, 'other.features.png')));
      // 10 channels of 16×16 tile as 4 columns × 3 rows with 1-pixel gaps.
      expect([png.width, png.height]).toEqual([4 * 17 - 1, 3 * 17 - 1]);
      expect(readJson(join(out, 'other.features.json')).shape).toEqual([16, 16, 10]);
    }));

  it('--list prints the derived plan without running anything', async () => {
    const result = await segc('explain', 'examples/aspp.seg', '--list');
    expect(result.code).toBe(0);
    expect(result.out).toContain('output logits: segmentation, 4 classes');
    expect(result.out).toContain('Grad-CAM target: `logits/conv`');
    expect(result.out).toContain('exact CAM: no');
    expect(result.out).toContain('output mask: not explained');
    const json = await segc('explain', 'examples/acol.seg', '--list', '--json');
    const [survey] = JSON.parse(json.out);
    expect(survey.plans.map((p: { output: string; target: { name: string } }) => [p.output, p.target.name])).toEqual([
      ['logitsA', 'mapA/conv_1'],
      ['logitsB', 'mapB/conv_1'],
      ['fused', 'fused/max'],
    ]);
    expect(survey.plans[0].acol).toMatchObject({ firstName: 'mapA/conv_1', secondName: 'mapB/conv_1' });
  });

  it.each([
    ['an unknown layer', ['--layer', 'featurez'], 1, 'E0903'],
    ['a class out of range', ['--class', '10'], 1, 'E0904'],
    ['CAM on a segmentation model', ['--method', 'cam', '--input', '32,32'], 1, 'E0905'],
    ['an unknown method', ['--method', 'gradcampp2'], 2, '--method must be one of'],
    ['a negative class', ['--class=-1'], 2, '--class expects'],
    ['a bad threshold', ['--threshold', '2'], 2, '--threshold expects'],
  ])('%s is reported without a stack trace', (_what, extra, code, text) =>
    withoutLeaks(async () => {
      const model = extra.includes('cam') && extra.includes('--input') ? 'examples/aspp.seg' : 'examples/gap_cam.seg';
      const result = await segc(
        'explain',
        model,
        '--image',
        join(folder, 'other.png'),
        '--out',
        join(folder, 'bad'),
        '--backend',
        'cpu',
        ...(extra as string[]),
      );
      expect(result.code).toBe(code);
      expect(result.err).toContain(text);
      expect(result.err).not.toMatch(/\n\s+at /);
    }),
  );

  it('a missing image is E0601 and a missing --out is a usage error', async () => {
    const missing = await segc(
      'explain',
      'examples/gap_cam.seg',
      '--image',
      join(folder, 'nope.png'),
      '--out',
      join(folder, 'x'),
      '--backend',
      'cpu',
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E0601');
    const noOut = await segc('explain', 'examples/gap_cam.seg', '--image', join(folder, 'other.png'));
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out');
    expect(tf.getBackend()).toBe('cpu');
  });
});
