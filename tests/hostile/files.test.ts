/**
 * Regression tests for hostile images, output folders, `fmt` on special files and bad
 * `predict` inputs of issue 14 (cases 4, 5, 6 and 9), each with its exit code and message.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  lstatSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { decodeImage as decodeDatasetImage, decodeMask } from '../../src/data/node/codecs.js';
import { decodeImage } from '../../src/runtime/node/image-io.js';
import { SegModel } from '../../src/runtime/model.js';
import { compileText } from '../helpers/compile.js';
import { useBackend } from '../ops/backends.js';
import { scratchFolder, segc, segcInChild, writeText } from './harness.js';

const work = scratchFolder('hostile-files');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODEL = 'model M() {\n  input x: f32[N, H, W, 3]\n  output y = x -> conv(2, 3)\n}\n';
let model: string;
let good: Buffer;

/** A valid PNG whose IHDR claims another size (with a correct CRC): the pixel data stays 4×4. */
function pngClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(good);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)) >>> 0, 29);
  return bytes;
}

beforeAll(async () => {
  await useBackend('cpu');
  model = writeText(work, 'm.seg', MODEL);
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(100);
  good = PNG.sync.write(png);
});

const run = (...images: string[]) =>
  segc(
    'run',
    model,
    ...images.flatMap((i) => ['--image', i]),
    '--out',
    join(work, 'out'),
    '--backend',
    'cpu',
    '--json',
  );

describe('images are bounded before they are decoded (cases 4 and 6)', () => {
  it('a 1 KB PNG claiming 20000×20000 is E0605 with exit 1, in a child with a 512 MB heap', () => {
    const path = join(work, 'huge.png');
    writeFileSync(path, pngClaiming(20000, 20000));
    expect(good.length).toBeLessThan(1024);
    const result = segcInChild(['run', model, '--image', path, '--out', join(work, 'out-huge'), '--backend', 'cpu']);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${path}:1:1: error E0605: ${path} is 20000×20000 pixels, more than the limit of 16777216 pixels (4096×4096)`,
    );
  });

  it('`--image /dev/zero` is E0601: not a regular file', async () => {
    const result = await run('/dev/zero');
    expect(result.code).toBe(1);
    expect(result.err).toContain('/dev/zero: error E0601: /dev/zero is not a file');
  });

  it('a zero-width PNG is E0605 and writes nothing', async () => {
    const path = join(work, 'zero.png');
    writeFileSync(path, pngClaiming(0, 64));
    const result = await segc('run', model, '--image', path, '--out', join(work, 'out-zero'), '--backend', 'cpu');
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${path}:1:1: error E0605: ${path} has no pixels: its header says 0×64`);
    expect(existsSync(join(work, 'out-zero')) ? readdirSync(join(work, 'out-zero')) : []).toEqual([]);
  });

  it('a JPEG header claiming 60000×60000 is refused before decoding', () => {
    // SOI, then a baseline SOF0 segment: length 17, precision 8, height, width, 3 components
    const jpeg = Uint8Array.from([
      0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ]);
    expect(() => decodeImage(jpeg, 'big.jpg')).toThrow(DiagnosticError);
    try {
      decodeImage(jpeg, 'big.jpg');
    } catch (error) {
      expect((error as DiagnosticError).diagnostics[0]).toMatchObject({
        code: 'E0605',
        message: 'big.jpg is 60000×60000 pixels, more than the limit of 16777216 pixels (4096×4096)',
      });
    }
  });

  it('data set images and masks are held to the same limit before decoding', () => {
    const huge = pngClaiming(20000, 20000);
    const message = 'its header says 20000×20000 pixels; images must have between 1 and 16777216 (docs/limits.md)';
    expect(() => decodeDatasetImage(huge)).toThrow(message);
    expect(() => decodeMask(huge)).toThrow(message);
    expect(() => decodeDatasetImage(pngClaiming(0, 64))).toThrow('its header says 0×64 pixels');
  });

  it('a model whose declared input is 100000×100000 is refused before the image is resized to it', async () => {
    const big = writeText(
      work,
      'big-input.seg',
      'model M() {\n  input x: f32[N, 100000, 100000, 3]\n  output y = x -> conv(2, 3)\n}\n',
    );
    writeFileSync(join(work, 'in.png'), good);
    const result = await segc(
      'run',
      big,
      '--image',
      join(work, 'in.png'),
      '--out',
      join(work, 'out-big'),
      '--backend',
      'cpu',
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${big}:2:3: error E0605: the input of \`M\` would be 100000×100000 pixels, more than the limit of 16777216 pixels (4096×4096)`,
    );
  });

  it('two images with the same file name in different folders get distinct outputs (exit 0)', async () => {
    for (const folder of ['a', 'b']) {
      rmSync(join(work, folder), { recursive: true, force: true });
      mkdirSync(join(work, folder));
      writeFileSync(join(work, folder, 'x.png'), good);
    }
    const result = await run(join(work, 'a', 'x.png'), join(work, 'b', 'x.png'));
    expect(result.code).toBe(0);
    const reports = result.out.split(/\n(?=\{)/).map((text) => JSON.parse(text));
    expect(reports.map((r) => r.files.mask)).toEqual([
      join(work, 'out', 'x.mask.png'),
      join(work, 'out', 'x-2.mask.png'),
    ]);
    expect(
      readdirSync(join(work, 'out'))
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(['x-2.json', 'x.json']);
  });
});

describe('--out naming an existing file (case 5)', () => {
  it('is a usage error (exit 2) before anything runs, not an internal error', async () => {
    const file = writeText(work, 'a-file', 'not a folder');
    writeFileSync(join(work, 'in.png'), good);
    const result = await segc('run', model, '--image', join(work, 'in.png'), '--out', file, '--backend', 'cpu');
    expect(result.code).toBe(2);
    expect(result.err).toContain(`--out ${file} is a file; give a folder (it is created if missing)`);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('is a usage error for explain too, and for a folder under a file', async () => {
    const file = writeText(work, 'b-file', 'not a folder');
    const result = await segc(
      'explain',
      model,
      '--image',
      join(work, 'in.png'),
      '--out',
      join(file, 'maps'),
      '--backend',
      'cpu',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain(`--out ${join(file, 'maps')} lies under ${file}, which is a file; give a folder`);
  });
});

describe('fmt keeps modes and symbolic links (case 9)', () => {
  const UGLY = 'model M() {\n  input x: f32[N, H, W, 3]\n      output y = x -> relu\n}\n';

  it('rewrites the target of a symbolic link; the link stays a link', async () => {
    const target = writeText(work, 'target.seg', UGLY);
    const link = join(work, 'link.seg');
    symlinkSync(target, link);
    const result = await segc('fmt', link);
    expect(result.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).not.toBe(UGLY);
    expect((await segc('fmt', '--check', target)).code).toBe(0);
  });

  it('keeps the permission bits of the file it rewrites', async () => {
    const file = writeText(work, 'private.seg', UGLY);
    chmodSync(file, 0o640);
    expect((await segc('fmt', file)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('leaves a read-only file alone: exit 1, E0604, still read-only and unchanged', async () => {
    const file = writeText(work, 'readonly.seg', UGLY);
    chmodSync(file, 0o444);
    const result = await segc('fmt', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:1:1: error E0604: ${file} is read-only, so it was left as it is`);
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(readFileSync(file, 'utf8')).toBe(UGLY);
  });
});

describe('predict names a bad input (case 9)', () => {
  const compiled = () => compileText(MODEL).models[0]!;

  function diagnosticOf(action: () => unknown) {
    try {
      action();
    } catch (error) {
      expect(error).toBeInstanceOf(DiagnosticError);
      return (error as DiagnosticError).diagnostics[0]!;
    }
    throw new Error('expected a DiagnosticError');
  }

  it('an int32 tensor is E0424 naming the input and the dtype', () => {
    const { graph, sizes } = compiled();
    const segModel = SegModel.random(graph!, sizes, 1);
    const input = tf.zeros([1, 4, 4, 3], 'int32');
    expect(diagnosticOf(() => segModel.predict(input))).toMatchObject({
      code: 'E0424',
      message: 'the input `x` must be float32 (f32), got int32',
      hint: "convert it first: tf.cast(tensor, 'float32')",
    });
    input.dispose();
    segModel.dispose();
  });

  it('a disposed tensor is E0424', () => {
    const { graph, sizes } = compiled();
    const segModel = SegModel.random(graph!, sizes, 1);
    const input = tf.zeros([1, 4, 4, 3]);
    input.dispose();
    expect(diagnosticOf(() => segModel.predict(input))).toMatchObject({
      code: 'E0424',
      message: 'the input `x` was disposed before predict',
    });
    segModel.dispose();
  });

  it('a disposed model is E0424', () => {
    const { graph, sizes } = compiled();
    const segModel = SegModel.random(graph!, sizes, 1);
    segModel.dispose();
    const input = tf.zeros([1, 4, 4, 3]);
    expect(diagnosticOf(() => segModel.predict(input))).toMatchObject({
      code: 'E0424',
      message: 'the model `M` was disposed',
    });
    input.dispose();
  });
});
