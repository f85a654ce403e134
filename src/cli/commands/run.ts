/**
 * `segc run MODEL.seg [--weights DIR] --image IN... --out DIR`: decode each image, resize it as
 * the model's input declares, run, and write what a person wants to see — for segmentation a
 * palette mask PNG, a label PNG (class index per pixel) and an overlay PNG; for classification
 * the top-k classes; class maps of classifiers (ACoL's fused map) as heatmap overlays. A JSON
 * report per image lists everything.
 */
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../../ir/graph.js';
import type { SizeSpace } from '../../ir/sizes.js';
import { heatmapOverlay, maskToColors, overlay, resizeImage, type RgbImage } from '../../runtime/image.js';
import type { SegModel } from '../../runtime/model.js';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { readImage, writePng } from '../../runtime/node/image-io.js';
import { UsageError, parse, parseSize } from '../args.js';
import { requireFiles } from '../compile-file.js';
import type { Io } from '../io.js';
import { RUNTIME_OPTIONS, loadModelFromArgs } from '../load-model.js';

export const RUN_USAGE = 'segc run MODEL.seg --image IN.png|jpg... --out DIR [--weights DIR] [--backend auto|webgpu|wasm|cpu] [--top K] [--input H,W]';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parse(argv, { ...RUNTIME_OPTIONS, image: { type: 'string', multiple: true }, out: { type: 'string' }, top: { type: 'string' } });
  const [file] = requireFiles(parsed, 'run', 1);
  const images = (parsed.values.image as string[] | undefined) ?? [];
  const out = parsed.values.out as string | undefined;
  if (images.length === 0) throw new UsageError('run needs at least one --image');
  if (!out) throw new UsageError('run needs --out DIR');
  const top = Number(parsed.values.top ?? 5);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top expects a positive integer, got \`${String(parsed.values.top)}\``);
  const { model, compiled, random } = await loadModelFromArgs(file!, parsed, io);
  try {
    for (const path of images) {
      const report = await runImage(model, compiled.sizes, path, out, top, parseSize(parsed.values.input as string | undefined));
      io.out(JSON.stringify({ image: path, randomWeights: random, ...report }, null, 2));
    }
  } finally {
    model.dispose();
  }
  return 0;
}

/** The input size: fixed dims as declared, symbolic ones the nearest allowed size ≥ the image's. */
export function inputSizeFor(graph: Graph, sizes: SizeSpace, height: number, width: number, requested?: [number, number]): [number, number] {
  const shape = graph.nodes[graph.inputs[0]!.node]!.type.shape;
  return [1, 2].map((axis, i) => {
    const d = shape[axis]!;
    if (d.kind === 'const') return d.value;
    const wanted = requested?.[i] ?? (i === 0 ? height : width);
    if (d.kind !== 'sym') return wanted;
    const allowed = sizes.valuesOf(d.name);
    return allowed.find((v) => v >= wanted) ?? allowed[allowed.length - 1] ?? wanted;
  }) as [number, number];
}

async function runImage(model: SegModel, sizes: SizeSpace, path: string, out: string, top: number, requested?: [number, number]) {
  const original = await readImage(path);
  const [, height, width] = original.shape;
  const [rows, cols] = inputSizeFor(model.graph, sizes, height, width, requested);
  const channels = model.graph.nodes[model.graph.inputs[0]!.node]!.type.shape[3];
  const input = tf.tidy(() => {
    const resized = resizeImage(original, rows, cols);
    return channels?.kind === 'const' && channels.value === 1 ? tf.mean(resized, 3, true) : resized;
  });
  const outputs = await model.predictAsync(input);
  const stem = join(out, basename(path, extname(path)));
  try {
    const classifier = model.graph.outputs.some((o) => model.graph.nodes[o.node]!.type.shape.length === 2);
    const report: Record<string, unknown> = { inputSize: [rows, cols], files: [] as string[] };
    for (const output of model.graph.outputs) {
      const value = outputs[output.name]!;
      const node = model.graph.nodes[output.node]!;
      if (value.rank === 2) report[output.name] = topClasses(value, top, node.op === 'softmax');
      else if (!classifier && (value.rank === 3 || value.rank === 4)) {
        if (!(report.files as string[]).some((f) => f.endsWith('.mask.png'))) (report.files as string[]).push(...(await writeMask(value, original, stem)));
      } else if (classifier && value.rank === 4) (report.files as string[]).push(await writeClassMap(value, original, `${stem}.${output.name}.png`, outputs));
    }
    await writeFileAtomic(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    tf.dispose([original, input, ...Object.values(outputs)]);
  }
}

function topClasses(scores: tf.Tensor, k: number, alreadyProbabilities: boolean) {
  const probabilities = tf.tidy(() => (alreadyProbabilities ? tf.clone(scores) : tf.softmax(scores)));
  const values = probabilities.arraySync() as number[][];
  probabilities.dispose();
  return values[0]!
    .map((p, index) => ({ class: index, probability: Number(p.toFixed(6)) }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

/** Labels (argmax of logits, or an integer mask output) at the original image size. */
async function writeMask(value: tf.Tensor, original: RgbImage, stem: string): Promise<string[]> {
  const [, height, width] = original.shape;
  const labels = tf.tidy(() => {
    const mask = value.rank === 4 ? tf.argMax(value, 3) : value;
    const resized = tf.image.resizeNearestNeighbor(tf.expandDims(tf.cast(mask, 'float32'), 3) as tf.Tensor4D, [height, width]);
    return tf.cast(tf.squeeze(resized, [3]), 'int32');
  });
  const colors = maskToColors(labels);
  const blended = overlay(original, colors, 0.5);
  const grey = tf.tidy(() => tf.tile(tf.expandDims(tf.div(tf.cast(labels, 'float32'), 255), 3), [1, 1, 1, 3]) as RgbImage);
  const files = [`${stem}.mask.png`, `${stem}.labels.png`, `${stem}.overlay.png`];
  try {
    await writePng(files[0]!, colors);
    await writePng(files[1]!, grey);
    await writePng(files[2]!, blended);
  } finally {
    tf.dispose([labels, colors, blended, grey]);
  }
  return files;
}

/** A classifier's class map (e.g. ACoL's fused map) for its top class, as a heatmap overlay. */
async function writeClassMap(map: tf.Tensor, original: RgbImage, file: string, outputs: Record<string, tf.Tensor>): Promise<string> {
  const [, height, width] = original.shape;
  const scores = Object.values(outputs).find((t) => t.rank === 2)!;
  const image = tf.tidy(() => {
    const best = tf.argMax(scores, 1).dataSync()[0]!;
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
