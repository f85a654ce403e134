/**
 * What the Node runtime computes for an image on the cpu backend (plain JavaScript kernels):
 * the model compiled from disk, weights read from the built page's weights directory, the PNG
 * decoded with pngjs. The page gets the same numbers through a different compile host, fetch,
 * the browser's image decoder and WebGPU or wasm kernels.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { compileModelFile } from '../../examples/web/assets.js';
import { explain } from '../../src/explain/explain.js';
import { selectBackend } from '../../src/runtime/backend.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { readImage } from '../../src/runtime/node/image-io.js';
import { loadWeights } from '../../src/runtime/node/weights-fs.js';

export interface Reference {
  readonly input: Float32Array;
  readonly logits: Float32Array;
  readonly mask: Int32Array;
  /** Grad-CAM maps by class index. */
  readonly heatmaps: ReadonlyMap<number, Float32Array>;
  readonly classes: number;
  readonly target: string;
}

async function loadModel(modelFile: string, weightsDirectory: string): Promise<SegModel> {
  const compiled = compileModelFile(modelFile);
  const expected = weightDeclarations(compiled.graph!).map((d) => ({
    name: d.name,
    shape: d.shape,
    dtype: d.dtype,
    declaredAt: d.declaredAt,
  }));
  const tensors = await loadWeights(weightsDirectory, expected);
  try {
    return SegModel.fromTensors(compiled.graph!, compiled.sizes, tensors);
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}

async function gradCam(
  model: SegModel,
  image: tf.Tensor4D,
  classIndex: number,
): Promise<{ map: Float32Array; target: string }> {
  const explanation = await explain(model, image, { method: 'gradcam', classIndex });
  try {
    return { map: (await explanation.map.data()) as Float32Array, target: explanation.target };
  } finally {
    explanation.map.dispose();
    explanation.raw.dispose();
  }
}

async function compute(model: SegModel, imagePath: string, classIndices: readonly number[]): Promise<Reference> {
  const image = await readImage(imagePath);
  try {
    const outputs = model.predict(image);
    const [logits, mask] = [await outputs.logits!.data(), await outputs.mask!.data()];
    const classes = outputs.logits!.shape[3]!;
    for (const tensor of Object.values(outputs)) tensor.dispose();
    const heatmaps = new Map<number, Float32Array>();
    let target = '';
    for (const classIndex of classIndices) {
      const result = await gradCam(model, image, classIndex);
      heatmaps.set(classIndex, result.map);
      target = result.target;
    }
    return {
      input: (await image.data()) as Float32Array,
      logits: logits as Float32Array,
      mask: Int32Array.from(mask),
      heatmaps,
      classes,
      target,
    };
  } finally {
    image.dispose();
  }
}

/** Runs the reference on cpu and checks that it leaves no tensor behind. */
export async function nodeReference(
  modelFile: string,
  siteDirectory: string,
  imageName: string,
  classIndices: readonly number[],
): Promise<Reference> {
  await selectBackend('cpu');
  registerGradients();
  const before = tf.memory().numTensors;
  const model = await loadModel(modelFile, join(siteDirectory, 'weights'));
  try {
    return await compute(model, join(siteDirectory, imageName), classIndices);
  } finally {
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
}
