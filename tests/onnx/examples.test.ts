/**
 * Every example exported to ONNX: onnx.checker with full_check (Debian's python3-onnx) passes on
 * each file, and ONNX Runtime's outputs equal segc's tfjs executor (cpu) within 1e-4 of the
 * largest output. Batch norms carry random statistics, so folding is part of what is compared.
 * Also: weights past the external-data threshold go to a data file the checker reads back.
 */
import { readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/onnx/export.js';
import { checkModels, compareOutputs, engineFor, modelFromFile } from './helpers.js';

/** An input size each example accepts (its own where it is fixed, small where it is free). */
const SIZES: Readonly<Record<string, readonly number[]>> = {
  'acol.seg': [2, 64, 64, 1],
  'aspp.seg': [2, 40, 36, 3],
  'deeplabv3plus.seg': [1, 65, 49, 3],
  'deeplabv3plus_small.seg': [2, 48, 32, 3],
  'gap_cam.seg': [2, 28, 28, 1],
  'nin.seg': [2, 28, 28, 1],
  'resnet50.seg': [1, 224, 224, 3],
  'spp.seg': [2, 30, 34, 3],
  'unet.seg': [2, 32, 40, 3],
  'vgg16.seg': [1, 224, 224, 3],
  'acol_canvas.seg': [2, 64, 64, 1],
  'canvas_cam.seg': [2, 64, 64, 1],
  'shapes_cam.seg': [2, 64, 64, 3],
  'shapes_cam_gap.seg': [2, 64, 64, 3],
};

const EXAMPLES = [
  ...readdirSync('examples')
    .filter((f) => f.endsWith('.seg'))
    .map((f) => join('examples', f)),
  ...readdirSync('examples/train')
    .filter((f) => f.endsWith('.seg'))
    .map((f) => join('examples/train', f)),
];

const directory = mkdtempSync(join(tmpdir(), 'segc-onnx-examples-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('every example on ONNX', () => {
  it('has an input size in this table', () => {
    expect(EXAMPLES.map((f) => f.split('/').pop()).sort()).toEqual(Object.keys(SIZES).sort());
  });

  it.each(EXAMPLES)(
    '%s passes the checker and matches tfjs',
    async (file) => {
      const model = modelFromFile(file);
      try {
        const path = join(directory, `${model.graph.model}.onnx`);
        writeFileSync(path, (await exportOnnx(model.inference, model.weights)).model);
        expect(checkModels([path])).toEqual(['ok']);
        const engine = await engineFor(model);
        const input = tf.randomUniform([...SIZES[file.split('/').pop()!]!], 0, 1, 'float32', 5);
        const errors = await compareOutputs(model, engine, input);
        for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(1e-4);
        input.dispose();
        await engine.dispose();
      } finally {
        model.dispose();
      }
    },
    300_000,
  );

  it('keeps the weights in an external data file past the threshold', async () => {
    const model = modelFromFile('examples/gap_cam.seg');
    const exported = await exportOnnx(model.inference, model.weights, { externalDataThreshold: 0 });
    model.dispose();
    expect(exported.externalData?.file).toBe('GapCam.onnx.data');
    writeFileSync(join(directory, 'GapCam.onnx.data'), exported.externalData!.bytes);
    writeFileSync(join(directory, 'GapCam-external.onnx'), exported.model);
    expect(exported.model.length).toBeLessThan(exported.externalData!.bytes.length);
    expect(checkModels([join(directory, 'GapCam-external.onnx')])).toEqual(['ok']);
  });
});
