/**
 * Checkpoints on disk. A run's output folder holds `checkpoint/` with `weights/` (the model in
 * the tfjs weights format, what `--weights` reads), `optimizer/` (the optimizer's state, in the
 * same format) and `train-state.json`. The whole `checkpoint/` folder is built beside the old
 * one and swapped in by renames, so a crash leaves the previous checkpoint or the new one,
 * never weights of one step with the state of another.
 */
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { loadWeights, saveWeights } from '../../runtime/node/weights-fs.js';
import { temporaryNameBeside, writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import type { ExpectedWeight } from '../../runtime/weights.js';
import { TrainCode } from '../codes.js';
import { trainError } from '../errors.js';
import { parseTrainState, type TrainState } from '../state.js';

export const CHECKPOINT_FOLDER = 'checkpoint';
export const STATE_FILE = 'train-state.json';

export interface CheckpointContents {
  readonly weights: ReadonlyMap<string, tf.Tensor>;
  readonly optimizer: ReadonlyMap<string, tf.Tensor>;
  readonly state: TrainState;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

export async function saveCheckpoint(outDir: string, contents: CheckpointContents): Promise<void> {
  const target = join(outDir, CHECKPOINT_FOLDER);
  const staging = temporaryNameBeside(target, 'new');
  try {
    await saveWeights(join(staging, 'weights'), contents.weights, { model: contents.state.config.model, generatedBy: 'segc train' });
    await saveWeights(join(staging, 'optimizer'), contents.optimizer, { model: `${contents.state.config.model} optimizer`, generatedBy: 'segc train' });
    await writeFileAtomic(join(staging, STATE_FILE), `${JSON.stringify(contents.state, null, 1)}\n`);
    if (await exists(target)) {
      const old = temporaryNameBeside(target, 'old');
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(staging, target);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export async function readTrainState(outDir: string): Promise<TrainState> {
  const file = join(outDir, CHECKPOINT_FOLDER, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw trainError(TrainCode.badCheckpoint, `there is no checkpoint to resume in ${outDir} (${file} is missing)`, 'run without --resume first, with the same --out');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw trainError(TrainCode.badCheckpoint, `${file} is not valid JSON: ${(error as Error).message}`, 'the checkpoint is damaged; start a new run');
  }
  return parseTrainState(value, file);
}

/** The weights folder of a training output folder, or the folder itself when it holds weights. */
export async function resolveWeightsFolder(location: string): Promise<string> {
  if (/^https?:\/\//.test(location) || (await exists(join(location, 'model.json'))) || location.endsWith('.json')) return location;
  const inside = join(location, CHECKPOINT_FOLDER, 'weights');
  return (await exists(join(inside, 'model.json'))) ? inside : location;
}

export function loadCheckpointWeights(outDir: string, part: 'weights' | 'optimizer', expected: readonly ExpectedWeight[]): Promise<Map<string, tf.Tensor>> {
  return loadWeights(join(outDir, CHECKPOINT_FOLDER, part), expected);
}
