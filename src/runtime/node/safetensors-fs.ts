/**
 * Safetensors weights on the file system: one `.safetensors` file, or a folder of them (the
 * shards of one state_dict, or a training checkpoint folder) with no model.json, or the output
 * folder of a PyTorch training run. Every file is
 * parsed and the names checked before any tensor is made.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { MAX_HEADER_BYTES, SAFETENSORS_SUFFIX, decodeSafetensors, safetensorsToWeights } from '../safetensors.js';
import type { LoadWeightsOptions } from '../weights.js';
import type { ExpectedWeight } from '../weights-manifest.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../../diagnostics/error.js';

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
    if (
      await stat(checkpoint).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return [checkpoint];
  }
  const files = entries.filter((entry) => entry.endsWith(SAFETENSORS_SUFFIX) && !entry.startsWith('.')).sort();
  return files.length > 0 ? files.map((entry) => join(location, entry)) : undefined;
}

async function readWeightsFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw diagnosticError(codes.weightsNotFound, `cannot read ${path} (${code ?? (error as Error).message})`, {
      span: fileSpan(path),
      hint: code === 'ENOENT' ? 'check the path of the weights' : 'check the permissions of the weights file',
    });
  }
}

/**
 * The most bytes the model's weights can take in safetensors (8 per value covers I64) plus the
 * largest header: a longer file is refused before it is read, so memory stays bounded.
 */
function sizeLimit(expected: readonly ExpectedWeight[]): number {
  const values = expected.reduce((sum, weight) => sum + weight.shape.reduce((product, d) => product * d, 1), 0);
  return 8 + MAX_HEADER_BYTES + 8 * values;
}

export async function loadSafetensorsWeights(
  paths: readonly string[],
  expected: readonly ExpectedWeight[],
  options: LoadWeightsOptions = {},
): Promise<Map<string, tf.Tensor>> {
  const limit = sizeLimit(expected);
  let total = 0;
  for (const path of paths)
    total += await stat(path).then(
      (s) => s.size,
      () => 0,
    );
  if (total > limit) {
    throw diagnosticError(
      codes.malformedManifest,
      `${paths.join(', ')} hold${paths.length === 1 ? 's' : ''} ${total} bytes, more than the model's weights can take (${limit})`,
      {
        span: fileSpan(paths[0]!),
        hint: 'these are not the weights of this model; check the path',
      },
    );
  }
  const files = [];
  for (const path of paths) files.push({ source: path, file: decodeSafetensors(await readWeightsFile(path), path) });
  return safetensorsToWeights(files, expected, options);
}
