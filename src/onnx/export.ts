/**
 * Exports a model's inference graph (batch norms folded, activations fused) as an ONNX model at
 * opset 17: weights as initializers, node names and doc strings from the `.seg` source, inputs
 * and outputs NHWC as declared, the preprocessing segc applies in the metadata. Models whose
 * weights pass `externalDataThreshold` bytes (2 GB by default, protobuf's limit) keep them in one
 * external data file beside the model, as ONNX's external-data convention describes.
 *
 * Weights are copied to the host asynchronously (`data()`) before anything is lowered: a
 * synchronous read of a tensor that lives only on the GPU makes tfjs-backend-webgpu copy it
 * through a canvas, and in Chromium's SwiftShader adapter that lost the device. There is no
 * synchronous export for that reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, IRNode } from '../ir/graph.js';
import type { Dim } from '../shapes/symbolic.js';
import type { TensorType } from '../ops/op.js';
import { prepareFoldedWeights } from '../runtime/fold-weights.js';
import { type InitializerRecord, OnnxGraphBuilder, type OnnxValue } from './builder.js';
import { erase } from './erase.js';
import { LAYER_LOWERINGS } from './layers.js';
import { type HostTensor, type Lowering, UnsupportedError } from './lowering.js';
import { describePreprocessing } from './preprocessing.js';
import { ElementType, IR_VERSION, OPSET, modelProto } from './schema.js';
import { TENSOR_LOWERINGS } from './tensors.js';

/**
 * How each op is written in ONNX, keyed by op name. A lowering table, not a fact about the op:
 * it belongs to this target, as codegen/pytorch's does to PyTorch, and an op without an entry
 * is reported as unsupported for ONNX export.
 */
const LOWERINGS: Readonly<Record<string, Lowering>> = { ...LAYER_LOWERINGS, ...TENSOR_LOWERINGS, erase };
const TWO_GB = 2 ** 31;

export interface OnnxExportOptions {
  /** Weights larger than this in total go to an external data file (bytes; default 2 GB). */
  readonly externalDataThreshold?: number;
  /** The external data file's name, relative to the model file (default `<model>.onnx.data`). */
  readonly externalDataFile?: string;
  /** The producer version written into the model. */
  readonly producerVersion?: string;
}

export interface OnnxExport {
  readonly model: Uint8Array;
  /** The external data file's name and bytes, when the weights are kept outside the model. */
  readonly externalData?: { readonly file: string; readonly bytes: Uint8Array };
}

/** Raised when a graph uses something ONNX cannot express; names the node and where it was written. */
export class OnnxExportError extends Error {
  constructor(
    readonly node: IRNode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/** `graph` must be an inference graph; `weights` holds every weight it names, by name. */
export async function exportOnnx(
  graph: Graph,
  weights: ReadonlyMap<string, tf.Tensor>,
  options: OnnxExportOptions = {},
): Promise<OnnxExport> {
  return exportHostOnnx(graph, await HostWeights.read(graph.nodes, weights), options);
}

/** `exportOnnx` on weights already copied to the host. */
export function exportHostOnnx(graph: Graph, weights: HostWeights, options: OnnxExportOptions = {}): OnnxExport {
  const builder = new OnnxGraphBuilder([...graph.inputs.map((i) => i.name), ...graph.outputs.map((o) => o.name)]);
  const values = lowerNodes(graph, graph.nodes, weights, builder);
  for (const output of graph.outputs) {
    builder.add(
      'Identity',
      [builder.as(values.get(output.node)!, 'nhwc')],
      {},
      { name: output.name, doc: `output ${output.name}` },
      output.name,
    );
  }
  const inputs = graph.inputs.map((i) => valueInfo(i.name, graph.nodes[i.node]!.type));
  const outputs = graph.outputs.map((o) => valueInfo(o.name, graph.nodes[o.node]!.type));
  return encodeModel(graph, builder, inputs, outputs, options);
}

/** Lowers `nodes` (in graph order, with everything they read) and answers each node's ONNX value. */
export function lowerNodes(
  graph: Graph,
  nodes: readonly IRNode[],
  weights: HostWeights,
  builder: OnnxGraphBuilder,
): Map<number, OnnxValue> {
  const values = new Map<number, OnnxValue>();
  for (const node of nodes)
    values.set(
      node.id,
      node.op === 'input' ? inputValue(graph, node) : lowerNode(graph, node, values, builder, weights),
    );
  return values;
}

/** The ModelProto bytes for a built graph with the given inputs and outputs. */
export function encodeModel(
  graph: Graph,
  builder: OnnxGraphBuilder,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  options: OnnxExportOptions = {},
): OnnxExport {
  const initializers = placeData(builder.initializers, options, graph.model);
  const proto = modelProto();
  const message = proto.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'segc',
    producer_version: options.producerVersion ?? '',
    doc_string: graph.doc ?? '',
    graph: {
      name: graph.model,
      doc_string: graph.doc ?? '',
      node: builder.nodes,
      initializer: initializers.records,
      input: inputs,
      output: outputs,
    },
    metadata_props: Object.entries(describePreprocessing(graph)).map(([key, value]) => ({ key, value })),
  });
  const model = proto.encode(message).finish();
  return { model, ...(initializers.external ? { externalData: initializers.external } : {}) };
}

function inputValue(graph: Graph, node: IRNode): OnnxValue {
  const name = graph.inputs.find((i) => i.node === node.id)!.name;
  return { name, rank: node.type.shape.length, layout: node.type.shape.length === 4 ? 'nhwc' : 'plain' };
}

function lowerNode(
  graph: Graph,
  node: IRNode,
  values: Map<number, OnnxValue>,
  builder: OnnxGraphBuilder,
  weights: HostWeights,
): OnnxValue {
  const lowering = LOWERINGS[node.op];
  if (!lowering)
    throw new OnnxExportError(
      node,
      `the op \`${node.op}\` has no ONNX form`,
      'see docs/onnx.md for the ops the exporter supports',
    );
  const weight = weights.of(node);
  try {
    const inputs = node.inputs.map((id) => values.get(id)!);
    const inputTypes = node.inputs.map((id) => graph.nodes[id]!.type);
    return lowering({
      node,
      inputs,
      inputTypes,
      builder,
      weight,
      origin: { name: node.name, doc: describeNode(node) },
    });
  } catch (error) {
    if (error instanceof UnsupportedError) throw new OnnxExportError(node, error.message, error.hint);
    throw error;
  }
}

/**
 * The weights of a graph's nodes by role on the host, as the executor uses them (batch norm
 * folded), keyed by node id. Read from tfjs asynchronously, once, before lowering.
 */
export class HostWeights {
  private constructor(private readonly byNode: ReadonlyMap<number, Readonly<Record<string, HostTensor>>>) {}

  /** Copies the weights of `nodes` from `store` to the host without a synchronous read. */
  static async read(nodes: readonly IRNode[], store: ReadonlyMap<string, tf.Tensor>): Promise<HostWeights> {
    const read = await Promise.all(
      nodes
        .filter((node) => node.weights.length > 0)
        .map(async (node) => [node.id, await hostWeights(node, store)] as const),
    );
    return new HostWeights(new Map(read));
  }

  /** The node's weight by role; a role that was not loaded is an export error naming the node. */
  of(node: IRNode): (role: string) => HostTensor {
    return (role) => {
      const tensor = this.byNode.get(node.id)?.[role];
      if (!tensor) throw new OnnxExportError(node, `the weight \`${node.name}/${role}\` is not loaded`);
      return tensor;
    };
  }
}

/** The node's weights as the executor uses them (batch norm folded), copied to the host. */
async function hostWeights(node: IRNode, store: ReadonlyMap<string, tf.Tensor>): Promise<Record<string, HostTensor>> {
  const folded = node.attrs.foldedBatchNorm !== undefined;
  const tensors: Record<string, tf.Tensor> = folded
    ? tf.tidy(() => prepareFoldedWeights(node, store))
    : Object.fromEntries(node.weights.filter((w) => store.has(w.name)).map((w) => [w.role, store.get(w.name)!]));
  const host: Record<string, HostTensor> = {};
  try {
    for (const [role, tensor] of Object.entries(tensors))
      // A copy: on the cpu backend data() answers the tensor's own array.
      host[role] = { shape: tensor.shape, data: Float32Array.from((await tensor.data()) as Float32Array) };
  } finally {
    if (folded)
      for (const tensor of Object.values(tensors))
        if (!node.weights.some((w) => store.get(w.name) === tensor)) tensor.dispose();
  }
  return host;
}

/** Where the node was written, and the block calls that led there: `aspp.seg:9:5 (in ASPP at deeplab.seg:20:17)`. */
function describeNode(node: IRNode): string {
  const at = (span: IRNode['span']) => `${span.file}:${span.start.line}:${span.start.column}`;
  const calls = node.callChain.map((c) => `in ${c.block} called at ${at(c.span)}`);
  const binding = node.binding ? [`bound to \`${node.binding}\``] : [];
  return [`${node.op} at ${at(node.span)}`, ...calls, ...binding].join('; ');
}

export interface ValueInfo {
  readonly name: string;
  readonly type: unknown;
}

/** A graph input or output: its name, element type and NHWC shape. */
export function valueInfo(name: string, type: TensorType): ValueInfo {
  const elemType = type.dtype === 'i32' ? ElementType.int32 : ElementType.float;
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: type.shape.map(dimension) } } } };
}

/** Fixed sizes as values, size symbols as named parameters, derived sizes left unnamed. */
function dimension(d: Dim) {
  if (d.kind === 'const') return { dim_value: d.value };
  if (d.kind === 'sym') return { dim_param: d.name };
  return {};
}

interface PlacedData {
  readonly records: Record<string, unknown>[];
  readonly external?: { readonly file: string; readonly bytes: Uint8Array };
}

/** Initializers with their bytes inline, or (past the threshold) at offsets in one external file. */
function placeData(initializers: readonly InitializerRecord[], options: OnnxExportOptions, model: string): PlacedData {
  const bytesOf = (record: InitializerRecord) =>
    new Uint8Array(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  const total = initializers.reduce((sum, r) => sum + r.data.byteLength, 0);
  const base = (record: InitializerRecord) => ({ name: record.name, dims: record.dims, data_type: record.data_type });
  if (total <= (options.externalDataThreshold ?? TWO_GB))
    return { records: initializers.map((r) => ({ ...base(r), raw_data: bytesOf(r) })) };
  const file = options.externalDataFile ?? `${model}.onnx.data`;
  const bytes = new Uint8Array(total);
  let offset = 0;
  const records = initializers.map((record) => {
    bytes.set(bytesOf(record), offset);
    const location = [
      ['location', file],
      ['offset', String(offset)],
      ['length', String(record.data.byteLength)],
    ];
    offset += record.data.byteLength;
    return { ...base(record), data_location: 1, external_data: location.map(([key, value]) => ({ key, value })) };
  });
  return { records, external: { file, bytes } };
}
