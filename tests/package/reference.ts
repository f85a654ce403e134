/**
 * The reference the embedding tests compare with: GapCam with its trained weights on
 * examples/images/digit-7.png, run by the interpreter on the sources in the test's own process
 * (cpu): the top class, its probability and the raw Grad-CAM map of that class.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { explain } from '../../src/explain/explain.js';
import { resizeImage } from '../../src/runtime/image.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';
import { useBackend } from '../ops/backends.js';

export const REPOSITORY = join(import.meta.dirname, '..', '..');

export interface GapCamRun {
  readonly classIndex: number;
  readonly probability: number;
  readonly raw: readonly number[];
}

export async function gapCamReference(): Promise<GapCamRun> {
  await useBackend('cpu');
  const compiled = compile(join(REPOSITORY, 'examples', 'gap_cam.seg'), nodeHost()).models[0]!;
  const tensors = await loadWeights(join(REPOSITORY, 'weights', 'gap_cam'), weightDeclarations(compiled.graph!));
  const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, tensors);
  tf.dispose([...tensors.values()]);
  const original = await readImage(join(REPOSITORY, 'examples', 'images', 'digit-7.png'));
  const input = tf.tidy(() => tf.mean(resizeImage(original, 28, 28), 3, true));
  const outputs = model.predict(input);
  const scores = Array.from(await outputs['probabilities']!.data());
  const classIndex = scores.indexOf(Math.max(...scores));
  const explanation = await explain(model, input, { method: 'gradcam', classIndex });
  const raw = Array.from(await explanation.raw.data());
  tf.dispose([original, input, ...Object.values(outputs), explanation.map, explanation.raw]);
  model.dispose();
  return { probability: scores[classIndex]!, classIndex, raw };
}

/** max |a − b| / max |b|: relative to the map's scale, so pixels near zero do not dominate. */
export function relativeError(actual: readonly number[], expected: readonly number[]): number {
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0) / scale;
}
