/**
 * Reading an ONNX model (`.onnx`, a protobuf `ModelProto`) with the ONNX schema segc's exporter
 * already carries (`src/onnx/schema.ts`): the nodes with their attributes, the graph's inputs
 * (initializers excluded) and outputs, and the initializers and `Constant` values as plain
 * arrays. Float tensors are kept as float32; int64 and int32 tensors (shapes, axes, sizes) as
 * numbers.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { AttributeType, modelProto } from '../onnx/schema.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';
import { codes } from '../diagnostics/codes.js';
import { unreadable } from './source-files.js';
import { PREPROCESSING_CHOICES, type Preprocessing } from '../ir/preprocessing.js';

export interface OnnxConstant {
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

export interface OnnxAttribute {
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly t?: OnnxConstant;
}

export interface OnnxNode {
  readonly name: string;
  readonly op: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attr: Readonly<Record<string, OnnxAttribute>>;
}

export interface OnnxGraphInput {
  readonly name: string;
  /** Sizes; null where the model leaves one open (a `dim_param`). */
  readonly shape: readonly (number | null)[];
}

export interface OnnxModel {
  readonly name: string;
  readonly opset: number;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxGraphInput[];
  readonly outputs: readonly string[];
  readonly constants: Map<string, OnnxConstant>;
  /**
   * Conditions on open sizes that segc's own export records (`segc.constraints` in the
   * metadata, e.g. `H % 8 == 0`); empty for other producers.
   */
  readonly constraints: readonly string[];
  /**
   * How an image becomes each input's tensor, by input name, as segc's own export records it
   * (`segc.inputs` in the metadata); empty for other producers.
   */
  readonly preprocessing: ReadonlyMap<string, Preprocessing>;
}

type Json = Record<string, unknown>;

/** An ONNX file starts with field 1 (ir_version, varint: byte 0x08) in practice; `.onnx` by name. */
export function isOnnxFile(file: string, head: Uint8Array): boolean {
  return extname(file).toLowerCase() === '.onnx' || (head[0] === 0x08 && head.length > 1 && head[1]! < 0x20);
}

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const DOUBLE = 11;

function tensorOf(raw: Json, file: string, name: string): OnnxConstant {
  const dims = ((raw.dims ?? []) as number[]).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const type = Number(raw.data_type ?? 0);
  if (raw.data_location === 1 || (raw.external_data as unknown[] | undefined)?.length)
    throw unreadable(
      file,
      `the tensor \`${name}\` of ${file} is stored outside the file`,
      'export the model with its weights inside (torch.onnx.export without external data)',
    );
  const bytes = raw.raw_data as Uint8Array | undefined;
  let values: Float32Array;
  if (bytes && bytes.byteLength > 0) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const width = type === FLOAT || type === INT32 ? 4 : type === INT64 || type === DOUBLE ? 8 : 0;
    if (width === 0)
      throw unreadable(
        file,
        `the tensor \`${name}\` of ${file} has element type ${type}; segc reads float, double, int32 and int64`,
        'export the model in float32',
      );
    if (bytes.byteLength < count * width)
      throw unreadable(file, `the tensor \`${name}\` of ${file} is short`, 'export the model again');
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      values[i] =
        type === FLOAT
          ? view.getFloat32(i * 4, true)
          : type === INT32
            ? view.getInt32(i * 4, true)
            : type === DOUBLE
              ? view.getFloat64(i * 8, true)
              : Number(view.getBigInt64(i * 8, true));
    }
  } else {
    const list = ((type === INT64 ? raw.int64_data : type === INT32 ? raw.int32_data : raw.float_data) ??
      []) as number[];
    values = Float32Array.from(list, Number);
  }
  if (values.length !== count)
    throw unreadable(
      file,
      `the tensor \`${name}\` of ${file} has ${values.length} values for ${count}`,
      'export the model again',
    );
  return { dims, values };
}

function attributes(raw: Json[], file: string, node: string): Record<string, OnnxAttribute> {
  const result: Record<string, OnnxAttribute> = {};
  for (let a of raw) {
    const name = String(a.name);
    // proto3 leaves zeros out of the encoding: an INT or FLOAT attribute without a value is 0.
    const type = Number(a.type ?? 0);
    if (type === AttributeType.int && a.i === undefined) a = { ...a, i: 0 };
    if (type === AttributeType.float && a.f === undefined) a = { ...a, f: 0 };
    result[name] = {
      ...(a.f !== undefined ? { f: Number(a.f) } : {}),
      ...(a.i !== undefined ? { i: Number(a.i) } : {}),
      ...(a.s !== undefined ? { s: Buffer.from(a.s as Uint8Array).toString() } : {}),
      ...(a.floats ? { floats: (a.floats as number[]).map(Number) } : {}),
      ...(a.ints ? { ints: (a.ints as number[]).map(Number) } : {}),
      ...(a.t ? { t: tensorOf(a.t as Json, file, `${node}.${name}`) } : {}),
    };
  }
  return result;
}

/** Reads and decodes an `.onnx` file; throws diagnostics. */
export async function readOnnxModel(file: string, bytes?: Uint8Array): Promise<OnnxModel> {
  const data =
    bytes ??
    (await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw unreadable(file, `cannot read ${file} (${error.code ?? error.message})`, 'give the path of an .onnx file');
    }));
  let model: Json;
  try {
    const type = modelProto();
    model = type.toObject(type.decode(data), { longs: Number, bytes: Uint8Array, defaults: false }) as Json;
  } catch (error) {
    throw unreadable(
      file,
      `${file} is not an ONNX model (${(error as Error).message})`,
      'give a model written by torch.onnx.export or another ONNX exporter',
    );
  }
  const graph = model.graph as Json | undefined;
  if (!graph)
    throw unreadable(
      file,
      `${file} has no graph`,
      'give a model written by torch.onnx.export or another ONNX exporter',
    );
  const opset = Math.max(
    0,
    ...((model.opset_import ?? []) as Json[])
      .filter((o) => !o.domain || o.domain === 'ai.onnx')
      .map((o) => Number(o.version)),
  );
  const constants = new Map<string, OnnxConstant>();
  for (const raw of (graph.initializer ?? []) as Json[])
    constants.set(String(raw.name), tensorOf(raw, file, String(raw.name)));
  const nodes: OnnxNode[] = ((graph.node ?? []) as Json[]).map((raw, index) => {
    const op = String(raw.op_type);
    const outputs = ((raw.output ?? []) as string[]).map(String);
    const name = raw.name ? String(raw.name) : `${op}_${index}`;
    if (raw.domain && raw.domain !== 'ai.onnx')
      throw diagnosticError(
        codes.importUnsupportedLayer,
        `node \`${name}\` (${raw.domain}.${op}) is not a standard ONNX op`,
        {
          span: fileSpan(file),
          hint: 'export the model with standard ONNX ops only',
        },
      );
    return {
      name,
      op,
      inputs: ((raw.input ?? []) as string[]).map(String),
      outputs,
      attr: attributes((raw.attribute ?? []) as Json[], file, name),
    };
  });
  const inputs = ((graph.input ?? []) as Json[])
    .filter((value) => !constants.has(String(value.name)))
    .map((value) => {
      const shape = ((((value.type as Json | undefined)?.tensor_type as Json | undefined)?.shape as Json | undefined)
        ?.dim ?? []) as Json[];
      return {
        name: String(value.name),
        shape: shape.map((d) => (d.dim_value !== undefined && Number(d.dim_value) > 0 ? Number(d.dim_value) : null)),
      };
    });
  const outputs = ((graph.output ?? []) as Json[]).map((value) => String(value.name));
  if (inputs.length === 0 || outputs.length === 0)
    throw unreadable(file, `${file} has no ${inputs.length === 0 ? 'input' : 'output'}`, 'export the model again');
  const metadata = ((model.metadata_props ?? []) as Json[]).find((entry) => entry.key === 'segc.constraints');
  let constraints: string[] = [];
  try {
    const parsed: unknown = metadata ? JSON.parse(String(metadata.value)) : [];
    // Only plain size arithmetic over H and W is carried into the .seg file.
    if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string' && /^[HW0-9%+*\-/ ()=<>!]+$/.test(c)))
      constraints = parsed as string[];
  } catch {
    constraints = [];
  }
  const preprocessing = readPreprocessing(
    ((model.metadata_props ?? []) as Json[]).find((entry) => entry.key === 'segc.inputs'),
  );
  const graphName = graph.name ? String(graph.name) : '';
  const stem = basename(file, extname(file));
  return { name: stem || graphName || 'model', opset, nodes, inputs, outputs, constants, constraints, preprocessing };
}

/**
 * The `preprocessing` of each entry of `segc.inputs`. An entry whose settings are not all valid
 * values of `@preprocess` is left out whole: the input then gets none rather than part of one.
 */
function readPreprocessing(metadata: Json | undefined): Map<string, Preprocessing> {
  const found = new Map<string, Preprocessing>();
  let entries: unknown;
  try {
    entries = metadata ? JSON.parse(String(metadata.value)) : [];
  } catch {
    return found;
  }
  if (!Array.isArray(entries)) return found;
  const numbers = (value: unknown, ok: (n: number) => boolean) =>
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n) && ok(n));
  const oneOf = <T extends string>(value: unknown, choices: readonly T[]): value is T =>
    typeof value === 'string' && (choices as readonly string[]).includes(value);
  for (const entry of entries as Json[]) {
    const p = entry?.preprocessing as Json | undefined;
    if (typeof entry?.name !== 'string' || !p) continue;
    const { resize, centres, order, grey, scale, mean, std } = p;
    if (
      oneOf(resize, PREPROCESSING_CHOICES.resize) &&
      oneOf(centres, PREPROCESSING_CHOICES.centres) &&
      oneOf(order, PREPROCESSING_CHOICES.order) &&
      oneOf(grey, PREPROCESSING_CHOICES.grey) &&
      typeof scale === 'number' &&
      Number.isFinite(scale) &&
      scale > 0 &&
      numbers(mean, () => true) &&
      numbers(std, (n) => n !== 0)
    )
      found.set(entry.name, { resize, centres, order, grey, scale, mean: mean as number[], std: std as number[] });
  }
  return found;
}
