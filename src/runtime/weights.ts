/**
 * Saving and loading weights in the tfjs weights format with segc's integrity record (see
 * `weights-manifest.ts`). Browser-safe: storage is reached through a `WeightsStore`; the Node
 * file-system store and atomic saving live in `node/weights-fs.ts`, a fetch store is here.
 *
 * Loading checks, in order and before creating any tensor: model.json is present, not larger
 * than MAX_MANIFEST_BYTES, well formed, and names shards inside its own folder only; its weights
 * match the model's (names, shapes, dtypes) and account for the shards' bytes; every shard is
 * present, has the recorded length (a store never reads past it) and the recorded SHA-256; every
 * float is finite and every batch-norm variance at least zero.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiagnosticError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { MAX_MANIFEST_BYTES } from '../limits.js';
import {
  byteCountProblem,
  compareWithModel,
  parseWeightsModelJson,
  type ExpectedWeight,
  type ManifestEntry,
  type WeightsModelJson,
} from './weights-manifest.js';
import { weightValueProblems } from './weights-values.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError, fileSpan } from '../diagnostics/error.js';

export type { ExpectedWeight, WeightDtype, WeightsModelJson } from './weights-manifest.js';
export { initWeights, type InitSpec } from './weights-init.js';

export const MODEL_JSON = 'model.json';
/** tfjs's customary shard size, which keeps shards cacheable by browsers. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface WeightsMetadata {
  /** What the weights belong to, e.g. the model name or the .seg file. */
  readonly model: string;
  readonly generatedBy?: string;
  /** The layers in graph order, recorded as `segc.layers` (see `weights-manifest.ts`). */
  readonly layers?: readonly string[];
}

/** Reads the files of one weights directory (or URL prefix); undefined for an absent file. */
export interface WeightsStore {
  /** How to name a file of the store in messages: a path or a URL. */
  locate(name: string): string;
  /**
   * The file's bytes; with `limit`, at most `limit + 1` of them, so that a file longer than it
   * should be is seen as such without being read whole.
   */
  read(name: string, limit?: number): Promise<Uint8Array | undefined>;
}

export interface LoadWeightsOptions {
  /** Load NaN, infinite values and negative batch-norm variances instead of refusing them (for debugging). */
  readonly allowBadValues?: boolean;
}

export interface EncodedWeights {
  readonly modelJson: WeightsModelJson;
  /** Shard file name → bytes, in manifest order. */
  readonly shards: ReadonlyMap<string, Uint8Array>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function shardNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `group1-shard${index + 1}of${count}.bin`);
}

/** Encodes tensors (float32 or int32) into model.json and shards, in name order. */
export async function encodeWeights(
  tensors: ReadonlyMap<string, tf.Tensor>,
  metadata: WeightsMetadata,
  shardBytes = DEFAULT_SHARD_BYTES,
): Promise<EncodedWeights> {
  const named = [...tensors.keys()].sort().map((name) => ({ name, tensor: tensors.get(name)! }));
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw diagnosticError(
        codes.weightsNotWritten,
        `weight \`${name}\` has dtype ${tensor.dtype}; segc saves float32 and int32`,
      );
    }
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data);
  const names = shardNames(Math.max(1, Math.ceil(bytes.byteLength / shardBytes)));
  const shards = new Map(names.map((name, index) => [name, bytes.slice(index * shardBytes, (index + 1) * shardBytes)]));
  const sha256: Record<string, string> = {};
  const byteLength: Record<string, number> = {};
  for (const [name, shard] of shards) {
    sha256[name] = await sha256Hex(shard);
    byteLength[name] = shard.byteLength;
  }
  const weights = specs.map(({ name, shape, dtype }) => ({ name, shape, dtype }) as ManifestEntry);
  const modelJson: WeightsModelJson = {
    format: 'segc-weights',
    generatedBy: metadata.generatedBy ?? 'segc',
    weightsManifest: [{ paths: names, weights }],
    segc: {
      format: 1,
      model: metadata.model,
      sha256,
      byteLength,
      ...(metadata.layers ? { layers: [...metadata.layers] } : {}),
    },
  };
  return { modelJson, shards };
}

/** model.json of a store, parsed and checked (E0400, E0401). */
export async function readModelJson(store: WeightsStore): Promise<WeightsModelJson> {
  const source = store.locate(MODEL_JSON);
  const bytes = await store.read(MODEL_JSON, MAX_MANIFEST_BYTES);
  if (bytes && bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw diagnosticError(
      codes.malformedManifest,
      `${source} is larger than ${MAX_MANIFEST_BYTES} bytes; a segc model.json is a few kilobytes`,
      {
        span: fileSpan(source),
        hint: 'point --weights at the folder segc saved the weights in',
      },
    );
  }
  if (!bytes) {
    throw diagnosticError(codes.weightsNotFound, `no weights at ${source}`, {
      span: fileSpan(source),
      hint: 'check the path, or train the model first to create its weights',
    });
  }
  const parsed = parseWeightsModelJson(new TextDecoder().decode(bytes), source);
  if ('code' in parsed) throw new DiagnosticError([parsed]);
  return parsed;
}

async function shardProblem(
  store: WeightsStore,
  json: WeightsModelJson,
  name: string,
  bytes: Uint8Array | undefined,
): Promise<Diagnostic | undefined> {
  const path = store.locate(name);
  const problem = (code: string, message: string, hint: string): Diagnostic => ({
    code,
    severity: 'error',
    span: fileSpan(path),
    message,
    hint,
  });
  if (!bytes)
    return problem(
      codes.missingShard,
      `weight shard ${path} is missing`,
      'copy the whole weights directory, not only model.json',
    );
  const recorded = json.segc.byteLength[name]!;
  if (bytes.byteLength > recorded) {
    return problem(
      codes.wrongShardSize,
      `weight shard ${path} is longer than the ${recorded} bytes model.json records`,
      'the file does not belong to this model.json; copy the directory again',
    );
  }
  if (bytes.byteLength !== recorded) {
    return problem(
      codes.wrongShardSize,
      `weight shard ${path} has ${bytes.byteLength} bytes but model.json records ${recorded}`,
      bytes.byteLength < recorded
        ? 'the file is truncated (an interrupted copy or download?); copy it again'
        : 'the file does not belong to this model.json; copy the directory again',
    );
  }
  if ((await sha256Hex(bytes)) !== json.segc.sha256[name]) {
    return problem(
      codes.checksumMismatch,
      `weight shard ${path} is corrupted: its SHA-256 differs from the one in model.json`,
      'the file was changed or damaged; copy it again from the original',
    );
  }
  return undefined;
}

/** Reads and checks every shard; one diagnostic per damaged or missing shard. */
async function readShards(store: WeightsStore, json: WeightsModelJson): Promise<Uint8Array[]> {
  const names = json.weightsManifest.flatMap((group) => group.paths);
  const contents = await Promise.all(names.map((name) => store.read(name, json.segc.byteLength[name]!)));
  const problems = (
    await Promise.all(names.map((name, index) => shardProblem(store, json, name, contents[index])))
  ).filter((d): d is Diagnostic => d !== undefined);
  if (problems.length > 0) throw new DiagnosticError(problems);
  return contents as Uint8Array[];
}

function concatenate(parts: readonly Uint8Array[]): ArrayBuffer {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole.buffer;
}

/**
 * Loads the weights the model declares from a store, checking everything first. Throws a
 * DiagnosticError (E0400–E0409) listing every problem found at the first stage that fails.
 */
export async function loadWeightsFromStore(
  store: WeightsStore,
  expected: readonly ExpectedWeight[],
  options: LoadWeightsOptions = {},
): Promise<Map<string, tf.Tensor>> {
  const json = await readModelJson(store);
  const mismatches = compareWithModel(json, expected, store.locate(MODEL_JSON));
  if (mismatches.length > 0) throw new DiagnosticError(mismatches);
  const byteCount = byteCountProblem(json, store.locate(MODEL_JSON));
  if (byteCount) throw new DiagnosticError([byteCount]);
  const shards = await readShards(store, json);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffer = concatenate(shards);
  const bad = options.allowBadValues ? [] : weightValueProblems(buffer, specs, expected, store.locate(MODEL_JSON));
  if (bad.length > 0) throw new DiagnosticError(bad);
  const decoded = tf.io.decodeWeights(buffer, specs);
  return new Map(expected.map((weight) => [weight.name, decoded[weight.name]!]));
}

/**
 * A store over HTTP(S): `base` is the URL of the directory holding model.json. Every URL it
 * fetches is checked to lie under `base` on the same origin, and a body is read only up to the
 * limit asked for.
 */
export function fetchStore(base: string | URL): WeightsStore {
  const directory = new URL(String(base).endsWith('/') ? String(base) : `${String(base)}/`);
  const resolve = (name: string): URL => {
    const url = new URL(name, directory);
    if (
      url.origin !== directory.origin ||
      !url.pathname.startsWith(directory.pathname) ||
      url.search !== '' ||
      url.hash !== ''
    ) {
      throw diagnosticError(
        codes.malformedManifest,
        `refusing to fetch ${url.href}: it is not under ${directory.href}`,
        {
          span: fileSpan(new URL(MODEL_JSON, directory).href),
          hint: 'shards must be served from the folder of model.json',
        },
      );
    }
    return url;
  };
  return {
    locate: (name) => new URL(name, directory).href,
    read: async (name, limit) => {
      const url = resolve(name);
      const response = await fetch(url);
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw diagnosticError(codes.weightsNotFound, `cannot fetch ${url.href}: HTTP ${response.status}`);
      return readBody(response, limit);
    },
  };
}

/** The body, or its first `limit + 1` bytes when it is longer. */
async function readBody(response: Response, limit: number | undefined): Promise<Uint8Array> {
  if (limit === undefined || !response.body) return new Uint8Array(await response.arrayBuffer());
  const parts: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  while (length <= limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.byteLength;
  }
  await reader.cancel();
  return new Uint8Array(concatenate(parts)).subarray(0, Math.min(length, limit + 1));
}
