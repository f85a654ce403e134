/**
 * Distributed training end to end, from the `.seg` file through the command line: `segc data`
 * writes a small shapes set, `segc build --target pytorch` the module and train.py, torchrun
 * starts two processes with DistributedDataParallel on gloo (CPU), the loss falls over a few
 * steps, a second run resumes from the checkpoint where the first stopped and finishes the
 * epoch (its validation scores are segc eval's), and `segc eval` scores the checkpoint's
 * safetensors weights, which predict in segc what they predict in the module.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { REPOSITORY, compileExample } from '../codegen/helpers.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { python, readNpy, torchMissing, writeNpy } from './helpers.js';
import { segc } from '../helpers/cli.js';

const missing = torchMissing();
const work = mkdtempSync(join(tmpdir(), 'segc-pytorch-ddp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * torchrun with two processes. `--redirects 1 --tee 1`: Debian's torch 1.13 under Python 3.11
 * cannot parse the default `--redirects 0` (Std.NONE is no longer iterated), so stdout is teed.
 */
function torchrun(build: string, ...args: string[]) {
  return python(
    [
      '-m',
      'torch.distributed.run',
      '--nproc_per_node=2',
      '--redirects',
      '1',
      '--tee',
      '1',
      join(build, 'train.py'),
      ...args,
    ],
    {
      cwd: build,
      timeout: 600_000,
      env: { OMP_NUM_THREADS: '1' },
    },
  );
}

/** The (step, loss) lines rank 0 printed. */
function steps(stdout: string): { step: number; loss: number }[] {
  return [...stdout.matchAll(/\[default0\]:step (\d+)\/\d+ epoch \d+\/\d+ loss ([0-9.]+)/g)].map((m) => ({
    step: Number(m[1]),
    loss: Number(m[2]),
  }));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe.skipIf(missing !== undefined)(
  `torchrun with DistributedDataParallel${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('trains SmallASPP on two gloo processes, resumes, and segc eval reads the checkpoint', async () => {
      const data = join(work, 'shapes');
      const build = join(work, 'build');
      const run = join(work, 'run');
      expect((await segc('data', 'shapes', '--out', data, '--size', '32', '--count', '48', '--seed', '3')).code).toBe(
        0,
      );
      const built = await segc('build', join(REPOSITORY, 'examples/aspp.seg'), '--target', 'pytorch', '-o', build);
      expect(built.code).toBe(0);
      expect(readdirSync(build).sort()).toEqual(['aspp.py', 'segc_torch.py', 'segc_train.py', 'train.py']);

      const options = [
        '--data',
        join(data, 'train'),
        '--val',
        join(data, 'val'),
        '--out',
        run,
        '--epochs',
        '4',
        '--batch',
        '4',
        '--lr',
        '0.01',
        '--flip',
        '--scale-crop',
        '0.75,1.25',
      ];
      const first = torchrun(build, ...options, '--max-steps', '8');
      expect(first.status, first.stderr.slice(-2000)).toBe(0);
      const losses = steps(first.stdout);
      expect(losses.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(first.stdout).toContain('on 2 processes');
      const [early, late] = [mean(losses.slice(0, 3).map((s) => s.loss)), mean(losses.slice(-3).map((s) => s.loss))];
      expect(late, `mean loss of steps 6-8 (${late}) below that of steps 1-3 (${early})`).toBeLessThan(early * 0.8);

      // The resumed run stops where the first epoch ends; the validation split is scored there.
      const images = readdirSync(join(data, 'train', 'images')).filter((name) => name.endsWith('.png')).length;
      const perEpoch = Math.floor(images / 4) + (images % 4 >= 2 ? 1 : 0);
      expect(perEpoch).toBeGreaterThan(8);
      const second = torchrun(build, ...options, '--max-steps', String(perEpoch - 8), '--resume');
      expect(second.status, second.stderr.slice(-2000)).toBe(0);
      expect(steps(second.stdout).map((s) => s.step)).toEqual(
        Array.from({ length: perEpoch - 8 }, (_, index) => 9 + index),
      );
      type State = {
        step: number;
        epoch: number;
        world: number;
        history: unknown[];
        epochs: { epoch: number; validation: { mIoU: number; pixelAccuracy: number } }[];
      };
      const state = JSON.parse(readFileSync(join(run, 'checkpoint', 'train-state.json'), 'utf8')) as State;
      expect([state.step, state.epoch, state.world, state.history.length, state.epochs.length]).toEqual([
        perEpoch,
        1,
        2,
        perEpoch,
        1,
      ]);

      // train.py's validation scores are segc eval's on the same weights and split.
      const validated = await segc(
        'eval',
        join(REPOSITORY, 'examples/aspp.seg'),
        '--weights',
        run,
        '--data',
        join(data, 'val'),
        '--json',
        '--confusion',
        join(work, 'val.svg'),
        '--backend',
        'cpu',
      );
      expect(validated.code, validated.err).toBe(0);
      const scores = (JSON.parse(validated.out) as { segmentation: { meanIoU: number; pixelAccuracy: number } })
        .segmentation;
      expect(state.epochs[0]!.validation.mIoU).toBeCloseTo(scores.meanIoU, 6);
      expect(state.epochs[0]!.validation.pixelAccuracy).toBeCloseTo(scores.pixelAccuracy, 6);

      const scored = await segc(
        'eval',
        join(REPOSITORY, 'examples/aspp.seg'),
        '--weights',
        run,
        '--data',
        join(data, 'test'),
        '--json',
        '--confusion',
        join(work, 'confusion.svg'),
        '--backend',
        'cpu',
      );
      expect(scored.code, scored.err).toBe(0);
      await useBackend('cpu');
      const report = JSON.parse(scored.out) as { segmentation: { pixels: number; meanIoU: number } };
      expect(report.segmentation.pixels).toBe(
        readdirSync(join(data, 'test', 'images')).filter((name) => name.endsWith('.png')).length * 32 * 32,
      );
      expect(report.segmentation.meanIoU).toBeGreaterThan(0);

      // The checkpoint as segc loads it predicts what the trained PyTorch module predicts.
      const model = compileExample('aspp');
      const expected = weightDeclarations(model.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
      const weights = await loadWeights(run, expected);
      const input = seededTensor([2, 32, 32, 3], 4);
      writeNpy(join(work, 'input.npy'), input);
      const module = python([
        join(build, 'aspp.py'),
        '--weights',
        join(run, 'checkpoint', 'weights.safetensors'),
        '--input',
        join(work, 'input.npy'),
        '--output',
        join(work, 'logits.npy'),
      ]);
      expect(module.stderr).toBe('');
      const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
      const outputs = interpreter.predict(input);
      const torchLogits = readNpy(join(work, 'logits.npy')).values;
      const segcLogits = outputs.logits!.dataSync();
      const worst = Math.max(...Array.from(segcLogits, (value, index) => Math.abs(value - torchLogits[index]!)));
      expect(worst / Math.max(1, ...Array.from(segcLogits, Math.abs))).toBeLessThanOrEqual(1e-4);
      tf.dispose([...Object.values(outputs), ...weights.values(), input]);
      interpreter.dispose();
    }, 900_000);
  },
);
