/**
 * `--input` on `run` and `explain`: either exact tensors from `.npy` files (`FILE.npy` for the
 * next model input not yet given, `NAME=FILE.npy` for a named one) or, as for every compiling
 * command, a fixed size `H,W` for the symbolic sizes. Tensors are read and checked for being
 * .npy arrays before the backend starts; their shapes are checked by the executor against the
 * model's input types (E0420–E0423), which is where the model's sizes are known.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../ir/graph.js';
import { decodeNpy } from '../runtime/npy.js';
import { type Parsed, UsageError, parseSize } from './args.js';
import type { Io } from './io.js';
import { codes } from '../diagnostics/codes.js';

export interface TensorFile {
  /** The model input it is bound to; undefined binds to the next input in order. */
  readonly name?: string;
  readonly path: string;
}

export interface InputOptions {
  readonly size?: [number, number];
  readonly tensors: readonly TensorFile[];
}

const SIZE = /^\s*\d+\s*([,x×]\s*\d+\s*)?$/;

/** Splits the `--input` values into at most one size and the tensor files. */
export function readInputOptions(parsed: Parsed): InputOptions {
  const raw = parsed.values.input;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const sizes = values.filter((value) => SIZE.test(value));
  if (sizes.length > 1) throw new UsageError(`--input gives the size twice (${sizes.join(' and ')}); give it once`);
  const tensors = values.filter((value) => !SIZE.test(value)).map(tensorFile);
  const size = parseSize(sizes[0]);
  return { ...(size ? { size } : {}), tensors };
}

function tensorFile(value: string): TensorFile {
  const eq = value.indexOf('=');
  if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(0, eq)))
    return { name: value.slice(0, eq), path: value.slice(eq + 1) };
  if (!value.toLowerCase().endsWith('.npy'))
    throw new UsageError(`--input expects FILE.npy, NAME=FILE.npy or a size H,W, got \`${value}\``);
  return { path: value };
}

/** The parsed command line with `--input` reduced to the size alone, for compiling. */
export function withSizeOnly(parsed: Parsed, options: InputOptions): Parsed {
  return {
    positionals: parsed.positionals,
    values: { ...parsed.values, input: options.size ? options.size.join(',') : undefined },
  };
}

export interface ReadTensor extends TensorFile {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Reads every tensor file; problems go to `io` (file name, code, hint) and the result is undefined. */
export async function readTensorFiles(files: readonly TensorFile[], io: Io): Promise<ReadTensor[] | undefined> {
  const results = await Promise.all(files.map(readTensorFile));
  const problems = results.filter((r): r is string => typeof r === 'string');
  for (const problem of problems) io.err(problem);
  return problems.length ? undefined : (results as ReadTensor[]);
}

async function readTensorFile(file: TensorFile): Promise<ReadTensor | string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `${file.path}: error ${codes.tensorUnreadable}: cannot read tensor file ${file.path} (${code})\n  hint: ${code === 'ENOENT' ? 'check the path' : 'give a readable .npy file'}`;
  }
  const decoded = decodeNpy(bytes);
  if ('problem' in decoded)
    return `${file.path}: error ${codes.tensorUnreadable}: ${file.path} is not a .npy array: ${decoded.problem}\n  hint: write it with numpy.save`;
  return { ...file, shape: decoded.shape, values: decoded.values };
}

/**
 * The tensors bound to the model's inputs by name. A tensor of rank 3 is one image and gets
 * its batch axis; anything else goes to the executor as it is, which checks it.
 */
export function bindTensors(graph: Graph, tensors: readonly ReadTensor[]): Record<string, tf.Tensor> {
  const names = graph.inputs.map((input) => input.name);
  const bound = new Map<string, ReadTensor>();
  for (const tensor of tensors.filter((t) => t.name !== undefined)) {
    if (!names.includes(tensor.name!))
      throw new UsageError(
        `--input ${tensor.name}=${tensor.path}: the model has no input \`${tensor.name}\` (its inputs: ${names.join(', ')})`,
      );
    if (bound.has(tensor.name!)) throw new UsageError(`--input gives \`${tensor.name}\` twice`);
    bound.set(tensor.name!, tensor);
  }
  for (const tensor of tensors.filter((t) => t.name === undefined)) {
    const next = names.find((name) => !bound.has(name));
    if (next === undefined)
      throw new UsageError(`--input ${tensor.path}: the model takes ${names.length} input(s) and all are given`);
    bound.set(next, tensor);
  }
  const missing = names.filter((name) => !bound.has(name));
  if (missing.length) throw new UsageError(`--input: no tensor for the model input(s) ${missing.join(', ')}`);
  return Object.fromEntries(
    [...bound].map(([name, t]) => [
      name,
      t.shape.length === 3
        ? tf.tensor4d(t.values, [1, ...t.shape] as [number, number, number, number])
        : tf.tensor(t.values, t.shape),
    ]),
  );
}

/** The output stem for a run on tensor files: the first file's name. */
export function tensorStem(tensors: readonly TensorFile[]): string {
  return basename(tensors[0]!.path, extname(tensors[0]!.path));
}
