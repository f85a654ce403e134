/**
 * What every command that runs a model shares: `--backend`, `--weights` (or seeded random
 * weights, announced loudly), `--seed`, and the compile options. Prints the backend in use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasErrors } from '../compiler/compile.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { CompiledModel } from '../compiler/compile.js';
import { type BackendChoice, type BackendName, selectBackend } from '../runtime/backend.js';
import { registerGradients } from '../runtime/gradients.js';
import { SegModel, weightDeclarations } from '../runtime/model.js';
import { loadWeights } from '../runtime/node/weights-fs.js';
import { type Parsed, UsageError } from './args.js';
import { compileFromArgs } from './compile-file.js';
import type { Io } from './io.js';
import { renderDiagnostics } from '../diagnostics/render.js';

export interface LoadedModel {
  readonly model: SegModel;
  readonly compiled: CompiledModel;
  readonly backend: BackendChoice;
  /** True when no --weights was given and the weights are seeded random values. */
  readonly random: boolean;
}

export async function startBackend(parsed: Parsed, io: Io): Promise<BackendChoice> {
  // Production mode: fewer debug checks, and no banner suggesting tfjs-node on stderr.
  tf.env().set('PROD', true);
  const requested = (parsed.values.backend as string | undefined) ?? 'auto';
  if (!['auto', 'webgpu', 'wasm', 'cpu'].includes(requested)) throw new UsageError(`--backend must be auto, webgpu, wasm or cpu, got \`${requested}\``);
  const choice = await selectBackend(requested as BackendName | 'auto');
  registerGradients();
  io.err(`backend: ${choice.name}${choice.adapter ? ` (${choice.adapter})` : ''} — ${choice.reason}`);
  return choice;
}

export function seedOf(parsed: Parsed): number {
  const text = parsed.values.seed as string | undefined;
  const seed = text === undefined ? 0 : Number(text);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got \`${text}\``);
  return seed;
}

/** Compiles FILE, starts the backend, and loads or initialises the weights. Exits via DiagnosticError on bad input. */
export async function loadModelFromArgs(file: string, parsed: Parsed, io: Io): Promise<LoadedModel> {
  const result = compileFromArgs(file, parsed);
  if (hasErrors(result.diagnostics)) {
    io.err(renderDiagnostics(result.diagnostics, result.sources));
    throw new DiagnosticError([]);
  }
  const compiled = result.models.find((m) => m.graph);
  if (!compiled?.graph) throw new UsageError(`${file} declares no model`);
  const backend = await startBackend(parsed, io);
  const weightsDir = parsed.values.weights as string | undefined;
  if (!weightsDir) {
    io.err('WARNING: no --weights given: running on seeded random weights (a smoke test). The outputs mean nothing.');
    return { model: SegModel.random(compiled.graph, compiled.sizes, seedOf(parsed)), compiled, backend, random: true };
  }
  const expected = weightDeclarations(compiled.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype, declaredAt: d.declaredAt }));
  const tensors = await loadWeights(weightsDir, expected);
  try {
    return { model: SegModel.fromTensors(compiled.graph, compiled.sizes, tensors), compiled, backend, random: false };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
