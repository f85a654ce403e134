/**
 * IR invariants, checked between passes in verify mode (always on in tests): nodes in topological
 * order with ids equal to positions, known ops, unique node and weight names, valid outputs,
 * every node's type equal to what its op's shape rule gives for its inputs, and no attribute or
 * weight role that neither the op's params and `weights` nor its pass declarations
 * (`passAdditions`: a folded batch norm, a fused activation's attributes) allow.
 */
import { InternalError } from '../diagnostics/diagnostic.js';
import { OPS, findOp } from '../ops/registry.js';
import { type OpDef, type TensorType, passAdditions } from '../ops/op.js';
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
    const undeclared = undeclaredParts(op, node, graph);
    if (undeclared) fail(`node ${node.name} (${node.op}) has ${undeclared}, which ${node.op} does not declare`);
  });
  for (const output of graph.outputs) if (!graph.nodes[output.node]) fail(`output ${output.name} reads a missing node`);
  for (const input of graph.inputs)
    if (graph.nodes[input.node]?.op !== 'input') fail(`input ${input.name} is not an input node`);
}

/** The first attribute or weight role of `node` that its op does not declare, described. */
const ADDITIONS = new Map<OpDef, ReturnType<typeof passAdditions>>();

function undeclaredParts(op: OpDef, node: Graph['nodes'][number], graph: Graph): string | undefined {
  const added = ADDITIONS.get(op) ?? passAdditions(op, OPS);
  ADDITIONS.set(op, added);
  const params = new Set(op.params.map((p) => p.name));
  const attribute = Object.keys(node.attrs).find((name) => !params.has(name) && !added.attrs.has(name));
  if (attribute !== undefined) return `attribute \`${attribute}\``;
  const inputs = node.inputs.map((i) => graph.nodes[i]!.type);
  const roles = new Set((op.weights?.(inputs, node.attrs) ?? []).map((w) => w.role));
  const role = node.weights.find((w) => !roles.has(w.role) && !added.weightRoles.has(w.role))?.role;
  return role === undefined ? undefined : `weight role \`${role}\``;
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
