/**
 * Safetensors weights on the file system: one `.safetensors` file, or a folder of them (the
 * shards of one state_dict, or a training checkpoint folder) with no model.json, or the output
 * folder of a PyTorch training run. Every file is
 * parsed and the names checked before any tensor is made.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { RuntimeCode } from '../codes.js';
import { fileSpan, runtimeError } from '../errors.js';
import { SAFETENSORS_SUFFIX, decodeSafetensors, safetensorsToWeights } from '../safetensors.js';
import type { ExpectedWeight } from '../weights-manifest.js';

/** The safetensors files `location` means, or undefined when it is not safetensors weights. */
export async function safetensorsFiles(location: string): Promise<string[] | undefined> {
  if (/^https?:\/\//.test(location)) return undefined;
  if (location.endsWith(SAFETENSORS_SUFFIX)) return [location];
  let entries: string[];
  try {
    if (!(await stat(location)).isDirectory()) return undefined;
    entries = await readdir(location);
  } catch {
    return undefined;
  }
  if (entries.includes('model.json')) return undefined;
  // The output folder of a PyTorch training run (segc_train.py) holds its weights here.
  if (entries.includes('checkpoint')) {
    const checkpoint = join(location, 'checkpoint', `weights${SAFETENSORS_SUFFIX}`);
    if (await stat(checkpoint).then((s) => s.isFile(), () => false)) return [checkpoint];
  }
  const files = entries.filter((entry) => entry.endsWith(SAFETENSORS_SUFFIX) && !entry.startsWith('.')).sort();
  return files.length > 0 ? files.map((entry) => join(location, entry)) : undefined;
}

async function readWeightsFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw runtimeError(RuntimeCode.weightsNotFound, `cannot read ${path} (${code ?? (error as Error).message})`, {
      span: fileSpan(path), hint: code === 'ENOENT' ? 'check the path of the weights' : 'check the permissions of the weights file',
    });
  }
}

export async function loadSafetensorsWeights(paths: readonly string[], expected: readonly ExpectedWeight[]): Promise<Map<string, tf.Tensor>> {
  const files = [];
  for (const path of paths) files.push({ source: path, file: decodeSafetensors(await readWeightsFile(path), path) });
  return safetensorsToWeights(files, expected);
}
