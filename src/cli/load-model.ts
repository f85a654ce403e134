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
import type { BackendChoice, BackendName } from '../runtime/backend.js';
import { SegModel, weightDeclarations } from '../runtime/model.js';
import { loadWeights } from '../runtime/node/weights-fs.js';
import { type Parsed, UsageError } from './args.js';
import { type BackendRequest, backendOption, startBackend } from './backend.js';
import { compileFromArgs } from './compile-file.js';
import type { Io } from './io.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import { OnnxExportError } from '../onnx/export.js';
import { useOnnxRuntime } from '../node/onnx-runtime.js';
import { OnnxRuntimeMissing, loadOnnxRuntime } from '../onnx/node/runtime.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

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
  throw new UsageError(
    `${join(folder, 'classes.json')} is not a list of class names or { "classes": [...], "maskClasses": [...] }`,
  );
}

export function seedOf(parsed: Parsed): number {
  const text = parsed.values.seed as string | undefined;
  const seed = text === undefined ? 0 : Number(text);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got \`${text}\``);
  return seed;
}

export interface LoadOptions {
  /**
   * Set by commands that only need inference from the model (`run`; `explain` for the methods
   * its ONNX explanation model makes): the reason `auto` gives when it takes ONNX Runtime.
   * Absent, `auto` never takes it.
   */
  readonly inferenceOnly?: string;
  /** Why `auto` must not take ONNX Runtime this time (it said so on an earlier try); shown on the backend line. */
  readonly notOnnx?: string;
}

/** Where the model runs: ONNX Runtime (with the reason for the backend line) or a tfjs backend. */
type Plan = { readonly onnx: string } | { readonly tfjs: BackendName | 'auto'; readonly notOnnx?: string };

/**
 * `auto` takes ONNX Runtime, the fastest executor segc has on a CPU (docs/onnx.md), when the
 * command only needs inference and onnxruntime-node loads; otherwise today's tfjs choice.
 */
async function planFor(requested: BackendRequest, options: LoadOptions): Promise<Plan> {
  if (requested === 'onnx') return { onnx: 'requested' };
  if (requested === 'auto' && options.notOnnx !== undefined) return { tfjs: 'auto', notOnnx: options.notOnnx };
  if (requested !== 'auto' || !options.inferenceOnly) return { tfjs: requested };
  try {
    await loadOnnxRuntime();
  } catch (error) {
    if (error instanceof OnnxRuntimeMissing) return { tfjs: 'auto', notOnnx: 'onnxruntime-node is not installed' };
    throw error;
  }
  return { onnx: `auto: onnxruntime-node is installed and ${options.inferenceOnly}` };
}

/** Compiles FILE, starts the backend, and loads or initialises the weights. Exits via DiagnosticError on bad input. */
export async function loadModelFromArgs(
  file: string,
  parsed: Parsed,
  io: Io,
  options: LoadOptions = {},
): Promise<LoadedModel> {
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
  const plan = await planFor(requested, options);
  try {
    return await load(compiled, plan, weightsDir, classNames, seed, io);
  } catch (error) {
    // A model with an op ONNX cannot express runs where `auto` would have put it without ONNX Runtime.
    if (!(error instanceof OnnxExportError) || !('onnx' in plan) || plan.onnx === 'requested') throw error;
    const notOnnx = `\`${error.node.name}\` has no ONNX form: ${error.message}`;
    return load(compiled, { tfjs: 'auto', notOnnx }, weightsDir, classNames, seed, io);
  }
}

async function load(
  compiled: CompiledModel,
  plan: Plan,
  weightsDir: string | undefined,
  classNames: ClassNames | undefined,
  seed: number,
  io: Io,
): Promise<LoadedModel> {
  const graph = compiled.graph!;
  const backend = 'onnx' in plan ? await startBackend('onnx', io) : await startBackend(plan.tfjs, io, plan.notOnnx);
  const onnxReason = 'onnx' in plan ? plan.onnx : undefined;
  if (!weightsDir) {
    const model = SegModel.random(graph, compiled.sizes, seed);
    const placed = await withEngine(model, onnxReason, io);
    io.err('WARNING: no --weights given: running on seeded random weights (a smoke test). The outputs mean nothing.');
    return { model: placed, compiled, backend, random: true };
  }
  const expected = weightDeclarations(graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(weightsDir, expected);
  let model: SegModel;
  try {
    model = SegModel.fromTensors(graph, compiled.sizes, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return {
    model: await withEngine(model, onnxReason, io),
    compiled,
    backend,
    random: false,
    ...(classNames ? { classNames } : {}),
  };
}

/** On ONNX Runtime, inference (`predictAsync`) moves there; `reason` is why (`requested`, or auto's). */
async function withEngine(model: SegModel, reason: string | undefined, io: Io): Promise<SegModel> {
  if (reason === undefined) return model;
  try {
    await useOnnxRuntime(model);
  } catch (error) {
    model.dispose();
    if (error instanceof OnnxExportError && reason !== 'requested') throw error;
    if (error instanceof OnnxRuntimeMissing)
      throw diagnosticError(codes.onnxRuntimeMissing, error.message, { hint: error.hint });
    if (error instanceof OnnxExportError)
      throw diagnosticError(
        codes.onnxUnsupported,
        `cannot run \`${error.node.name}\` on ONNX Runtime: ${error.message}`,
        {
          span: error.node.span,
          ...(error.hint ? { hint: error.hint } : {}),
        },
      );
    throw error;
  }
  io.err(`backend: onnx (onnxruntime-node, cpu) — ${reason}; tfjs cpu prepares images and results`);
  return model;
}
