/**
 * The generated trainer's weak supervision against segc's trainer: `--mask-share` and
 * `--label-noise` pick the same images and the same wrong classes (the same hash of the seed and
 * the sample id), and two training steps of unet with the image-level loss of the images without
 * a mask, under `--loss gce` and under label smoothing, give the losses segc's `trainStep` gives
 * (within 1e-5), from the same weights and batch (SGD: Adam divides by √v, which turns float noise
 * in the small gradients of GCE into differences of a few 1e-5 at the second step).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/data/sample.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import type { LossOptions } from '../../src/train/losses.js';
import { Optimizer } from '../../src/train/optimizer.js';
import { trainStep } from '../../src/train/step.js';
import { inferTask } from '../../src/train/task.js';
import { corruptsLabels, keepsMask, otherClass, withNoisyLabels } from '../../src/train/weak.js';
import { compileExample, weightsFor, REPOSITORY } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor, seededValues } from '../runtime/helpers.js';
import { buildExample, python, torchMissing, writeNpy, writeWeights } from './helpers.js';

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-weak-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IDS = Array.from({ length: 120 }, (_, index) => `images/${String(index).padStart(5, '0')}.png`);

describe.skipIf(missing !== undefined)(
  `weak supervision in the generated trainer${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let directory = '';
    beforeAll(async () => {
      await useBackend('wasm');
      registerGradients();
      directory = join(work, 'unet');
      buildExample('unet', directory, compileExample('unet'));
    });

    /** Runs `code` with segc_train imported from the build; returns what it printed, as JSON. */
    function pythonJson(code: string): any {
      const run = python(['-c', `import sys, json\nsys.path.insert(0, ${JSON.stringify(directory)})\n${code}`]);
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout);
    }

    it('--mask-share and --label-noise choose the images segc chooses', () => {
      const settings = [
        [0.05, 1],
        [0.2, 7],
        [0.5, 2],
      ] as const;
      const torch = pythonJson(`import segc_train as t
ids = ${JSON.stringify(IDS)}
settings = ${JSON.stringify(settings)}
print(json.dumps([[[t.keeps_mask(i, share, seed), t.corrupts_labels(i, share, seed), t.other_class(2, 0, 4, seed, i), t.other_class(3, 1, 4, seed, i, 3)] for i in ids] for share, seed in settings]))`);
      const segc = settings.map(([share, seed]) =>
        IDS.map((id) => [
          keepsMask(id, share, seed),
          corruptsLabels(id, share, seed),
          otherClass(2, 0, 4, seed, id),
          otherClass(3, 1, 4, seed, id, 3),
        ]),
      );
      expect(torch).toEqual(segc);
      // The choice is not trivial: some images keep their masks and some do not, at each share.
      for (const rows of segc) {
        const kept = rows.filter((row) => row[0]).length;
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(IDS.length);
      }
    });

    it('a corrupted image gets the same wrong labels and mask as in segc', () => {
      const mask = Uint8Array.from([0, 1, 2, 3, 255, 3, 1, 0]);
      const samples: Sample[] = IDS.slice(0, 40).map((id) => ({
        id,
        width: 4,
        height: 2,
        image: new Float32Array(24),
        mask,
        label: 1,
        labels: [1, 3],
      }));
      const segc = samples.map((sample) => {
        const noisy = withNoisyLabels(sample, 4, 4, 0.4, 3);
        return [noisy.label, noisy.labels, Array.from(noisy.mask!)];
      });
      const torch = pythonJson(`import numpy as np, segc_train as t
out = []
for i in ${JSON.stringify(samples.map((sample) => sample.id))}:
    label, labels, mask = t.noisy_labels(i, 1, [1, 3], np.array(${JSON.stringify(Array.from(mask))}, dtype=np.uint8), 4, 4, 0.4, 3)
    out.append([label, labels, [int(v) for v in mask]])
print(json.dumps(out))`);
      expect(torch).toEqual(segc);
      expect(segc.filter((row) => row[0] !== 1).length).toBeGreaterThan(0);
    });

    it.each<[string, LossOptions | undefined]>([
      ['cross-entropy', undefined],
      ['gce', { kind: 'gce', q: 0.7 }],
      ['label smoothing 0.1', { kind: 'ce', smoothing: 0.1 }],
    ])(
      'two steps of unet with two of three images without a mask (%s) lose what segc loses',
      async (name, loss) => {
        const model = compileExample('unet');
        const task = inferTask(model.graph);
        const weights = weightsFor(model, 5);
        const stepDir = join(work, `step-${name.replace(/\W+/g, '-')}`);
        mkdirSync(join(stepDir, 'batch'), { recursive: true });
        writeWeights(join(stepDir, 'weights.safetensors'), weights);
        const [n, h, w] = [3, 16, 24];
        const images = seededTensor([n, h, w, 3], 3);
        const truth = Int32Array.from(seededValues(n * h * w, 9), (v) =>
          Math.min(task.classes - 1, Math.floor(((v + 1) / 2) * task.classes)),
        );
        truth.fill(255, h * w); // images 2 and 3 have no mask
        const masks = tf.tensor3d(truth, [n, h, w], 'int32');
        const targets = tf.tensor2d(
          Float32Array.from({ length: n * task.classes }, (_, i) => (i % task.classes === 0 ? 0 : (i % 3) % 2)),
          [n, task.classes],
        );
        const imageWeights = tf.tensor1d([0, 1, 1]);
        const classMask = tf.tensor1d(Float32Array.from({ length: task.classes }, (_, i) => (i === 0 ? 0 : 1)));
        writeNpy(join(stepDir, 'batch', 'images.npy'), images);
        writeNpy(join(stepDir, 'batch', 'masks.npy'), tf.cast(masks, 'float32'));
        writeNpy(join(stepDir, 'batch', 'image_targets.npy'), targets);
        writeNpy(join(stepDir, 'batch', 'image_weights.npy'), imageWeights);
        writeNpy(join(stepDir, 'batch', 'class_mask.npy'), classMask);

        const segModel = SegModel.fromTensors(model.graph, model.sizes, weights);
        const trainable = new Map(
          weightDeclarations(model.graph)
            .filter((d) => d.train)
            .map((d) => [d.name, segModel.weights.get(d.name)!]),
        );
        const optimizer = new Optimizer({ name: 'sgd' }, trainable);
        const batch = {
          size: n,
          images,
          masks,
          imageLevel: { targets, weights: imageWeights, classMask },
        } as Parameters<typeof trainStep>[3];
        const segcLosses: number[] = [];
        for (let step = 0; step < 2; step++) {
          const result = await trainStep(segModel, task, optimizer, batch, {
            learningRate: 0.01,
            weightDecay: 1e-3,
            seed: step,
            imageLabelWeight: 0.5,
            ...(loss ? { loss } : {}),
          });
          segcLosses.push(result.loss);
        }
        const config = {
          task: {
            kind: task.kind,
            outputs: task.outputs,
            classes: task.classes,
            imageLabelWeight: 0.5,
            ...(loss ? { loss } : {}),
          },
          optimizer: 'sgd',
          lr: 0.01,
          weightDecay: 1e-3,
          steps: 2,
        };
        const run = python([
          join(REPOSITORY, 'tests/pytorch/train_step.py'),
          directory,
          'unet.py',
          join(stepDir, 'weights.safetensors'),
          join(stepDir, 'batch'),
          JSON.stringify(config),
          join(stepDir, 'after.safetensors'),
        ]);
        expect(run.stderr).toBe('');
        const torchLosses = JSON.parse(run.stdout) as number[];
        expect(torchLosses).toHaveLength(2);
        for (let step = 0; step < 2; step++)
          expect(
            Math.abs(torchLosses[step]! - segcLosses[step]!),
            `step ${step + 1}: torch ${torchLosses[step]}, segc ${segcLosses[step]}`,
          ).toBeLessThanOrEqual(1e-5);
        optimizer.dispose();
        segModel.dispose();
        tf.dispose([...weights.values(), images, masks, targets, imageWeights, classMask]);
      },
      300_000,
    );
  },
);
