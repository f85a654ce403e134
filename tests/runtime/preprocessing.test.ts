/**
 * `@preprocess` on an input: the IR carries it, the formatter keeps it, bad values are reported
 * at the argument, and an image becomes exactly the tensor that the declared arithmetic gives,
 * computed here by hand from the PNG's bytes, through the API and through `segc run --format npy`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parse } from '../../src/parser/index.js';
import { print } from '../../src/parser/printer.js';
import { fromPixelBytes } from '../../src/runtime/image.js';
import { decodeNpy } from '../../src/runtime/npy.js';
import { prepareModelInput } from '../../src/runtime/preprocess-image.js';
import { batchTensors, disposeBatch } from '../../src/train/inputs.js';
import { inputSpec } from '../../src/train/task.js';
import { compileText, diagnose, hints } from '../helpers/compile.js';

const CAFFE = '@preprocess(order: "bgr", scale: 1, mean: [103.5, 116.5, 123.5], std: [57, 58, 59])';
const model = (annotation: string, size = 4, channels = 3) =>
  `model P() {\n  input image: f32[1, ${size}, ${size}, ${channels}] ${annotation}\n  output x = image -> relu\n}\n`;

/** A size×size RGBA image whose bytes are known: R, G, B vary with x, y and both. */
function pixels(size: number): Uint8Array {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      data.set([(40 * x + 7) % 256, (60 * y + 3) % 256, (25 * (x + y) + 200) % 256, 255], (y * size + x) * 4);
  return data;
}

/** The Caffe-style declaration by hand: BGR, (pixel − mean) / std, then relu as the model does. */
function byHand(
  data: Uint8Array,
  width: number,
  size: number,
  pick: (row: number, column: number) => [number, number],
): number[] {
  const mean = [103.5, 116.5, 123.5];
  const std = [57, 58, 59];
  const values: number[] = [];
  for (let row = 0; row < size; row++)
    for (let column = 0; column < size; column++) {
      const [y, x] = pick(row, column);
      const rgb = [0, 1, 2].map((c) => data[(y * width + x) * 4 + c]!);
      [rgb[2]!, rgb[1]!, rgb[0]!].forEach((value, c) => values.push(Math.max(0, (value - mean[c]!) / std[c]!)));
    }
  return values;
}

function graphOf(source: string) {
  const result = compileText(source);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.models[0]!.graph!;
}

describe('@preprocess in the language', () => {
  it('reaches the IR with its defaults filled in; an input without it has none', () => {
    expect(graphOf(model(CAFFE)).inputs[0]!.preprocessing).toEqual({
      resize: 'bilinear',
      centres: 'half-pixel',
      order: 'bgr',
      grey: 'mean',
      scale: 1,
      mean: [103.5, 116.5, 123.5],
      std: [57, 58, 59],
    });
    expect(graphOf(model('')).inputs[0]!.preprocessing).toBeUndefined();
  });

  it('takes compile-time expressions, model parameters included', () => {
    const source =
      'model P(s: float = 0.5) {\n  input image: f32[1, 4, 4, 1] @preprocess(scale: 1 / 127.5, mean: s * 2, grey: "luma")\n  output x = image -> relu\n}\n';
    const preprocessing = graphOf(source).inputs[0]!.preprocessing!;
    expect([preprocessing.scale, preprocessing.mean, preprocessing.grey]).toEqual([1 / 127.5, [1], 'luma']);
  });

  it('is kept by the formatter, before `where`', () => {
    const source =
      'model P() {\n  input image: f32[N, H, W, 3] @preprocess(order: "bgr", mean: [1, 2, 3]) where H % 2 == 0\n  output x = image -> relu\n}\n';
    const parsed = parse(source, 'p.seg');
    expect(parsed.diagnostics).toEqual([]);
    expect(print(parsed.program)).toBe(source);
  });

  it('reports bad arguments at the argument', () => {
    expect(diagnose(model('@preprocess(order: "gbr")'))).toEqual([
      '2:51 E0288 `order` is one of "rgb", "bgr", not "gbr"',
    ]);
    expect(diagnose(model('@preprocess(std: [1, 0, 1])'))).toEqual(['2:49 E0288 `std` divides, so it cannot be 0']);
    expect(diagnose(model('@preprocess(mean: [1, 2, 3])', 4, 1))).toEqual([
      '2:50 E0288 `mean` has 3 values but the input has 1 channel',
    ]);
    expect(diagnose(model('@preprocess(scale: -1)'))).toEqual(['2:51 E0288 `scale` must be a number above 0']);
    expect(diagnose(model('@preprocess(colour: "bgr")'))).toEqual([
      '2:44 E0288 `@preprocess` has no argument `colour`',
    ]);
    expect(diagnose(model('@preprocess("bgr")'))).toEqual(['2:44 E0288 `@preprocess` takes named arguments only']);
    expect(diagnose(model('@frozen'))).toEqual(['2:32 E0287 an input takes no `@frozen`']);
    expect(diagnose(model('@preprocess(order: "bgr", order: "rgb")'))).toEqual(['2:58 E0288 `order` is given twice']);
    expect(diagnose(model('@preprocess(order: "bgr") @preprocess(scale: 1)'))).toEqual([
      '2:58 E0288 input `image` has two `@preprocess`',
    ]);
    expect(hints(model('@preprocess(order: "gbr")'))).toEqual(['write `order: "rgb"`']);
    expect(hints(model('@preprocess(colour: "bgr")'))).toEqual([
      'its arguments: resize, centres, order, grey, scale, mean, std',
    ]);
    expect(diagnose(model('@preprocess(mean: foo)'))).toEqual(['2:50 E0210 unknown name `foo`']);
    expect(diagnose(model('@preprocess(mean: image)'))).toEqual(['2:50 E0210 unknown name `image`']);
  });
});

describe('an image becomes the declared tensor', () => {
  const folder = mkdtempSync(join(tmpdir(), 'segc-preprocess-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('through the API: BGR, mean and std, nearest resize from 8×8 to 4×4', async () => {
    await tf.setBackend('cpu');
    const data = pixels(8);
    const graph = graphOf(model(CAFFE.replace('order:', 'resize: "nearest", order:')));
    const before = tf.memory().numTensors;
    const image = fromPixelBytes(data, 8, 8, 4);
    const input = prepareModelInput(graph, image, 4, 4);
    const output = tf.relu(input);
    const values = Array.from(output.dataSync());
    tf.dispose([image, input, output]);
    expect(tf.memory().numTensors).toBe(before);
    // Nearest with half-pixel centres reads source pixel floor((i + 0.5) · 2) = 2i + 1.
    const expected = byHand(data, 8, 4, (row, column) => [2 * row + 1, 2 * column + 1]);
    values.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
  });

  it('resizes with the declared centres: 4×4 to 2×2 samples rows and columns where each convention says', async () => {
    await tf.setBackend('cpu');
    const data = pixels(4);
    const image = fromPixelBytes(data, 4, 4, 4);
    const red = (y: number, x: number) => data[(y * 4 + x) * 4]! / 255;
    // Source position of output i: half-pixel (i + 0.5)·2 − 0.5, legacy i·2, corners i·(4 − 1)/(2 − 1).
    const at = (y: number, x: number) => {
      const [y0, x0] = [Math.floor(y), Math.floor(x)];
      const [fy, fx] = [y - y0, x - x0];
      const [y1, x1] = [Math.min(y0 + 1, 3), Math.min(x0 + 1, 3)];
      return (1 - fy) * ((1 - fx) * red(y0, x0) + fx * red(y0, x1)) + fy * ((1 - fx) * red(y1, x0) + fx * red(y1, x1));
    };
    const positions = { 'half-pixel': [0.5, 2.5], legacy: [0, 2], corners: [0, 3] } as const;
    for (const [centres, [first, second]] of Object.entries(positions)) {
      const graph = graphOf(model(`@preprocess(centres: "${centres}")`, 2));
      const input = prepareModelInput(graph, image, 2, 2);
      const reds = Array.from(input.dataSync()).filter((_, index) => index % 3 === 0);
      input.dispose();
      const expected = [at(first, first), at(first, second), at(second, first), at(second, second)];
      reds.forEach((value, index) => expect(value, centres).toBeCloseTo(expected[index]!, 5));
    }
    image.dispose();
  });

  it('through `segc run --format npy`', async () => {
    const data = pixels(4);
    const png = new PNG({ width: 4, height: 4 });
    png.data = Buffer.from(data);
    writeFileSync(join(folder, 'in.png'), PNG.sync.write(png));
    writeFileSync(join(folder, 'p.seg'), model(CAFFE));
    const io = { out: () => undefined, err: (text: string) => void process.stderr.write(`${text}\n`) };
    const code = await main(
      [
        'run',
        join(folder, 'p.seg'),
        '--image',
        join(folder, 'in.png'),
        '--out',
        join(folder, 'out'),
        '--format',
        'npy',
      ],
      io,
    );
    expect(code).toBe(0);
    const decoded = decodeNpy(new Uint8Array(readFileSync(join(folder, 'out', 'in.x.npy'))));
    if ('problem' in decoded) throw new Error(decoded.problem);
    expect(decoded.shape).toEqual([1, 4, 4, 3]);
    const expected = byHand(data, 4, 4, (row, column) => [row, column]);
    Array.from(decoded.values).forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
  });

  it('in training batches, as segc run makes it', async () => {
    await tf.setBackend('cpu');
    const data = pixels(4);
    const rgb = new Float32Array(16 * 3);
    for (let pixel = 0; pixel < 16; pixel++)
      for (let c = 0; c < 3; c++) rgb[pixel * 3 + c] = data[pixel * 4 + c]! / 255;
    const graph = graphOf(model(CAFFE));
    const sample = { id: 'a.png', image: rgb, height: 4, width: 4, label: 0 };
    const before = tf.memory().numTensors;
    const batch = batchTensors([sample], inputSpec(graph), { kind: 'classification', outputs: ['x'], classes: 3 });
    const output = tf.relu(batch.images);
    const values = Array.from(output.dataSync());
    tf.dispose(output);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
    const expected = byHand(data, 4, 4, (row, column) => [row, column]);
    values.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 5));
  });

  it('through `segc explain`: the explained class is the one `segc run` gets from the declared tensor', async () => {
    // GapCam was trained on [0, 1] pixels; fed [-1, 1] it reads the digit 7 as another class.
    const declared = '@preprocess(grey: "luma", scale: 1 / 127.5, mean: 1)';
    const source = readFileSync('examples/gap_cam.seg', 'utf8').replace(
      'f32[N, 28, 28, 1]',
      `f32[N, 28, 28, 1] ${declared}`,
    );
    expect(source).toContain(declared);
    writeFileSync(join(folder, 'gap_cam.seg'), source);
    const io = { out: () => undefined, err: () => undefined };
    const common = ['--weights', 'weights/gap_cam', '--image', 'examples/images/digit-7.png'];
    const classOf = async (file: string, command: string, out: string) => {
      expect(await main([command, file, ...common, '--out', join(folder, out)], io)).toBe(0);
      const report = command === 'run' ? 'digit-7.json' : 'digit-7.gradcam.report.json';
      const parsed = JSON.parse(readFileSync(join(folder, out, report), 'utf8')) as {
        class?: number;
        top?: { class: number }[];
      };
      return parsed.class ?? parsed.top![0]!.class;
    };
    const plain = await classOf('examples/gap_cam.seg', 'run', 'plain');
    const run = await classOf(join(folder, 'gap_cam.seg'), 'run', 'run');
    const explained = await classOf(join(folder, 'gap_cam.seg'), 'explain', 'explain');
    expect(plain).toBe(7);
    expect(run).not.toBe(7);
    expect(explained).toBe(run);
  });
});
