/**
 * Checkpoints on disk. A run's output folder holds `checkpoint/` with `weights/` (the model in
 * the tfjs weights format, what `--weights` reads), `optimizer/` (the optimizer's state, in the
 * same format) and `train-state.json`. The whole `checkpoint/` folder is built beside the old
 * one and swapped in by renames, so a crash leaves the previous checkpoint or the new one,
 * never weights of one step with the state of another.
 *
 * The swap is three steps (old `checkpoint/` → `.checkpoint.old-*`, `.checkpoint.new-*` →
 * `checkpoint/`, remove the old one), and a crash can stop it between any two: then no
 * `checkpoint/` may exist at all. `train-state.json` is written last into a new checkpoint, so
 * a folder holding a readable one is complete; resuming first recovers, promoting the complete
 * candidate with the most steps to `checkpoint/` (see `recoverCheckpoint`).
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { loadWeights, saveWeights } from '../../runtime/node/weights-fs.js';
import { temporaryNameBeside, writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import type { ExpectedWeight } from '../../runtime/weights.js';
import { layerOrder } from '../../runtime/weights-rename.js';
import { parseTrainState, type TrainState } from '../state.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export const CHECKPOINT_FOLDER = 'checkpoint';
export const STATE_FILE = 'train-state.json';

export interface CheckpointContents {
  readonly weights: ReadonlyMap<string, tf.Tensor>;
  readonly optimizer: ReadonlyMap<string, tf.Tensor>;
  readonly state: TrainState;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** One step of saving a checkpoint; tests stop after any of them to play a crash. */
export interface CheckpointStep {
  readonly name: string;
  run(): Promise<void>;
}

/** The steps of `saveCheckpoint`, in order. */
export function checkpointSteps(
  outDir: string,
  contents: CheckpointContents,
): { steps: CheckpointStep[]; staging: string } {
  const target = join(outDir, CHECKPOINT_FOLDER);
  const staging = temporaryNameBeside(target, 'new');
  const old = temporaryNameBeside(target, 'old');
  let replacing = false;
  const steps: CheckpointStep[] = [
    {
      name: 'write weights',
      run: () =>
        saveWeights(join(staging, 'weights'), contents.weights, {
          model: contents.state.config.model,
          generatedBy: 'segc train',
          // The model's weights come in graph order (`SegModel.weightTensors`): recorded, this
          // order lets loading pair renamed layers of equal structure (weights-rename.ts).
          layers: layerOrder([...contents.weights.keys()].map((name) => ({ name }))),
        }),
    },
    {
      name: 'write optimizer',
      run: () =>
        saveWeights(join(staging, 'optimizer'), contents.optimizer, {
          model: `${contents.state.config.model} optimizer`,
          generatedBy: 'segc train',
        }),
    },
    {
      name: 'write state',
      run: () => writeFileAtomic(join(staging, STATE_FILE), `${JSON.stringify(contents.state, null, 1)}\n`),
    },
    {
      name: 'retire old',
      run: async () => {
        replacing = await exists(target);
        if (replacing) await rename(target, old);
      },
    },
    { name: 'swap in', run: () => rename(staging, target) },
    { name: 'remove old', run: () => (replacing ? rm(old, { recursive: true, force: true }) : Promise.resolve()) },
  ];
  return { steps, staging };
}

export async function saveCheckpoint(outDir: string, contents: CheckpointContents): Promise<void> {
  const { steps, staging } = checkpointSteps(outDir, contents);
  try {
    for (const step of steps) await step.run();
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Folders of `outDir` that may hold a checkpoint: `checkpoint/` and swap leftovers. */
async function candidates(outDir: string): Promise<string[]> {
  const leftover = new RegExp(`^\\.${CHECKPOINT_FOLDER}\\.(?:new|old)-`);
  const entries = await readdir(outDir).catch(() => [] as string[]);
  return entries.filter((entry) => entry === CHECKPOINT_FOLDER || leftover.test(entry));
}

/** The position saved in a candidate folder, or undefined when it is incomplete. */
async function savedStep(folder: string): Promise<number | undefined> {
  try {
    const state = JSON.parse(await readFile(join(folder, STATE_FILE), 'utf8')) as { step?: unknown };
    const complete =
      (await exists(join(folder, 'weights', 'model.json'))) && (await exists(join(folder, 'optimizer', 'model.json')));
    return complete && typeof state.step === 'number' ? state.step : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finishes a swap a crash interrupted: the complete candidate with the most steps (on a tie,
 * `checkpoint/` itself) becomes `checkpoint/`, and the other leftovers are removed. Safe to
 * run again if it is itself interrupted. Returns whether a complete checkpoint exists.
 */
export async function recoverCheckpoint(outDir: string): Promise<boolean> {
  const found = await candidates(outDir);
  let best: { entry: string; step: number } | undefined;
  for (const entry of found) {
    const step = await savedStep(join(outDir, entry));
    if (step === undefined) continue;
    if (!best || step > best.step || (step === best.step && entry === CHECKPOINT_FOLDER)) best = { entry, step };
  }
  if (!best) return false;
  const target = join(outDir, CHECKPOINT_FOLDER);
  if (best.entry !== CHECKPOINT_FOLDER) {
    if (await exists(target)) await rename(target, temporaryNameBeside(target, 'old'));
    await rename(join(outDir, best.entry), target);
  }
  for (const entry of await candidates(outDir)) {
    if (entry !== CHECKPOINT_FOLDER) await rm(join(outDir, entry), { recursive: true, force: true });
  }
  return true;
}

/** The training state of the newest complete checkpoint in `outDir`, after recovering it. */
export async function readTrainState(outDir: string): Promise<TrainState> {
  await recoverCheckpoint(outDir);
  const file = join(outDir, CHECKPOINT_FOLDER, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw diagnosticError(codes.badCheckpoint, `there is no checkpoint to resume in ${outDir} (${file} is missing)`, {
      hint: 'run without --resume first, with the same --out',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw diagnosticError(codes.badCheckpoint, `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: 'the checkpoint is damaged; start a new run',
    });
  }
  return parseTrainState(value, file);
}

/** The weights folder of a training output folder, or the folder itself when it holds weights. */
export async function resolveWeightsFolder(location: string): Promise<string> {
  if (/^https?:\/\//.test(location) || (await exists(join(location, 'model.json'))) || location.endsWith('.json'))
    return location;
  const inside = join(location, CHECKPOINT_FOLDER, 'weights');
  return (await exists(join(inside, 'model.json'))) ? inside : location;
}

export function loadCheckpointWeights(
  outDir: string,
  part: 'weights' | 'optimizer',
  expected: readonly ExpectedWeight[],
): Promise<Map<string, tf.Tensor>> {
  return loadWeights(join(outDir, CHECKPOINT_FOLDER, part), expected);
}
