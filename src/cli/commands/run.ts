/**
 * `segc run MODEL.seg [--weights DIR] (--image IN... | --input FILE.npy...) --out DIR`: decode
 * each image, resize it as the model's input declares, or take exact tensors from .npy files,
 * run, and write what a person wants to see — for segmentation a palette mask PNG, a label PNG
 * (class index per pixel) and an overlay PNG; for a one-channel output also the probability
 * map, thresholded into the mask; for classification the top-k classes; class maps of
 * classifiers (ACoL's fused map) as heatmap overlays — or, with `--format npy`, every output
 * as float32 .npy. A JSON report per image lists everything.
 */
import { prepareModelInput } from '../../runtime/preprocess-image.js';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isPixelScores, outputKind } from '../../ir/analysis/output-kind.js';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';
import { checkInputSize } from '../../runtime/image-header.js';
import { outputStems } from '../../runtime/output-names.js';
import { heatmapOverlay, maskToColors, overlay, type RgbImage, vocPalette } from '../../runtime/image.js';
import type { SegModel } from '../../runtime/model.js';
import { encodeNpy } from '../../runtime/npy.js';
import { ensureOutputFolder, writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { readImage, writePng } from '../../runtime/node/image-io.js';
import { type Parsed, UsageError } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { checkImages, checkOutputFolder } from '../inputs.js';
import { type ClassNames, loadModelFromArgs } from '../load-model.js';
import { bindTensors, readInputOptions, readTensorFiles, tensorStem, withSizeOnly } from '../tensor-inputs.js';

interface RunSettings {
  readonly out: string;
  readonly top: number;
  readonly format: 'png' | 'npy';
  readonly threshold: number;
  readonly requested?: [number, number];
  readonly names?: ClassNames;
}

export function thresholdOption(text: string | undefined): number {
  if (text === undefined) return 0.5;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1))
    throw new UsageError(`--threshold expects a probability in [0, 1], got \`${text}\``);
  return value;
}

export async function run(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'run', 1);
  const images = (parsed.values.image as string[] | undefined) ?? [];
  const inputs = readInputOptions(parsed);
  const out = parsed.values.out as string | undefined;
  if (images.length === 0 && inputs.tensors.length === 0)
    throw new UsageError('run needs at least one --image or --input FILE.npy');
  if (images.length > 0 && inputs.tensors.length > 0)
    throw new UsageError('run takes images (--image) or tensors (--input FILE.npy), not both');
  if (!out) throw new UsageError('run needs --out DIR');
  const top = Number(parsed.values.top ?? 5);
  if (!Number.isInteger(top) || top < 1)
    throw new UsageError(`--top expects a positive integer, got \`${String(parsed.values.top)}\``);
  const format = parsed.values.format ?? 'png';
  if (format !== 'png' && format !== 'npy')
    throw new UsageError(`--format must be one of png, npy, got \`${String(format)}\``);
  const threshold = thresholdOption(parsed.values.threshold as string | undefined);
  await checkOutputFolder(out);
  if (!(await checkImages(images, io))) return 1;
  const tensors = await readTensorFiles(inputs.tensors, io);
  if (!tensors) return 1;
  await ensureOutputFolder(out);
  const { model, compiled, random, classNames } = await loadModelFromArgs(file!, withSizeOnly(parsed, inputs), io, {
    inferenceOnly: 'segc run needs inference only',
  });
  const settings: RunSettings = {
    out,
    top,
    format,
    threshold,
    ...(inputs.size ? { requested: inputs.size } : {}),
    ...(classNames ? { names: classNames } : {}),
  };
  try {
    const classes = maskClassCount(model.graph);
    if (classes !== undefined && parsed.values.json !== true && format === 'png')
      io.out(`mask colours: ${legend(classes, classNames?.maskClasses)}`);
    const print = (path: string, report: RunReport) =>
      io.out(
        parsed.values.json === true
          ? JSON.stringify({ image: path, randomWeights: random, ...report }, null, 2)
          : describeRun(path, report, classNames),
      );
    if (tensors.length > 0) {
      print(
        tensors.map((t) => t.path).join(', '),
        await runTensors(model, bindTensors(model.graph, tensors), join(out, tensorStem(tensors)), settings),
      );
    }
    const stems = outputStems(images);
    for (const [index, path] of images.entries())
      print(path, await runImage(model, compiled.sizes, path, join(out, stems[index]!), settings));
  } finally {
    model.dispose();
  }
  return 0;
}

/** The class count of a segmentation model (channels of its first 4-D output); undefined for classifiers. */
function maskClassCount(graph: Graph): number | undefined {
  const kinds = graph.outputs.map((o) => outputKind(graph.nodes[o.node]!));
  if (kinds.some((k) => k.kind === 'class-scores')) return undefined;
  const classes = kinds.find(isPixelScores)?.classes;
  // One channel is a foreground probability: two mask values, background and foreground.
  return classes !== undefined ? Math.max(2, classes) : undefined;
}

/** The input size: fixed dims as declared, symbolic ones the nearest allowed size ≥ the image's. */
export function inputSizeFor(
  graph: Graph,
  sizes: SizeSpace,
  height: number,
  width: number,
  requested?: [number, number],
): [number, number] {
  const input = graph.nodes[graph.inputs[0]!.node]!;
  const shape = input.type.shape;
  const size = [1, 2].map((axis, i) => {
    const d = shape[axis]!;
    if (d.kind === 'const') return d.value;
    const wanted = requested?.[i] ?? (i === 0 ? height : width);
    if (d.kind !== 'sym') return wanted;
    const allowed = sizes.valuesOf(d.name);
    return allowed.find((v) => v >= wanted) ?? allowed[allowed.length - 1] ?? wanted;
  }) as [number, number];
  checkInputSize(size[0], size[1], graph.model, input.span);
  return size;
}

export interface ClassScore {
  readonly class: number;
  readonly name: string;
  readonly probability: number;
}

export interface RunReport {
  readonly inputSize: [number, number];
  /** Classifiers: the scored output and its top classes, most probable first. */
  readonly output?: string;
  readonly top?: ClassScore[];
  /** Segmentation: the share of the image's pixels per predicted class, largest first. */
  readonly pixels?: { class: number; name: string; fraction: number }[];
  /** One-channel outputs: the probability at or above which a pixel is foreground. */
  readonly threshold?: number;
  /** Written files by what they show: mask, labels, overlay, probability, or an output's name. */
  readonly files?: Record<string, string>;
}

async function runImage(
  model: SegModel,
  sizes: SizeSpace,
  path: string,
  stem: string,
  settings: RunSettings,
): Promise<RunReport> {
  const original = await readImage(path);
  const [, height, width] = original.shape;
  const [rows, cols] = inputSizeFor(model.graph, sizes, height, width, settings.requested);
  const input = prepareModelInput(model.graph, original, rows, cols);
  try {
    return await runAndReport(model, { [model.inputNames[0]!]: input }, original, stem, settings);
  } finally {
    tf.dispose([original, input]);
  }
}

/**
 * A run on exact tensors. The pictures are drawn over the input itself when it is one RGB image
 * (values clipped to [0, 1]), else over grey; a batch has no picture, only .npy outputs.
 */
async function runTensors(
  model: SegModel,
  inputs: Record<string, tf.Tensor>,
  stem: string,
  settings: RunSettings,
): Promise<RunReport> {
  const first = inputs[model.inputNames[0]!]!;
  if (settings.format === 'png' && (first.rank !== 4 || first.shape[0] !== 1)) {
    tf.dispose(Object.values(inputs));
    throw new UsageError(`--input ${stem}: a batch of ${first.shape[0]} has no pictures; add --format npy`);
  }
  const backdrop = tf.tidy(() => {
    if (first.rank !== 4) return tf.fill([1, 1, 1, 3], 0.5) as RgbImage;
    const rgb = first.shape[3] === 3 ? first : tf.tile(tf.mean(first, 3, true), [1, 1, 1, 3]);
    return tf.clipByValue(rgb, 0, 1) as RgbImage;
  });
  try {
    return await runAndReport(model, inputs, backdrop, stem, settings);
  } finally {
    tf.dispose([backdrop, ...Object.values(inputs)]);
  }
}

async function runAndReport(
  model: SegModel,
  inputs: Record<string, tf.Tensor>,
  original: RgbImage,
  stem: string,
  settings: RunSettings,
): Promise<RunReport> {
  const outputs = await model.predictAsync(inputs);
  const first = inputs[model.inputNames[0]!]!;
  try {
    const report =
      settings.format === 'npy'
        ? await writeOutputs(model, outputs, stem, settings)
        : await describeOutputs(model, outputs, original, stem, settings);
    const full: RunReport = { inputSize: [first.shape[1]!, first.shape[2]!], ...report };
    await writeFileAtomic(`${stem}.json`, `${JSON.stringify(full, null, 2)}\n`);
    return full;
  } finally {
    tf.dispose(Object.values(outputs));
  }
}

/** `--format npy`: every output as float32 .npy with its full shape, batch axis included. */
async function writeOutputs(
  model: SegModel,
  outputs: Record<string, tf.Tensor>,
  stem: string,
  settings: RunSettings,
): Promise<Omit<RunReport, 'inputSize'>> {
  const files: Record<string, string> = {};
  for (const name of model.outputNames) {
    const value = tf.cast(outputs[name]!, 'float32');
    try {
      files[name] = `${stem}.${name}.npy`;
      await writeFileAtomic(files[name]!, encodeNpy(Float32Array.from(await value.data()), value.shape));
    } finally {
      value.dispose();
    }
  }
  const scored = scoredOutput(model.graph);
  if (!scored || outputs[scored.name]!.shape[0] !== 1) return { files };
  return {
    output: scored.name,
    top: await topClasses(
      outputs[scored.name]!,
      settings.top,
      isProbability(model.graph, scored.node),
      settings.names?.classes,
    ),
    files,
  };
}

/** The output whose class scores are reported: a softmax or sigmoid output if there is one, else the first [N, classes] output. */
function scoredOutput(graph: Graph): Graph['outputs'][number] | undefined {
  const scored = graph.outputs.filter((o) => outputKind(graph.nodes[o.node]!).kind === 'class-scores');
  return scored.find((o) => isProbability(graph, o.node)) ?? scored[0];
}

/** An output that already holds probabilities: a softmax, or a sigmoid (one probability per channel). */
function isProbability(graph: Graph, node: number): boolean {
  return outputKind(graph.nodes[node]!).probabilities;
}

/** A classifier reports one scored output (its softmax output if it has one) and writes its class maps; a segmenter writes its mask. */
async function describeOutputs(
  model: SegModel,
  outputs: Record<string, tf.Tensor>,
  original: RgbImage,
  stem: string,
  settings: RunSettings,
): Promise<Omit<RunReport, 'inputSize'>> {
  const graph = model.graph;
  const scored = scoredOutput(graph);
  const files: Record<string, string> = {};
  if (scored) {
    const best = await topClasses(
      outputs[scored.name]!,
      settings.top,
      isProbability(graph, scored.node),
      settings.names?.classes,
    );
    for (const output of graph.outputs) {
      if (isPixelScores(outputKind(graph.nodes[output.node]!)))
        files[output.name] = await writeClassMap(
          outputs[output.name]!,
          original,
          `${stem}.${output.name}.png`,
          best[0]!.class,
        );
    }
    return { output: scored.name, top: best, ...(Object.keys(files).length ? { files } : {}) };
  }
  const segmentation = graph.outputs
    .map((o) => ({ output: o, kind: outputKind(graph.nodes[o.node]!) }))
    .find(({ kind }) => isPixelScores(kind) || kind.kind === 'labels');
  if (!segmentation) return {};
  const value = outputs[segmentation.output.name]!;
  const foreground =
    segmentation.kind.kind === 'foreground'
      ? { threshold: settings.threshold, probabilities: segmentation.kind.probabilities }
      : undefined;
  const { written, pixels } = await writeMask(value, original, stem, settings.names?.maskClasses, foreground);
  return { pixels, files: written, ...(foreground ? { threshold: settings.threshold } : {}) };
}

function className(index: number, names: readonly string[] | undefined): string {
  return names?.[index] ?? String(index);
}

/**
 * The k most probable classes. Probabilities come from softmax over the classes unless the
 * output holds them already; one class alone is a yes/no score, so its probability is the
 * sigmoid of the logit (softmax over one class is always 1). Read asynchronously: WebGPU's
 * synchronous read needs OffscreenCanvas, which Node lacks.
 */
async function topClasses(
  scores: tf.Tensor,
  k: number,
  alreadyProbabilities: boolean,
  names?: readonly string[],
): Promise<ClassScore[]> {
  const probabilities = tf.tidy(() =>
    alreadyProbabilities ? tf.clone(scores) : scores.shape[1] === 1 ? tf.sigmoid(scores) : tf.softmax(scores),
  );
  const values = (await probabilities.array()) as number[][];
  probabilities.dispose();
  return values[0]!
    .map((p, index) => ({ class: index, name: className(index, names), probability: Number(p.toFixed(6)) }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(1)}%`;

/** One line per image for a person: the prediction and the files to look at. */
export function describeRun(path: string, report: RunReport, names?: ClassNames): string {
  const files = report.files ?? {};
  if (report.top) {
    const [best] = report.top;
    const maps = Object.entries(files)
      .map(([output, file]) => `; ${output} map → ${file}`)
      .join('');
    return `${path} → ${best!.name} (${percent(best!.probability)})${maps}`;
  }
  if (!report.pixels && Object.keys(files).length > 0)
    return `${path} → ${Object.entries(files)
      .map(([output, file]) => `${output} → ${file}`)
      .join(', ')}`;
  if (!report.pixels) return `${path} → nothing to show (the model has no class scores or mask)`;
  const objects = report.pixels.filter((p) => p.class !== 0 || names?.maskClasses[0] !== 'background');
  const found = objects.length ? objects.map((p) => `${p.name} ${percent(p.fraction)}`).join(', ') : 'no objects';
  return `${path} → ${found} of the pixels; overlay → ${files.overlay}, mask → ${files.mask}`;
}

/** The VOC colour of each class, as `#rrggbb`, for the legend. */
export function legend(count: number, names?: readonly string[]): string {
  const palette = vocPalette(count);
  const hex = (label: number) =>
    `#${Array.from(palette.subarray(label * 3, label * 3 + 3), (v) => v.toString(16).padStart(2, '0')).join('')}`;
  return Array.from({ length: count }, (_, label) => `${className(label, names)} ${hex(label)}`).join(', ');
}

/** A one-channel output: thresholded at `threshold`, its values probabilities or logits (then sigmoid first). */
interface Foreground {
  readonly threshold: number;
  readonly probabilities: boolean;
}

/**
 * Labels (argmax of logits, a one-channel probability at or above the threshold, or an integer
 * mask output) at the original image size: the mask in palette colours, the overlay, and
 * `labels.png` whose grey value is the class index (for tools; it looks black to a person);
 * for one channel also `probability.png`, the foreground probability as grey.
 */
async function writeMask(
  value: tf.Tensor,
  original: RgbImage,
  stem: string,
  names?: readonly string[],
  foreground?: Foreground,
) {
  const [, height, width] = original.shape;
  const probability = foreground
    ? tf.tidy(() => (foreground.probabilities ? tf.clone(value) : tf.sigmoid(value)) as tf.Tensor4D)
    : undefined;
  const labels = tf.tidy(() => {
    const mask = probability
      ? tf.squeeze(tf.greaterEqual(probability, foreground!.threshold), [3])
      : value.rank === 4
        ? tf.argMax(value, 3)
        : value;
    const resized = tf.image.resizeNearestNeighbor(tf.expandDims(tf.cast(mask, 'float32'), 3) as tf.Tensor4D, [
      height,
      width,
    ]);
    return tf.cast(tf.squeeze(resized, [3]), 'int32');
  });
  const colors = maskToColors(labels);
  const blended = overlay(original, colors, 0.5);
  const grey = tf.tidy(
    () => tf.tile(tf.expandDims(tf.div(tf.cast(labels, 'float32'), 255), 3), [1, 1, 1, 3]) as RgbImage,
  );
  const written: Record<string, string> = {
    mask: `${stem}.mask.png`,
    overlay: `${stem}.overlay.png`,
    labels: `${stem}.labels.png`,
  };
  try {
    const counts = new Map<number, number>();
    for (const label of await labels.data()) counts.set(label, (counts.get(label) ?? 0) + 1);
    const pixels = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([label, count]) => ({
        class: label,
        name: className(label, names),
        fraction: Number((count / (height * width)).toFixed(6)),
      }));
    await writePng(written.mask!, colors);
    await writePng(written.labels!, grey);
    await writePng(written.overlay!, blended);
    if (probability) {
      written.probability = `${stem}.probability.png`;
      await writeProbability(written.probability, probability, height, width);
    }
    return { written, pixels };
  } finally {
    tf.dispose([labels, colors, blended, grey, ...(probability ? [probability] : [])]);
  }
}

async function writeProbability(file: string, probability: tf.Tensor4D, height: number, width: number): Promise<void> {
  const image = tf.tidy(
    () => tf.tile(tf.image.resizeBilinear(probability, [height, width], false, true), [1, 1, 1, 3]) as RgbImage,
  );
  try {
    await writePng(file, image);
  } finally {
    image.dispose();
  }
}

/** A classifier's class map (e.g. ACoL's fused map) for its top class, as a heatmap overlay. */
async function writeClassMap(map: tf.Tensor, original: RgbImage, file: string, best: number): Promise<string> {
  const [, height, width] = original.shape;
  const image = tf.tidy(() => {
    const channel = tf.slice(map, [0, 0, 0, best], [1, -1, -1, 1]) as tf.Tensor4D;
    const resized = tf.image.resizeBilinear(channel, [height, width], false, true);
    return heatmapOverlay(original, tf.squeeze(resized, [3]));
  });
  try {
    await writePng(file, image);
  } finally {
    image.dispose();
  }
  return file;
}
