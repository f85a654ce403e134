/**
 * `segc explain MODEL.seg (--image IN... | --input FILE.npy) --out DIR`: class maps for each image by the method
 * asked for, written as a heatmap overlay PNG, the map and the raw map as JSON or .npy, and the
 * box around the map's largest region as JSON, and a report (`.report.json`: class, probability,
 * target, box, files). One line per image on stdout, or the reports with --json. `--list` prints what the compiler derived for
 * each output (kind, score, default Grad-CAM layer and why, exact CAM, ACoL) without running.
 */
import { prepareModelInput } from '../../runtime/preprocess-image.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureOutputFolder } from '../../runtime/node/fs-atomic.js';
import { outputStems } from '../../runtime/output-names.js';
import * as tf from '@tensorflow/tfjs-core';
import { hasErrors } from '../../compiler/compile.js';
import { describeSurvey, surveyJson } from '../../ir/analysis/explanations/describe.js';
import { outputKindOf } from '../../ir/analysis/output-kind.js';
import { findOp } from '../../ops/registry.js';
import {
  EXPLAIN_METHODS,
  type ExplainMethod,
  type MapOrder,
  MAP_ORDERS,
  explain,
  featureMaps,
  mapToBox,
  surveyOutputs,
  upsampleMaps,
} from '../../explain/index.js';
import { encodeNpy } from '../../runtime/npy.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { featureGrid, heatmapOverlay, type RgbImage } from '../../runtime/image.js';
import { onnxExplainerOf } from '../../node/onnx-runtime.js';
import { OnnxExportError } from '../../onnx/export.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';
import { renderDiagnostics } from '../../diagnostics/render.js';
import type { SegModel } from '../../runtime/model.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { readImage, writePng } from '../../runtime/node/image-io.js';
import { type Parsed, UsageError } from '../args.js';
import { compileFromArgs, requireFiles } from '../compile-file.js';
import { type Io, reportDiagnostics } from '../io.js';
import { checkImages, checkOutputFolder } from '../inputs.js';
import { backendOption } from '../backend.js';
import { loadModelFromArgs } from '../load-model.js';
import {
  bindTensors,
  type InputOptions,
  readInputOptions,
  readTensorFiles,
  tensorStem,
  withSizeOnly,
} from '../tensor-inputs.js';
import { inputSizeFor } from './run.js';

('[--order upsample-first|normalize-first] [--threshold F] [--region X0,Y0,X1,Y1] [--input H,W] [--seed S] [--list [--json]]');

type Method = ExplainMethod | 'features';

interface Settings {
  readonly images: readonly string[];
  readonly inputs: InputOptions;
  readonly out: string;
  readonly method: Method;
  readonly classIndex?: number;
  readonly layer?: string;
  readonly output?: string;
  readonly format: 'json' | 'npy';
  readonly order: MapOrder;
  readonly threshold: number;
  readonly region?: readonly [number, number, number, number];
  readonly input?: [number, number];
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${option} must be one of ${allowed.join(', ')}, got \`${value}\``);
}

function numberOption(
  option: string,
  text: string | undefined,
  valid: (value: number) => boolean,
  expected: string,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !valid(value)) throw new UsageError(`--${option} expects ${expected}, got \`${text}\``);
  return value;
}

function regionOption(text: string | undefined): [number, number, number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 4 || !parts.every((part) => Number.isInteger(part) && part >= 0)) {
    throw new UsageError(`--region expects X0,Y0,X1,Y1 (integers ≥ 0), got \`${text}\``);
  }
  return parts as [number, number, number, number];
}

function readSettings(parsed: Parsed): Settings {
  const value = (name: string) => parsed.values[name] as string | undefined;
  const images = (parsed.values.image as string[] | undefined) ?? [];
  const inputs = readInputOptions(parsed);
  if (images.length === 0 && inputs.tensors.length === 0)
    throw new UsageError('explain needs at least one --image or --input FILE.npy (or --list)');
  if (images.length > 0 && inputs.tensors.length > 0)
    throw new UsageError('explain takes images (--image) or tensors (--input FILE.npy), not both');
  const out = value('out');
  if (!out) throw new UsageError('explain needs --out DIR');
  const classIndex = numberOption(
    'class',
    value('class'),
    (v) => Number.isInteger(v) && v >= 0,
    'a class index (an integer ≥ 0)',
  );
  const threshold =
    numberOption('threshold', value('threshold'), (v) => v >= 0 && v <= 1, 'a fraction of the maximum in [0, 1]') ??
    0.5;
  const region = regionOption(value('region'));
  return {
    images,
    inputs,
    out,
    method: oneOf<Method>('method', value('method'), [...EXPLAIN_METHODS, 'features'], 'gradcam'),
    format: oneOf('format', value('format'), ['json', 'npy'] as const, 'json'),
    order: oneOf('order', value('order'), MAP_ORDERS, 'upsample-first'),
    threshold,
    ...(classIndex !== undefined ? { classIndex } : {}),
    ...(value('layer') !== undefined ? { layer: value('layer') } : {}),
    ...(value('output') !== undefined ? { output: value('output') } : {}),
    ...(region ? { region } : {}),
    ...(inputs.size ? { input: inputs.size } : {}),
  };
}

function listPlans(file: string, parsed: Parsed, io: Io): number {
  const result = compileFromArgs(file, parsed);
  reportDiagnostics(io, result.diagnostics, result.sources, false);
  if (hasErrors(result.diagnostics)) return 1;
  const graphs = result.models.flatMap((m) => (m.graph ? [m.graph] : []));
  if (parsed.values.json === true)
    io.out(
      JSON.stringify(
        graphs.map((g) => surveyJson(g, surveyOutputs(g))),
        null,
        2,
      ),
    );
  else io.out(graphs.map((g) => describeSurvey(g, surveyOutputs(g))).join('\n\n'));
  return 0;
}

/** Output stems, one per image; a repeated file name gets `-2`, `-3`, … so nothing is overwritten. */
function stems(images: readonly string[], out: string): string[] {
  return outputStems(images).map((stem) => join(out, stem));
}

/** The methods `auto` may run on ONNX Runtime (src/explain/onnx-explainer.ts). */
const ONNX_METHODS: readonly string[] = ['cam', 'gradcam', 'gradcampp', 'layercam', 'acol'];

export async function explainCommand(parsed: Parsed, io: Io, notOnnx?: string): Promise<number> {
  const [file] = requireFiles(parsed, 'explain', 1);
  if (parsed.values.list === true) return listPlans(file!, parsed, io);
  const settings = readSettings(parsed);
  await checkOutputFolder(settings.out);
  if (!(await checkImages(settings.images, io))) return 1;
  const tensors = await readTensorFiles(settings.inputs.tensors, io);
  if (!tensors) return 1;
  await ensureOutputFolder(settings.out);
  // The ONNX explanation model makes these maps; feature grids need tfjs.
  const onOnnx = ONNX_METHODS.includes(settings.method);
  const { model, compiled, random, classNames } = await loadModelFromArgs(
    file!,
    withSizeOnly(parsed, settings.inputs),
    io,
    onOnnx ? { inferenceOnly: `the ONNX explanation model makes ${settings.method} maps`, notOnnx } : {},
  );
  // `auto` took ONNX Runtime, but its explanation model cannot be built: the same command on tfjs.
  let retryOnTfjs: string | undefined;
  try {
    if (tensors.length > 0) {
      const stem = join(settings.out, tensorStem(tensors));
      const report = {
        tensors: tensors.map((t) => t.path),
        randomWeights: random,
        ...(await explainTensors(model, bindTensors(model.graph, tensors), stem, settings)),
      };
      await writeFileAtomic(`${stem}.${settings.method}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
      io.out(
        parsed.values.json === true
          ? JSON.stringify(report, null, 2)
          : describeExplanation(report.tensors.join(', '), report, classNames?.classes),
      );
    }
    const names = stems(settings.images, settings.out);
    for (const [index, path] of settings.images.entries()) {
      const report = await explainImage(model, compiled.sizes, path, names[index]!, settings);
      // The report (class, probability, target, box, files) is kept beside the images for tools.
      await writeFileAtomic(
        `${names[index]}.${settings.method}.report.json`,
        `${JSON.stringify({ image: path, randomWeights: random, ...report }, null, 2)}\n`,
      );
      io.out(
        parsed.values.json === true
          ? JSON.stringify({ image: path, randomWeights: random, ...report }, null, 2)
          : describeExplanation(path, report, classNames?.classes),
      );
    }
  } catch (error) {
    if (!(error instanceof OnnxExportError)) throw error;
    if (model.executorName === 'tfjs' || backendOption(parsed.values.backend, 'auto', { onnx: true }) !== 'auto') {
      await reportNoExplanationModel(io, error);
      return 1;
    }
    retryOnTfjs = `\`${error.node.name}\` (op \`${error.node.op}\`) has no derivative there: ${error.message}`;
  } finally {
    model.dispose();
  }
  return retryOnTfjs === undefined ? 0 : explainCommand(parsed, io, retryOnTfjs);
}

/**
 * An explanation model ONNX Runtime cannot be given (an op on the path to the score without a
 * derivative there): a limit of the input model on that backend, reported at the op with its
 * source line. tfjs differentiates every op, so the hint names its backends.
 */
async function reportNoExplanationModel(io: Io, error: OnnxExportError): Promise<void> {
  const { node } = error;
  const hint = `run the explanation on tfjs (--backend cpu or --backend wasm)${error.hint ? `, or ${error.hint}` : ''}`;
  const diagnostic = diagnosticError(
    codes.onnxNoExplanation,
    `cannot explain on ONNX Runtime through \`${node.name}\` (op \`${node.op}\`): ${error.message}`,
    { span: node.span, hint },
  ).diagnostics[0]!;
  const sources = new Map<string, string>();
  try {
    sources.set(node.span.file, await readFile(node.span.file, 'utf8'));
  } catch {
    // Without the source text the diagnostic still names the file, line and column.
  }
  io.err(renderDiagnostics([diagnostic], sources));
}

const METHOD_NAMES: Readonly<Record<string, string>> = {
  cam: 'CAM',
  gradcam: 'Grad-CAM',
  gradcampp: 'Grad-CAM++',
  layercam: 'LayerCAM',
  acol: 'ACoL',
  features: 'feature maps',
};

/** One line per image for a person: the class explained (with its probability) and the overlay to look at. */
function describeExplanation(path: string, report: Record<string, unknown>, names?: readonly string[]): string {
  const [overlayFile] = report.files as string[];
  const method = METHOD_NAMES[report.method as string] ?? String(report.method);
  if (report.method === 'features')
    return `${path} → ${report.channels} feature maps of \`${report.target}\`; grid → ${overlayFile}`;
  const index = report.class as number;
  const probability = typeof report.probability === 'number' ? ` (${(100 * report.probability).toFixed(1)}%)` : '';
  return `${path} → ${names?.[index] ?? index}${probability}; ${method} → ${overlayFile}`;
}

/** The probability of class `index` when `output` is a class-score output (softmax applied unless it is one). */
async function probabilityOf(
  model: SegModel,
  input: tf.Tensor4D,
  output: string,
  index: number,
): Promise<number | undefined> {
  const node = model.graph.outputs.find((o) => o.name === output);
  if (!node || outputKindOf(model.graph, output)?.kind !== 'class-scores') return undefined;
  // predictAsync: on ONNX Runtime when the model runs there (tfjs is then the slow cpu backend).
  const outputs = await model.predictAsync(input);
  const probabilities = tf.tidy(() =>
    findOp(model.graph.nodes[node.node]!.op)?.outputActivation === 'softmax'
      ? tf.clone(outputs[output]!)
      : tf.softmax(outputs[output]!),
  );
  try {
    // Read asynchronously: WebGPU's synchronous read needs OffscreenCanvas, which Node lacks.
    return ((await probabilities.array()) as number[][])[0]![index];
  } finally {
    tf.dispose([probabilities, ...Object.values(outputs)]);
  }
}

/** The image as the model's input tensor: at its size, with its preprocessing. */
function modelInput(
  model: SegModel,
  sizes: SizeSpace,
  original: RgbImage,
  requested: [number, number] | undefined,
): tf.Tensor4D {
  const [, height, width] = original.shape;
  const [rows, columns] = inputSizeFor(model.graph, sizes, height, width, requested);
  return prepareModelInput(model.graph, original, rows, columns);
}

/** Explanations of an exact input tensor (one image), drawn over it when it is RGB, else over its grey mean. */
async function explainTensors(
  model: SegModel,
  inputs: Record<string, tf.Tensor>,
  stem: string,
  settings: Settings,
): Promise<Record<string, unknown>> {
  const input = inputs[model.inputNames[0]!]!;
  const usable = Object.keys(inputs).length === 1 && input.rank === 4 && input.shape[0] === 1;
  const backdrop = usable
    ? tf.tidy(
        () =>
          tf.clipByValue(
            input.shape[3] === 3 ? input : tf.tile(tf.mean(input, 3, true), [1, 1, 1, 3]),
            0,
            1,
          ) as RgbImage,
      )
    : undefined;
  try {
    if (!backdrop)
      throw new UsageError(
        'explain takes one tensor of one image ([H, W, C] or [1, H, W, C]) for a model with one input',
      );
    const inputSize = [input.shape[1], input.shape[2]];
    if (settings.method === 'features')
      return { inputSize, ...(await writeFeatures(model, input as tf.Tensor4D, stem, settings)) };
    return { inputSize, ...(await writeExplanation(model, backdrop, input as tf.Tensor4D, stem, settings)) };
  } finally {
    tf.dispose([...Object.values(inputs), ...(backdrop ? [backdrop] : [])]);
  }
}

async function explainImage(
  model: SegModel,
  sizes: SizeSpace,
  path: string,
  stem: string,
  settings: Settings,
): Promise<Record<string, unknown>> {
  const original = await readImage(path);
  const input = modelInput(model, sizes, original, settings.input);
  try {
    const inputSize = [input.shape[1], input.shape[2]];
    if (settings.method === 'features') return { inputSize, ...(await writeFeatures(model, input, stem, settings)) };
    return { inputSize, ...(await writeExplanation(model, original, input, stem, settings)) };
  } finally {
    tf.dispose([original, input]);
  }
}

/** Float32 values as JSON numbers that read back to the same float32 (9 significant digits). */
async function writeArray(stem: string, tensor: tf.Tensor, format: 'json' | 'npy'): Promise<string> {
  const values = Float32Array.from(await tensor.data());
  const shape = tensor.shape.slice(1);
  const file = `${stem}.${format}`;
  if (format === 'npy') await writeFileAtomic(file, encodeNpy(values, shape));
  else
    await writeFileAtomic(
      file,
      `${JSON.stringify({ shape, values: Array.from(values, (v) => Number(v.toPrecision(9))) })}\n`,
    );
  return file;
}

async function writeExplanation(
  model: SegModel,
  original: RgbImage,
  input: tf.Tensor4D,
  stem: string,
  settings: Settings,
): Promise<Record<string, unknown>> {
  const options = {
    method: settings.method as ExplainMethod,
    order: settings.order,
    ...(settings.classIndex !== undefined ? { classIndex: settings.classIndex } : {}),
    ...(settings.layer !== undefined ? { target: settings.layer } : {}),
    ...(settings.output !== undefined ? { output: settings.output } : {}),
    ...(settings.region ? { region: { box: settings.region } } : {}),
  };
  // With --backend onnx the maps come from an explanation model on ONNX Runtime.
  const onnx = onnxExplainerOf(model);
  const result = onnx ? await onnx.explain(input, options) : await explain(model, input, options);
  const [, height, width] = original.shape;
  const atImage = upsampleMaps(result.map, [height, width]);
  const overlay = heatmapOverlay(original, atImage);
  try {
    const prefix = `${stem}.${result.method}`;
    await writePng(`${prefix}.png`, overlay);
    const files = [
      `${prefix}.png`,
      await writeArray(`${prefix}.map`, result.map, settings.format),
      await writeArray(`${prefix}.raw`, result.raw, settings.format),
    ];
    const [box] = await mapToBox(atImage, { threshold: settings.threshold, components: 'largest' });
    const boxReport = {
      box: box ?? null,
      threshold: settings.threshold,
      components: 'largest',
      coordinates: 'image pixels [x0, y0, x1, y1), half-open',
      imageSize: [height, width],
    };
    await writeFileAtomic(`${prefix}.box.json`, `${JSON.stringify(boxReport, null, 2)}\n`);
    files.push(`${prefix}.box.json`);
    const probability = await probabilityOf(model, input, result.output, result.classIndex[0]!);
    return {
      method: result.method,
      output: result.output,
      class: result.classIndex[0],
      ...(probability !== undefined ? { probability: Number(probability.toFixed(6)) } : {}),
      target: result.target,
      box: box ?? null,
      files,
    };
  } finally {
    tf.dispose([result.map, result.raw, atImage, overlay]);
  }
}

async function writeFeatures(
  model: SegModel,
  input: tf.Tensor4D,
  stem: string,
  settings: Settings,
): Promise<Record<string, unknown>> {
  const { maps, target } = featureMaps(model, input, settings.layer);
  const grid = featureGrid(maps);
  try {
    const prefix = `${stem}.features`;
    await writePng(`${prefix}.png`, grid);
    const files = [`${prefix}.png`, await writeArray(prefix, maps, settings.format)];
    return { method: 'features', target, channels: maps.shape[3], files };
  } finally {
    tf.dispose([maps, grid]);
  }
}
