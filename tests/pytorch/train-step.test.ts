/**
 * One training step from the same state gives the same loss in PyTorch as in segc, within 1e-5:
 * the same weights (batch-norm statistics away from their initial values), the same batch, the
 * same optimizer settings, through segc's `trainStep` on one side and the generated module with
 * `segc_train.training_step` on the other. A second step checks that the update agreed too
 * (its loss is computed from the updated weights), and the weights after it are compared.
 * Models with dropout are left out: the two engines draw different masks.
 */
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { decodeSafetensors } from '../../src/runtime/safetensors.js';
import { Optimizer, type OptimizerName } from '../../src/train/optimizer.js';
import { trainStep } from '../../src/train/step.js';
import { inferTask } from '../../src/train/task.js';
import { compileExample, weightsFor, REPOSITORY } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor, seededValues } from '../runtime/helpers.js';
import { buildExample, python, torchMissing, writeNpy, writeWeights } from './helpers.js';

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-step-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES: readonly [string, number[], OptimizerName, 'multi-label'?][] = [
  ['gap_cam', [2, 28, 28, 1], 'adam'],
  ['gap_cam', [3, 28, 28, 1], 'sgd', 'multi-label'],
  ['acol', [1, 64, 64, 1], 'sgd'],
  ['unet', [2, 16, 24, 3], 'adam'],
  ['spp', [2, 20, 28, 3], 'sgd'],
];

const STEPS = 2;
const LEARNING_RATE = 0.01;
const WEIGHT_DECAY = 1e-3;

/** Class indices from seeded values: a label per image or per pixel. */
function seededClasses(count: number, classes: number, seed: number): Int32Array {
  return Int32Array.from(seededValues(count, seed), (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
}

describe.skipIf(missing !== undefined)(
  `a training step in PyTorch and in segc${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    beforeAll(async () => {
      await useBackend('wasm');
      registerGradients();
    });

    it.each(
      CASES.map((c) => [`${c[0]} at ${c[1].join('×')} with ${c[2]}${c[3] ? ', multi-label' : ''}`, ...c] as const),
    )(
      '%s',
      async (_title, stem, shape, optimizerName, multiLabel) => {
        const directory = join(work, `${stem}-${optimizerName}${multiLabel ? '-multi-label' : ''}`);
        const model = buildExample(stem, directory, compileExample(stem));
        const task = inferTask(model.graph);
        const weights = weightsFor(model, 5);
        writeWeights(join(directory, 'weights.safetensors'), weights);
        const images = seededTensor(shape, 3);
        const batchDir = join(directory, 'batch');
        mkdirSync(batchDir);
        writeNpy(join(batchDir, 'images.npy'), images);
        const [n, h, w] = shape as [number, number, number];
        const truth =
          task.kind === 'segmentation' ? seededClasses(n * h * w, task.classes, 9) : seededClasses(n, task.classes, 9);
        if (task.kind === 'segmentation') truth[0] = 255; // one ignored pixel
        const truthTensor =
          task.kind === 'segmentation' ? tf.tensor3d(truth, [n, h, w], 'int32') : tf.tensor1d(truth, 'int32');
        writeNpy(
          join(batchDir, task.kind === 'segmentation' ? 'masks.npy' : 'labels.npy'),
          tf.cast(truthTensor, 'float32'),
        );
        // Multi-label: a multi-hot row per image (some images with two classes, one with none).
        const targets = multiLabel
          ? tf.tensor2d(
              Float32Array.from(seededValues(n * task.classes, 21), (v) => (v > 0.6 ? 1 : 0)),
              [n, task.classes],
            )
          : undefined;
        if (targets) writeNpy(join(batchDir, 'targets.npy'), targets);

        const segModel = SegModel.fromTensors(model.graph, model.sizes, weights);
        const trainable = new Map(
          weightDeclarations(model.graph)
            .filter((d) => d.train)
            .map((d) => [d.name, segModel.weights.get(d.name)!]),
        );
        const optimizer = new Optimizer({ name: optimizerName }, trainable);
        const truthField =
          task.kind === 'segmentation' ? { masks: truthTensor } : targets ? { targets } : { labels: truthTensor };
        const batch = { size: n, images, ...truthField } as Parameters<typeof trainStep>[3];
        const segcLosses: number[] = [];
        for (let step = 0; step < STEPS; step++) {
          segcLosses.push(
            (
              await trainStep(segModel, task, optimizer, batch, {
                learningRate: LEARNING_RATE,
                weightDecay: WEIGHT_DECAY,
                seed: step,
                multiLabel: multiLabel !== undefined,
              })
            ).loss,
          );
        }

        const config = {
          task: { kind: task.kind, outputs: task.outputs, classes: task.classes },
          optimizer: optimizerName,
          lr: LEARNING_RATE,
          weightDecay: WEIGHT_DECAY,
          steps: STEPS,
        };
        const run = python([
          join(REPOSITORY, 'tests/pytorch/train_step.py'),
          directory,
          `${stem}.py`,
          join(directory, 'weights.safetensors'),
          batchDir,
          JSON.stringify(config),
          join(directory, 'after.safetensors'),
        ]);
        expect(run.stderr).toBe('');
        const torchLosses = JSON.parse(run.stdout) as number[];
        expect(torchLosses).toHaveLength(STEPS);
        for (let step = 0; step < STEPS; step++)
          expect(
            Math.abs(torchLosses[step]! - segcLosses[step]!),
            `loss of step ${step + 1}: torch ${torchLosses[step]}, segc ${segcLosses[step]}`,
          ).toBeLessThanOrEqual(1e-5);
        expect(segcLosses[1]).not.toBe(segcLosses[0]);
        if (process.env.SEGC_SHOW_ERRORS)
          console.log(`${stem}: segc ${segcLosses.join(', ')}; torch ${torchLosses.join(', ')}`);

        const after = decodeSafetensors(
          new Uint8Array(readFileSync(join(directory, 'after.safetensors'))),
          'after.safetensors',
        );
        let worst = 0;
        for (const entry of after.entries) {
          const name = entry.key.replace(/\./g, '/');
          const mine = segModel.weights.get(name)!.dataSync();
          entry.values.forEach((value, index) => (worst = Math.max(worst, Math.abs(value - mine[index]!))));
        }
        expect(after.entries.length).toBe(segModel.weights.size);
        // Adam divides by the root of the second moment, so a weight whose gradient is near zero can
        // move by up to the learning rate on float noise alone: the bound is 5% of the largest move.
        expect(worst, 'largest weight difference after the steps').toBeLessThanOrEqual(
          optimizerName === 'adam' ? 0.05 * LEARNING_RATE * STEPS : 1e-5,
        );

        optimizer.dispose();
        segModel.dispose();
        tf.dispose([...weights.values(), images, truthTensor, ...(targets ? [targets] : [])]);
      },
      300_000,
    );
  },
);
