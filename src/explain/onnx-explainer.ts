/**
 * Explanations on ONNX Runtime: CAM, Grad-CAM, Grad-CAM++, LayerCAM and ACoL's fused map from an
 * explanation model (see gradient.ts) instead of tfjs gradients. For the predicted class one run
 * makes everything, the maps included (explanation-maps.ts); so does a requested class or a
 * region (a mask input), with the selector made in the graph, and CAM and ACoL, made from the
 * class's channels there. Only a requested class for a layer that is not a feature map takes two
 * runs (the scores, then the derivative with the score selector as an input); maps of such layers
 * are made on tfjs by the same functions as `explain` (src/explain).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExplainOptions, ExplainResult } from './explain.js';
import { finishMaps } from './maps.js';
import { acolFusedMap } from './methods/acol-fused.js';
import { channelCam, denseCam } from './methods/cam.js';
import { gradCamPlusPlus } from './methods/grad-cam-plus-plus.js';
import { gradCam } from './methods/grad-cam.js';
import { layerCam } from './methods/layer-cam.js';
import { checkMethod, choosePlan, methodInputs, outputSpan } from './request.js';
import {
  type Region,
  checkRegion,
  chooseClasses,
  classesOfClassMap,
  predictedClasses,
  regionPixels,
  scoreSelector,
} from './selection.js';
import type { SegModel } from '../runtime/model.js';
import { camKernelWeight } from '../ir/analysis/explanations/exact-cam.js';
import { findOp } from '../ops/registry.js';
import { type EngineOptions, type HostArray, OnnxEngine, type OnnxRuntimeModule } from '../onnx/engine.js';
import {
  type ExplanationModelRequest as ExplanationRequest,
  exportExplanationModel,
  shapeAt,
} from '../onnx/gradient.js';
import { GRAPH_MAP_METHODS, type GraphMapMethod } from '../onnx/explanation-maps.js';

export class OnnxExplainer {
  private readonly engines = new Map<string, Promise<OnnxEngine>>();

  constructor(
    private readonly runtime: OnnxRuntimeModule,
    private readonly model: SegModel,
    private readonly options: EngineOptions = {},
  ) {}

  async explain(input: tf.Tensor4D, options: ExplainOptions): Promise<ExplainResult> {
    const method = checkMethod(options.method);
    const { graph } = this.model;
    const plan = choosePlan(graph, options.output, method);
    const { nodes, target } = methodInputs(graph, plan, method, options.target);
    const request = { score: plan.score, target: nodes[0]!, inputShape: input.shape };
    const feeds = { [this.model.inputNames[0]!]: await hostArray(input) };
    const featureMap = graph.nodes[nodes[0]!]!.type.shape.length === 4;
    // CAM and ACoL's fused map are made in the graph from the class's channels, in one run.
    if ((method === 'cam' || method === 'acol') && featureMap) {
      const second = method === 'acol' ? { second: nodes[1]! } : {};
      return this.classMap(input, options, plan, { ...request, ...second }, feeds, target, method);
    }
    if (method === 'acol') return this.acol(input, options, plan, { ...request, second: nodes[1]! }, feeds, target);
    // The default classes and region are chosen inside the graph, and the map is made there too:
    // one run gives everything, and A and its derivative stay inside the runtime.
    const oneRun = method !== 'cam' && options.classIndex === undefined && options.region === undefined;
    const order = options.order ?? 'upsample-first';
    const graphMap =
      isGraphMapMethod(method) && graph.nodes[nodes[0]!]!.type.shape.length === 4 ? { method, order } : undefined;
    if (oneRun && graphMap) {
      const result = await (await this.engine({ ...request, selector: 'predicted', map: graphMap })).runArrays(feeds);
      return graphMapResult(result, Array.from(result.class!.data), target, method, plan);
    }
    if (options.region !== undefined && method !== 'cam')
      return this.region(input, options, plan, request, feeds, target, options.region, graphMap);
    if (graphMap && options.classIndex !== undefined && options.region === undefined) {
      // Requested classes are checked against the batch alone; the graph selects them itself.
      const batch = input.shape[0];
      const classIndex = requestedClasses(plan, options.classIndex, batch, outputSpan(graph, plan))!;
      const result = await (
        await this.engine({ ...request, selector: 'class', map: graphMap })
      ).runArrays({
        ...feeds,
        class: { data: Int32Array.from(classIndex), dims: [batch] },
      });
      return graphMapResult(result, classIndex, target, method, plan);
    }
    const first = await (
      await this.engine(oneRun ? { ...request, selector: 'predicted' } : { ...request, gradient: false })
    ).runArrays(feeds);
    const [score, activation] = [toTensor(first.score!), toTensor(first.activation!) as tf.Tensor4D];
    try {
      const predicted = predictedClasses(plan, first.score!.data, score.shape[0]!);
      const classes = chooseClasses(plan, options.classIndex, predicted, outputSpan(graph, plan));
      checkRegion(plan, options.region, score.shape, outputSpan(graph, plan));
      let raw: tf.Tensor3D;
      if (method === 'cam') raw = this.cam(activation, plan.cam!, classes);
      else if (graphMap) {
        // The chosen classes or region as the selector; the second run makes the map itself.
        const maps = await this.selected({ ...request, map: graphMap }, feeds, score, classes, options);
        return graphMapResult(maps, classes, target, method, plan);
      } else {
        const gradient = toTensor(
          oneRun ? first.gradient! : await this.gradient(request, feeds, score, classes, options),
        ) as tf.Tensor4D;
        raw = gradientMap(method, activation, gradient);
        gradient.dispose();
      }
      const map = finishMaps(raw, [input.shape[1], input.shape[2]], order);
      return { map, raw, classIndex: classes, target, method, output: plan.output };
    } finally {
      score.dispose();
      activation.dispose();
    }
  }

  /**
   * CAM or ACoL's fused map in one run: the explanation model picks the class (as `explain`
   * does: ACoL's fused output by branch A's map) unless one is asked for, and makes the raw and
   * the finished map from the class's channels; a region is only checked, as `explain` does.
   */
  private async classMap(
    input: tf.Tensor4D,
    options: ExplainOptions,
    plan: ReturnType<typeof choosePlan>,
    request: ExplanationRequest,
    feeds: Record<string, HostArray>,
    target: string,
    method: 'cam' | 'acol',
  ): Promise<ExplainResult> {
    const { graph } = this.model;
    const span = outputSpan(graph, plan);
    const batch = input.shape[0];
    const requested = requestedClasses(plan, options.classIndex, batch, span);
    checkRegion(plan, options.region, shapeAt(graph, request.score, request.inputShape), span);
    const order = options.order ?? 'upsample-first';
    const map =
      method === 'cam'
        ? { method, order, ...(plan.cam!.kind === 'dense' ? { dense: plan.cam!.dense } : {}) }
        : { method, order, classFrom: plan.kind === 'classmap' ? ('first-map' as const) : ('score' as const) };
    const selector = requested ? ('class' as const) : ('predicted' as const);
    const engine = await this.engine({ ...request, gradient: false, selector, map });
    const result = await engine.runArrays(
      requested ? { ...feeds, class: { data: Int32Array.from(requested), dims: [batch] } } : feeds,
    );
    return graphMapResult(result, requested ?? Array.from(result.class!.data), target, method, plan);
  }

  /**
   * A region in one run: the region ([N, h, w] in the score's pixels) and the requested class, if
   * any, are inputs of the explanation model, which picks the predicted class itself otherwise
   * and makes the Grad-CAM family's map of a feature map (else the derivative, the map then made
   * here as `explain` makes it).
   */
  private async region(
    input: tf.Tensor4D,
    options: ExplainOptions,
    plan: ReturnType<typeof choosePlan>,
    request: ExplanationRequest,
    feeds: Record<string, HostArray>,
    target: string,
    region: Region,
    graphMap: { method: GraphMapMethod; order: NonNullable<ExplainOptions['order']> } | undefined,
  ): Promise<ExplainResult> {
    const { graph } = this.model;
    const method = checkMethod(options.method);
    const span = outputSpan(graph, plan);
    const batch = input.shape[0];
    // As explain: the classes are checked first, then the region against the score's pixels.
    const requested = requestedClasses(plan, options.classIndex, batch, span);
    const scoreShape = shapeAt(graph, request.score, request.inputShape);
    checkRegion(plan, region, scoreShape, span);
    const pixels = regionPixels(region, scoreShape);
    const all: Record<string, HostArray> = { ...feeds, region: await hostArray(pixels) };
    pixels.dispose();
    if (requested) all.class = { data: Int32Array.from(requested), dims: [batch] };
    const selector = requested ? ('class' as const) : ('predicted' as const);
    const asked = { ...request, selector, region: true, ...(graphMap ? { map: graphMap } : {}) };
    const result = await (await this.engine(asked)).runArrays(all);
    if (graphMap) return graphMapResult(result, requested ?? Array.from(result.class!.data), target, method, plan);
    const classIndex = requested ?? predictedClasses(plan, result.score!.data, batch);
    const [activation, gradient] = [toTensor(result.activation!), toTensor(result.gradient!)] as tf.Tensor4D[];
    const raw = gradientMap(method, activation!, gradient!);
    tf.dispose([activation!, gradient!]);
    const map = finishMaps(raw, [input.shape[1], input.shape[2]], options.order ?? 'upsample-first');
    return { map, raw, classIndex, target, method, output: plan.output };
  }

  /**
   * ACoL's fused map: both branches' class maps from one run; the class, unless one is asked
   * for, as `explain` chooses it (for the fused output, branch A's largest spatial mean).
   */
  private async acol(
    input: tf.Tensor4D,
    options: ExplainOptions,
    plan: ReturnType<typeof choosePlan>,
    request: ExplanationRequest,
    feeds: Record<string, HostArray>,
    target: string,
  ): Promise<ExplainResult> {
    const result = await (await this.engine({ ...request, gradient: false })).runArrays(feeds);
    const [score, first, second] = [result.score!, result.activation!, result.second!].map(toTensor) as [
      tf.Tensor,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    try {
      const span = outputSpan(this.model.graph, plan);
      // A fused class-map output is explained for branch A's prediction, a logits output for its own.
      const predicted =
        plan.kind === 'classmap'
          ? await classesOfClassMap(first)
          : predictedClasses(plan, result.score!.data, score.shape[0]!);
      const classes = chooseClasses(plan, options.classIndex, predicted, span);
      checkRegion(plan, options.region, score.shape, span);
      const raw = acolFusedMap(first, second, classes);
      const map = finishMaps(raw, [input.shape[1], input.shape[2]], options.order ?? 'upsample-first');
      return { map, raw, classIndex: classes, target, method: 'acol', output: plan.output };
    } finally {
      tf.dispose([score, first, second]);
    }
  }

  /** The derivative for chosen classes or a region: a second run with the selector as an input. */
  private async gradient(
    request: ExplanationRequest,
    feeds: Record<string, HostArray>,
    score: tf.Tensor,
    classes: readonly number[],
    options: ExplainOptions,
  ): Promise<HostArray> {
    return (await this.selected(request, feeds, score, classes, options)).gradient!;
  }

  /** A run of the explanation model with the selector of the chosen classes or region as an input. */
  private async selected(
    request: ExplanationRequest,
    feeds: Record<string, HostArray>,
    score: tf.Tensor,
    classes: readonly number[],
    options: ExplainOptions,
  ): Promise<Record<string, HostArray>> {
    // explain's cut for a one-channel score without a region: 0.5 after a sigmoid, else 0.
    const cut = findOp(this.model.graph.nodes[request.score]!.op)?.outputActivation === 'sigmoid' ? 0.5 : 0;
    const selector = tf.tidy(() => scoreSelector(score, classes, options.region, cut));
    try {
      return await (await this.engine(request)).runArrays({ ...feeds, selector: await hostArray(selector) });
    } finally {
      selector.dispose();
    }
  }

  async dispose(): Promise<void> {
    for (const engine of this.engines.values()) await (await engine).dispose();
    this.engines.clear();
  }

  private cam(
    features: tf.Tensor4D,
    cam: NonNullable<ReturnType<typeof choosePlan>['cam']>,
    classes: readonly number[],
  ): tf.Tensor3D {
    if (cam.kind !== 'dense') return channelCam(features, classes);
    const kernel = camKernelWeight(this.model.graph.nodes[cam.dense]!);
    return denseCam(features, this.model.weights.get(kernel)! as tf.Tensor2D, classes);
  }

  /** One session per (score, layer, input shape, with or without the derivative). */
  private engine(request: ExplanationRequest): Promise<OnnxEngine> {
    const key = JSON.stringify(request);
    let engine = this.engines.get(key);
    if (!engine) {
      engine = exportExplanationModel(this.model.graph, this.model.weights, request).then((exported) =>
        OnnxEngine.create(this.runtime, exported.model, this.options),
      );
      this.engines.set(key, engine);
      // A model that cannot be exported or opened is not kept: the next request tries again.
      engine.catch(() => this.engines.delete(key));
    }
    return engine;
  }
}

async function hostArray(tensor: tf.Tensor): Promise<HostArray> {
  return { data: Float32Array.from((await tensor.data()) as Float32Array), dims: tensor.shape };
}

function toTensor(array: HostArray): tf.Tensor {
  return tf.tensor(array.data, [...array.dims], array.data instanceof Int32Array ? 'int32' : 'float32');
}

/** The outputs of a run that made the maps in the graph: `raw` [N, h, w] and `map` [N, H, W]. */
function graphMapResult(
  result: Record<string, HostArray>,
  classIndex: number[],
  target: string,
  method: ExplainResult['method'],
  plan: ReturnType<typeof choosePlan>,
): ExplainResult {
  const raw = toTensor(result.raw!) as tf.Tensor3D;
  return { map: toTensor(result.map!) as tf.Tensor3D, raw, classIndex, target, method, output: plan.output };
}

/** The classes asked for, checked against the batch alone (the graph selects them itself). */
function requestedClasses(
  plan: ReturnType<typeof choosePlan>,
  classIndex: ExplainOptions['classIndex'],
  batch: number,
  span: ReturnType<typeof outputSpan>,
): number[] | undefined {
  return classIndex === undefined ? undefined : chooseClasses(plan, classIndex, new Array<number>(batch).fill(0), span);
}

/** A Grad-CAM family map of A from A and ∂S/∂A, as `explain` makes it. */
function gradientMap(method: string, activation: tf.Tensor4D, gradient: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() =>
    method === 'gradcam'
      ? gradCam(activation, gradient)
      : method === 'gradcampp'
        ? gradCamPlusPlus(activation, gradient)
        : layerCam(activation, gradient),
  );
}

function isGraphMapMethod(method: string): method is GraphMapMethod {
  return (GRAPH_MAP_METHODS as readonly string[]).includes(method);
}
