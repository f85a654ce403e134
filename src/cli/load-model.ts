/**
 * What every command that runs a model shares: `--backend`, `--weights` (or seeded random
 * weights, announced loudly), `--seed`, class names beside the weights, and the compile options.
 * Everything is checked before the backend starts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrors } from '../compiler/compile.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import type { CompiledModel } from '../compiler/compile.js';
import type { BackendChoice } from '../runtime/backend.js';
import { SegModel, weightDeclarations } from '../runtime/model.js';
import { loadWeights } from '../runtime/node/weights-fs.js';
import { type Parsed, UsageError } from './args.js';
import { backendOption, startBackend } from './backend.js';
import { compileFromArgs } from './compile-file.js';
import type { Io } from './io.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import { OnnxCode } from '../onnx/codes.js';
import { OnnxExportError } from '../onnx/export.js';
import { useOnnxRuntime } from '../onnx/node/attach.js';
import { OnnxRuntimeMissing } from '../onnx/node/runtime.js';
import { runtimeError } from '../runtime/errors.js';

export interface LoadedModel {
  readonly model: SegModel;
  readonly compiled: CompiledModel;
  readonly backend: BackendChoice;
  /** True when no --weights was given and the weights are seeded random values. */
  readonly random: boolean;
  /** Class names from `classes.json` in the weights folder, when it has one. */
  readonly classNames?: ClassNames;
}

/** Names for image-level classes and for mask values, as in a data set's `classes.json`. */
export interface ClassNames {
  readonly classes: readonly string[];
  readonly maskClasses: readonly string[];
}

/** `classes.json` beside the weights: a list of names, or `{ classes, maskClasses }`. */
async function readClassNames(folder: string): Promise<ClassNames | undefined> {
  const text = await readFile(join(folder, 'classes.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((n) => typeof n === 'string');
  try {
    const value = JSON.parse(text) as unknown;
    if (isNames(value)) return { classes: value, maskClasses: value };
    const { classes, maskClasses } = value as { classes?: unknown; maskClasses?: unknown };
    if (isNames(classes)) return { classes, maskClasses: isNames(maskClasses) ? maskClasses : classes };
  } catch {
    /* reported below */
  }
  throw new UsageError(`${join(folder, 'classes.json')} is not a list of class names or { "classes": [...], "maskClasses": [...] }`);
}

export function seedOf(parsed: Parsed): number {
  const text = parsed.values.seed as string | undefined;
  const seed = text === undefined ? 0 : Number(text);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got \`${text}\``);
  return seed;
}

/** Compiles FILE, starts the backend, and loads or initialises the weights. Exits via DiagnosticError on bad input. */
export async function loadModelFromArgs(file: string, parsed: Parsed, io: Io): Promise<LoadedModel> {
  const requested = backendOption(parsed.values.backend, 'auto', { onnx: true });
  const seed = seedOf(parsed);
  const result = compileFromArgs(file, parsed);
  if (hasErrors(result.diagnostics)) {
    io.err(renderDiagnostics(result.diagnostics, result.sources));
    throw new DiagnosticError([]);
  }
  const compiled = result.models.find((m) => m.graph);
  if (!compiled?.graph) throw new UsageError(`${file} declares no model`);
  const weightsDir = parsed.values.weights as string | undefined;
  const classNames = weightsDir ? await readClassNames(weightsDir) : undefined;
  const backend = await startBackend(requested, io);
  if (!weightsDir) {
    io.err('WARNING: no --weights given: running on seeded random weights (a smoke test). The outputs mean nothing.');
    const model = SegModel.random(compiled.graph, compiled.sizes, seed);
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
  return { model: await withEngine(model, parsed, io), compiled, backend, random: false, ...(classNames ? { classNames } : {}) };
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
