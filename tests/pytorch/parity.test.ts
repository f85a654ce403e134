/**
 * The generated PyTorch module against segc's executor, independently implemented (tfjs
 * kernels on one side, torch's on the other): for every example, the same weights (written by
 * segc as safetensors, read by the module) and the same input give the same first output within
 * 1e-4 (max |difference| / max(1, max |value|)), through the module's own command line
 * (`python3 <model>.py --weights --input --output`). Batch-norm statistics are away from their
 * initial values so inference-mode normalisation is exercised. Class-index outputs (argmax) must
 * agree exactly except where two logits tie within the tolerance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegModel } from '../../src/runtime/model.js';
import { compileExample, weightsFor } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { buildExample, python, readNpy, torchMissing, writeNpy, writeWeights } from './helpers.js';

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every example, each at a small input its `where` clauses accept (rows ≠ columns where free). */
const CASES: readonly [string, number[], string?][] = [
  ['gap_cam', [2, 28, 28, 1]],
  ['nin', [2, 28, 28, 1]],
  ['acol', [2, 64, 64, 1]],
  ['acol', [2, 64, 64, 1], 'logitsB'],
  ['aspp', [2, 24, 40, 3]],
  ['aspp', [2, 24, 40, 3], 'mask'],
  ['deeplabv3plus_small', [1, 32, 48, 3]],
  ['unet', [1, 16, 24, 3]],
  ['spp', [1, 20, 28, 3]],
  ['deeplabv3plus', [1, 48, 64, 3]],
  ['resnet50', [1, 224, 224, 3]],
  ['vgg16', [1, 224, 224, 3]],
];

describe.skipIf(missing !== undefined)(
  `PyTorch modules against the executor${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    beforeAll(() => useBackend('wasm'));

    const titled = CASES.map(
      ([stem, shape, output]) =>
        [`${stem} ${output ?? 'first output'} at ${shape.join('×')}`, stem, shape, output] as const,
    );
    it.each(titled)(
      '%s',
      async (_title, stem, shape, outputName) => {
        const directory = join(work, stem);
        const model = buildExample(stem, directory, compileExample(stem));
        const weights = weightsFor(model, 7);
        const input = seededTensor(shape, 11);
        writeWeights(join(directory, 'weights.safetensors'), weights);
        writeNpy(join(directory, 'input.npy'), input);
        const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
        const outputs = interpreter.predict(input);
        const name = outputName ?? model.graph.outputs[0]!.name;
        const expected = outputs[name]!;
        const args = [
          `${stem}.py`,
          '--weights',
          'weights.safetensors',
          '--input',
          'input.npy',
          '--output',
          'output.npy',
        ];
        const run = python(outputName ? [...args, '--output-name', outputName] : args, {
          cwd: directory,
          timeout: 300_000,
        });
        expect(run.stderr, `${stem}.py failed`).toBe('');
        expect(run.status).toBe(0);
        const actual = readNpy(join(directory, 'output.npy'));
        expect(actual.shape).toEqual(expected.shape);
        const want = expected.dataSync();
        if (expected.dtype === 'int32') {
          // A class index may differ only where the two logits are within the tolerance of each other.
          const logits = outputs[model.graph.outputs[0]!.name]!;
          const classes = logits.shape[logits.rank - 1]!;
          const values = logits.dataSync();
          const scale = Math.max(1, ...Array.from(values, Math.abs));
          let mismatches = 0;
          actual.values.forEach((value, index) => {
            if (value === want[index]) return;
            const gap = Math.abs(values[index * classes + value]! - values[index * classes + want[index]!]!);
            expect(gap / scale, `class ${value} against ${want[index]} at ${index}`).toBeLessThanOrEqual(1e-4);
            mismatches += 1;
          });
          expect(mismatches).toBeLessThanOrEqual(2);
        } else {
          let worst = 0;
          let scale = 1;
          want.forEach((value, index) => {
            worst = Math.max(worst, Math.abs(actual.values[index]! - value));
            scale = Math.max(scale, Math.abs(value));
          });
          if (process.env.SEGC_SHOW_ERRORS) console.log(`${stem} ${name}: ${worst / scale}`);
          expect(worst / scale, `${stem} ${name}: max |torch - segc| / scale`).toBeLessThanOrEqual(1e-4);
        }
        tf.dispose([...Object.values(outputs), ...weights.values(), input]);
        interpreter.dispose();
      },
      600_000,
    );
  },
);
