/**
 * The safetensors format, read and written (browser-safe): an 8-byte little-endian header
 * length, a JSON header `{ key: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`
 * and the raw little-endian data. It is what a PyTorch `state_dict` is saved as, so weights
 * trained with `segc build --target pytorch` come back here. Keys are segc's weight names with
 * `.` for `/` (`enc/aspp/conv/kernel` is `enc.aspp.conv.kernel`); the names are then checked
 * against the model exactly as a tfjs weights folder is (`compareWithModel`).
 *
 * Written here rather than taken from npm: the format is a page long, and the packages on npm
 * either target Node only or bring a dependency tree for what is a header parse.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { fileSpan } from '../diagnostics/error.js';
import type { LoadWeightsOptions } from './weights.js';
import { type ExpectedWeight, type WeightsModelJson, compareWithModel } from './weights-manifest.js';
import { valueProblem } from './weights-values.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export const SAFETENSORS_SUFFIX = '.safetensors';
/** A header larger than this is refused before it is parsed (the format's own limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

type SafetensorsDtype = 'F32' | 'I32' | 'I64';

export interface SafetensorsEntry {
  /** The key as stored (`enc.conv.kernel`). */
  readonly key: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** float32 or int32 values (I64 is narrowed to int32 and refused when it does not fit). */
  readonly values: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** The safetensors key of a segc weight name. */
export function tensorKey(name: string): string {
  return name.replace(/\//g, '.');
}

function malformed(source: string, problem: string): DiagnosticError {
  return diagnosticError(codes.malformedManifest, `${source} is not a safetensors file: ${problem}`, {
    hint: "save the weights again (segc build --weights, or the generated module's save_weights)",
    span: fileSpan(source),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readHeader(bytes: Uint8Array, source: string): { header: Record<string, unknown>; body: Uint8Array } {
  if (bytes.length < 8) throw malformed(source, `it is ${bytes.length} bytes long`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > MAX_HEADER_BYTES || length > bytes.length - 8)
    throw malformed(source, `its header claims ${length} bytes, the file holds ${bytes.length - 8}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)));
  } catch (error) {
    throw malformed(source, `its header is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(header)) throw malformed(source, 'its header is not a JSON object');
  return { header, body: bytes.subarray(8 + length) };
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, I32: 4, I64: 8 };

function decodeEntry(key: string, entry: unknown, body: Uint8Array, source: string): SafetensorsEntry {
  if (!isRecord(entry)) throw malformed(source, `the entry \`${key}\` is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (dtype !== 'F32' && dtype !== 'I32' && dtype !== 'I64')
    throw malformed(source, `tensor \`${key}\` has dtype ${JSON.stringify(dtype)}; segc reads F32, I32 and I64`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw malformed(source, `tensor \`${key}\` has no valid shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
    throw malformed(source, `tensor \`${key}\` has no valid data_offsets`);
  const [begin, end] = offsets as [number, number];
  const count = (shape as number[]).reduce((product, d) => product * d, 1);
  if (end < begin || end > body.length || end - begin !== count * BYTES[dtype]) {
    throw malformed(
      source,
      `tensor \`${key}\` [${shape.join(', ')}] ${dtype} needs ${count * BYTES[dtype]} bytes but data_offsets [${begin}, ${end}] give ${end - begin} of a ${body.length}-byte body`,
    );
  }
  const view = new DataView(body.buffer, body.byteOffset + begin, end - begin);
  const values = dtype === 'F32' ? new Float32Array(count) : new Int32Array(count);
  for (let index = 0; index < count; index++) {
    if (dtype === 'F32') values[index] = view.getFloat32(index * 4, true);
    else if (dtype === 'I32') values[index] = view.getInt32(index * 4, true);
    else {
      const wide = view.getBigInt64(index * 8, true);
      if (wide > 2147483647n || wide < -2147483648n)
        throw malformed(source, `tensor \`${key}\` holds ${wide}, beyond int32`);
      values[index] = Number(wide);
    }
  }
  return { key, dtype, shape: shape as number[], values };
}

/** Parses a safetensors file; a DiagnosticError naming `source` when it is not one. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const { header, body } = readHeader(bytes, source);
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (isRecord(entry)) metadata = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
      continue;
    }
    entries.push(decodeEntry(key, entry, body, source));
  }
  return { entries, metadata };
}

/** Encodes named float32/int32 arrays under their safetensors keys, in key order. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array | Int32Array }>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const keys = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const key of keys) {
    const { shape, values } = tensors.get(key)!;
    header[key] = {
      dtype: values instanceof Float32Array ? 'F32' : 'I32',
      shape,
      data_offsets: [offset, offset + values.length * 4],
    };
    offset += values.length * 4;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let text = JSON.stringify(header);
  // The data starts 8-aligned, as the reference implementation writes it.
  text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + encoded.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(encoded.length), true);
  bytes.set(encoded, 8);
  let position = 8 + encoded.length;
  for (const key of keys) {
    const { values } = tensors.get(key)!;
    values.forEach((value, index) =>
      values instanceof Float32Array
        ? view.setFloat32(position + index * 4, value, true)
        : view.setInt32(position + index * 4, value, true),
    );
    position += values.length * 4;
  }
  return bytes;
}

/** Weights by segc name as safetensors bytes (`segc build --weights`). */
export function weightsToSafetensors(
  tensors: ReadonlyMap<string, tf.Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const arrays = new Map<string, { shape: number[]; values: Float32Array | Int32Array }>();
  for (const [name, tensor] of tensors)
    arrays.set(tensorKey(name), { shape: tensor.shape, values: tensor.dataSync() as Float32Array | Int32Array });
  return encodeSafetensors(arrays, metadata);
}

/**
 * The model's weights from one or more decoded files (a folder of shards), checked against the
 * model as any weights are: missing, extra, wrong shape or dtype, or twice present, each a
 * diagnostic; no tensor is made unless all is well.
 */
export function safetensorsToWeights(
  files: readonly { readonly source: string; readonly file: SafetensorsFile }[],
  expected: readonly ExpectedWeight[],
  options: LoadWeightsOptions = {},
): Map<string, tf.Tensor> {
  const byKey = new Map(expected.map((weight) => [tensorKey(weight.name), weight.name]));
  const found = new Map<string, { entry: SafetensorsEntry; source: string }>();
  const problems: Diagnostic[] = [];
  for (const { source, file } of files) {
    for (const entry of file.entries) {
      const name = byKey.get(entry.key) ?? entry.key.replace(/\./g, '/');
      if (found.has(name)) {
        problems.push({
          code: codes.duplicateWeight,
          severity: 'error',
          span: fileSpan(source),
          message: `weight \`${name}\` appears twice (in ${found.get(name)!.source} and ${source})`,
          hint: 'keep one copy of each weight',
        });
      }
      found.set(name, { entry, source });
    }
  }
  const source = files.map((f) => f.source).join(', ');
  const manifest = {
    weightsManifest: [
      {
        paths: [],
        weights: [...found].map(([name, { entry }]) => ({
          name,
          shape: entry.shape,
          dtype: entry.dtype === 'F32' ? 'float32' : 'int32',
        })),
      },
    ],
  } as unknown as WeightsModelJson;
  problems.push(...compareWithModel(manifest, expected, source));
  if (problems.length === 0 && !options.allowBadValues) {
    for (const weight of expected) {
      const { entry } = found.get(weight.name)!;
      const bad =
        entry.values instanceof Float32Array ? valueProblem(weight.name, entry.values, weight, source) : undefined;
      if (bad) problems.push(bad);
    }
  }
  if (problems.length > 0) throw new DiagnosticError(problems);
  const tensors = new Map<string, tf.Tensor>();
  for (const weight of expected) {
    const { entry } = found.get(weight.name)!;
    tensors.set(
      weight.name,
      tf.tensor(entry.values, [...entry.shape], entry.values instanceof Float32Array ? 'float32' : 'int32'),
    );
  }
  return tensors;
}
