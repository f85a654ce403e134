/**
 * A crash while a checkpoint is saved, played at every step of the save: the steps run up to
 * the crash and no further (no clean-up runs, as after kill -9), then resuming must find the
 * newest complete checkpoint, with its weights, and leave no swap leftovers behind. Then the
 * real thing: a process saving checkpoints in a loop, killed with SIGKILL at seeded moments.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import {
  checkpointSteps,
  loadCheckpointWeights,
  readTrainState,
  saveCheckpoint,
  type CheckpointContents,
} from '../../src/train/node/checkpoint.js';
import { initialState, type TrainConfig } from '../../src/train/state.js';
import { useBackend } from '../ops/backends.js';

const CONFIG: TrainConfig = {
  model: 'Tiny',
  task: 'classification',
  multiLabel: false,
  epochs: 3,
  batchSize: 2,
  learningRate: 0.01,
  schedule: 'poly',
  weightDecay: 0,
  optimizer: { name: 'adam' },
  seed: 1,
  flip: false,
};
const EXPECTED = [{ name: 'dense/kernel', shape: [2], dtype: 'float32' as const }];
const OPTIMIZER = [{ name: 'dense/kernel/m', shape: [2], dtype: 'float32' as const }];

let root: string;
let counter = 0;

/** The contents of a checkpoint after `step` steps; the weights hold the step number. */
function contents(step: number): CheckpointContents {
  return {
    weights: new Map([['dense/kernel', tf.tensor1d([step, step])]]),
    optimizer: new Map([['dense/kernel/m', tf.tensor1d([-step, -step])]]),
    state: { ...initialState(CONFIG), step, epoch: step },
  };
}

async function save(outDir: string, step: number, stopAfter = Infinity): Promise<void> {
  const saved = contents(step);
  const { steps } = checkpointSteps(outDir, saved);
  for (const [index, part] of steps.entries()) if (index < stopAfter) await part.run();
  tf.dispose([...saved.weights.values(), ...saved.optimizer.values()]);
}

async function resumedStep(outDir: string): Promise<{ step: number; weight: number; entries: string[] }> {
  const state = await readTrainState(outDir);
  const weights = await loadCheckpointWeights(outDir, 'weights', EXPECTED);
  const optimizer = await loadCheckpointWeights(outDir, 'optimizer', OPTIMIZER);
  const weight = weights.get('dense/kernel')!.dataSync()[0]!;
  expect(optimizer.get('dense/kernel/m')!.dataSync()[0]).toBe(-weight);
  tf.dispose([...weights.values(), ...optimizer.values()]);
  return { step: state.step, weight, entries: readdirSync(outDir).sort() };
}

beforeAll(async () => {
  await useBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'segc-checkpoint-crash-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STEP_NAMES = ['write weights', 'write optimizer', 'write state', 'retire old', 'swap in', 'remove old'];

describe('a crash while a checkpoint replaces another', () => {
  it('has the six steps the tests stop between', () => {
    const saved = contents(1);
    expect(checkpointSteps(join(root, 'names'), saved).steps.map((s) => s.name)).toEqual(STEP_NAMES);
    tf.dispose([...saved.weights.values(), ...saved.optimizer.values()]);
  });

  // Stopping after `done` steps: before the state file is written the new checkpoint is
  // incomplete and the old one (step 1) must be resumed; from then on the new one (step 2).
  it.each(STEP_NAMES.map((name, index) => [index, name] as const))(
    'after %i steps (crash before or during "%s")',
    async (done) => {
      const outDir = join(root, `replace-${counter++}`);
      await save(outDir, 1);
      await save(outDir, 2, done);
      const expected = done >= 3 ? 2 : 1;
      expect(await resumedStep(outDir)).toEqual({ step: expected, weight: expected, entries: ['checkpoint'] });
    },
  );

  it('crashed between the two renames: no checkpoint/ at all, the new one is promoted', async () => {
    const outDir = join(root, `between-${counter++}`);
    await save(outDir, 1);
    await save(outDir, 2, 4);
    expect(readdirSync(outDir).some((entry) => entry === 'checkpoint')).toBe(false);
    expect(readdirSync(outDir).filter((entry) => /^\.checkpoint\.(new|old)-/.test(entry))).toHaveLength(2);
    expect((await resumedStep(outDir)).step).toBe(2);
  });
});

describe('a crash during the very first checkpoint', () => {
  it.each([0, 1, 2])('after %i steps there is nothing to resume, and the message says so', async (done) => {
    const outDir = join(root, `first-${counter++}`);
    await save(outDir, 1, done);
    const error = await readTrainState(outDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics[0]).toMatchObject({
      code: 'E1021',
      message: `there is no checkpoint to resume in ${outDir} (${join(outDir, 'checkpoint', 'train-state.json')} is missing)`,
    });
  });

  it.each([3, 4, 5])('after %i steps the complete new checkpoint is resumed', async (done) => {
    const outDir = join(root, `first-${counter++}`);
    await save(outDir, 1, done);
    expect(await resumedStep(outDir)).toEqual({ step: 1, weight: 1, entries: ['checkpoint'] });
  });
});

it('an uninterrupted save leaves only checkpoint/', async () => {
  const outDir = join(root, `whole-${counter++}`);
  for (const step of [1, 2, 3]) {
    const saved = contents(step);
    await saveCheckpoint(outDir, saved);
    tf.dispose([...saved.weights.values(), ...saved.optimizer.values()]);
  }
  expect(await resumedStep(outDir)).toEqual({ step: 3, weight: 3, entries: ['checkpoint'] });
});

/** Starts the saving loop, kills it with SIGKILL `delay` ms after its first save, and returns the last step it reported. */
function killWhileSaving(outDir: string, delay: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      join(import.meta.dirname, 'checkpoint-child.mts'),
      outDir,
      JSON.stringify(CONFIG),
    ]);
    let reported = 0;
    let errors = '';
    child.stderr.on('data', (chunk) => void (errors += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      const steps = chunk.toString().trim().split('\n').map(Number);
      if (reported === 0) setTimeout(() => child.kill('SIGKILL'), delay);
      reported = Math.max(reported, ...steps);
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(reported) : reject(new Error(`the saving loop ended by itself: ${errors}`)),
    );
  });
}

describe('kill -9 while checkpoints are saved in a loop', () => {
  it.each([0, 7, 19, 43])(
    'killed %i ms after the first save: the resumed checkpoint is complete and at least as new as the last one reported',
    async (delay) => {
      const outDir = join(root, `killed-${delay}`);
      const reported = await killWhileSaving(outDir, delay);
      const resumed = await resumedStep(outDir);
      expect(resumed.step).toBeGreaterThanOrEqual(reported);
      expect(resumed.weight).toBe(resumed.step);
      expect(resumed.entries).toEqual(['checkpoint']);
    },
    60_000,
  );
});
