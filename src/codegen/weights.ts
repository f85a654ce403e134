/**
 * The weights of a generated module: the manifest constant, and each layer's tensors prepared
 * once when the model is created, as the interpreter's executor prepares them (a folded batch
 * norm computed by `foldBatchNorm`, runtime/fold-weights.ts written as code, so the kernels see
 * the same bits). Every prepared tensor belongs to the model; the caller's weights stay the
 * caller's.
 */
import type { Graph, IRNode } from '../ir/graph.js';
import { BATCH_NORM_PREFIX, BATCH_NORM_ROLES, type EmitHelper, FOLDED_BATCH_NORM_ATTRIBUTE } from '../ops/op.js';
import { findOp } from '../ops/registry.js';
import { isIdentifierText } from './identifiers.js';
import { type Lines, block } from './lines.js';
import { numberLiteral, quote } from './text.js';

export interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** Every weight the graph declares, in graph order (what `weightDeclarations` lists). */
export function weightManifest(graph: Graph): ManifestEntry[] {
  return graph.nodes.flatMap((node) =>
    node.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const })),
  );
}

/** `foldBatchNorm` of runtime/fold-weights.ts as code: the same calls in the same order. */
export const FOLD_BATCH_NORM: EmitHelper = {
  name: 'foldBatchNorm',
  typeParameters: ['Kernel extends tf.Tensor'],
  parameters: [
    { name: 'kernel', type: 'Kernel' },
    { name: 'bias', type: 'tf.Tensor1D | undefined' },
    { name: 'norm', type: '{ gamma: tf.Tensor; beta: tf.Tensor; movingMean: tf.Tensor; movingVariance: tf.Tensor }' },
    { name: 'epsilon', type: 'number' },
    { name: 'depthwise', type: 'boolean' },
  ],
  returnType: '{ kernel: Kernel; bias: tf.Tensor1D }',
  docs:
    'Folds an inference batch norm into the layer before it: per output channel, scale = γ/√(σ²+ε), ' +
    "W' = W·scale, b' = (b − μ)·scale + β. A depthwise kernel [kh, kw, C, m] has its output channels on two axes.",
  statements: [
    'const scale = tf.div(norm.gamma, tf.sqrt(tf.add(norm.movingVariance, epsilon)));',
    'const perChannel = depthwise ? tf.reshape(scale, [1, 1, kernel.shape[2]!, kernel.shape[3]!]) : scale;',
    'return {',
    '  kernel: tf.mul(kernel, perChannel),',
    '  bias: tf.add(tf.mul(tf.sub(bias ?? tf.zerosLike(scale), norm.movingMean), scale), norm.beta),',
    '};',
  ],
};

/** `object.role`, or `object["role"]` for a role that is not an identifier. */
export function member(object: string, role: string): string {
  return isIdentifierText(role) ? `${object}.${role}` : `${object}[${quote(role)}]`;
}

export interface LayerWeights {
  /** The property initializer for this layer in the prepared-weights object, spread over lines. */
  readonly initializer: Lines;
  /** The expression for each weight role, as the op's `emit` reads it. */
  readonly roles: Record<string, string>;
  readonly helpers: readonly EmitHelper[];
}

/** `weight<tf.Tensor4D>('conv/kernel')`: the rank in the type, so kernels type-check as tfjs expects. */
function weightCall(node: IRNode, role: string): string {
  const weight = node.weights.find((w) => w.role === role);
  return weight ? `weight<${rankType(weight.shape.length)}>(${quote(weight.name)})` : 'undefined';
}

function rankType(rank: number): string {
  return rank >= 1 && rank <= 6 ? `tf.Tensor${rank}D` : 'tf.Tensor';
}

function folded(
  node: IRNode,
  access: string,
  folds: { readonly kernel: string; readonly depthwise?: boolean },
): LayerWeights {
  const kernelRole = folds.kernel;
  const norm = BATCH_NORM_ROLES.map((role) => `${role}: ${weightCall(node, `${BATCH_NORM_PREFIX}${role}`)},`);
  const epsilon = numberLiteral(Number(node.attrs[FOLDED_BATCH_NORM_ATTRIBUTE]));
  const others = node.weights.filter(
    (w) => !w.role.startsWith(BATCH_NORM_PREFIX) && w.role !== kernelRole && w.role !== 'bias',
  );
  const roles: Record<string, string> = { [kernelRole]: member(access, 'kernel'), bias: member(access, 'bias') };
  for (const w of others) roles[w.role] = member(access, w.role);
  const spread = others.length > 0;
  const fold = block(
    `${spread ? '...' : ''}foldBatchNorm(${weightCall(node, kernelRole)}, ${weightCall(node, 'bias')}, {`,
    norm,
    `}, ${epsilon}, ${folds.depthwise === true})${spread ? ',' : ''}`,
  );
  const initializer = spread
    ? block('{', [...fold, ...others.map((w) => `${propertyName(w.role)}: ${weightCall(node, w.role)},`)], '}')
    : fold;
  return { initializer, roles, helpers: [FOLD_BATCH_NORM] };
}

function propertyName(role: string): string {
  return isIdentifierText(role) ? role : quote(role);
}

/** How a node's weights are prepared and read; `access` is the expression of its prepared object. */
export function layerWeights(node: IRNode, access: string): LayerWeights {
  const folds = findOp(node.op)?.foldsBatchNorm;
  if (node.attrs[FOLDED_BATCH_NORM_ATTRIBUTE] !== undefined && folds) return folded(node, access, folds);
  const roles: Record<string, string> = {};
  const fields = node.weights.map((w) => {
    roles[w.role] = member(access, w.role);
    return `${propertyName(w.role)}: ${weightCall(node, w.role)}`;
  });
  return { initializer: [`{ ${fields.join(', ')} }`], roles, helpers: [] };
}
