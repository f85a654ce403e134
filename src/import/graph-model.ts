/**
 * Reading a tfjs graph model as tfjs-converter writes it (`format: graph-model`): the TensorFlow
 * nodes under `modelTopology.node` with their attributes, the model's inputs and outputs from its
 * `signature` (else the placeholders and the nodes nothing reads), and the constants by node name
 * from the weights manifest. Constants are decoded with tfjs-core's own `io.decodeWeights`, which
 * also expands the float16 and uint8 quantization tfjs-converter applies.
 */
import { basename, dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readManifestTensors, unreadable } from './source-files.js';

/** One attribute value as tfjs-converter writes it (a TensorFlow AttrValue in JSON). */
export interface GraphAttr {
  readonly i?: string | number;
  readonly f?: number;
  readonly b?: boolean;
  readonly s?: string;
  readonly type?: string;
  readonly shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  readonly list?: { i?: (string | number)[]; f?: number[]; s?: string[] };
  readonly tensor?: unknown;
}

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs as node names (an output index `:k` other than 0 is kept; control inputs are dropped). */
  readonly inputs: readonly string[];
  readonly attr: Readonly<Record<string, GraphAttr>>;
}

export interface GraphModel {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Const node name → value; the caller disposes them. */
  readonly constants: Map<string, tf.Tensor>;
}

type Json = Record<string, unknown>;

/** `model:0` → `model`; the signature and node inputs name tensors, segc names nodes. */
const nodeOf = (tensor: string) => tensor.replace(/:0$/, '');

export function isGraphModel(json: Json): boolean {
  const topology = json.modelTopology as Json | undefined;
  return json.format === 'graph-model' || Array.isArray(topology?.node);
}

/** Reads model.json (already parsed from `file`) as a graph model and decodes its constants. */
export async function readGraphModel(file: string, json: Json): Promise<GraphModel> {
  const topology = json.modelTopology as Json;
  const rawNodes = topology.node as Json[];
  if ((topology.library as Json | undefined)?.function)
    throw unreadable(
      file,
      `${file} has control flow (a function library), which segc import does not read`,
      'export the model without control flow (no tf.cond, tf.while_loop)',
    );
  const nodes: GraphNode[] = rawNodes.map((raw) => ({
    name: String(raw.name),
    op: String(raw.op),
    inputs: ((raw.input ?? []) as string[]).filter((i) => !i.startsWith('^')).map(nodeOf),
    attr: (raw.attr ?? {}) as Record<string, GraphAttr>,
  }));
  const signature = json.signature as { inputs?: Json; outputs?: Json } | undefined;
  const fromSignature = (entries: Json | undefined) =>
    entries ? Object.values(entries).map((entry) => nodeOf(String((entry as Json).name))) : [];
  let inputs = fromSignature(signature?.inputs);
  let outputs = fromSignature(signature?.outputs);
  if (inputs.length === 0) inputs = nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  if (outputs.length === 0) {
    const read = new Set(nodes.flatMap((n) => n.inputs));
    outputs = nodes
      .filter((n) => !['Const', 'Placeholder', 'NoOp'].includes(n.op) && !read.has(n.name))
      .map((n) => n.name);
  }
  if (inputs.length === 0 || outputs.length === 0)
    throw unreadable(
      file,
      `${file} is a graph model with no ${inputs.length === 0 ? 'input (Placeholder)' : 'output'}`,
      'convert the model again with tfjs-converter',
    );
  const constants = await readManifestTensors(file, json.weightsManifest, {
    quantized: true,
    writer: 'tfjs-converter',
  });
  const userName = (json.userDefinedMetadata as Json | undefined)?.name;
  const stem = basename(file) === 'model.json' ? basename(dirname(file)) : basename(file, '.json');
  return { name: typeof userName === 'string' ? userName : stem, nodes, inputs, outputs, constants };
}
