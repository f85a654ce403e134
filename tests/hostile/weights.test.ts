/**
 * Regression tests for hostile weights of issue 14: manifests that named files outside their
 * folder (with the right SHA-256), devices, other hosts; weights with NaN, infinities or
 * negative variances behind a correct checksum; a removed manifest entry. Each through
 * `segc run` with its exit code and message, or through the loader where a server is needed.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { saveWeights } from '../../src/runtime/node/weights-fs.js';
import { fetchStore, loadWeightsFromStore, sha256Hex } from '../../src/runtime/weights.js';
import { useBackend } from '../ops/backends.js';
import { scratchFolder, segc, writeText } from './harness.js';

const work = scratchFolder('hostile-weights');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODEL = 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> conv(2, 1, bias: false) -> bn\n}\n';
const NAMES = ['y/conv/kernel', 'y/bn/gamma', 'y/bn/beta', 'y/bn/movingMean', 'y/bn/movingVariance'];
let model: string;
let image: string;
let counter = 0;

function tensors(edit: (name: string, values: number[]) => void = () => undefined): Map<string, tf.Tensor> {
  return new Map(
    NAMES.map((name) => {
      const size = name.endsWith('kernel') ? 6 : 2;
      const values = Array.from({ length: size }, (_, i) =>
        name.endsWith('Variance') || name.endsWith('gamma') ? 1 : 0.1 * (i + 1),
      );
      edit(name, values);
      return [name, tf.tensor(values, name.endsWith('kernel') ? [1, 1, 3, 2] : [2])];
    }),
  );
}

async function weightsFolder(edit?: (name: string, values: number[]) => void): Promise<string> {
  const folder = join(work, `weights-${counter++}`);
  const made = tensors(edit);
  await saveWeights(folder, made, { model: 'M' });
  tf.dispose([...made.values()]);
  return folder;
}

function editManifest(folder: string, edit: (json: any) => void): void {
  const path = join(folder, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

const run = (weights: string) =>
  segc(
    'run',
    model,
    '--weights',
    weights,
    '--image',
    image,
    '--out',
    join(work, `out-${counter++}`),
    '--backend',
    'cpu',
  );

beforeAll(async () => {
  await useBackend('cpu');
  model = writeText(work, 'm.seg', MODEL);
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  image = join(work, 'in.png');
  writeFileSync(image, PNG.sync.write(png));
});

describe('shard paths stay inside the weights folder (case 2)', () => {
  it('runs with good weights (the baseline the other cases change)', async () => {
    expect((await run(await weightsFolder())).code).toBe(0);
  });

  it('`../outside.bin` with the right SHA-256 is refused before anything is read', async () => {
    const folder = await weightsFolder();
    const shard = readFileSync(join(folder, 'group1-shard1of1.bin'));
    writeFileSync(join(work, 'outside.bin'), shard);
    editManifest(folder, (json) => {
      json.weightsManifest[0].paths = ['../outside.bin'];
      json.segc.sha256 = { '../outside.bin': json.segc.sha256['group1-shard1of1.bin'] };
      json.segc.byteLength = { '../outside.bin': shard.length };
    });
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${join(folder, 'model.json')}:1:1: error E0401: ${join(folder, 'model.json')} is not a segc weights file: weightsManifest[0].paths has "../outside.bin", which is not a file name inside the weights folder`,
    );
  });

  it.each([
    '../../../../etc/passwd',
    '/etc/passwd',
    '/dev/zero',
    'a/../../x.bin',
    'http://example.com/x.bin',
    '//example.com/x.bin',
    'a\\..\\x.bin',
  ])('%s is refused as a path, and nothing about the file it names is reported', async (path) => {
    const folder = await weightsFolder();
    editManifest(folder, (json) => {
      json.weightsManifest[0].paths = [path];
      json.segc.sha256 = { [path]: '0'.repeat(64) };
      json.segc.byteLength = { [path]: 48 };
    });
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `weightsManifest[0].paths has ${JSON.stringify(path)}, which is not a file name inside the weights folder`,
    );
    expect(result.err).not.toMatch(/bytes but model\.json records/);
  });

  it('a symbolic link inside the folder that points outside it is refused', async () => {
    const folder = await weightsFolder();
    rmSync(join(folder, 'group1-shard1of1.bin'));
    writeFileSync(join(work, 'elsewhere.bin'), Buffer.alloc(0));
    symlinkSync(join(work, 'elsewhere.bin'), join(folder, 'group1-shard1of1.bin'));
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `error E0401: refusing to read ${join(folder, 'group1-shard1of1.bin')}: it lies outside the weights folder`,
    );
  });

  it('a shard that is a device (/dev/zero through a link inside the folder) is refused, not read until memory runs out', async () => {
    const folder = await weightsFolder();
    mkdirSync(join(folder, 'dev'));
    symlinkSync('/dev/zero', join(folder, 'dev', 'zero.bin'));
    editManifest(folder, (json) => {
      json.weightsManifest[0].paths = ['dev/zero.bin'];
      json.segc.sha256 = { 'dev/zero.bin': json.segc.sha256['group1-shard1of1.bin'] };
      json.segc.byteLength = { 'dev/zero.bin': json.segc.byteLength['group1-shard1of1.bin'] };
    });
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `refusing to read ${join(folder, 'dev', 'zero.bin')}: it lies outside the weights folder`,
    );
  });

  it('a shard that is not a regular file (a folder) is refused', async () => {
    const folder = await weightsFolder();
    rmSync(join(folder, 'group1-shard1of1.bin'));
    mkdirSync(join(folder, 'group1-shard1of1.bin'));
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `error E0401: refusing to read ${join(folder, 'group1-shard1of1.bin')}: it is not a regular file`,
    );
  });

  it('a shard longer than recorded is reported without being read whole', async () => {
    const folder = await weightsFolder();
    writeFileSync(join(folder, 'group1-shard1of1.bin'), Buffer.alloc(1 << 20));
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `error E0407: weight shard ${join(folder, 'group1-shard1of1.bin')} is longer than the 56 bytes model.json records`,
    );
  });
});

describe('a manifest served over HTTP fetches from its own folder only (case 3)', () => {
  let server: Server;
  let other: Server;
  let otherRequests = 0;
  let files = new Map<string, Buffer>();
  let base = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = files.get(request.url ?? '');
      response.writeHead(body ? 200 : 404).end(body);
    });
    other = createServer((_request, response) => {
      otherRequests++;
      response.writeHead(200).end(Buffer.alloc(72));
    });
    await Promise.all([server, other].map((s) => new Promise<void>((done) => s.listen(0, '127.0.0.1', done))));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weights/`;
  });
  afterAll(() => Promise.all([server, other].map((s) => new Promise((done) => s.close(done)))));

  it.each(['other origin', 'parent folder'])('a shard on the %s is refused and never fetched', async (where) => {
    const folder = await weightsFolder();
    const shard = readFileSync(join(folder, 'group1-shard1of1.bin'));
    const otherUrl =
      where === 'other origin' ? `http://127.0.0.1:${(other.address() as AddressInfo).port}/x.bin` : '../x.bin';
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = [otherUrl];
    json.segc.sha256 = { [otherUrl]: await sha256Hex(shard) };
    json.segc.byteLength = { [otherUrl]: shard.length };
    files = new Map([
      ['/weights/model.json', Buffer.from(JSON.stringify(json))],
      ['/x.bin', shard],
    ]);
    const expected = NAMES.map((name) => ({
      name,
      shape: name.endsWith('kernel') ? [1, 1, 3, 2] : [2],
      dtype: 'float32' as const,
    }));
    const error = await loadWeightsFromStore(fetchStore(base), expected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics[0]!.message).toBe(
      `${base}model.json is not a segc weights file: weightsManifest[0].paths has ${JSON.stringify(otherUrl)}, which is not a file name inside the weights folder`,
    );
    expect(otherRequests).toBe(0);
  });

  it('the store itself refuses a name that resolves off its folder', async () => {
    const store = fetchStore(base);
    const error = await store
      .read(`http://127.0.0.1:${(other.address() as AddressInfo).port}/x.bin`)
      .catch((e: unknown) => e);
    expect((error as DiagnosticError).diagnostics[0]!.message).toMatch(
      /^refusing to fetch http:\/\/127\.0\.0\.1:\d+\/x\.bin: it is not under http:\/\/127\.0\.0\.1:\d+\/weights\/$/,
    );
    expect(otherRequests).toBe(0);
  });
});

describe('weights with unusable values are refused by name (case 6)', () => {
  it.each([
    ['NaN', 'y/conv/kernel', Number.NaN, 'holds 1 value that are NaN or infinite (the first at index 3: NaN)'],
    [
      'Infinity',
      'y/bn/gamma',
      Number.POSITIVE_INFINITY,
      'holds 1 value that are NaN or infinite (the first at index 3: Infinity)',
    ],
    ['a negative variance', 'y/bn/movingVariance', -0.5, 'holds 1 negative variance (the first at index 3: -0.5)'],
  ])('%s with a correct checksum: exit 1, E0411 naming the weight', async (_what, weight, value, message) => {
    const folder = await weightsFolder((name, values) => {
      if (name === weight) values[values.length > 2 ? 3 : 1] = value;
    });
    const result = await run(folder);
    expect(result.code).toBe(1);
    const index = weight.endsWith('kernel') ? 3 : 1;
    expect(result.err).toContain(
      `error E0411: weight \`${weight}\` in ${join(folder, 'model.json')} ${message.replace('index 3', `index ${index}`)} (declared at ${model}:3:`,
    );
    expect(result.out).not.toContain('"probability": null');
  });

  it('the loader loads them anyway when asked to (for debugging)', async () => {
    const folder = await weightsFolder((name, values) => {
      if (name === 'y/bn/movingVariance') values[0] = Number.NaN;
    });
    const expected = NAMES.map((name) => ({
      name,
      shape: name.endsWith('kernel') ? [1, 1, 3, 2] : [2],
      dtype: 'float32' as const,
    }));
    const { fileStore } = await import('../../src/runtime/node/weights-fs.js');
    const loaded = await loadWeightsFromStore(fileStore(folder), expected, { allowBadValues: true });
    expect(Number.isNaN(loaded.get('y/bn/movingVariance')!.dataSync()[0])).toBe(true);
    tf.dispose([...loaded.values()]);
  });
});

describe('a removed manifest entry is named (case 9)', () => {
  it('E0402 names the missing weight instead of reporting a byte count', async () => {
    const folder = await weightsFolder();
    editManifest(folder, (json) => {
      json.weightsManifest[0].weights = json.weightsManifest[0].weights.filter(
        (entry: { name: string }) => entry.name !== 'y/bn/beta',
      );
    });
    const result = await run(folder);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `error E0402: weight \`y/bn/beta\` (shape [2]) is missing from ${join(folder, 'model.json')}; the model declares it at ${model}:3:`,
    );
    expect(result.err).not.toContain('bytes of weights');
  });
});
