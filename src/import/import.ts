/**
 * `segc import`: a model from another framework as a formatted `.seg` file and a weights
 * folder in segc's format. The generated source is compiled before anything is written, and
 * the weights it declares must be exactly the weights translated (names, shapes), so a file
 * that is written is a network segc runs with these weights.
 */
import { open, stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { compileSource, hasErrors } from '../compiler/compile.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import { parse, print } from '../parser/index.js';
import { weightDeclarations } from '../runtime/model.js';
import { isGraphModel, readGraphModel } from './graph-model.js';
import { translateGraph } from './graph-to-seg.js';
import { readLayersModel, readModelJson } from './layers-model.js';
import { translate, type SegStatement, type Translation } from './layers-to-seg.js';
import { isOnnxFile, readOnnxModel } from './onnx-model.js';
import { translateOnnx } from './onnx-to-seg.js';
import { recoverBlocks } from './blocks.js';
import type { ImportOptions } from './options.js';

export type { ImportOptions } from './options.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

export interface ImportedModel {
  /** The file stem and the model's name in the source, e.g. `small_unet`. */
  readonly name: string;
  /** The `.seg` declaration name, e.g. `SmallUnet`. */
  readonly modelName: string;
  readonly source: string;
  /** segc weight name → tensor; dispose with `disposeImported`. */
  readonly weights: Map<string, tf.Tensor>;
}

export function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, 'model_') || 'model';
}

export function declarationName(name: string): string {
  const words = fileStem(name)
    .split('_')
    .filter((word) => word !== '');
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return /^[A-Z]/.test(joined) ? joined : `Model${joined}`;
}

function sourceText(
  modelName: string,
  origin: string,
  statements: readonly SegStatement[],
  blocks: readonly string[],
): string {
  const body = statements.map((s) => `${s.comment ? `  // ${s.comment}\n` : ''}  ${s.text}\n`).join('');
  const declarations = blocks.map((block) => `${block}\n`).join('');
  return `// Imported by \`segc import\` from ${origin}.\n${declarations ? `\n${declarations}` : ''}model ${modelName}() {\n${body}}\n`;
}

/** The formats `segc import` reads; `auto` tells them apart by the file. */
export const JSON_FORMATS = ['auto', 'tfjs-layers', 'tfjs-graph', 'onnx'] as const;
export type JsonFormat = (typeof JSON_FORMATS)[number];

/** The first bytes of `source` when it is a file (not a folder), to recognise an ONNX model. */
async function head(source: string): Promise<Uint8Array> {
  try {
    if (!(await stat(source)).isFile()) return new Uint8Array();
    const handle = await open(source, 'r');
    try {
      const buffer = new Uint8Array(2);
      await handle.read(buffer, 0, 2, 0);
      return buffer;
    } finally {
      await handle.close();
    }
  } catch {
    return new Uint8Array();
  }
}

/**
 * Reads a tfjs-layers or tfjs graph model (model.json or its folder) or an ONNX model (`.onnx`)
 * and translates it; throws diagnostics. `from` names the format the caller expects; a file of the other one is refused.
 */
export async function importModel(
  source: string,
  from: JsonFormat = 'auto',
  options: ImportOptions = {},
): Promise<ImportedModel> {
  const bytes = await head(source);
  if (from === 'onnx' || (from === 'auto' && bytes[0] !== 0x7b && isOnnxFile(source, bytes))) {
    const model = await readOnnxModel(source);
    const open = model.inputs.some((input) => input.shape.length === 4 && input.shape.slice(2).includes(null));
    const hint =
      open && !options.inputSize
        ? 'the model leaves its input height and width open: give --input-size HxW to fix them'
        : undefined;
    return translated(
      model.name,
      'an ONNX model',
      source,
      new Map(),
      () => translateOnnx(model, source, options),
      hint,
    );
  }
  const { file, json } = await readModelJson(source);
  if (options.inputSize)
    throw diagnosticError(codes.importUnreadable, `--input-size applies to ONNX models; ${file} is a tfjs model`, {
      span: fileSpan(file),
      hint: 'a tfjs model.json declares its input size itself',
    });
  const graph = isGraphModel(json);
  if (from !== 'auto' && graph !== (from === 'tfjs-graph')) {
    throw diagnosticError(
      codes.importUnreadable,
      `${file} is a ${graph ? 'tfjs graph model (tfjs-converter)' : 'tfjs-layers model'}, not a ${from} model`,
      { span: fileSpan(file), hint: `give --from ${graph ? 'tfjs-graph' : 'tfjs-layers'}, or leave --from out` },
    );
  }
  if (graph) {
    const model = await readGraphModel(file, json);
    return translated(model.name, 'a tfjs graph model', file, model.constants, () => translateGraph(model, file));
  }
  const model = await readLayersModel(file, json);
  return translated(model.name, 'a tfjs-layers model', file, model.weights, () => translate(model, file));
}

/** Reads a tfjs-layers model (model.json or its folder) and translates it; throws diagnostics. */
export async function importLayersModel(source: string): Promise<ImportedModel> {
  return importModel(source, 'tfjs-layers');
}

/**
 * Formats and checks a translation. Values the source has are cloned (the source's are disposed
 * here); values the translation made are moved.
 */
function translated(
  sourceName: string,
  origin: string,
  file: string,
  sourceTensors: Map<string, tf.Tensor>,
  run: () => Translation,
  compileHint?: string,
): ImportedModel {
  let weights: Map<string, tf.Tensor> | undefined;
  try {
    const translation = run();
    const name = fileStem(sourceName);
    const modelName = declarationName(sourceName);
    const fromSource = new Set(sourceTensors.values());
    weights = new Map(
      [...translation.weights].map(([segName, tensor]) => [
        segName,
        fromSource.has(tensor) ? tf.clone(tensor) : tensor,
      ]),
    );
    const recovered = recoverBlocks(translation.statements, weights, [modelName]);
    weights = recovered.weights;
    const formatted = format(sourceText(modelName, origin, recovered.statements, recovered.blocks), `${name}.seg`);
    checkAgainstSource(formatted, `${name}.seg`, weights, file, compileHint);
    return { name, modelName, source: formatted, weights };
  } catch (error) {
    if (weights) tf.dispose([...weights.values()]);
    throw error;
  } finally {
    tf.dispose([...sourceTensors.values()]);
  }
}

function format(text: string, file: string): string {
  const parsed = parse(text, file);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) {
    throw diagnosticError(
      codes.importInconsistent,
      `the generated ${file} does not parse:\n${renderDiagnostics(parsed.diagnostics, new Map([[file, text]]))}`,
      { span: fileSpan(file), hint: 'this is a bug in segc import; please report it with the model' },
    );
  }
  return print(parsed.program);
}

/** The generated model must compile and declare exactly the translated weights. */
function checkAgainstSource(
  source: string,
  file: string,
  weights: ReadonlyMap<string, tf.Tensor>,
  origin: string,
  hint = 'the source model has a shape segc does not accept; see the error above',
): void {
  const result = compileSource(source, file);
  const graph = result.models.find((m) => m.graph)?.graph;
  if (hasErrors(result.diagnostics) || !graph) {
    throw diagnosticError(
      codes.importInconsistent,
      `the model translated from ${origin} does not compile:\n${renderDiagnostics(result.diagnostics, result.sources)}`,
      { span: fileSpan(origin), hint },
    );
  }
  const declared = weightDeclarations(graph);
  const problems = declared.flatMap((d) => {
    const tensor = weights.get(d.name);
    if (!tensor) return [`\`${d.name}\` has no value`];
    return tensor.shape.join() === d.shape.join()
      ? []
      : [`\`${d.name}\` is [${tensor.shape.join(', ')}] in the source, [${d.shape.join(', ')}] in .seg`];
  });
  const extra = [...weights.keys()]
    .filter((name) => !declared.some((d) => d.name === name))
    .map((name) => `\`${name}\` is not used by the .seg model`);
  if (problems.length + extra.length > 0) {
    throw diagnosticError(
      codes.importInconsistent,
      `the weights of ${origin} do not fit the translated model: ${[...problems, ...extra].join('; ')}`,
      { span: fileSpan(origin), hint: 'this is a bug in segc import; please report it with the model' },
    );
  }
}

export function disposeImported(model: ImportedModel): void {
  for (const tensor of model.weights.values()) tensor.dispose();
}
