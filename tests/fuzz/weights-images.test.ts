/**
 * Fuzzing what segc reads besides .seg files: weights folders (model.json mutated as text and
 * as JSON with hostile values, shards flipped, cut or grown) and image headers (PNG and JPEG
 * bytes mutated, IHDR sizes forged with a correct CRC). A fixed seed and case count; every case
 * must load or decode, or fail with a DiagnosticError, never another error, within the bound.
 * Loaded weights must be exactly the saved ones: a mutation may never change values silently.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { MAX_IMAGE_PIXELS } from '../../src/limits.js';
import { decodeImage } from '../../src/runtime/node/image-io.js';
import { loadWeights, saveWeights } from '../../src/runtime/node/weights-fs.js';
import { scratchFolder } from '../hostile/harness.js';
import { useBackend } from '../ops/backends.js';
import { CASE_TIME_BOUND_MS, caseCount, mutateBytes, mutateText, randomFor } from './fuzz.js';

const work = scratchFolder('fuzz-files');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EXPECTED = [
  { name: 'a/kernel', shape: [3, 3, 2, 4], dtype: 'float32' as const },
  { name: 'a/bn/movingVariance', shape: [4], dtype: 'float32' as const },
  { name: 'b/classes', shape: [5], dtype: 'int32' as const },
];
const VALUES: Record<string, number[]> = {
  'a/kernel': Array.from({ length: 72 }, (_, i) => Math.sin(i)),
  'a/bn/movingVariance': [1, 2, 3, 4],
  'b/classes': [0, 1, -1, 2147483647, -2147483648],
};

let pristine: { modelJson: string; shard: Uint8Array };

/** A value to put in place of a JSON field: wrong types, extremes, hostile paths. */
const HOSTILE_JSON: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  9007199254740993,
  Number.MAX_SAFE_INTEGER,
  'x',
  '',
  '../x.bin',
  '/dev/zero',
  '/etc/passwd',
  'http://127.0.0.1:9/x',
  '//host/x',
  '%2e%2e/x',
  [],
  {},
  [1e9, 1e9, 1e9],
  [-1],
  ['group1-shard1of1.bin', 'group1-shard1of1.bin'],
  'float16',
  'a'.repeat(10_000),
];

function mutateJson(value: unknown, random: ReturnType<typeof randomFor>, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length > 0 && random.chance(0.7)) {
      const copy = [...value];
      const index = random.integer(0, copy.length);
      copy[index] = mutateJson(copy[index], random, depth + 1);
      return copy;
    }
    return random.chance(0.5) ? value.slice(1) : [...value, random.pick(HOSTILE_JSON)];
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0 && random.chance(0.8)) {
      const key = random.pick(keys);
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      if (random.chance(0.1)) delete copy[key];
      else copy[key] = mutateJson(copy[key], random, depth + 1);
      return copy;
    }
  }
  return random.pick(HOSTILE_JSON);
}

function weightsCase(random: ReturnType<typeof randomFor>): { modelJson: string; shard: Uint8Array; touched: boolean } {
  let { modelJson, shard } = pristine;
  const kind = random.integer(0, 4);
  if (kind === 0) modelJson = mutateText(modelJson, random);
  else if (kind === 1) modelJson = JSON.stringify(mutateJson(JSON.parse(modelJson), random));
  else shard = mutateBytes(shard, random);
  if (random.chance(0.2)) shard = mutateBytes(shard, random);
  return { modelJson, shard, touched: modelJson !== pristine.modelJson || shard !== pristine.shard };
}

async function expectLoadsExactlyOrDiagnoses(folder: string, index: number): Promise<void> {
  const before = tf.memory().numTensors;
  const outcome = await loadWeights(folder, EXPECTED).catch((error: unknown) => error);
  if (outcome instanceof Map) {
    for (const { name, dtype } of EXPECTED) {
      const saved = dtype === 'float32' ? VALUES[name]!.map((v) => Math.fround(v)) : VALUES[name]!;
      expect(Array.from((outcome as Map<string, tf.Tensor>).get(name)!.dataSync()), `case ${index}: ${name}`).toEqual(
        saved,
      );
    }
    tf.dispose([...(outcome as Map<string, tf.Tensor>).values()]);
    return;
  }
  expect(outcome, `case ${index}: ${(outcome as Error).stack}`).toBeInstanceOf(DiagnosticError);
  expect(tf.memory().numTensors, `case ${index} leaked tensors`).toBe(before);
}

beforeAll(async () => {
  await useBackend('cpu');
  const folder = join(work, 'pristine');
  const tensors = new Map(EXPECTED.map(({ name, shape, dtype }) => [name, tf.tensor(VALUES[name]!, shape, dtype)]));
  await saveWeights(folder, tensors, { model: 'fuzz' });
  tf.dispose([...tensors.values()]);
  pristine = {
    modelJson: readFileSync(join(folder, 'model.json'), 'utf8'),
    shard: new Uint8Array(readFileSync(join(folder, 'group1-shard1of1.bin'))),
  };
});

describe('weights fuzzing', () => {
  const CASES = caseCount(300);

  it(`${CASES} mutated weights folders load exactly or fail with a diagnostic`, async () => {
    const random = randomFor('weights');
    for (let index = 0; index < CASES; index++) {
      const folder = join(work, `weights-${index}`);
      const { modelJson, shard } = weightsCase(random);
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder);
      writeFileSync(join(folder, 'model.json'), modelJson);
      writeFileSync(join(folder, 'group1-shard1of1.bin'), shard);
      const started = performance.now();
      await expectLoadsExactlyOrDiagnoses(folder, index);
      expect(performance.now() - started, `case ${index} took too long`).toBeLessThan(CASE_TIME_BOUND_MS);
    }
  }, 600_000);
});

/** A PNG with a forged IHDR size and a correct CRC, so that only the size check can refuse it. */
function forgedPng(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(width >>> 0, 16);
  copy.writeUInt32BE(height >>> 0, 20);
  copy.writeUInt32BE(crc32(copy.subarray(12, 29)) >>> 0, 29);
  return new Uint8Array(copy);
}

describe('image header fuzzing', () => {
  const CASES = caseCount(500);
  let png: Uint8Array;
  let jpg: Uint8Array;

  beforeAll(() => {
    const image = new PNG({ width: 16, height: 12 });
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 256;
    png = new Uint8Array(PNG.sync.write(image));
    jpg = new Uint8Array(jpeg.encode({ data: Buffer.from(image.data), width: 16, height: 12 }, 80).data);
  });

  it(`${CASES} mutated PNG and JPEG headers decode within the limits or fail with a diagnostic`, () => {
    const random = randomFor('images');
    for (let index = 0; index < CASES; index++) {
      const base = random.chance(0.5) ? png : jpg;
      const side = () => random.pick([0, 1, 16, 4096, 4097, 20000, 65535, 0x7fffffff, 0xffffffff]);
      let bytes = base === png && random.chance(0.3) ? forgedPng(png, side(), side()) : base;
      for (let edits = random.integer(1, 4); edits > 0; edits--)
        bytes = mutateBytes(bytes, random, random.chance(0.7) ? 64 : bytes.length);
      const before = tf.memory().numTensors;
      const started = performance.now();
      let outcome: tf.Tensor4D | unknown;
      try {
        outcome = decodeImage(bytes, `case-${index}`);
      } catch (error) {
        outcome = error;
      }
      if (outcome instanceof tf.Tensor) {
        const [, height, width] = outcome.shape;
        outcome.dispose();
        expect(height! * width!, `case ${index}`).toBeGreaterThan(0);
        expect(height! * width!, `case ${index}`).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
      } else {
        expect(outcome, `case ${index}: ${(outcome as Error).stack}`).toBeInstanceOf(DiagnosticError);
      }
      expect(tf.memory().numTensors, `case ${index} leaked tensors`).toBe(before);
      expect(performance.now() - started, `case ${index} took too long`).toBeLessThan(CASE_TIME_BOUND_MS);
    }
  }, 600_000);
});
