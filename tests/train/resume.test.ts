/**
 * Checkpoints and resuming: a run stopped after its first epoch, or in the middle of its
 * second, and resumed, ends with weights, optimizer state and history bit-identical to an
 * uninterrupted run with the same seed (dropout, shuffling, flips and scale-crops included).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/node/write-dataset.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { weightDeclarations } from '../../src/runtime/model.js';
import { loadCheckpointWeights, readTrainState } from '../../src/train/node/checkpoint.js';
import { runTraining } from '../../src/train/node/run-training.js';
import type { TrainConfig } from '../../src/train/state.js';
import { useBackend } from '../ops/backends.js';
import { compileModel } from './fixtures.js';

const SOURCE = `
model ResumeSeg(classes: int = 4) {
  input image: f32[N, 16, 16, 3]
  let features = image -> conv(6, 3, bias: false) -> bn -> relu -> dropout(0.2)
  output logits = features -> conv(classes, 1)
}
`;

let root: string;
const compiled = () => compileModel(SOURCE);

const CONFIG: TrainConfig = {
  model: 'ResumeSeg',
  task: 'segmentation',
  multiLabel: false,
  epochs: 2,
  batchSize: 4,
  learningRate: 0.01,
  schedule: 'poly',
  weightDecay: 1e-4,
  optimizer: { name: 'adam' },
  seed: 7,
  flip: true,
  scaleCrop: [0.6, 1.4],
};

/** Trains into `outDir`; `stopAfter` steps (then a checkpoint and a stop), or to the end. */
async function train(outDir: string, options: { resume?: boolean; stopAfter?: number } = {}) {
  const { graph, sizes } = compiled();
  let asked = 0;
  return runTraining({
    graph,
    sizes,
    dataDir: join(root, 'shapes', 'train'),
    outDir,
    config: CONFIG,
    resume: options.resume ?? false,
    onBadFile: 'stop',
    progress: { write: () => undefined, isTTY: false },
    stopSignal: () => options.stopAfter !== undefined && asked++ >= options.stopAfter,
  });
}

async function checkpointValues(outDir: string): Promise<Record<string, number[]>> {
  const { graph } = compiled();
  const expected = weightDeclarations(graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype }));
  const weights = await loadCheckpointWeights(outDir, 'weights', expected);
  const values = Object.fromEntries([...weights].map(([name, t]) => [name, Array.from(t.dataSync())]));
  tf.dispose([...weights.values()]);
  return values;
}

beforeAll(async () => {
  registerGradients();
  await useBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'segc-resume-'));
  await generateDataset('shapes', join(root, 'shapes'), { count: 20, size: 16, seed: 3 });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resuming a training run', () => {
  it('stopped after epoch 1 or mid-epoch 2, then resumed, it matches the uninterrupted run bit for bit', async () => {
    const before = tf.memory().numTensors;
    const straight = await train(join(root, 'straight'));
    expect(straight.outcome).toBe('finished');
    expect(straight.state.step).toBe(8);
    expect(tf.memory().numTensors).toBe(before);

    const afterEpoch = await train(join(root, 'epoch'), { stopAfter: 4 });
    expect(afterEpoch.outcome).toBe('stopped');
    expect((await readTrainState(join(root, 'epoch'))).epoch).toBe(1);
    await train(join(root, 'epoch'), { resume: true });

    const midEpoch = await train(join(root, 'middle'), { stopAfter: 6 });
    const stoppedState = await readTrainState(join(root, 'middle'));
    expect([stoppedState.epoch, stoppedState.batchInEpoch, stoppedState.step]).toEqual([1, 2, 6]);
    expect(midEpoch.outcome).toBe('stopped');
    await train(join(root, 'middle'), { resume: true });
    expect(tf.memory().numTensors).toBe(before);

    const reference = await checkpointValues(join(root, 'straight'));
    expect(await checkpointValues(join(root, 'epoch'))).toEqual(reference);
    expect(await checkpointValues(join(root, 'middle'))).toEqual(reference);
    const history = (await readTrainState(join(root, 'straight'))).history.map(({ seconds: _, ...rest }) => rest);
    for (const run of ['epoch', 'middle']) {
      expect((await readTrainState(join(root, run))).history.map(({ seconds: _, ...rest }) => rest)).toEqual(history);
      expect(readFileSync(join(root, run, 'checkpoint', 'optimizer', 'group1-shard1of1.bin'))).toEqual(
        readFileSync(join(root, 'straight', 'checkpoint', 'optimizer', 'group1-shard1of1.bin')),
      );
    }
  });

  it('a different seed gives different weights (the comparison above can fail)', async () => {
    const { graph, sizes } = compiled();
    await runTraining({
      graph,
      sizes,
      dataDir: join(root, 'shapes', 'train'),
      outDir: join(root, 'other-seed'),
      config: { ...CONFIG, seed: 8 },
      resume: false,
      onBadFile: 'stop',
      progress: { write: () => undefined, isTTY: false },
      stopSignal: () => false,
    });
    const straight = await checkpointValues(join(root, 'straight'));
    expect(await checkpointValues(join(root, 'other-seed'))).not.toEqual(straight);
  });

  it('the scale-crop augmentation takes part (without it the weights differ) and is recorded in the checkpoint', async () => {
    const { graph, sizes } = compiled();
    const { scaleCrop: _, ...plain } = CONFIG;
    await runTraining({
      graph,
      sizes,
      dataDir: join(root, 'shapes', 'train'),
      outDir: join(root, 'no-crop'),
      config: plain,
      resume: false,
      onBadFile: 'stop',
      progress: { write: () => undefined, isTTY: false },
      stopSignal: () => false,
    });
    expect(await checkpointValues(join(root, 'no-crop'))).not.toEqual(await checkpointValues(join(root, 'straight')));
    expect((await readTrainState(join(root, 'straight'))).config.scaleCrop).toEqual([0.6, 1.4]);
    expect((await readTrainState(join(root, 'no-crop'))).config.scaleCrop).toBeUndefined();
  });

  it('resuming without a checkpoint is a diagnostic', async () => {
    await expect(train(join(root, 'nothing-here'), { resume: true })).rejects.toThrow(
      /there is no checkpoint to resume/,
    );
  });
});
