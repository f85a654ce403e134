/**
 * IR invariants, checked between passes in verify mode (always on in tests): nodes in topological
 * order with ids equal to positions, known ops, unique node and weight names, valid outputs, and
 * every node's type equal to what its op's shape rule gives for its inputs.
 */
import { InternalError } from '../diagnostics/diagnostic.js';
import { findOp } from '../ops/registry.js';
import type { TensorType } from '../ops/op.js';
import type { Graph } from './graph.js';
import { CheckingShapeContext } from '../shapes/shape-context.js';
import type { SizeSpace } from '../shapes/sizes.js';
import { structural } from '../shapes/symbolic.js';

export function verifyGraph(graph: Graph, sizes: SizeSpace, after: string): void {
  const fail = (message: string) => {
    throw new InternalError(`IR verification failed after pass \`${after}\`: ${message}`);
  };
  const names = new Set<string>();
  const weights = new Set<string>();
  const context = new CheckingShapeContext(sizes);
  graph.nodes.forEach((node, index) => {
    if (node.id !== index) fail(`node ${node.name} has id ${node.id} at position ${index}`);
    if (names.has(node.name)) fail(`two nodes are named ${node.name}`);
    names.add(node.name);
    for (const w of node.weights) {
      if (weights.has(w.name)) fail(`two weights are named ${w.name}`);
      weights.add(w.name);
      if (!w.shape.every((d) => Number.isInteger(d) && d >= 1))
        fail(`weight ${w.name} has shape [${w.shape.join(', ')}]`);
    }
    for (const input of node.inputs)
      if (!(input >= 0 && input < index)) fail(`node ${node.name} reads node ${input}, which is not before it`);
    if (node.op === 'input') return;
    const op = findOp(node.op);
    if (!op) return fail(`node ${node.name} has unknown op ${node.op}`);
    const expected = op.shape(
      node.inputs.map((i) => graph.nodes[i]!.type),
      node.attrs,
      context,
    );
    if (!sameType(expected, node.type, sizes))
      fail(`node ${node.name} has type ${show(node.type)} but its op gives ${show(expected)}`);
  });
  for (const output of graph.outputs) if (!graph.nodes[output.node]) fail(`output ${output.name} reads a missing node`);
  for (const input of graph.inputs)
    if (graph.nodes[input.node]?.op !== 'input') fail(`input ${input.name} is not an input node`);
}

function sameType(a: TensorType, b: TensorType, sizes: SizeSpace): boolean {
  // The same expression is the same size; only different ones need the search over sizes,
  // which would otherwise make verifying a 20,000-layer graph take minutes.
  const same = (d: TensorType['shape'][number], e: TensorType['shape'][number]) =>
    structural(d) === structural(e) || sizes.compare(d, e).kind === 'equal';
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => same(d, b.shape[i]!));
}

function show(type: TensorType): string {
  return `${type.dtype}[${type.shape.map(structural).join(', ')}]`;
}
