/** The data edges of an IR graph, resolved to nodes, in the order the exporters draw them. */
import { InternalError } from '../../diagnostics/diagnostic.js';
import type { Graph, IRNode } from '../graph.js';

export interface Edge {
  readonly from: IRNode;
  readonly to: IRNode;
}

/** One edge per input of every node, so a node that reads a tensor twice shows it twice. */
export function graphEdges(graph: Graph): Edge[] {
  const byId = indexNodes(graph);
  return graph.nodes.flatMap((node) =>
    node.inputs.map((input) => ({ from: lookup(byId, input, node.name), to: node })),
  );
}

export function nodeById(graph: Graph, id: number): IRNode {
  return lookup(indexNodes(graph), id, 'an output');
}

const indexes = new WeakMap<Graph, Map<number, IRNode>>();

function indexNodes(graph: Graph): Map<number, IRNode> {
  let byId = indexes.get(graph);
  if (!byId) {
    byId = new Map(graph.nodes.map((node) => [node.id, node]));
    indexes.set(graph, byId);
  }
  return byId;
}

// A dangling id means the IR was built wrongly; the exporters cannot draw a missing node.
function lookup(byId: Map<number, IRNode>, id: number, reader: string): IRNode {
  const node = byId.get(id);
  if (!node) throw new InternalError(`the IR has no node ${id}, read by ${reader}`);
  return node;
}
