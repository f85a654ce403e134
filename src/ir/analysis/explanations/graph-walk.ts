/**
 * Walks over the IR for explanations: which inputs carry data (an `upsample(like: image)` reads
 * only the image's size, so the image is no path to the output through it), which nodes reach
 * a score, and which nodes lie on every path from the model inputs to it (its dominators).
 */
import type { Graph, IRNode } from '../../graph.js';
import { findOp } from '../../../ops/registry.js';

/** The ids a node reads values from: its inputs without the ones its op reads only for their shape. */
export function dataInputs(node: IRNode): number[] {
  const op = findOp(node.op);
  if (!op) return [...node.inputs];
  const tensorParameters = op.params.filter((p) => p.type === 'tensor' || p.type === 'tensors');
  // A list parameter gathers every input, so positions say nothing about roles.
  if (tensorParameters.some((p) => p.type === 'tensors')) return [...node.inputs];
  const shapeOnly = new Set(op.shapeOnlyInputs ?? []);
  return node.inputs.filter((_, index) => !shapeOnly.has(tensorParameters[index]?.name ?? ''));
}

/** Every node the value of `id` depends on, `id` included. */
export function ancestors(graph: Graph, id: number): Set<number> {
  const seen = new Set<number>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const input of dataInputs(graph.nodes[stack.pop()!]!)) {
      if (seen.has(input)) continue;
      seen.add(input);
      stack.push(input);
    }
  }
  return seen;
}

const ROOT = -1;

/**
 * Immediate dominators over the paths that start at a model input, in one pass: nodes are in
 * topological order, so every predecessor's dominator is known when a node is reached, and
 * the dominator of a node is the nearest common dominator of its predecessors (Cooper, Harvey
 * and Kennedy's intersection, on topological numbers). Nodes no input reaches get none.
 */
export function immediateDominators(graph: Graph): (number | undefined)[] {
  const dominator: (number | undefined)[] = graph.nodes.map(() => undefined);
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      dominator[node.id] = ROOT;
      continue;
    }
    const reached = dataInputs(node).filter((input) => dominator[input] !== undefined);
    if (reached.length > 0) dominator[node.id] = reached.reduce((a, b) => nearestCommon(dominator, a, b));
  }
  return dominator;
}

function nearestCommon(dominator: readonly (number | undefined)[], first: number, second: number): number {
  let a = first;
  let b = second;
  while (a !== b) {
    if (a > b) a = dominator[a]!;
    else b = dominator[b]!;
  }
  return a;
}

/** The nodes on every path from the model inputs to `id`, nearest first, `id` included. */
export function dominatorChain(graph: Graph, id: number): number[] {
  const dominator = immediateDominators(graph);
  const chain: number[] = [];
  for (let at: number | undefined = id; at !== undefined && at !== ROOT; at = dominator[at]) chain.push(at);
  return chain;
}

/** True for a 4-D feature map [N, H, W, C] of floats. */
export function isFeatureMap(node: IRNode): boolean {
  return node.type.dtype === 'f32' && node.type.shape.length === 4;
}

export function hasAnnotation(node: IRNode, name: string): boolean {
  return node.annotations.some((annotation) => annotation.name === name);
}

/** The channel count of a node whose last axis is fixed, else undefined. */
export function lastAxisSize(node: IRNode): number | undefined {
  const last = node.type.shape[node.type.shape.length - 1];
  return last?.kind === 'const' ? last.value : undefined;
}

/** How a node is shown to people: its name, and the `let` name when there is one. */
export function describeNode(node: IRNode): string {
  return node.binding && node.binding !== node.name ? `\`${node.name}\` (${node.binding})` : `\`${node.name}\``;
}

/** Skips nodes whose op says they pass values through unchanged at inference (dropout). */
export function throughIdentities(graph: Graph, id: number): number {
  let at = graph.nodes[id]!;
  const identity = (node: IRNode) =>
    findOp(node.op)?.identityWhen?.(
      node.attrs,
      node.inputs.map((i) => graph.nodes[i]!.type),
    ) === true;
  while (identity(at)) at = graph.nodes[at.inputs[0]!]!;
  return at.id;
}
