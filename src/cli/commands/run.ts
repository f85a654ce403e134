/**
 * `segc run MODEL.seg [--weights DIR] --image IN... --out DIR`: decode each image, resize it as
 * the model's input declares, run, and write what a person wants to see — for segmentation a
 * palette mask PNG, a label PNG (class index per pixel) and an overlay PNG; for classification
 * the top-k classes; class maps of classifiers (ACoL's fused map) as heatmap overlays. A JSON
 * report per image lists everything.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../ir/sizes.js';
import { checkInputSize } from '../../runtime/image-header.js';
import { outputStems } from '../../runtime/output-names.js';
import { heatmapOverlay, maskToColors, overlay, resizeImage, type RgbImage, vocPalette } from '../../runtime/image.js';
import type { SegModel } from '../../runtime/model.js';
import { ensureOutputFolder, writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { readImage, writePng } from '../../runtime/node/image-io.js';
import { type Parsed, UsageError, parseSize } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { checkImages, checkOutputFolder } from '../inputs.js';
import { type ClassNames, loadModelFromArgs } from '../load-model.js';


export async function run(parsed: Parsed, io: Io): Promise<number> {
  const [file] = requireFiles(parsed, 'run', 1);
  const images = (parsed.values.image as string[] | undefined) ?? [];
  const out = parsed.values.out as string | undefined;
  if (images.length === 0) throw new UsageError('run needs at least one --image');
  if (!out) throw new UsageError('run needs --out DIR');
  const top = Number(parsed.values.top ?? 5);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top expects a positive integer, got \`${String(parsed.values.top)}\``);
  const requested = parseSize(parsed.values.input as string | undefined);
  await checkOutputFolder(out);
  if (!(await checkImages(images, io))) return 1;
  await ensureOutputFolder(out);
  const { model, compiled, random, classNames } = await loadModelFromArgs(file!, parsed, io, { inferenceOnly: 'segc run needs inference only' });
  try {
    const classes = maskClassCount(model.graph);
    if (classes !== undefined && parsed.values.json !== true) io.out(`mask colours: ${legend(classes, classNames?.maskClasses)}`);
    const stems = outputStems(images);
    for (const [index, path] of images.entries()) {
      const report = await runImage(model, compiled.sizes, path, join(out, stems[index]!), top, requested, classNames);
      io.out(parsed.values.json === true ? JSON.stringify({ image: path, randomWeights: random, ...report }, null, 2) : describeRun(path, report, classNames));
    }
  } finally {
    model.dispose();
  }
  return 0;
}

/** The class count of a segmentation model (channels of its first 4-D output); undefined for classifiers. */
function maskClassCount(graph: Graph): number | undefined {
  if (graph.outputs.some((o) => graph.nodes[o.node]!.type.shape.length === 2)) return undefined;
  const channels = graph.outputs.map((o) => graph.nodes[o.node]!.type.shape).find((shape) => shape.length === 4)?.[3];
  return channels?.kind === 'const' ? channels.value : undefined;
}

/** The input size: fixed dims as declared, symbolic ones the nearest allowed size ≥ the image's. */
export function inputSizeFor(graph: Graph, sizes: SizeSpace, height: number, width: number, requested?: [number, number]): [number, number] {
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
  /** Written files by what they show: mask, labels, overlay, or a class map's output name. */
  readonly files?: Record<string, string>;
}

async function runImage(model: SegModel, sizes: SizeSpace, path: string, stem: string, top: number, requested: [number, number] | undefined, names?: ClassNames): Promise<RunReport> {
  const original = await readImage(path);
  const [, height, width] = original.shape;
  const [rows, cols] = inputSizeFor(model.graph, sizes, height, width, requested);
  const channels = model.graph.nodes[model.graph.inputs[0]!.node]!.type.shape[3];
  const input = tf.tidy(() => {
    const resized = resizeImage(original, rows, cols);
    return channels?.kind === 'const' && channels.value === 1 ? tf.mean(resized, 3, true) : resized;
  });
  const outputs = await model.predictAsync(input);
  try {
    const report = await describeOutputs(model, outputs, original, stem, top, names);
    const full: RunReport = { inputSize: [rows, cols], ...report };
    await writeFileAtomic(`${stem}.json`, `${JSON.stringify(full, null, 2)}\n`);
    return full;
  } finally {
    tf.dispose([original, input, ...Object.values(outputs)]);
  }
}

/** A classifier reports one scored output (its softmax output if it has one) and writes its class maps; a segmenter writes its mask. */
async function describeOutputs(model: SegModel, outputs: Record<string, tf.Tensor>, original: RgbImage, stem: string, top: number, names?: ClassNames): Promise<Omit<RunReport, 'inputSize'>> {
  const graph = model.graph;
  const scored = graph.outputs.filter((o) => graph.nodes[o.node]!.type.shape.length === 2);
  const files: Record<string, string> = {};
  if (scored.length > 0) {
    const chosen = scored.find((o) => graph.nodes[o.node]!.op === 'softmax') ?? scored[0]!;
    const best = await topClasses(outputs[chosen.name]!, top, graph.nodes[chosen.node]!.op === 'softmax', names?.classes);
    for (const output of graph.outputs) {
      if (outputs[output.name]!.rank === 4) files[output.name] = await writeClassMap(outputs[output.name]!, original, `${stem}.${output.name}.png`, best[0]!.class);
    }
    return { output: chosen.name, top: best, ...(Object.keys(files).length ? { files } : {}) };
  }
  const segmentation = graph.outputs.find((o) => outputs[o.name]!.rank === 3 || outputs[o.name]!.rank === 4);
  if (!segmentation) return {};
  const { written, pixels } = await writeMask(outputs[segmentation.name]!, original, stem, names?.maskClasses);
  return { pixels, files: written };
}

function className(index: number, names: readonly string[] | undefined): string {
  return names?.[index] ?? String(index);
}

/** Read asynchronously: WebGPU's synchronous read needs OffscreenCanvas, which Node lacks. */
async function topClasses(scores: tf.Tensor, k: number, alreadyProbabilities: boolean, names?: readonly string[]): Promise<ClassScore[]> {
  const probabilities = tf.tidy(() => (alreadyProbabilities ? tf.clone(scores) : tf.softmax(scores)));
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
    const maps = Object.entries(files).map(([output, file]) => `; ${output} map → ${file}`).join('');
    return `${path} → ${best!.name} (${percent(best!.probability)})${maps}`;
  }
  if (!report.pixels) return `${path} → nothing to show (the model has no class scores or mask)`;
  const objects = report.pixels.filter((p) => p.class !== 0 || names?.maskClasses[0] !== 'background');
  const found = objects.length ? objects.map((p) => `${p.name} ${percent(p.fraction)}`).join(', ') : 'no objects';
  return `${path} → ${found} of the pixels; overlay → ${files.overlay}, mask → ${files.mask}`;
}

/** The VOC colour of each class, as `#rrggbb`, for the legend. */
export function legend(count: number, names?: readonly string[]): string {
  const palette = vocPalette(count);
  const hex = (label: number) => `#${Array.from(palette.subarray(label * 3, label * 3 + 3), (v) => v.toString(16).padStart(2, '0')).join('')}`;
  return Array.from({ length: count }, (_, label) => `${className(label, names)} ${hex(label)}`).join(', ');
}

/**
 * Labels (argmax of logits, or an integer mask output) at the original image size: the mask in
 * palette colours, the overlay, and `labels.png` whose grey value is the class index (for
 * tools; it looks black to a person).
 */
async function writeMask(value: tf.Tensor, original: RgbImage, stem: string, names?: readonly string[]) {
  const [, height, width] = original.shape;
  const labels = tf.tidy(() => {
    const mask = value.rank === 4 ? tf.argMax(value, 3) : value;
    const resized = tf.image.resizeNearestNeighbor(tf.expandDims(tf.cast(mask, 'float32'), 3) as tf.Tensor4D, [height, width]);
    return tf.cast(tf.squeeze(resized, [3]), 'int32');
  });
  const colors = maskToColors(labels);
  const blended = overlay(original, colors, 0.5);
  const grey = tf.tidy(() => tf.tile(tf.expandDims(tf.div(tf.cast(labels, 'float32'), 255), 3), [1, 1, 1, 3]) as RgbImage);
  const written = { mask: `${stem}.mask.png`, overlay: `${stem}.overlay.png`, labels: `${stem}.labels.png` };
  try {
    const counts = new Map<number, number>();
    for (const label of await labels.data()) counts.set(label, (counts.get(label) ?? 0) + 1);
    const pixels = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([label, count]) => ({ class: label, name: className(label, names), fraction: Number((count / (height * width)).toFixed(6)) }));
    await writePng(written.mask, colors);
    await writePng(written.labels, grey);
    await writePng(written.overlay, blended);
    return { written, pixels };
  } finally {
    tf.dispose([labels, colors, blended, grey]);
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
