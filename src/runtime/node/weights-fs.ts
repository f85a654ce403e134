/**
 * Weights on the file system. Saving is all-or-nothing: the new directory is written beside
 * the target under a temporary name and swapped in by renames, so a crash leaves either the
 * old weights or the new ones (at worst the old ones under a `.old-` name), never a mix.
 */
import { mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  encodeWeights,
  fetchStore,
  loadWeightsFromStore,
  MODEL_JSON,
  type ExpectedWeight,
  type LoadWeightsOptions,
  type WeightsMetadata,
  type WeightsStore,
} from '../weights.js';
import { temporaryNameBeside, writeError, writeFileAtomic } from './fs-atomic.js';
import { loadSafetensorsWeights, safetensorsFiles } from './safetensors-fs.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../../diagnostics/error.js';

const SHARD_NAME = /^group\d+-shard\d+of\d+\.bin$/;

export function fileStore(directory: string): WeightsStore {
  return {
    locate: (name) => join(directory, name),
    read: async (name, limit) => {
      try {
        return await readConfined(directory, name, limit);
      } catch (error) {
        if ((error as { diagnostics?: unknown }).diagnostics) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw diagnosticError(
          codes.weightsNotFound,
          `cannot read ${join(directory, name)} (${code ?? (error as Error).message})`,
          {
            span: fileSpan(join(directory, name)),
            hint: 'check the permissions of the weights directory',
          },
        );
      }
    },
  };
}

/**
 * Reads `name` under `directory`, refusing anything that resolves (through `..` or a symbolic
 * link) outside the directory or is not a regular file (a device such as /dev/zero, a FIFO),
 * and reading at most `limit + 1` bytes.
 */
async function readConfined(directory: string, name: string, limit: number | undefined): Promise<Uint8Array> {
  const path = join(directory, name);
  const [root, real] = await Promise.all([realpath(directory), realpath(path)]);
  const outside = relative(root, real);
  if (outside === '' || outside === '..' || outside.startsWith(`..${sep}`) || isAbsolute(outside))
    throw notAWeightsFile(path, 'it lies outside the weights folder');
  const handle = await open(real, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notAWeightsFile(path, 'it is not a regular file');
    const length = limit === undefined ? info.size : Math.min(info.size, limit + 1);
    const bytes = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function notAWeightsFile(path: string, reason: string): Error {
  return diagnosticError(codes.malformedManifest, `refusing to read ${path}: ${reason}`, {
    span: fileSpan(path),
    hint: 'a weights folder holds model.json and its shards as plain files',
  });
}

/** Loads from a directory, its model.json, an http(s) URL, or safetensors (a file, or a folder of them). */
export async function loadWeights(
  location: string,
  expected: readonly ExpectedWeight[],
  options: LoadWeightsOptions = {},
): Promise<Map<string, tf.Tensor>> {
  const safetensors = await safetensorsFiles(location);
  if (safetensors) return loadSafetensorsWeights(safetensors, expected, options);
  if (/^https?:\/\//.test(location))
    return loadWeightsFromStore(fetchStore(location.replace(/model\.json$/, '')), expected, options);
  const directory = basename(location) === MODEL_JSON ? dirname(location) : location;
  return loadWeightsFromStore(fileStore(directory), expected, options);
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
  return diagnosticError(codes.weightsNotWritten, `will not replace ${directory} with weights: ${reason}`, {
    span: fileSpan(directory),
    hint: 'choose a new directory for the weights',
  });
}

export async function saveWeights(
  directory: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  metadata: WeightsMetadata,
  /** Other files written into the folder with the weights (`classes.json`), swapped in with them. */
  extraFiles: ReadonlyMap<string, Uint8Array> = new Map(),
): Promise<void> {
  const { modelJson, shards } = await encodeWeights(tensors, metadata);
  const replacing = await checkReplaceable(directory);
  const staging = temporaryNameBeside(directory, 'new');
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, bytes] of shards) await writeFileAtomic(join(staging, name), bytes);
    for (const [name, bytes] of extraFiles) await writeFileAtomic(join(staging, name), bytes);
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
