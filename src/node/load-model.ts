/**
 * Compiling `.seg` files from disk and turning them into runnable models: what a Node app does
 * with a model file and a weights folder, in two calls.
 */
import {
  type CompileOptions,
  type CompileResult,
  type CompiledModel,
  compile,
  hasErrors,
} from '../compiler/compile.js';
import { nodeHost } from '../compiler/node-host.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { type Value, bool, float, int, list, str } from '../ir/values.js';
import { SegModel, weightDeclarations } from '../runtime/model.js';
import { loadWeights } from '../runtime/node/weights-fs.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** A model parameter as an app writes it: `{ classes: 4, os: 8 }`. */
export type ParamValue = number | boolean | string | readonly ParamValue[];

export interface CompileFileOptions extends Omit<CompileOptions, 'params'> {
  /** Overrides of model parameters, as plain values. */
  readonly params?: Readonly<Record<string, ParamValue>>;
}

/**
 * Compiles a `.seg` file: its relative imports are read beside it and `std/…` from the
 * package's std folder. Diagnostics are returned, not thrown (`hasErrors` tells whether any is
 * an error; `renderDiagnostics(result.diagnostics, result.sources)` prints them).
 */
export function compileFile(path: string, options: CompileFileOptions = {}): CompileResult {
  const { params, ...rest } = options;
  return compile(path, nodeHost(), {
    ...rest,
    ...(params
      ? { params: Object.fromEntries(Object.entries(params).map(([name, value]) => [name, toValue(value)])) }
      : {}),
  });
}

function toValue(value: ParamValue): Value {
  if (typeof value === 'number') return Number.isInteger(value) ? int(value) : float(value);
  if (typeof value === 'boolean') return bool(value);
  if (typeof value === 'string') return str(value);
  return list(value.map(toValue));
}

export interface LoadModelOptions extends CompileFileOptions {
  /** A weights folder (as `segc train` writes it), its model.json, or an http(s) URL. */
  readonly weights?: string;
  /** Without `weights`: seeded random weights (outputs then mean nothing). Default 0. */
  readonly seed?: number;
}

export interface LoadedModel {
  readonly model: SegModel;
  readonly compiled: CompiledModel;
  readonly result: CompileResult;
}

/**
 * Compiles the file's model (the first one, or `options.model`) and loads its weights, checked
 * against what the model declares. Throws `DiagnosticError` when the file has errors.
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const { weights, seed, ...compileOptions } = options;
  const result = compileFile(path, compileOptions);
  if (hasErrors(result.diagnostics)) throw new DiagnosticError(result.diagnostics);
  const compiled = result.models.find((m) => m.graph);
  if (!compiled?.graph)
    throw diagnosticError(codes.noModel, `\`${path}\` declares no model`, {
      hint: 'load a file with a `model` declaration',
      file: path,
    });
  if (weights === undefined)
    return { model: SegModel.random(compiled.graph, compiled.sizes, seed ?? 0), compiled, result };
  const expected = weightDeclarations(compiled.graph).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(weights, expected);
  try {
    return { model: SegModel.fromTensors(compiled.graph, compiled.sizes, tensors), compiled, result };
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}
