/**
 * Weights on the file system. Saving is all-or-nothing: the new directory is written beside
 * the target under a temporary name and swapped in by renames, so a crash leaves either the
 * old weights or the new ones (at worst the old ones under a `.old-` name), never a mix.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { RuntimeCode } from '../codes.js';
import { fileSpan, runtimeError } from '../errors.js';
import {
  encodeWeights, fetchStore, loadWeightsFromStore, MODEL_JSON, type ExpectedWeight, type WeightsMetadata, type WeightsStore,
} from '../weights.js';
import { temporaryNameBeside, writeError, writeFileAtomic } from './fs-atomic.js';
import { loadSafetensorsWeights, safetensorsFiles } from './safetensors-fs.js';

const SHARD_NAME = /^group\d+-shard\d+of\d+\.bin$/;

export function fileStore(directory: string): WeightsStore {
  return {
    locate: (name) => join(directory, name),
    read: async (name) => {
      try {
        return new Uint8Array(await readFile(join(directory, name)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw runtimeError(RuntimeCode.weightsNotFound, `cannot read ${join(directory, name)} (${code ?? (error as Error).message})`, {
          span: fileSpan(join(directory, name)), hint: 'check the permissions of the weights directory',
        });
      }
    },
  };
}

/** Loads from a directory, its model.json, an http(s) URL, or safetensors (a file, or a folder of them). */
export async function loadWeights(location: string, expected: readonly ExpectedWeight[]): Promise<Map<string, tf.Tensor>> {
  const safetensors = await safetensorsFiles(location);
  if (safetensors) return loadSafetensorsWeights(safetensors, expected);
  if (/^https?:\/\//.test(location)) return loadWeightsFromStore(fetchStore(location.replace(/model\.json$/, '')), expected);
  const directory = basename(location) === MODEL_JSON ? dirname(location) : location;
  return loadWeightsFromStore(fileStore(directory), expected);
}

/** Only an empty directory or one holding nothing but segc weights may be replaced. */
async function checkReplaceable(directory: string): Promise<boolean> {
  let entries: string[];
  try {
    if (!(await stat(directory)).isDirectory()) throw refuse(directory, 'it is a file');
    entries = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const foreign = entries.filter((entry) => entry !== MODEL_JSON && !SHARD_NAME.test(entry));
  if (foreign.length > 0) throw refuse(directory, `it holds other files (${foreign.slice(0, 3).join(', ')})`);
  return true;
}

function refuse(directory: string, reason: string): Error {
  return runtimeError(RuntimeCode.weightsNotWritten, `will not replace ${directory} with weights: ${reason}`, {
    span: fileSpan(directory), hint: 'choose a new directory for the weights',
  });
}

export async function saveWeights(directory: string, tensors: ReadonlyMap<string, tf.Tensor>, metadata: WeightsMetadata): Promise<void> {
  const { modelJson, shards } = await encodeWeights(tensors, metadata);
  const replacing = await checkReplaceable(directory);
  const staging = temporaryNameBeside(directory, 'new');
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, bytes] of shards) await writeFileAtomic(join(staging, name), bytes);
    await writeFileAtomic(join(staging, MODEL_JSON), `${JSON.stringify(modelJson, null, 2)}\n`);
    await swapIn(staging, directory, replacing);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw (error as { diagnostics?: unknown }).diagnostics ? error : writeError(directory, error);
  }
}

async function swapIn(staging: string, directory: string, replacing: boolean): Promise<void> {
  if (!replacing) {
    await rename(staging, directory);
    return;
  }
  const old = temporaryNameBeside(directory, 'old');
  await rename(directory, old);
  await rename(staging, directory);
  await rm(old, { recursive: true, force: true });
}
