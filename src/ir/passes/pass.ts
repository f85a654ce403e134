/**
 * A named, pure Graph → Graph transformation that also says where each node went, and the
 * rewiring helpers passes share.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../graph.js';
import type { SizeSpace } from '../../shapes/sizes.js';

export type PassMode = 'source' | 'inference' | 'training';

export interface PassContext {
  readonly sizes: SizeSpace;
  readonly mode: PassMode;
  /** Lint passes report warnings here. */
  readonly report: (diagnostic: Diagnostic) => void;
}

/**
 * A node map: for each node id of the graph a pass was given, the id of the node that computes
 * the same value in the graph it returns, or undefined when no node does (a dead node; a layer
 * whose own output was replaced by a batch norm or activation merged into it).
 */
export type NodeMap = readonly (number | undefined)[];

export interface PassResult {
  readonly graph: Graph;
  readonly map: NodeMap;
}

export interface Pass {
  readonly name: string;
  /** The modes this pass runs in. */
  readonly modes: readonly PassMode[];
  run(graph: Graph, context: PassContext): PassResult;
}

/** The result of a pass that changed nothing: every node maps to itself. */
export function unchanged(graph: Graph): PassResult {
  return { graph, map: graph.nodes.map((n) => n.id) };
}

/** The map of two passes run one after the other. */
export function composeMaps(first: NodeMap, second: NodeMap): NodeMap {
  return first.map((id) => (id === undefined ? undefined : second[id]));
}

/**
 * Rebuilds a graph keeping only `keep` nodes, in order, with fresh ids; `replace` maps a removed
 * node to the node its readers should read instead (which then computes its value). `lost` are
 * kept nodes whose own value the new graph no longer computes (`update` changed what they do).
 */
export function rebuild(
  graph: Graph,
  keep: (node: IRNode) => boolean,
  replace: ReadonlyMap<number, number> = new Map(),
  update: (node: IRNode) => IRNode = (n) => n,
  lost: ReadonlySet<number> = new Set(),
): PassResult {
  const resolve = (id: number): number => {
    let current = id;
    while (replace.has(current)) current = replace.get(current)!;
    return current;
  };
  const newId = new Map<number, number>();
  const nodes: IRNode[] = [];
  for (const node of graph.nodes) {
    if (!keep(node)) continue;
    const updated = update(node);
    const id = nodes.length;
    newId.set(node.id, id);
    nodes.push({ ...updated, id, inputs: updated.inputs.map((i) => newId.get(resolve(i))!) });
  }
  const map = graph.nodes.map((n) => (lost.has(n.id) ? undefined : newId.get(resolve(n.id))));
  return {
    graph: {
      ...graph,
      nodes,
      inputs: graph.inputs.map((i) => ({ ...i, node: newId.get(resolve(i.node))! })),
      outputs: graph.outputs.map((o) => ({ ...o, node: newId.get(resolve(o.node))! })),
    },
    map,
  };
}

/** For each node id, the ids of the nodes that read it (outputs count as a reader, id -1). */
export function readers(graph: Graph): Map<number, number[]> {
  const result = new Map<number, number[]>(graph.nodes.map((n) => [n.id, []]));
  for (const node of graph.nodes) for (const input of node.inputs) result.get(input)!.push(node.id);
  for (const output of graph.outputs) result.get(output.node)!.push(-1);
  return result;
}

/**
 * Merges single-input nodes into the node that produces their input, where `merge` agrees:
 * the producer takes the merged node's place for every reader. `merge` returns the combined
 * node, or undefined to leave the pair alone. Only a producer read by nothing else qualifies.
 * The merged node maps to the combined node; the producer's own value is gone.
 */
export function mergeIntoProducers(
  graph: Graph,
  merge: (node: IRNode, producer: IRNode) => IRNode | undefined,
): PassResult {
  const readersOf = readers(graph);
  const replace = new Map<number, number>();
  const merged = new Map<number, IRNode>();
  for (const node of graph.nodes) {
    if (node.inputs.length !== 1) continue;
    const producer = merged.get(node.inputs[0]!) ?? graph.nodes[node.inputs[0]!]!;
    if (readersOf.get(producer.id)!.length !== 1) continue;
    const combined = merge(node, producer);
    if (!combined) continue;
    merged.set(producer.id, combined);
    replace.set(node.id, producer.id);
  }
  if (replace.size === 0) return unchanged(graph);
  return rebuild(
    graph,
    (n) => !replace.has(n.id),
    replace,
    (n) => merged.get(n.id) ?? n,
    new Set(merged.keys()),
  );
}
