/**
 * Blocks collapsed to a depth, as torchinfo's `depth` does for modules: at depth 0 every block
 * the model calls is one unit; at depth 1 the model's blocks show their own layers and the blocks
 * they call are units; and so on. Summaries sum a unit's rows; drawings draw a unit as one node.
 *
 * A unit is one call site, so the iterations of a `repeat` or comprehension (which share their
 * call site, as they share a cluster in drawings) are one unit, counted by `iterations`.
 */
import { InternalError } from '../../diagnostics/diagnostic.js';
import type { CallSite, Graph, IRNode } from '../graph.js';

/** Deeper than any real nesting: everything expanded. */
export const FULL_DEPTH = Number.POSITIVE_INFINITY;

export interface Unit {
  /** The original nodes, in topological order; one node when it is not collapsed. */
  readonly nodes: readonly IRNode[];
  /** Present when the unit is a collapsed block call. */
  readonly block?: CollapsedBlock;
}

export interface CollapsedBlock {
  /** The call: the block's name and where it was called. */
  readonly site: CallSite;
  /** The calls enclosing it, outermost first (the clusters it is drawn in). */
  readonly enclosing: readonly CallSite[];
  /** The common prefix of its layers' names: `encoded/aspp`. */
  readonly name: string;
  /** How many times the call ran: the iterations of a `repeat` or a comprehension, else 1. */
  readonly iterations: number;
  /** How many IR nodes it holds. */
  readonly layers: number;
  /** The last node whose value leaves the block; its shape is the block's output shape. */
  readonly exit: IRNode;
}

/** The graph's nodes grouped into units at `depth`, in topological order. */
export function unitsAtDepth(graph: Graph, depth: number): Unit[] {
  const members = new Map<string, IRNode[]>();
  for (const node of graph.nodes) {
    const key = node.callChain.length > depth ? siteKey(node.callChain.slice(0, depth + 1)) : `#${node.id}`;
    const list = members.get(key);
    if (list) list.push(node);
    else members.set(key, [node]);
  }
  const unitOf = new Map<number, number>();
  const units = [...members.values()].map((nodes, index) => {
    nodes.forEach((n) => unitOf.set(n.id, index));
    return nodes;
  });
  for (const node of graph.nodes) {
    const missing = node.inputs.find((i) => !unitOf.has(i));
    if (missing !== undefined) throw new InternalError(`the IR has no node ${missing}, read by ${node.name}`);
  }
  return orderUnits(units, unitOf).map((nodes) => describeUnit(graph, nodes, depth, unitOf));
}

/**
 * The graph drawn at `depth`: each collapsed block call replaced by one node (op `block`, the
 * block's output type and all its weights) that reads what the block read from outside. Node ids
 * are renumbered in order, as in any IR graph. `blocks` says what each collapsed node stands for.
 */
export function collapseGraph(
  graph: Graph,
  depth: number,
): { graph: Graph; blocks: ReadonlyMap<number, CollapsedBlock> } {
  if (graph.nodes.every((n) => n.callChain.length <= depth)) return { graph, blocks: new Map() };
  const units = unitsAtDepth(graph, depth);
  const viewId = new Map<number, number>();
  units.forEach((unit, index) => unit.nodes.forEach((n) => viewId.set(n.id, index)));
  const blocks = new Map<number, CollapsedBlock>();
  const nodes = units.map((unit, index): IRNode => {
    if (!unit.block) return { ...unit.nodes[0]!, id: index, inputs: unit.nodes[0]!.inputs.map((i) => viewId.get(i)!) };
    const inputs = unique(
      unit.nodes
        .flatMap((n) => n.inputs)
        .map((i) => viewId.get(i)!)
        .filter((i) => i !== index),
    );
    blocks.set(index, unit.block);
    const { site, enclosing, name, exit } = unit.block;
    return {
      id: index,
      op: 'block',
      inputs,
      attrs: {},
      name,
      type: exit.type,
      weights: unit.nodes.flatMap((n) => n.weights),
      span: site.span,
      callChain: enclosing,
      annotations: [],
    };
  });
  const outputs = graph.outputs.map((o) => ({ ...o, node: viewId.get(o.node)! }));
  const inputs = graph.inputs.map((i) => ({ ...i, node: viewId.get(i.node)! }));
  return { graph: { ...graph, nodes, outputs, inputs }, blocks };
}

function describeUnit(graph: Graph, nodes: IRNode[], depth: number, unitOf: ReadonlyMap<number, number>): Unit {
  const first = nodes[0]!;
  if (first.callChain.length <= depth) return { nodes };
  const unit = unitOf.get(first.id);
  const leaves = new Set(graph.outputs.map((o) => o.node));
  for (const node of graph.nodes) for (const input of node.inputs) if (unitOf.get(node.id) !== unit) leaves.add(input);
  const exit = [...nodes].reverse().find((n) => leaves.has(n.id)) ?? nodes[nodes.length - 1]!;
  const { name, iterations } = commonName(nodes.map((n) => n.name));
  const site = first.callChain[depth]!;
  return {
    nodes,
    block: { site, enclosing: first.callChain.slice(0, depth), name, iterations, layers: nodes.length, exit },
  };
}

/**
 * The longest common `/`-prefix of the layers' names (their own last segment excluded). Layers of
 * repeated calls differ right after it by an index (`repeat/0/...`, `repeat/1/...`).
 */
function commonName(names: readonly string[]): { name: string; iterations: number } {
  const paths = names.map((n) => n.split('/').slice(0, -1));
  let length = 0;
  while (paths.every((p) => p.length > length && p[length] === paths[0]![length])) length++;
  const next = new Set(paths.map((p) => p[length]).filter((s): s is string => s !== undefined));
  const indexed = next.size > 0 && [...next].every((s) => /^\d+$/.test(s));
  return { name: paths[0]!.slice(0, length).join('/') || names[0]!, iterations: indexed ? next.size : 1 };
}

/** Units in topological order, earliest first node first among the ready ones (Kahn). */
function orderUnits(units: readonly IRNode[][], unitOf: ReadonlyMap<number, number>): IRNode[][] {
  const sources = units.map((nodes, index) =>
    unique(
      nodes
        .flatMap((n) => n.inputs)
        .map((i) => unitOf.get(i)!)
        .filter((u) => u !== index),
    ),
  );
  const waiting = sources.map((s) => s.length);
  const readers = units.map((): number[] => []);
  sources.forEach((list, reader) => list.forEach((source) => readers[source]!.push(reader)));
  const ready = waiting.flatMap((w, i) => (w === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const next = ready.pop()!;
    order.push(next);
    for (const reader of readers[next]!) if (--waiting[reader]! === 0) ready.push(reader);
  }
  // A block whose layers read a value computed outside it from its own earlier layers cannot be
  // one node; elaboration emits a call's layers together, so this is a compiler bug.
  if (order.length !== units.length) throw new InternalError('collapsing blocks made a cycle in the graph');
  return order.map((i) => units[i]!);
}

function siteKey(chain: readonly CallSite[]): string {
  return JSON.stringify(
    chain.map((site) => [site.block, site.span.file, site.span.start.offset, site.span.end.offset]),
  );
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}
