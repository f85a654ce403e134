/**
 * `gradCam` where the emitted derivative has no product for an op on the path from the explained
 * layer to the score (max pooling, concatenation, depthwise and dilated convolutions): the module
 * falls back to `tf.grad` over a forward run that replaces the target's value, and imports
 * `registerGradients` from segc/runtime. Its map equals the interpreter's `explain`. One model
 * mixes a covered output with uncovered ones, the other has only an uncovered one. A path through
 * a dilated convolution has neither derivative, and that output has no Grad-CAM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateModule, moduleNames } from '../../src/codegen/index.js';
import { compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { explain } from '../../src/explain/explain.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { type BuiltModel, GOLDEN, importsOf, typeCheck, weightsFor } from './helpers.js';

const MIXED = `model GradCamMixed(classes: int = 4) {
  input image: f32[N, H, W, 3]
  let features = image -> conv(8, 3, activation: relu) -> conv(8, 3) -> relu @gradcam
  output direct = features -> gap -> dense(classes)
  output pooled = concat([features -> maxpool(3, stride: 1, padding: same), features -> dwconv(3) -> relu]) -> gap -> dense(classes)
  output padded = features -> pad([1, 1]) -> conv(classes, 3, padding: valid)
  output dilated = features -> conv(classes, 3, dilation: 2)
}
`;

const POOLED = `model GradCamPooled(classes: int = 5) {
  input image: f32[N, 16, 16, 1]
  let features = image -> conv(6, 3, activation: relu) @gradcam
  output logits = features -> maxpool(2) -> gap -> dense(classes)
}
`;

interface GradCamOptions {
  readonly output?: string;
  readonly classIndex?: number | readonly number[];
}

interface GeneratedModel {
  gradCam(inputs: Record<string, tf.Tensor>, options?: GradCamOptions): tf.Tensor3D;
  dispose(): void;
}

const MODELS = { grad_cam_mixed: MIXED, grad_cam_pooled: POOLED } as const;
type Stem = keyof typeof MODELS;

function compiled(stem: Stem): BuiltModel {
  const result = compileSource(MODELS[stem], `${stem}.seg`, {}, nodeHost());
  const model = result.models[0];
  if (!model?.graph) throw new Error(result.diagnostics.map((d) => `${d.span.start.line}: ${d.message}`).join('\n'));
  return model as BuiltModel;
}

async function generated(stem: Stem, model: BuiltModel, weights: ReadonlyMap<string, tf.Tensor>) {
  const module = (await import(`./golden/${stem}.ts`)) as Record<string, unknown>;
  const create = module[moduleNames(model.graph).create] as (w: ReadonlyMap<string, tf.Tensor>) => GeneratedModel;
  return create(weights);
}

/** max |a − b| / max |b|, as in grad-cam.test.ts. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const [a, b] = [Array.from(actual.dataSync()), Array.from(expected.dataSync())];
  const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) / scale;
}

describe('generated gradCam falling back to tf.grad', () => {
  const texts = new Map(
    (Object.keys(MODELS) as Stem[]).map((stem) => [stem, generateModule(compiled(stem), `${stem}.seg`)]),
  );

  beforeAll(async () => {
    // The interpreter's explain differentiates with tfjs too.
    registerGradients();
    await useBackend('cpu');
  });

  it.each(Object.keys(MODELS) as Stem[])('%s matches its golden file and compiles under tsc --strict', (stem) => {
    const text = texts.get(stem)!;
    const path = join(GOLDEN, `${stem}.ts`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
    expect(typeCheck({ [`${stem}.ts`]: text })).toEqual([]);
  });

  it('imports registerGradients and uses tf.grad only for the outputs the derivative does not cover', () => {
    for (const text of texts.values()) expect(importsOf(text)).toEqual(['@tensorflow/tfjs-core', 'segc/runtime']);
    const mixed = texts.get('grad_cam_mixed')!;
    // The covered output keeps its emitted derivative; the uncovered ones are not in `derivatives`.
    expect(mixed).toMatch(/const derivatives = \{\n\s*direct: derivative0,\n\s*\};/);
    expect(mixed).toContain('if (output in derivatives) {');
    expect(texts.get('grad_cam_pooled')).not.toContain('derivatives');
    expect(mixed).toContain("export type GradCamMixedGradCamOutput = 'direct' | 'pooled' | 'padded';");
    for (const text of texts.values()) expect(text.match(/tf\.grad\(/g)).toHaveLength(1);
  });

  it('has no Grad-CAM for an output whose path dilates, and says so, leaking nothing', async () => {
    const model = compiled('grad_cam_mixed');
    const weights = weightsFor(model, 3);
    const input = seededTensor([1, 8, 8, 3], 5);
    const code = await generated('grad_cam_mixed', model, weights);
    const before = tf.memory().numTensors;
    expect(() => code.gradCam({ image: input }, { output: 'dilated' })).toThrow(
      'GradCamMixed: no Grad-CAM for the output "dilated"',
    );
    expect(tf.memory().numTensors).toBe(before);
    code.dispose();
    tf.dispose([...weights.values(), input]);
  });

  const cases: readonly { stem: Stem; shape: number[]; options: GradCamOptions; per?: 'pixel' }[] = [
    { stem: 'grad_cam_mixed', shape: [2, 12, 10, 3], options: { output: 'direct' } },
    { stem: 'grad_cam_mixed', shape: [2, 12, 10, 3], options: { output: 'pooled' } },
    { stem: 'grad_cam_mixed', shape: [2, 12, 10, 3], options: { output: 'pooled', classIndex: [3, 1] } },
    { stem: 'grad_cam_mixed', shape: [1, 12, 10, 3], options: { output: 'padded', classIndex: 2 }, per: 'pixel' },
    { stem: 'grad_cam_pooled', shape: [2, 16, 16, 1], options: {} },
    { stem: 'grad_cam_pooled', shape: [2, 16, 16, 1], options: { classIndex: 4 } },
  ];

  it.each(cases)("$stem $options equals the interpreter's raw Grad-CAM map", async ({ stem, shape, options, per }) => {
    const model = compiled(stem);
    const weights = weightsFor(model, 7);
    const input = seededTensor(shape, 11);
    const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
    const code = await generated(stem, model, weights);
    const before = tf.memory().numTensors;
    const actual = code.gradCam({ image: input }, options);
    expect(tf.memory().numTensors, 'only the map is left').toBe(before + 1);
    // A per-pixel score is summed over every pixel, the interpreter's region covering the image.
    const region = per ? { region: { box: [0, 0, shape[2]!, shape[1]!] as [number, number, number, number] } } : {};
    const expected = await explain(interpreter, input, { method: 'gradcam', ...options, ...region });
    expect(actual.shape).toEqual(expected.raw.shape);
    expect(Math.max(...expected.raw.dataSync())).toBeGreaterThan(0);
    expect(relativeError(actual, expected.raw)).toBeLessThan(1e-4);
    tf.dispose([actual, expected.map, expected.raw]);
    code.dispose();
    interpreter.dispose();
    tf.dispose([...weights.values(), input]);
  });
});
