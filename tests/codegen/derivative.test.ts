/**
 * The derivative generated modules emit for `gradCam` (src/codegen/derivative.ts), on products
 * the examples do not reach: a strided convolution with explicit padding and a tanh (a leaky
 * ReLU before it), a global max pool, dense layers with an activation, a bilinear resize with
 * aligned corners. Each map
 * is compared with the interpreter's `explain`, which differentiates the same part through the
 * ONNX derivative graph (src/onnx/tfjs-derivative.ts), an independent implementation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { RESIZE_ADJOINT } from '../../src/codegen/derivative.js';
import { generateModule, moduleNames } from '../../src/codegen/index.js';
import { compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { explain } from '../../src/explain/explain.js';
import type { Region } from '../../src/explain/selection.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel, initialWeights } from '../../src/runtime/model.js';
import { useBackend } from '../ops/backends.js';
import { seededTensor, seededValues } from '../runtime/helpers.js';
import { REPOSITORY } from './helpers.js';

interface Case {
  readonly name: string;
  readonly source: string;
  readonly shape: number[];
  readonly region?: Region;
  readonly classIndex?: number;
  /** Ops the emitted derivative must pass. */
  readonly through?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: 'Pooled',
    source: `model Pooled(classes: int = 4) {
  input image: f32[N, 16, 16, 3]
  let features = image -> conv(8, 3, stride: 2, pad: 1, activation: leakyRelu) -> conv(6, 3, activation: sigmoid)
  let logits = features -> gmp -> dense(8, activation: tanh) -> dense(classes)
  output logits = logits
  output probabilities = softmax(logits)
}
`,
    shape: [3, 16, 16, 3],
  },
  {
    name: 'Strided',
    source: `model Strided(classes: int = 3) {
  input image: f32[N, H, W, 3] where H % 2 == 0, W % 2 == 0
  let features = image -> conv(8, 3, activation: relu)
  output logits = features -> conv(classes, 3, stride: 2, pad: 1, activation: tanh)
}
`,
    shape: [2, 12, 10, 3],
    region: { box: [0, 0, 5, 6] },
    classIndex: 2,
  },
  {
    name: 'Aligned',
    source: `model Aligned(classes: int = 3) {
  input image: f32[N, H, W, 3] where H % 2 == 0, W % 2 == 0
  let features = image -> conv(8, 3, activation: relu)
  output logits = features -> conv(classes, 3, stride: 2, pad: 1) -> upsample(factor: 2, mode: bilinear, alignCorners: true, halfPixel: false)
}
`,
    shape: [1, 12, 10, 3],
    region: { box: [0, 0, 10, 12] },
    classIndex: 1,
  },
  {
    name: 'Gated',
    source: `model Gated(classes: int = 3) {
  input image: f32[N, H, W, 3]
  let features = image -> conv(8, 3, activation: relu)
  let gated = features -> prelu -> conv(6, 1) -> hardSigmoid(alpha: 0.3, beta: 0.4) -> conv(classes, 1)
  output logits = add(features -> conv(classes, 1), gated)
}
`,
    shape: [2, 12, 10, 3],
    region: { box: [0, 0, 10, 12] },
    classIndex: 1,
    through: ['prelu', 'hardSigmoid'],
  },
  {
    name: 'Squeezed',
    source: `model Squeezed(classes: int = 4) {
  input image: f32[N, 12, 10, 3]
  let features = image -> conv(8, 3, activation: relu)
  output logits = features -> gap -> hardSigmoid -> dense(8) -> prelu -> dense(classes)
}
`,
    shape: [3, 12, 10, 3],
    through: ['prelu', 'hardSigmoid'],
  },
];

interface GeneratedModel {
  gradCam(inputs: Record<string, tf.Tensor>, options?: { classIndex?: number }): tf.Tensor3D;
  dispose(): void;
}

function weightsOf(graph: Parameters<typeof initialWeights>[0]): Map<string, tf.Tensor> {
  const weights = initialWeights(graph, 5);
  let seed = 50;
  for (const [name, tensor] of weights)
    if (name.endsWith('/bias') || name.endsWith('/alpha'))
      weights.set(name, tf.tensor(seededValues(tensor.size, ++seed), tensor.shape));
  return weights;
}

beforeAll(async () => {
  // The tfjs gradients (with the corrected resize gradient) are the adjoint test's reference.
  registerGradients();
  await useBackend('cpu');
});

describe('the derivative in generated modules', () => {
  it.each(CASES)(
    "$name: gradCam equals the interpreter's raw Grad-CAM map",
    async ({ name, source, shape, region, classIndex, through }) => {
      const compiled = compileSource(source, `${name}.seg`, {}, nodeHost()).models[0]!;
      const graph = compiled.graph!;
      const directory = join(REPOSITORY, 'tests', 'artifacts', 'derivative');
      mkdirSync(directory, { recursive: true });
      const path = join(directory, `${name}.ts`);
      const text = generateModule({ ...compiled, graph }, `${name}.seg`);
      expect(text).toContain('const derivatives = {');
      for (const op of through ?? []) expect(text).toMatch(new RegExp(`// ∂score/∂\\S+ \\(${op}\\)`));
      writeFileSync(path, text);
      const module = (await import(/* @vite-ignore */ path)) as Record<string, (w: unknown) => GeneratedModel>;
      const weights = weightsOf(graph);
      const code = module[moduleNames(graph).create]!(weights);
      const interpreter = SegModel.fromTensors(graph, compiled.sizes, weights);
      const input = seededTensor(shape, 9);
      const options = classIndex === undefined ? {} : { classIndex };
      const before = tf.memory().numTensors;
      const actual = code.gradCam({ image: input }, options);
      expect(tf.memory().numTensors, 'only the map is left').toBe(before + 1);
      const expected = await explain(interpreter, input, {
        method: 'gradcam',
        ...options,
        ...(region ? { region } : {}),
      });
      expect(actual.shape).toEqual(expected.raw.shape);
      const [a, b] = [Array.from(actual.dataSync()), Array.from(expected.raw.dataSync())];
      const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(0);
      const error = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) / scale;
      expect(error).toBeLessThan(1e-5);
      tf.dispose([actual, expected.map, expected.raw, input, ...weights.values()]);
      code.dispose();
      interpreter.dispose();
    },
  );
});

/** The emitted helper as a function of this tfjs. */
function resizeAdjoint(): (g: tf.Tensor, height: number, width: number, align: boolean, half: boolean) => tf.Tensor {
  const h = RESIZE_ADJOINT;
  const parameters = h.parameters.map((p) => `${p.name}: ${p.type}`).join(', ');
  const code = `function ${h.name}(${parameters}): ${h.returnType} {\n${h.statements.join('\n')}\n}\nreturn ${h.name};`;
  return new Function('tf', ts.transpile(code))(tf);
}

describe('the adjoint of a bilinear resize', () => {
  it.each([
    [false, true, [5, 7], [12, 9]],
    [true, false, [6, 5], [12, 10]],
    [false, false, [4, 4], [9, 13]],
    [true, false, [7, 3], [4, 2]],
  ] as const)('alignCorners %s, halfPixel %s, %j → %j equals the tfjs gradient', (align, half, from, to) => {
    const adjoint = resizeAdjoint();
    const x = seededTensor([2, from[0], from[1], 3], 3);
    const g = seededTensor([2, to[0], to[1], 3], 4);
    const before = tf.memory().numTensors;
    const actual = tf.tidy(() => adjoint(g, from[0], from[1], align, half));
    expect(tf.memory().numTensors).toBe(before + 1);
    const expected = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(tf.image.resizeBilinear(v as tf.Tensor4D, [to[0], to[1]], align, half), g)),
    )(x);
    expect(actual.shape).toEqual(expected.shape);
    const [a, b] = [Array.from(actual.dataSync()), Array.from(expected.dataSync())];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
    tf.dispose([x, g, actual, expected]);
  });
});
