/**
 * The versioned JSON form of the IR (`segc ir`, and the file `segc build` writes beside the code).
 * The reader checks the format name and version first and rejects what it does not know, then
 * checks the structure, so a tool never runs a graph it misread. Schema: docs/ir.schema.json.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import { type Graph, IR_VERSION } from './graph.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export const IR_FORMAT = 'segc-ir';

export interface IRDocument {
  readonly format: typeof IR_FORMAT;
  readonly version: number;
  readonly graph: Graph;
}

export function writeIR(graph: Graph): string {
  const document: IRDocument = { format: IR_FORMAT, version: IR_VERSION, graph };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const HERE: Span = { file: '<ir>', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

function fail(message: string, hint?: string): never {
  throw diagnosticError(codes.badIrFile, message, { hint, span: HERE });
}

export function readIR(text: string, file = '<ir>'): Graph {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const doc = document as Partial<IRDocument>;
  if (typeof doc !== 'object' || doc === null || doc.format !== IR_FORMAT)
    fail(`${file} is not a segc IR file (no "format": "${IR_FORMAT}")`);
  if (doc.version !== IR_VERSION) {
    fail(
      `${file} has IR version ${JSON.stringify(doc.version)}, but this segc reads version ${IR_VERSION}`,
      'rebuild the IR from the .seg file with this version of segc',
    );
  }
  checkGraph(doc.graph, file);
  return doc.graph as Graph;
}

function checkGraph(graph: unknown, file: string): void {
  const g = graph as Record<string, unknown>;
  if (typeof g !== 'object' || g === null) fail(`${file}: "graph" is missing`);
  for (const key of ['nodes', 'inputs', 'outputs', 'symbols', 'constraints']) {
    if (!Array.isArray(g[key])) fail(`${file}: "graph.${key}" must be an array`);
  }
  if (typeof g.model !== 'string') fail(`${file}: "graph.model" must be a string`);
  (g.nodes as unknown[]).forEach((node, index) => checkNode(node, index, file));
  const count = (g.nodes as unknown[]).length;
  for (const ref of [...(g.inputs as { node: unknown }[]), ...(g.outputs as { node: unknown }[])]) {
    if (!Number.isInteger(ref.node) || (ref.node as number) < 0 || (ref.node as number) >= count)
      fail(`${file}: an input or output refers to node ${String(ref.node)}, which does not exist`);
  }
}

function checkNode(node: unknown, index: number, file: string): void {
  const n = node as Record<string, unknown>;
  const where = `${file}: node ${index}`;
  if (typeof n !== 'object' || n === null) fail(`${where} is not an object`);
  if (n.id !== index) fail(`${where} has id ${String(n.id)}`);
  if (typeof n.op !== 'string' || typeof n.name !== 'string') fail(`${where} needs "op" and "name" strings`);
  if (
    !Array.isArray(n.inputs) ||
    !(n.inputs as unknown[]).every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < index)
  ) {
    fail(`${where} (${String(n.name)}) has inputs that are not earlier nodes`);
  }
  const type = n.type as { dtype?: unknown; shape?: unknown };
  if (!type || (type.dtype !== 'f32' && type.dtype !== 'i32') || !Array.isArray(type.shape))
    fail(`${where} (${String(n.name)}) has a malformed type`);
  if (!Array.isArray(n.weights) || typeof n.attrs !== 'object')
    fail(`${where} (${String(n.name)}) needs "weights" and "attrs"`);
}
