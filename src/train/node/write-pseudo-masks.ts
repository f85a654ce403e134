/**
 * `segc data pseudo-masks`: runs a classifier over a data set, turns the class maps (CAM or
 * ACoL's fused map) of each image's labelled classes into a pseudo-mask, and writes a new
 * segmentation data set (the images, the pseudo-masks, the class lists and annotations) that
 * `segc train` reads like any other. The folder appears complete or not at all. With
 * `refine: 'walk'` the maps are refined first (background estimation and an affinity random
 * walk, src/data/pseudo-mask-refine.ts); with `refine: 'grow'` a region is grown by colour from
 * each map's peak (the same file). When the input data set has true masks, the
 * pseudo-masks' precision and recall against them are measured and written to
 * `pseudo-masks.json` with the settings.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../data/dataset.js';
import { vocPalette } from '../../runtime/image.js';
import { writeFolderAtomically, type FolderWriter } from '../../data/node/atomic-folder.js';
import { openDataset } from '../../data/node/dataset.js';
import { writeIndexedPng } from '../../data/node/png-indexed.js';
import {
  GROW_DEFAULTS,
  grownPseudoMask,
  type GrowOptions,
  REFINE_DEFAULTS,
  refinedPseudoMask,
  type RefineOptions,
} from '../../data/pseudo-mask-refine.js';
import type { Sample } from '../../data/sample.js';
import { PseudoMaskScores, type PseudoMaskQuality } from '../../metrics/pseudo-mask-quality.js';
import { explain } from '../../explain/explain.js';
import { upsampleMaps } from '../../explain/maps.js';
import type { SegModel } from '../../runtime/model.js';
import type { MapMethod } from '../evaluate.js';
import { batchTensors, disposeBatch, fitSample } from '../inputs.js';
import { type ClassMap, maskClassOf, pseudoMask, type PseudoMaskOptions } from '../pseudo-masks.js';
import { inferTask, inputSpec } from '../task.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export type RefineMethod = 'none' | 'walk' | 'grow';

export interface PseudoMaskRequest extends PseudoMaskOptions {
  readonly model: SegModel;
  /**
   * `none`: thresholds only (fg, bg). `walk`: background estimation and the affinity random walk.
   * `grow`: a region grown by colour from each map's peak.
   */
  readonly refine?: RefineMethod;
  readonly refineOptions?: RefineOptions;
  readonly growOptions?: GrowOptions;
  readonly dataDir: string;
  readonly outDir: string;
  readonly method: MapMethod;
  readonly batchSize?: number;
  readonly overwrite?: boolean;
}

export interface PseudoMaskSummary {
  readonly images: number;
  /** Fractions of all pixels: labelled foreground, background, ignored. */
  readonly foreground: number;
  readonly background: number;
  readonly ignored: number;
  /** Against the true masks, when the data set has them. */
  readonly quality?: PseudoMaskQuality;
}

function presentClasses(sample: Sample): number[] {
  const labels = sample.labels ?? (sample.label !== undefined ? [sample.label] : []);
  if (labels.length === 0)
    throw diagnosticError(codes.dataDoesNotFitTask, `${sample.id} has no image-level label`, {
      hint: 'pseudo-masks need labels: class folders, or labels.json beside the images',
    });
  return [...labels];
}

/** One [N, H, W] map per rank of label: maps[k][n] is image n's map of its k-th class. */
async function classMaps(
  model: SegModel,
  samples: readonly Sample[],
  request: PseudoMaskRequest,
): Promise<Float32Array[][]> {
  const spec = inputSpec(model.graph);
  const batch = batchTensors(
    samples.map((s) => fitSample(s, spec)),
    spec,
    { ...inferTask(model.graph), kind: 'classification' },
  );
  const labels = samples.map(presentClasses);
  const ranks = Math.max(...labels.map((l) => l.length));
  const { height, width } = samples[0]!;
  const result: Float32Array[][] = [];
  try {
    for (let rank = 0; rank < ranks; rank++) {
      const explained = await explain(model, batch.images, {
        method: request.method,
        classIndex: labels.map((l) => l[rank] ?? l[0]!),
      });
      const resized = upsampleMaps(explained.map, [height, width]);
      const values = await resized.data();
      tf.dispose([explained.map, explained.raw, resized]);
      result.push(
        samples.map((_, n) => Float32Array.from(values.subarray(n * height * width, (n + 1) * height * width))),
      );
    }
  } finally {
    disposeBatch(batch);
  }
  return result;
}

/** The walk keeps (2r+1)² float32 weights per pixel; past this many (256 MB) the image is refused. */
const MAX_WALK_WEIGHTS = 64 * 1024 * 1024;

function imageOf(sample: Sample) {
  return {
    values: sample.image,
    height: sample.height,
    width: sample.width,
    channels: sample.image.length / (sample.height * sample.width),
  };
}

function maskOf(sample: Sample, votes: readonly ClassMap[], request: PseudoMaskRequest): Uint8Array {
  if ((request.refine ?? 'none') === 'none') return pseudoMask(votes, sample.height * sample.width, request);
  if (request.refine === 'grow')
    return grownPseudoMask(imageOf(sample), votes, {
      ...request.growOptions,
      ...(request.backgroundClass !== undefined ? { backgroundClass: request.backgroundClass } : {}),
    });
  const side = 2 * (request.refineOptions?.radius ?? REFINE_DEFAULTS.radius) + 1;
  if (sample.height * sample.width * side * side > MAX_WALK_WEIGHTS) {
    throw diagnosticError(
      codes.trainBadOption,
      `${sample.id} (${sample.width}×${sample.height}) is too large for the random walk at radius ${(side - 1) / 2}: it would keep ${sample.height * sample.width * side * side} weights`,
      { hint: 'lower --radius, or use --refine none' },
    );
  }
  return refinedPseudoMask(imageOf(sample), votes, {
    ...request.refineOptions,
    ...(request.backgroundClass !== undefined ? { backgroundClass: request.backgroundClass } : {}),
  });
}

async function writeBatch(
  samples: readonly Sample[],
  dataset: Dataset,
  request: PseudoMaskRequest,
  writer: FolderWriter,
  totals: number[],
  quality: PseudoMaskScores | undefined,
): Promise<void> {
  const maps = await classMaps(request.model, samples, request);
  const palette = vocPalette();
  for (const [n, sample] of samples.entries()) {
    const labels = presentClasses(sample);
    const votes: ClassMap[] = labels.map((label, rank) => ({
      maskClass: maskClassOf(label, dataset.classes, dataset.maskClasses),
      values: maps[rank]![n]!,
    }));
    const mask = maskOf(sample, votes, request);
    if (quality && sample.mask) quality.add(sample.mask, mask);
    for (const value of mask) totals[value === 255 ? 2 : value === 0 ? 1 : 0]! += 1;
    const name = sample.id.replace(/^images\//, '');
    await writer.write(`images/${name}`, await readFile(join(dataset.root, sample.id)));
    await writer.write(
      `masks/${name.replace(/\.(jpe?g|png)$/i, '')}.png`,
      writeIndexedPng(mask, sample.width, sample.height, palette),
    );
  }
}

async function copyAnnotations(dataset: Dataset, writer: FolderWriter): Promise<void> {
  for (const file of ['images/boxes.json', 'images/labels.json']) {
    const text = await readFile(join(dataset.root, file), 'utf8').catch(() => undefined);
    if (text !== undefined) await writer.write(file, text);
  }
  await writer.write(
    'classes.json',
    `${JSON.stringify({ classes: dataset.classes, maskClasses: dataset.maskClasses }, null, 2)}\n`,
  );
}

export async function writePseudoMasks(request: PseudoMaskRequest): Promise<PseudoMaskSummary> {
  const dataset = await openDataset(request.dataDir, { layout: 'segmentation' });
  const totals = [0, 0, 0];
  const quality = new PseudoMaskScores({ backgroundClass: request.backgroundClass ?? 0 });
  let masked = 0;
  let images = 0;
  await writeFolderAtomically(request.outDir, request.overwrite ?? false, async (writer) => {
    let pending: Sample[] = [];
    for await (const sample of dataset.samples()) {
      pending.push(sample);
      images += 1;
      if (sample.mask) masked += 1;
      if (pending.length < (request.batchSize ?? 16)) continue;
      await writeBatch(pending, dataset, request, writer, totals, quality);
      pending = [];
    }
    if (pending.length > 0) await writeBatch(pending, dataset, request, writer, totals, quality);
    await copyAnnotations(dataset, writer);
    const report = {
      method: request.method,
      refine: request.refine ?? 'none',
      ...((request.refine ?? 'none') === 'none'
        ? { foreground: request.foreground ?? 0.6, background: request.background ?? 0.2 }
        : request.refine === 'grow'
          ? { growOptions: { ...GROW_DEFAULTS, ...request.growOptions } }
          : { refineOptions: { ...REFINE_DEFAULTS, ...request.refineOptions } }),
      images,
      ...(masked === images && images > 0 ? { againstTrueMasks: quality.result() } : {}),
    };
    await writer.write('pseudo-masks.json', `${JSON.stringify(report, null, 2)}\n`);
  });
  const pixels = totals.reduce((a, b) => a + b, 0) || 1;
  return {
    images,
    foreground: totals[0]! / pixels,
    background: totals[1]! / pixels,
    ignored: totals[2]! / pixels,
    ...(masked === images && images > 0 ? { quality: quality.result() } : {}),
  };
}
