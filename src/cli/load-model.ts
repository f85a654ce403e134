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
import { type OptionSpec, type Parsed, UsageError } from './args.js';
import { COMPILE_OPTIONS, compileFromArgs } from './compile-file.js';
import type { Io } from './io.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import { OnnxCode } from '../onnx/codes.js';
import { OnnxExportError } from '../onnx/export.js';
import { useOnnxRuntime } from '../onnx/node/attach.js';
import { OnnxRuntimeMissing } from '../onnx/node/runtime.js';
import { runtimeError } from '../runtime/errors.js';

export const RUNTIME_OPTIONS: OptionSpec = {
  ...COMPILE_OPTIONS,
  weights: { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
};

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
  if (!['auto', 'webgpu', 'wasm', 'cpu', 'onnx'].includes(requested)) throw new UsageError(`--backend must be auto, webgpu, wasm, cpu or onnx, got \`${requested}\``);
  // With --backend onnx the model runs on ONNX Runtime; tfjs (cpu) only prepares images and results.
  if (requested === 'onnx') return selectBackend('cpu');
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
    const model = SegModel.random(compiled.graph, compiled.sizes, seedOf(parsed));
    return { model: await withEngine(model, parsed, io), compiled, backend, random: true };
  }
  const expected = weightDeclarations(compiled.graph).map((d) => ({ name: d.name, shape: d.shape, dtype: d.dtype, declaredAt: d.declaredAt }));
  const tensors = await loadWeights(weightsDir, expected);
  let model: SegModel;
  try {
    model = SegModel.fromTensors(compiled.graph, compiled.sizes, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return { model: await withEngine(model, parsed, io), compiled, backend, random: false };
}

/** With --backend onnx, inference (`predictAsync`) moves to ONNX Runtime. */
async function withEngine(model: SegModel, parsed: Parsed, io: Io): Promise<SegModel> {
  if (parsed.values.backend !== 'onnx') return model;
  try {
    await useOnnxRuntime(model);
  } catch (error) {
    model.dispose();
    if (error instanceof OnnxRuntimeMissing) throw runtimeError(OnnxCode.runtimeMissing, error.message, { hint: error.hint });
    if (error instanceof OnnxExportError) throw runtimeError(OnnxCode.unsupported, `cannot run \`${error.node.name}\` on ONNX Runtime: ${error.message}`, { span: error.node.span, ...(error.hint ? { hint: error.hint } : {}) });
    throw error;
  }
  io.err('backend: onnx (onnxruntime-node, cpu) — requested; tfjs cpu prepares images and results');
  return model;
}
