/**
 * Grad-CAM in generated modules. EXPLANATIONS names each output's default target and score by
 * node in the graph as written; the code runs the inference graph, where batch norm and
 * activations are merged into the layer before them. The passes' node map says which inference
 * layer computes a given source tensor's value; a tensor the inference graph no longer computes
 * (a convolution's output before the activation fused into it) gets no Grad-CAM.
 *
 * The forward pass wraps the layers the derivative reads in `tapped(...)`, which keeps a copy
 * of their values; the derivative (derivative.ts) then runs from the score back to the target on
 * those values, so nothing before the target is differentiated or run twice. An output whose
 * path from the target to the score has an op without a product there falls back to `tf.grad`:
 * a second forward run inside it replaces the target's value by the one given, so the gradient
 * reaches only the layers after the target, as in the interpreter's `explain`. Only modules with
 * such an output import `registerGradients` from `segc/runtime`. A path through a dilated
 * convolution has neither (tfjs refuses its gradient), and its output gets no Grad-CAM.
 */
import { deriveExplanations } from '../ir/analysis/explanations/derive.js';
import type { Graph } from '../ir/graph.js';
import { derivativeReads, dilatedOnPath, emitDerivative } from './derivative.js';
import { literalKey } from './identifiers.js';
import { type Lines, block } from './lines.js';
import { lineCommentText, quote } from './text.js';
import { layerWeights, member } from './weights.js';
import type { NodeMap } from '../ir/passes/index.js';
import type { EmitHelper } from '../ops/op.js';

export interface GradCamOutput {
  readonly output: string;
  /** Inference node ids of the target and the score. */
  readonly target: number;
  readonly score: number;
  /** Whether the emitted derivative covers the path; else `gradCam` differentiates with `tf.grad`. */
  readonly derivative: boolean;
}

export interface GradCamPlan {
  readonly outputs: readonly GradCamOutput[];
  /** Inference node id → the layer name the code taps it by: the source name for targets and scores, else the inference node's. */
  readonly taps: ReadonlyMap<number, string>;
}

/**
 * The outputs whose default Grad-CAM target and score the generated code computes; `map` takes
 * each source node to the inference node computing its value (from `runPipeline`).
 */
export function planGradCam(source: Graph, inference: Graph, map: NodeMap): GradCamPlan {
  const outputs: GradCamOutput[] = [];
  const taps = new Map<number, string>();
  const kept = new Set<number>();
  for (const plan of deriveExplanations(source)) {
    if (!plan.target) continue;
    const target = map[plan.target.node];
    const score = map[plan.score];
    if (target === undefined || score === undefined) continue;
    const reads = derivativeReads(inference, target, score);
    // Neither the emitted derivative nor tfjs's gradients go through a dilated convolution.
    if (reads === undefined && dilatedOnPath(inference, target, score)) continue;
    const names: [number, string][] = [
      [target, plan.target.name],
      [score, source.nodes[plan.score]!.name],
    ];
    // One name per inference layer: a layer holding two source tensors cannot be told apart.
    if (names.some(([node, name]) => (taps.get(node) ?? name) !== name)) continue;
    for (const [node, name] of names) taps.set(node, name);
    outputs.push({ output: plan.output, target, score, derivative: reads !== undefined });
    reads?.forEach((node) => kept.add(node));
  }
  for (const node of kept) if (!taps.has(node)) taps.set(node, inference.nodes[node]!.name);
  return { outputs, taps };
}

/** Whether some output's `gradCam` differentiates with `tf.grad` (and needs the tfjs gradients registered). */
export function hasFallback(plan: GradCamPlan): boolean {
  return plan.outputs.some((o) => !o.derivative);
}

/** The tap interface's declaration, for ts-morph; with `fallback`, a tap can also replace a layer's value. */
export function gradCamTap(fallback: boolean) {
  if (!fallback)
    return {
      name: 'GradCamTap',
      docs: ["What `gradCam` asks of a forward pass: copies of the tapped layers' values by layer name."],
      properties: [{ name: 'seen', isReadonly: true, type: 'Map<string, tf.Tensor>' }],
    };
  return {
    name: 'GradCamTap',
    docs: [
      "What `gradCam` asks of a forward pass: copies of the tapped layers' values by layer name, and optionally one layer's value replaced (for `tf.grad`).",
    ],
    properties: [
      { name: 'seen', isReadonly: true, type: 'Map<string, tf.Tensor>' },
      {
        name: 'replace',
        isReadonly: true,
        hasQuestionToken: true,
        type: '{ readonly layer: string; readonly value: tf.Tensor }',
      },
    ],
  };
}

const TAPPED_PARAMETERS = [
  { name: 'tap', type: 'GradCamTap | undefined' },
  { name: 'layer', type: 'string' },
  { name: 'compute', type: '() => T' },
];

const TAPPED: EmitHelper = {
  name: 'tapped',
  typeParameters: ['T extends tf.Tensor'],
  parameters: TAPPED_PARAMETERS,
  returnType: 'T',
  docs: 'A layer Grad-CAM reads: computed as usual, and copied into the tap when one is given.',
  statements: [
    'const value = compute();',
    '// A copy: the forward pass releases the local after its last reader.',
    'if (tap !== undefined) tap.seen.set(layer, tf.clone(value));',
    'return value;',
  ],
};

const TAPPED_REPLACING: EmitHelper = {
  name: 'tapped',
  typeParameters: ['T extends tf.Tensor'],
  parameters: TAPPED_PARAMETERS,
  returnType: 'T',
  docs: "A layer Grad-CAM reads: computed as usual when no tap is given (predict), else copied into the tap, or replaced by the tap's value.",
  statements: [
    'if (tap === undefined) return compute();',
    '// A copy: the forward pass releases the local after its last reader, and the given value must survive.',
    'const value = tap.replace?.layer === layer ? (tf.clone(tap.replace.value) as T) : compute();',
    'tap.seen.set(layer, tf.clone(value));',
    'return value;',
  ],
};

const CLASSES: EmitHelper = {
  name: 'gradCamClasses',
  parameters: [
    { name: 'scores', type: 'tf.Tensor' },
    { name: 'classes', type: 'number' },
    { name: 'requested', type: 'number | readonly number[] | undefined' },
  ],
  returnType: 'tf.Tensor1D',
  docs: 'The class per image: the requested one(s), checked, or the predicted one (the top score; for per-pixel scores the class predicted on the most pixels, ties to the lower index; one channel is one class, 0), as the interpreter chooses.',
  statements: [
    'const count = scores.shape[0]!;',
    "if (requested === undefined && classes === 1) return tf.zeros([count], 'int32') as tf.Tensor1D;",
    'if (requested === undefined) {',
    '  const predicted = tf.argMax(scores, -1);',
    '  if (scores.rank === 2) return predicted as tf.Tensor1D;',
    '  return tf.argMax(tf.sum(tf.oneHot(tf.reshape(predicted, [count, -1]) as tf.Tensor2D, classes), 1), 1) as tf.Tensor1D;',
    '}',
    "const list = typeof requested === 'number' ? new Array<number>(count).fill(requested) : [...requested];",
    'if (list.length !== count) throw new Error(`${list.length} class indices for ${count} images: give one class, or one per image`);',
    'for (const value of list) {',
    '  if (!Number.isInteger(value) || value < 0 || value >= classes) throw new Error(`class ${value} is out of range: the output has ${classes} classes (0 to ${classes - 1})`);',
    '}',
    "return tf.tensor1d(list, 'int32');",
  ],
};

const SELECTOR: EmitHelper = {
  name: 'gradCamSelector',
  parameters: [
    { name: 'scores', type: 'tf.Tensor' },
    { name: 'classes', type: 'number' },
    { name: 'classIndex', type: 'tf.Tensor1D' },
  ],
  returnType: 'tf.Tensor',
  docs: "The constant w with score = Σ w ⊙ scores: class c's score of each image, summed over all pixels for per-pixel scores (one channel: the channel itself; tf.oneHot refuses depth 1).",
  statements: [
    'if (classes === 1) return tf.ones([scores.shape[0]!, ...new Array<number>(scores.rank - 1).fill(1)]);',
    "const oneHot = tf.cast(tf.oneHot(classIndex, classes), 'float32');",
    'return tf.reshape(oneHot, [scores.shape[0]!, ...new Array<number>(scores.rank - 2).fill(1), classes]);',
  ],
};

const MAP: EmitHelper = {
  name: 'gradCamMap',
  parameters: [
    { name: 'activation', type: 'tf.Tensor4D' },
    { name: 'gradient', type: 'tf.Tensor4D' },
  ],
  returnType: 'tf.Tensor3D',
  docs: 'Grad-CAM (Selvaraju et al. 2017): ReLU(Σ_k α_k A_k), α_k the spatial mean of ∂score/∂A_k.',
  statements: [
    'const [count, , , channels] = activation.shape;',
    'const weights = tf.reshape(tf.mean(gradient, [1, 2]), [count, 1, 1, channels]);',
    'return tf.relu(tf.sum(tf.mul(activation, weights), 3)) as tf.Tensor3D;',
  ],
};

/** The helpers `gradCam` uses; with `fallback`, `tapped` can replace the target's value for `tf.grad`. */
export function gradCamHelpers(fallback: boolean): readonly EmitHelper[] {
  return [fallback ? TAPPED_REPLACING : TAPPED, CLASSES, SELECTOR, MAP];
}

/** Names the forward pass must not shadow when it taps layers. */
export const GRAD_CAM_LOCALS = [
  'tap',
  'tapped',
  'GradCamTap',
  'resizeBilinearAdjoint',
  'derivatives',
  'seen',
  'selector',
  'registerGradients',
];

export interface GradCamDerivatives {
  /** Factory-scope statements: one function per distinct (target, score), and `derivatives` by output. */
  readonly statements: Lines;
  readonly helpers: readonly EmitHelper[];
}

/**
 * The derivative functions `gradCam` calls: `(seen, selector) => ∂(Σ selector ⊙ score)/∂A` from
 * the values the forward run kept (`seen`, by tap name), with the layers' prepared weights read
 * through `locals` (the forward pass's local of each layer).
 */
export function gradCamDerivatives(
  inference: Graph,
  plan: GradCamPlan,
  locals: ReadonlyMap<number, string>,
): GradCamDerivatives {
  const statements: (string | Lines)[] = [];
  const helpers: EmitHelper[] = [];
  const functions = new Map<string, string>();
  const entries: string[] = [];
  const covered = plan.outputs.filter((o) => o.derivative);
  if (covered.length === 0) return { statements: [], helpers: [] };
  for (const { output, target, score } of covered) {
    const key = `${target}/${score}`;
    if (!functions.has(key)) {
      const name = `derivative${functions.size}`;
      const code = emitDerivative(
        inference,
        target,
        score,
        (id) => `seen.get(${quote(plan.taps.get(id)!)})!`,
        (id) => layerWeights(inference.nodes[id]!, member('layers', locals.get(id)!)).roles,
      );
      // planGradCam marked only outputs whose derivative it could emit.
      if (!code) throw new Error(`${inference.model}: no derivative from node ${target} to node ${score}`);
      functions.set(key, name);
      helpers.push(...code.helpers);
      statements.push(
        `// ${lineCommentText(`∂score/∂${inference.nodes[target]!.name} for the score ${inference.nodes[score]!.name}, layer by layer back from the score.`)}`,
        ...block(
          `const ${name} = (seen: ReadonlyMap<string, tf.Tensor>, selector: tf.Tensor): tf.Tensor4D => {`,
          code.statements,
          '};',
        ),
      );
    }
    entries.push(`${literalKey(output)}: ${functions.get(key)!},`);
  }
  statements.push(...block('const derivatives = {', entries, '};'));
  return { statements, helpers: [...new Map(helpers.map((h) => [h.name, h])).values()] };
}
