/**
 * The derivative graph run on tfjs (src/onnx/tfjs-derivative.ts): ∂S/∂A from the forward values
 * against tfjs's gradient of the same objective on every path, and explain's maps with it against
 * explain's maps with tfjs's gradients on the examples, without tensors left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { derivativeOf, explain, targetGradient, useDerivativeGraph } from '../../src/explain/explain.js';
import { type ExplainMethod, choosePlan } from '../../src/explain/request.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { TfjsDerivative } from '../../src/onnx/tfjs-derivative.js';
import { HostWeights } from '../../src/onnx/export.js';
import { compileGraph, exampleGraph, randomModel, relativeError, values } from '../explain/helpers.js';
import { KINK_PATHS, PATHS, kinkExpected, kinkInput, kinkSource, pathSource } from './paths.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

describe('the derivative graph on tfjs', () => {
  it.each(PATHS)('$name', async ({ body }) => {
    const model = randomModel(compileGraph(pathSource(body)), 2);
    const [target, score] = [model.node('a')!.id, model.graph.outputs[0]!.node];
    const x = tf.randomNormal([2, 12, 10, 3], 0, 1, 'float32', 3);
    const selector = tf.randomNormal([2, 3], 0, 1, 'float32', 4);
    const host = await HostWeights.read(model.graph.nodes, model.weights);
    const derivative = TfjsDerivative.build(model.graph, host, { score, target, inputShape: x.shape });
    expect(derivative).toBeDefined();
    const kept = model.run(x, { keep: derivative!.reads }).kept;
    const before = tf.memory().numTensors;
    const ours = derivative!.run(kept, selector);
    expect(tf.memory().numTensors - before, 'tensors left besides the result').toBe(1);
    const reference = targetGradient(model, x, target, kept.get(target)!, score, selector);
    expect(ours.shape).toEqual(reference.shape);
    expect(relativeError(values(ours), values(reference))).toBeLessThan(1e-5);
    tf.dispose([ours, reference, ...kept.values()]);
    tf.dispose([x, selector]);
    model.dispose();
  });
});

/** On the kinks, the derivative graph makes tfjs's choices: both against tfjs and against the closed form. */
describe('the derivative graph on tfjs at the kinks of hardSigmoid and prelu', () => {
  it.each(KINK_PATHS)('$name', async (path) => {
    const model = randomModel(compileGraph(kinkSource(path.body)), 2);
    const [target, score] = [model.node('a')!.id, model.graph.outputs[0]!.node];
    const x = kinkInput();
    const selector = tf.randomNormal([2, 3], 0, 1, 'float32', 4) as tf.Tensor2D;
    const host = await HostWeights.read(model.graph.nodes, model.weights);
    const derivative = TfjsDerivative.build(model.graph, host, { score, target, inputShape: x.shape });
    expect(derivative).toBeDefined();
    const kept = model.run(x, { keep: derivative!.reads }).kept;
    const ours = derivative!.run(kept, selector);
    const reference = targetGradient(model, x, target, kept.get(target)!, score, selector);
    const expected = kinkExpected(model, path, selector);
    expect(expected.filter((v) => v === 0).length, 'the closed form has zeros').toBeLessThan(expected.length);
    expect(relativeError(values(reference), expected), 'tfjs against the closed form').toBeLessThan(1e-6);
    expect(relativeError(values(ours), expected), 'ours against the closed form').toBeLessThan(1e-6);
    tf.dispose([ours, reference, x, selector, ...kept.values()]);
    model.dispose();
  });
});

const CASES: readonly { file: string; shape: number[]; methods: ExplainMethod[]; target?: string }[] = [
  { file: 'examples/gap_cam.seg', shape: [2, 28, 28, 1], methods: ['gradcam', 'gradcampp', 'layercam'] },
  { file: 'examples/deeplabv3plus_small.seg', shape: [1, 32, 48, 3], methods: ['gradcam', 'layercam'] },
  { file: 'examples/aspp.seg', shape: [1, 24, 20, 3], methods: ['gradcam'] },
  { file: 'examples/unet.seg', shape: [1, 24, 32, 3], methods: ['gradcam'], target: 'level2/double_conv/relu_1' },
  { file: 'examples/gap_cam.seg', shape: [2, 28, 28, 1], methods: ['gradcam'], target: 'features/relu_1' },
  { file: 'examples/spp.seg', shape: [1, 24, 20, 3], methods: ['gradcam'] },
  { file: 'examples/train/shapes_cam.seg', shape: [2, 64, 64, 3], methods: ['gradcam', 'gradcampp'] },
];

describe("explain's maps with the derivative graph equal those with tfjs's gradients", () => {
  it.each(CASES)(
    '$file',
    async ({ file, shape, methods, target }) => {
      const model = randomModel(exampleGraph(file), 5);
      const input = tf.randomUniform(shape as [number, number, number, number], 0, 1, 'float32', 6);
      for (const method of methods) {
        const request = { method, ...(target ? { target } : {}) };
        useDerivativeGraph(false);
        const today = await explain(model, input, request);
        useDerivativeGraph(true);
        const before = tf.memory().numTensors;
        const ours = await explain(model, input, request);
        expect(tf.memory().numTensors - before, 'tensors the result owns').toBe(2);
        expect(ours.classIndex).toEqual(today.classIndex);
        expect(ours.target).toBe(today.target);
        expect(relativeError(values(ours.raw), values(today.raw)), `${method} raw`).toBeLessThan(1e-5);
        expect(relativeError(values(ours.map), values(today.map)), `${method} map`).toBeLessThan(1e-5);
        const layer = model.graph.nodes.find((n) => n.name === ours.target)!.id;
        const score = choosePlan(model.graph, undefined, method).score;
        expect(await derivativeOf(model, layer, score, shape), 'the derivative graph serves this layer').toBeDefined();
        tf.dispose([today.map, today.raw, ours.map, ours.raw]);
      }
      input.dispose();
      model.dispose();
    },
    120_000,
  );
});
