/**
 * Explanations from the derivative graph on ONNX Runtime: ∂S/∂A against finite differences of
 * segc's tfjs executor, and CAM, Grad-CAM, Grad-CAM++ and LayerCAM maps against today's
 * `explain` (tfjs gradients) on the examples, within 1e-4.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type MockInstance, afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ExplainOptions, explain, targetGradient } from '../../src/explain/explain.js';
import { type ExplainMethod, choosePlan, methodInputs } from '../../src/explain/request.js';
import { type Region, scoreSelector } from '../../src/explain/selection.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import type { SegModel } from '../../src/runtime/model.js';
import { OnnxEngine } from '../../src/onnx/engine.js';
import { OnnxExplainer } from '../../src/explain/onnx-explainer.js';
import { exportExplanationModel, shapeAt } from '../../src/onnx/gradient.js';
import { loadOnnxRuntime } from '../../src/onnx/node/runtime.js';
import { compileGraph, exampleGraph, randomModel, relativeError, values } from '../explain/helpers.js';
import { KINK_PATHS, PATHS, kinkExpected, kinkInput, kinkSource, pathSource } from './paths.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

/** The explanation model of `target` → `score` on ONNX Runtime, run once on `x` with `selector`. */
async function runDerivative(model: SegModel, x: tf.Tensor, selector: tf.Tensor, target: number, score: number) {
  const engine = await OnnxEngine.create(
    await loadOnnxRuntime(),
    (await exportExplanationModel(model.graph, model.weights, { score, target, inputShape: x.shape })).model,
  );
  try {
    return await engine.runArrays({
      x: { data: x.dataSync() as Float32Array, dims: x.shape },
      selector: { data: selector.dataSync() as Float32Array, dims: selector.shape },
    });
  } finally {
    await engine.dispose();
  }
}

/**
 * Each path against two references: central differences of segc's tfjs executor along random
 * directions (paths whose kinks lie within ε of the activations are marked `kinked` and only
 * compared with tfjs), and tfjs's own gradient of the same objective.
 */
describe('the derivative graph', () => {
  it.each(PATHS)('$name', async ({ body, kinked }) => {
    const source = compileGraph(pathSource(body));
    const model = randomModel(source, 2);
    const [target, score] = [model.node('a')!.id, model.graph.outputs[0]!.node];
    const x = tf.randomNormal([2, 12, 10, 3], 0, 1, 'float32', 3);
    const selector = tf.randomNormal([2, 3], 0, 1, 'float32', 4);
    const result = await runDerivative(model, x, selector, target, score);
    const activation = tf.tensor(result.activation!.data, [...result.activation!.dims]);
    const gradient = tf.tensor(result.gradient!.data, [...result.gradient!.dims]);
    const scoreAt = (value: tf.Tensor) =>
      model.run(x, { keep: [score], substitute: new Map([[target, value]]) }).kept.get(score)!;
    // The scores are subtracted before they are summed, so float32 rounding of the sum does not swamp the difference.
    const difference = (plus: tf.Tensor, minus: tf.Tensor) =>
      tf.tidy(() => tf.sum(tf.mul(tf.sub(scoreAt(plus), scoreAt(minus)), selector)).dataSync()[0]!);
    const epsilon = 1e-3;
    const reference = targetGradient(model, x, target, activation, score, selector);
    expect(relativeError(values(gradient), values(reference)), 'against tfjs').toBeLessThan(1e-5);
    reference.dispose();
    for (let seed = 0; seed < (kinked ? 0 : 3); seed++) {
      const direction = tf.randomNormal(activation.shape, 0, 1, 'float32', 10 + seed);
      const [plus, minus] = [
        tf.add(activation, tf.mul(direction, epsilon)),
        tf.sub(activation, tf.mul(direction, epsilon)),
      ];
      const numeric = difference(plus, minus) / (2 * epsilon);
      const analytic = tf.sum(tf.mul(gradient, direction)).dataSync()[0]!;
      expect(Math.abs(analytic - numeric), `direction ${seed}: ${analytic} against ${numeric}`).toBeLessThan(
        1e-2 * Math.max(1, Math.abs(numeric)),
      );
      tf.dispose([direction, plus, minus]);
    }
    tf.dispose([x, selector, activation, gradient]);
    model.dispose();
  });
});

/** On the kinks of hardSigmoid and prelu, ONNX Runtime's derivative makes tfjs's choices (the closed form in paths.ts). */
describe('the derivative graph at the kinks of hardSigmoid and prelu', () => {
  it.each(KINK_PATHS)('$name', async (path) => {
    const model = randomModel(compileGraph(kinkSource(path.body)), 2);
    const [target, score] = [model.node('a')!.id, model.graph.outputs[0]!.node];
    const x = kinkInput();
    const selector = tf.randomNormal([2, 3], 0, 1, 'float32', 4) as tf.Tensor2D;
    const result = await runDerivative(model, x, selector, target, score);
    const activation = tf.tensor(result.activation!.data, [...result.activation!.dims]);
    const reference = targetGradient(model, x, target, activation, score, selector);
    const expected = kinkExpected(model, path, selector);
    expect(relativeError(values(reference), expected), 'tfjs against the closed form').toBeLessThan(1e-6);
    expect(relativeError(result.gradient!.data, expected), 'ONNX Runtime against the closed form').toBeLessThan(1e-6);
    tf.dispose([x, selector, activation, reference]);
    model.dispose();
  });
});

interface MapCase {
  readonly file: string;
  readonly shape: readonly number[];
  readonly methods: readonly ExplainMethod[];
  /** An explained layer other than the default, and the output explained. */
  readonly target?: string;
  readonly output?: string;
  /** As `explain --order`; the explanation model makes the finished map in either order. */
  readonly order?: 'upsample-first' | 'normalize-first';
}

const CASES: readonly MapCase[] = [
  { file: 'examples/gap_cam.seg', shape: [2, 28, 28, 1], methods: ['cam', 'gradcam', 'gradcampp', 'layercam'] },
  { file: 'examples/nin.seg', shape: [2, 28, 28, 1], methods: ['cam', 'gradcam', 'layercam'] },
  { file: 'examples/deeplabv3plus_small.seg', shape: [1, 32, 48, 3], methods: ['gradcam', 'gradcampp', 'layercam'] },
  {
    file: 'examples/deeplabv3plus_small.seg',
    shape: [1, 32, 48, 3],
    methods: ['gradcam', 'gradcampp', 'layercam'],
    order: 'normalize-first',
  },
  { file: 'examples/aspp.seg', shape: [1, 24, 20, 3], methods: ['gradcam', 'layercam'] },
  { file: 'examples/unet.seg', shape: [1, 24, 32, 3], methods: ['gradcam'] },
  { file: 'examples/spp.seg', shape: [1, 24, 20, 3], methods: ['gradcam'] },
  { file: 'examples/train/shapes_cam.seg', shape: [2, 64, 64, 3], methods: ['cam', 'gradcam', 'gradcampp'] },
  // Early layers: the derivative passes max pools, transposed convolutions and erase.
  {
    file: 'examples/gap_cam.seg',
    shape: [2, 28, 28, 1],
    methods: ['gradcam', 'gradcampp', 'layercam'],
    target: 'features/relu_1',
  },
  { file: 'examples/nin.seg', shape: [2, 28, 28, 1], methods: ['gradcam'], target: 'features/mlp_conv/relu_2' },
  { file: 'examples/unet.seg', shape: [1, 24, 32, 3], methods: ['gradcam'], target: 'level2/double_conv/relu_1' },
  {
    file: 'examples/acol.seg',
    shape: [2, 64, 64, 1],
    methods: ['gradcam', 'acol'],
    target: 'features/relu_1',
    output: 'logitsB',
  },
  // ACoL's fused map of the fused output, for branch A's class.
  { file: 'examples/acol.seg', shape: [2, 64, 64, 1], methods: ['acol'], output: 'fused' },
];

/**
 * One request through `explain` and through the explainer: the explainer's result owns its two
 * tensors, and its classes, layer, raw and finished maps are explain's (maps within 1e-4); with
 * `runs`, the explanation model ran once for it.
 */
async function expectAsExplain(
  model: SegModel,
  explainer: OnnxExplainer,
  input: tf.Tensor4D,
  request: ExplainOptions,
  name: string,
  runs?: MockInstance,
): Promise<void> {
  const today = await explain(model, input, request);
  runs?.mockClear();
  const before = tf.memory().numTensors;
  const ours = await explainer.explain(input, request);
  if (runs) expect(runs, `${name}: runs`).toHaveBeenCalledTimes(1);
  expect(tf.memory().numTensors - before, 'tensors the result owns').toBe(2);
  expect(ours.classIndex, name).toEqual(today.classIndex);
  expect(ours.target, name).toBe(today.target);
  expect(relativeError(values(ours.raw), values(today.raw)), `${name}: raw`).toBeLessThan(1e-4);
  expect(relativeError(values(ours.map), values(today.map)), `${name}: map`).toBeLessThan(1e-4);
  tf.dispose([today.map, today.raw, ours.map, ours.raw]);
}

describe("maps on ONNX Runtime equal today's maps", () => {
  const explainers: OnnxExplainer[] = [];
  afterAll(async () => {
    for (const explainer of explainers) await explainer.dispose();
  });

  it.each(CASES)(
    '$file $target $order',
    async ({ file, shape, methods, target, output, order }) => {
      const model = randomModel(exampleGraph(file), 5);
      const explainer = new OnnxExplainer(await loadOnnxRuntime(), model);
      explainers.push(explainer);
      const input = tf.randomUniform(shape as [number, number, number, number], 0, 1, 'float32', 6) as tf.Tensor4D;
      // The default class (chosen inside the explanation model), and a requested one (a second run with a selector).
      const requests = [
        ...methods.map((method) => ({ method, target, output, order })),
        { method: methods[methods.length - 1]!, classIndex: 1, target, output, order },
      ];
      for (const request of requests)
        await expectAsExplain(
          model,
          explainer,
          input,
          request,
          'classIndex' in request ? `${request.method}, class 1` : request.method,
        );
      input.dispose();
      await explainer.dispose();
      model.dispose();
    },
    120_000,
  );
});

/**
 * A requested class without a region is selected inside the explanation model (one run): its
 * derivative must equal that of the same model fed `scoreSelector`'s selector, for every class,
 * including classes no pixel is predicted as (then every pixel counts) and one-channel scores.
 */
describe("the explanation model selects a requested class as explain's scoreSelector does", () => {
  const FOREGROUND = `
model Foreground() {
  input image: f32[N, 12, 16, 3]
  output score = image -> conv(8, 3) -> relu -> conv(1, 1)
}`;
  const SELECTOR_CASES = [
    {
      name: 'deeplabv3plus_small',
      source: () => exampleGraph('examples/deeplabv3plus_small.seg'),
      shape: [2, 32, 48, 3],
    },
    { name: 'gap_cam', source: () => exampleGraph('examples/gap_cam.seg'), shape: [2, 28, 28, 1] },
    { name: 'a one-channel score', source: () => compileGraph(FOREGROUND), shape: [2, 12, 16, 3] },
  ];

  it.each(SELECTOR_CASES)('$name', async ({ source, shape }) => {
    const model = randomModel(source(), 8);
    const plan = choosePlan(model.graph, undefined, 'gradcam');
    const target = methodInputs(model.graph, plan, 'gradcam', undefined).nodes[0]!;
    const request = { score: plan.score, target, inputShape: shape };
    const runtime = await loadOnnxRuntime();
    const [byClass, bySelector] = await Promise.all(
      (['class', 'input'] as const).map(async (selector) =>
        OnnxEngine.create(
          runtime,
          (await exportExplanationModel(model.graph, model.weights, { ...request, selector })).model,
        ),
      ),
    );
    const input = tf.randomUniform(shape as [number, number, number, number], 0, 1, 'float32', 9);
    const image = { data: input.dataSync() as Float32Array, dims: input.shape };
    const classes = plan.classes;
    let absent = 0;
    for (let c = 0; c < classes; c++) {
      const chosen = [c, (c + 1) % classes];
      const ours = await byClass!.runArrays({ image, class: { data: Int32Array.from(chosen), dims: [2] } });
      const score = tf.tensor(ours.score!.data, [...ours.score!.dims]);
      const selector = scoreSelector(score, chosen, undefined);
      if (score.rank === 4 && classes > 1)
        absent += tf.tidy(() => tf.equal(tf.sum(tf.cast(tf.equal(tf.argMax(score, 3), c), 'int32')), 0).dataSync()[0]!);
      const reference = await bySelector!.runArrays({
        image,
        selector: { data: Float32Array.from(selector.dataSync()), dims: selector.shape },
      });
      expect(relativeError(ours.gradient!.data, reference.gradient!.data), `class ${chosen}`).toBeLessThan(1e-6);
      tf.dispose([score, selector]);
    }
    // The segmentation case must reach the fallback where no pixel has the class.
    if (plan.kind !== 'classification' && classes > 1) expect(absent).toBeGreaterThan(0);
    input.dispose();
    await Promise.all([byClass!.dispose(), bySelector!.dispose()]);
    model.dispose();
  });
});

/**
 * One-channel scores (a foreground score): explain selects the pixels scoring at least 0, or 0.5
 * after a sigmoid; the explanation model must select the same ones for the predicted class and
 * for a requested one.
 */
describe("maps of a one-channel score on ONNX Runtime equal today's", () => {
  it.each(['conv(1, 1)', 'conv(1, 1, activation: sigmoid)', 'conv(1, 1) -> sigmoid'])('%s', async (head) => {
    const model = randomModel(
      compileGraph(`
model Foreground() {
  input image: f32[N, 12, 16, 3]
  output score = image -> conv(8, 3) -> relu -> ${head}
}`),
      8,
    );
    const explainer = new OnnxExplainer(await loadOnnxRuntime(), model);
    const input = tf.randomUniform([2, 12, 16, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    for (const method of ['gradcam', 'layercam'] as const)
      for (const request of [{ method }, { method, classIndex: 0 }]) {
        const today = await explain(model, input, request);
        const ours = await explainer.explain(input, request);
        expect(ours.classIndex).toEqual(today.classIndex);
        expect(relativeError(values(ours.raw), values(today.raw)), `${JSON.stringify(request)} raw`).toBeLessThan(1e-4);
        expect(relativeError(values(ours.map), values(today.map)), `${JSON.stringify(request)} map`).toBeLessThan(1e-4);
        tf.dispose([today.map, today.raw, ours.map, ours.raw]);
      }
    input.dispose();
    await explainer.dispose();
    model.dispose();
  });
});

/**
 * A region (a box or a mask, over every image or per image, empty for one image or for all) is
 * an input of the explanation model, which selects the class inside it itself: one run, and the
 * maps of explain's `scoreSelector` with that region, for the predicted class and a requested one.
 */
describe("a region is explained in one run, as explain's selector does", () => {
  const REGION_CASES = [
    {
      name: 'deeplabv3plus_small',
      source: () => exampleGraph('examples/deeplabv3plus_small.seg'),
      shape: [2, 32, 48, 3],
      classIndex: 1,
    },
    {
      name: 'a one-channel score after a sigmoid',
      source: () =>
        compileGraph(`
model Foreground() {
  input image: f32[N, 12, 16, 3]
  output score = image -> conv(8, 3) -> relu -> conv(1, 1) -> sigmoid
}`),
      shape: [2, 12, 16, 3],
      classIndex: 0,
    },
  ];

  it.each(REGION_CASES)('$name', async ({ source, shape, classIndex }) => {
    const model = randomModel(source(), 8);
    const explainer = new OnnxExplainer(await loadOnnxRuntime(), model);
    const plan = choosePlan(model.graph, undefined, 'gradcam');
    const [batch, height, width] = shapeAt(model.graph, plan.score, shape) as [number, number, number];
    const input = tf.randomUniform(shape as [number, number, number, number], 0, 1, 'float32', 9) as tf.Tensor4D;
    const random = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([batch, height, width], 0, 1, 'float32', 3), 0.6), 'float32'),
    );
    const perImage = tf.tidy(() =>
      tf.concat([tf.slice(random, [0, 0, 0], [1, height, width]), tf.zeros([1, height, width])]),
    );
    const regions: [string, Region][] = [
      ['a box', { box: [1, 2, Math.floor(width / 2) + 1, Math.floor(height / 2) + 2] }],
      [
        'a mask for every image',
        { mask: tf.reshape(tf.slice(random, [0, 0, 0], [1, height, width]), [height, width]) },
      ],
      ['a mask per image, the second empty', { mask: perImage }],
      ['an empty mask', { mask: tf.zeros([height, width]) }],
    ];
    const runs = vi.spyOn(OnnxEngine.prototype, 'runArrays');
    try {
      for (const [label, region] of regions)
        for (const method of ['gradcam', 'gradcampp', 'layercam'] as const)
          for (const request of [
            { method, region },
            { method, region, classIndex },
          ]) {
            const name = `${label}, ${method}, ${'classIndex' in request ? `class ${classIndex}` : 'predicted class'}`;
            await expectAsExplain(model, explainer, input, request, name, runs);
          }
    } finally {
      runs.mockRestore();
    }
    tf.dispose([input, random, perImage, ...regions.flatMap(([, r]) => ('mask' in r ? [r.mask] : []))]);
    await explainer.dispose();
    model.dispose();
  });

  it('refuses a region of a classification as explain does', async () => {
    const model = randomModel(exampleGraph('examples/gap_cam.seg'), 8);
    const explainer = new OnnxExplainer(await loadOnnxRuntime(), model);
    const input = tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const request = { method: 'gradcam' as const, region: { box: [0, 0, 2, 2] as const } };
    const today = await explain(model, input, request).catch((error: Error) => error.message);
    const ours = await explainer.explain(input, request).catch((error: Error) => error.message);
    expect(today).toMatch(/is a classification; a region applies only to per-pixel outputs/);
    expect(ours).toBe(today);
    input.dispose();
    await explainer.dispose();
    model.dispose();
  });
});

/**
 * CAM (a dense head's kernel column over the features, or a class map's channel) and ACoL's fused
 * map are made inside the explanation model from the class's channels: one run, with the class
 * picked there as explain picks it (ACoL's fused output by branch A's map) or requested.
 */
describe("CAM and ACoL maps made in the explanation model equal today's, in one run", () => {
  const CLASS_MAP_CASES = [
    { file: 'examples/gap_cam.seg', shape: [2, 28, 28, 1], method: 'cam' as const },
    { file: 'examples/nin.seg', shape: [2, 28, 28, 1], method: 'cam' as const },
    { file: 'examples/train/shapes_cam.seg', shape: [2, 64, 64, 3], method: 'cam' as const },
    { file: 'examples/acol.seg', shape: [2, 64, 64, 1], method: 'acol' as const, output: 'logitsB' },
    { file: 'examples/acol.seg', shape: [2, 64, 64, 1], method: 'acol' as const, output: 'fused' },
  ];

  it.each(CLASS_MAP_CASES)('$file $method $output', async ({ file, shape, method, output }) => {
    const model = randomModel(exampleGraph(file), 5);
    const explainer = new OnnxExplainer(await loadOnnxRuntime(), model);
    const input = tf.randomUniform(shape as [number, number, number, number], 0, 1, 'float32', 6) as tf.Tensor4D;
    const runs = vi.spyOn(OnnxEngine.prototype, 'runArrays');
    try {
      for (const order of ['upsample-first', 'normalize-first'] as const)
        for (const classIndex of [undefined, [1, 2]]) {
          const request = { method, output, order, ...(classIndex ? { classIndex } : {}) };
          const name = `${order}, ${classIndex ? `classes ${classIndex}` : 'predicted class'}`;
          await expectAsExplain(model, explainer, input, request, name, runs);
        }
    } finally {
      runs.mockRestore();
    }
    input.dispose();
    await explainer.dispose();
    model.dispose();
  });
});
