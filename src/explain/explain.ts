/**
 * `explain(model, image, options)`: one class map per image, normalised to [0, 1] at the
 * input's size, by CAM, Grad-CAM, Grad-CAM++, LayerCAM or ACoL's fused map. The source graph
 * runs once to read the scores and the tensors the method needs; gradient methods then
 * differentiate the score with respect to the target by the derivative graph of the part from
 * the target to the score (src/onnx/gradient.ts) on the forward values, or, where an op of that
 * part has no derivative there, by tfjs's gradients of a second run of the part. Everything is checked before the gradient is taken, and every tensor the
 * explanation makes is released, also when it fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '../runtime/gradients.js';
import type { SegModel } from '../runtime/model.js';
import { type MapOrder, MAP_ORDERS, finishMaps } from './maps.js';
import { acolFusedMap } from './methods/acol-fused.js';
import { channelCam, denseCam } from './methods/cam.js';
import { gradCamPlusPlus } from './methods/grad-cam-plus-plus.js';
import { gradCam } from './methods/grad-cam.js';
import { layerCam } from './methods/layer-cam.js';
import type { ExplanationPlan } from '../ir/analysis/explanations/plan.js';
import { type ExplainMethod, GRADIENT_METHODS, checkMethod, choosePlan, methodInputs, outputSpan } from './request.js';
import { ancestors, dataInputs } from '../ir/analysis/explanations/graph-walk.js';
import { camKernelWeight } from '../ir/analysis/explanations/exact-cam.js';
import { findOp } from '../ops/registry.js';
import type { Graph } from '../ir/graph.js';
import { TfjsDerivative } from '../onnx/tfjs-derivative.js';
import { derivativeWeightNodes } from '../onnx/gradient.js';
import { HostWeights } from '../onnx/export.js';
import {
  type Region,
  checkRegion,
  chooseClasses,
  classesOfClassMap,
  predictedClasses,
  scoreSelector,
} from './selection.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type ModelInputs = tf.Tensor | Readonly<Record<string, tf.Tensor>>;

export interface ExplainOptions {
  readonly method: ExplainMethod;
  /** The output explained; by default the first one the method applies to. */
  readonly output?: string;
  /** One class for every image, or one per image; by default the predicted class. */
  readonly classIndex?: number | readonly number[];
  /** Grad-CAM, Grad-CAM++, LayerCAM: the target tensor (a layer name or `let` name). */
  readonly target?: string;
  /** Segmentation outputs: the pixels whose class-c scores are summed. */
  readonly region?: Region;
  readonly order?: MapOrder;
}

export interface ExplainResult {
  /** [N, H, W] at the input's size, each image's map in [0, 1]. Owned by the caller. */
  readonly map: tf.Tensor3D;
  /** [N, h, w] at the target's resolution, before upsampling and normalisation. Owned by the caller. */
  readonly raw: tf.Tensor3D;
  readonly classIndex: number[];
  readonly target: string;
  readonly method: ExplainMethod;
  readonly output: string;
}

/** The shape of the first input, which sizes the derivative graph. */
function inputShape(model: SegModel, inputs: ModelInputs): readonly number[] | undefined {
  return (inputs instanceof tf.Tensor ? inputs : inputs[model.inputNames[0]!])?.shape;
}

let derivativesEnabled = true;

/** Whether explain uses the derivative graph (on by default); off, tfjs differentiates. For comparisons. */
export function useDerivativeGraph(enabled: boolean): void {
  derivativesEnabled = enabled;
}

/** The spatial size of the first input, which maps are upsampled to. */
function inputSize(model: SegModel, inputs: ModelInputs): [number, number] | undefined {
  const first = inputs instanceof tf.Tensor ? inputs : inputs[model.inputNames[0]!];
  return first && first.rank === 4 ? [first.shape[1]!, first.shape[2]!] : undefined;
}

/** Runs the graph once and keeps copies of the score and the requested tensors. */
function forward(
  model: SegModel,
  inputs: ModelInputs,
  score: number,
  nodes: readonly number[],
): Map<number, tf.Tensor> {
  const ids = [...new Set([score, ...nodes])];
  const values = tf.tidy(() => {
    const { kept } = model.run(inputs, { keep: ids });
    // Copies: a kept input is the caller's own tensor, which must survive the cleanup.
    return ids.map((id) => tf.clone(kept.get(id)!));
  });
  return new Map(ids.map((id, index) => [id, values[index]!]));
}

/**
 * The part of the graph a gradient from `score` back to `target` runs through: the nodes on a
 * path from the target to the score, and the values they read from outside it (`boundary`: a
 * decoder's skip connection, a shape source), which the forward pass already computed.
 */
export function differentiatedPart(
  graph: Graph,
  target: number,
  score: number,
): { nodes: Set<number>; boundary: number[] } {
  const above = ancestors(graph, score);
  const nodes = new Set<number>([target]);
  for (const node of graph.nodes)
    if (node.id > target && above.has(node.id) && dataInputs(node).some((i) => nodes.has(i))) nodes.add(node.id);
  const boundary = new Set<number>();
  for (const id of nodes)
    if (id !== target) for (const input of graph.nodes[id]!.inputs) if (!nodes.has(input)) boundary.add(input);
  return { nodes, boundary: [...boundary] };
}

/**
 * ∂(Σ selector ⊙ score)/∂A for the target A, by substituting A's value into a second run. With
 * `shared` (the boundary values of `differentiatedPart`, from the forward pass) that run covers
 * only the part from A to the score.
 */
export function targetGradient(
  model: SegModel,
  inputs: ModelInputs,
  target: number,
  activation: tf.Tensor,
  score: number,
  selector: tf.Tensor,
  shared?: ReadonlyMap<number, tf.Tensor>,
): tf.Tensor {
  registerGradients();
  const only = shared ? differentiatedPart(model.graph, target, score).nodes : undefined;
  return tf.tidy(() =>
    tf.grad((value: tf.Tensor) => {
      const substitute = new Map([...(shared ?? []), [target, value]]);
      const { kept } = model.run(inputs, { keep: [score], substitute, needsGradient: true, ...(only ? { only } : {}) });
      return tf.sum(tf.mul(kept.get(score)!, selector)) as tf.Scalar;
    })(activation),
  );
}

/**
 * The derivative program of each (layer, score, input size) of a model, built once and kept
 * while the model's weights are the same tensors (training replaces them).
 */
const derivatives = new WeakMap<SegModel, Map<string, { program: TfjsDerivative | undefined; weights: unknown[] }>>();

function weightIdentity(model: SegModel): unknown[] {
  return [...model.weights.values()].map((t) => (t.isDisposed ? undefined : t.dataId));
}

/**
 * The derivative graph of the part from `target` to `score` on tfjs, or undefined where an op has
 * none there. The weights it reads are copied to the host asynchronously first: a synchronous
 * read (`dataSync`) of a WebGPU tensor goes through a canvas, and in Chromium's SwiftShader
 * adapter that lost the device (the next `mapAsync` failed with "A valid external Instance
 * reference no longer exists").
 */
export async function derivativeOf(
  model: SegModel,
  target: number,
  score: number,
  inputShape: readonly number[],
): Promise<TfjsDerivative | undefined> {
  const key = JSON.stringify([target, score, inputShape]);
  let cache = derivatives.get(model);
  if (!cache) derivatives.set(model, (cache = new Map()));
  const weights = weightIdentity(model);
  const cached = cache.get(key);
  if (cached && cached.weights.length === weights.length && cached.weights.every((id, i) => id === weights[i]))
    return cached.program;
  const request = { score, target, inputShape };
  const host = await HostWeights.read(derivativeWeightNodes(model.graph, request), model.weights);
  const program = TfjsDerivative.build(model.graph, host, request);
  cache.set(key, { program, weights });
  return program;
}

interface Computation {
  readonly model: SegModel;
  readonly inputs: ModelInputs;
  readonly plan: ExplanationPlan;
  readonly method: ExplainMethod;
  readonly values: Map<number, tf.Tensor>;
  readonly nodes: readonly number[];
  readonly classes: readonly number[];
  readonly region: Region | undefined;
  /** The derivative graph on tfjs; without it, tfjs differentiates the part. */
  readonly derivative: TfjsDerivative | undefined;
}

function denseKernel(model: SegModel, dense: number): tf.Tensor2D {
  return model.weights.get(camKernelWeight(model.graph.nodes[dense]!))! as tf.Tensor2D;
}

function rawMap(c: Computation): tf.Tensor3D {
  const first = c.values.get(c.nodes[0]!)! as tf.Tensor4D;
  if (c.method === 'cam')
    return c.plan.cam!.kind === 'dense'
      ? denseCam(first, denseKernel(c.model, c.plan.cam!.dense), c.classes)
      : channelCam(first, c.classes);
  if (c.method === 'acol') return acolFusedMap(first, c.values.get(c.nodes[1]!)! as tf.Tensor4D, c.classes);
  return tf.tidy(() => {
    const score = c.values.get(c.plan.score)!;
    const selector = scoreSelector(
      score,
      c.classes,
      c.region,
      findOp(c.model.graph.nodes[c.plan.score]!.op)?.outputActivation === 'sigmoid' ? 0.5 : 0,
    );
    const gradient = (c.derivative?.run(c.values, selector) ?? tfjsGradient(c, first, selector)) as tf.Tensor4D;
    return c.method === 'gradcam'
      ? gradCam(first, gradient)
      : c.method === 'gradcampp'
        ? gradCamPlusPlus(first, gradient)
        : layerCam(first, gradient);
  });
}

/** ∂S/∂A by tfjs's gradients of a run of the part from A to the score. */
function tfjsGradient(c: Computation, first: tf.Tensor, selector: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shared = new Map(
      differentiatedPart(c.model.graph, c.nodes[0]!, c.plan.score).boundary.map(
        (id) => [id, c.values.get(id)!] as [number, tf.Tensor],
      ),
    );
    return targetGradient(c.model, c.inputs, c.nodes[0]!, first, c.plan.score, selector, shared);
  });
}

function checkOrder(order: string): MapOrder {
  if ((MAP_ORDERS as readonly string[]).includes(order)) return order as MapOrder;
  throw diagnosticError(codes.explainBadOption, `unknown map order \`${order}\``, {
    hint: `use one of: ${MAP_ORDERS.join(', ')}`,
    file: '<explain>',
  });
}

export async function explain(model: SegModel, inputs: ModelInputs, options: ExplainOptions): Promise<ExplainResult> {
  const method = checkMethod(options.method);
  const order = checkOrder(options.order ?? 'upsample-first');
  const plan = choosePlan(model.graph, options.output, method);
  const { nodes, target } = methodInputs(model.graph, plan, method, options.target);
  // An ACoL fused output is explained for branch A's prediction, so branch A's map is read too.
  const branchA = plan.kind === 'classmap' && plan.acol ? plan.acol.first : undefined;
  // Gradient methods differentiate the part from the target to the score by its derivative graph,
  // which reads forward values of that part; or, where an op there has none on tfjs, by tfjs's
  // gradients of a second run of the part, which reads what it needs from outside it.
  const gradientMethod = GRADIENT_METHODS.includes(method);
  const shape = inputShape(model, inputs);
  const derivative =
    gradientMethod && shape && derivativesEnabled ? await derivativeOf(model, nodes[0]!, plan.score, shape) : undefined;
  const boundary = gradientMethod
    ? (derivative?.reads ?? differentiatedPart(model.graph, nodes[0]!, plan.score).boundary)
    : [];
  const values = forward(model, inputs, plan.score, [
    ...nodes,
    ...boundary,
    ...(branchA === undefined ? [] : [branchA]),
  ]);
  try {
    const score = values.get(plan.score)!;
    const predicted =
      branchA === undefined
        ? predictedClasses(plan, await score.data(), score.shape[0]!)
        : await classesOfClassMap(values.get(branchA)! as tf.Tensor4D);
    const span = outputSpan(model.graph, plan);
    const classes = chooseClasses(plan, options.classIndex, predicted, span);
    checkRegion(plan, options.region, score.shape, span);
    const raw = rawMap({ model, inputs, plan, method, values, nodes, classes, region: options.region, derivative });
    try {
      const map = finishMaps(raw, inputSize(model, inputs) ?? [raw.shape[1], raw.shape[2]], order);
      return { map, raw, classIndex: classes, target, method, output: plan.output };
    } catch (error) {
      raw.dispose();
      throw error;
    }
  } finally {
    for (const tensor of values.values()) tensor.dispose();
  }
}
