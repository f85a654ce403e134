/**
 * `gradCam` of generated modules against the interpreter's `explain(…, { method: 'gradcam' })`:
 * the same weights and input give the same raw map [N, h, w] at the default target. The code
 * runs the inference graph (batch norm folded) and the interpreter the graph as written, so the
 * two agree to float32 rounding, not bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/codegen/index.js';
import { explain } from '../../src/explain/explain.js';
import type { Region } from '../../src/explain/selection.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { type BuiltModel, compileExample, weightsFor } from './helpers.js';

interface GradCamOptions {
  readonly output?: string;
  readonly classIndex?: number | readonly number[];
}

interface GeneratedModel {
  gradCam(inputs: Record<string, tf.Tensor>, options?: GradCamOptions): tf.Tensor3D;
  dispose(): void;
}

async function generated(
  stem: string,
  model: BuiltModel,
  weights: ReadonlyMap<string, tf.Tensor>,
): Promise<GeneratedModel> {
  const module = (await import(`./golden/${stem}.ts`)) as Record<string, unknown>;
  const create = module[moduleNames(model.graph).create] as (w: ReadonlyMap<string, tf.Tensor>) => GeneratedModel;
  return create(weights);
}

/** max |a − b| / max |b|: relative to the map's scale, so pixels near zero do not dominate. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const [a, b] = [Array.from(actual.dataSync()), Array.from(expected.dataSync())];
  const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) / scale;
}

interface Case {
  readonly stem: string;
  readonly shape: number[];
  readonly options: GradCamOptions;
  /** The interpreter's region equal to the code's score (all pixels), for per-pixel outputs. */
  readonly region?: Region;
}

const CASES: readonly Case[] = [
  { stem: 'gap_cam', shape: [2, 28, 28, 1], options: {} },
  { stem: 'gap_cam', shape: [2, 28, 28, 1], options: { output: 'probabilities', classIndex: [3, 8] } },
  { stem: 'nin', shape: [2, 28, 28, 1], options: {} },
  { stem: 'nin', shape: [2, 28, 28, 1], options: { classIndex: 5 } },
  { stem: 'aspp', shape: [1, 24, 40, 3], options: { classIndex: 2 }, region: { box: [0, 0, 40, 24] } },
  { stem: 'acol', shape: [2, 64, 64, 1], options: {} },
  { stem: 'unet', shape: [1, 32, 32, 3], options: { classIndex: 1 }, region: { box: [0, 0, 32, 32] } },
  {
    stem: 'deeplabv3plus_small',
    shape: [1, 64, 64, 3],
    options: { classIndex: 0 },
    region: { box: [0, 0, 64, 64] },
  },
];

describe('Grad-CAM from generated code', () => {
  beforeAll(async () => {
    registerGradients();
    await useBackend('cpu');
  });

  it.each(CASES)(
    "$stem $options equals the interpreter's raw Grad-CAM map",
    async ({ stem, shape, options, region }) => {
      const model = compileExample(stem);
      const weights = weightsFor(model, 7);
      const input = seededTensor(shape, 11);
      const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
      const code = await generated(stem, model, weights);
      const before = tf.memory().numTensors;
      const actual = code.gradCam({ [model.graph.inputs[0]!.name]: input }, options);
      expect(tf.memory().numTensors, 'only the map is left').toBe(before + 1);
      const expected = await explain(interpreter, input, {
        method: 'gradcam',
        ...options,
        ...(region ? { region } : {}),
      });
      expect(actual.shape).toEqual(expected.raw.shape);
      // A map that is all zeros would compare equal to anything scaled; these weights give a real one.
      expect(Math.max(...expected.raw.dataSync())).toBeGreaterThan(0);
      const error = relativeError(actual, expected.raw);
      // Same arithmetic in a different order (folded batch norm, fused activations): float32 rounding only.
      expect(error).toBeLessThan(1e-4);
      tf.dispose([actual, expected.map, expected.raw]);
      code.dispose();
      interpreter.dispose();
      tf.dispose([...weights.values(), input]);
    },
  );

  it('rejects a class out of range and a wrong count of classes, leaking nothing', async () => {
    const model = compileExample('gap_cam');
    const weights = weightsFor(model, 3);
    const input = seededTensor([2, 28, 28, 1], 5);
    const code = await generated('gap_cam', model, weights);
    const before = tf.memory().numTensors;
    expect(() => code.gradCam({ image: input }, { classIndex: 10 })).toThrow(
      /class 10 is out of range: the output has 10 classes/,
    );
    expect(() => code.gradCam({ image: input }, { classIndex: [1] })).toThrow(/1 class indices for 2 images/);
    expect(() => code.gradCam({ image: input }, { output: 'nothing' })).toThrow(/no Grad-CAM for the output "nothing"/);
    expect(tf.memory().numTensors).toBe(before);
    code.dispose();
    tf.dispose([...weights.values(), input]);
  });
});
