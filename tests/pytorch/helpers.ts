/**
 * Shared by the PyTorch tests: Debian's torch through /usr/bin/python3 in a child process,
 * building examples as `segc build --target pytorch` does, weights as safetensors and arrays
 * as .npy. Without torch the tests are skipped with the reason, except under CI=true, where
 * that is a failure (CI installs python3-torch).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { pytorchFiles } from '../../src/codegen/pytorch/index.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { weightsToSafetensors } from '../../src/runtime/safetensors.js';
import { type BuiltModel, REPOSITORY, compileExample } from '../codegen/helpers.js';

export const PYTHON = process.env.SEGC_PYTHON ?? '/usr/bin/python3';

function probeTorch(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import torch and numpy (${(probe.stderr || String(probe.error)).trim().split('\n').pop()}); install python3-torch`;
}

/** Why the PyTorch tests cannot run here, or undefined when they can. Throws under CI. */
export function torchMissing(): string | undefined {
  const reason = probeTorch();
  if (reason && process.env.CI === 'true') throw new Error(`CI needs PyTorch: ${reason}`);
  return reason;
}

export interface PythonResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function python(
  args: readonly string[],
  options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {},
): PythonResult {
  const result = spawnSync(PYTHON, [...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? REPOSITORY,
    timeout: options.timeout ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '2', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes the example's PyTorch build to `directory`, as `segc build --target pytorch` would. */
export function buildExample(stem: string, directory: string, model: BuiltModel = compileExample(stem)): BuiltModel {
  mkdirSync(directory, { recursive: true });
  for (const file of pytorchFiles({
    graph: model.graph,
    sizes: model.sizes,
    source: `examples/${stem}.seg`,
    stem,
    single: true,
  })) {
    writeFileSync(join(directory, file.path), file.text);
  }
  return model;
}

export function writeWeights(path: string, weights: ReadonlyMap<string, tf.Tensor>): void {
  writeFileSync(path, weightsToSafetensors(weights));
}

export function writeNpy(path: string, tensor: tf.Tensor): void {
  writeFileSync(path, encodeNpy(tensor.dataSync() as Float32Array, tensor.shape));
}

/** Reads a little-endian float32 or int32 .npy array in C order. */
export function readNpy(path: string): { shape: number[]; values: Float32Array | Int32Array } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const data = bytes.subarray(10 + headerLength);
  const copy = new ArrayBuffer(data.length);
  new Uint8Array(copy).set(data);
  if (descr === '<f4') return { shape, values: new Float32Array(copy) };
  if (descr === '<i4') return { shape, values: new Int32Array(copy) };
  throw new Error(`unexpected .npy dtype ${descr}`);
}
