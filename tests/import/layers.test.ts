/**
 * `segc import` of tfjs-layers models, checked against tfjs-layers itself: small generated
 * models per layer type and per pattern (Sequential, functional, residual, concatenation) are
 * saved as `model.save` writes them (model.json and a binary shard), imported, and run by segc
 * on cpu and wasm; outputs must match tfjs-layers' `predict` within 1e-4. Layers that .seg
 * cannot represent are refused with the layer's name and type, and nothing is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { compileSource } from '../../src/compiler/compile.js';
import { disposeImported, importLayersModel } from '../../src/import/import.js';
import { SegModel } from '../../src/runtime/model.js';
import { decodeNpy, encodeNpy } from '../../src/runtime/npy.js';
import { testBackends, useBackend } from '../ops/backends.js';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'segc-import-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes the model as tfjs-layers' file saver does: model.json with the topology and a manifest, and one shard. */
async function saveLayersModel(model: tfl.LayersModel, name: string): Promise<string> {
  const directory = join(folder, name);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return directory;
}

/** Non-trivial weights: Keras initialises BN statistics to 0 and 1, which would hide mistakes. */
function randomiseWeights(model: tfl.LayersModel, seed: number): void {
  const variance = (name: string) => name.includes('variance');
  tf.tidy(() =>
    model.setWeights(
      model.weights.map((w, i) =>
        tf.randomUniform(
          w.shape as number[],
          variance(w.name) ? 0.5 : -0.5,
          variance(w.name) ? 1.5 : 0.5,
          'float32',
          seed + i,
        ),
      ),
    ),
  );
}

const input = (shape: number[], name = 'image') => tfl.input({ shape, name });
type Build = () => tfl.LayersModel;

const seq =
  (shape: number[], layers: () => tfl.layers.Layer[]): Build =>
  () =>
    tfl.sequential({ name: 'seq', layers: [tfl.layers.inputLayer({ inputShape: shape }), ...layers()] });

const CASES: Record<string, Build> = {
  conv_same_relu: seq([9, 9, 3], () => [
    tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
  ]),
  conv_valid_strided_no_bias: seq([11, 10, 3], () => [
    tfl.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: 2, padding: 'valid', useBias: false }),
  ]),
  conv_dilated: seq([12, 12, 2], () => [
    tfl.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'sigmoid' }),
  ]),
  depthwise: seq([9, 9, 3], () => [
    tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2, activation: 'relu6' }),
  ]),
  separable: seq([9, 9, 3], () => [
    tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'tanh' }),
  ]),
  batch_norm: seq([6, 6, 4], () => [tfl.layers.batchNormalization({ epsilon: 1e-3 }), tfl.layers.reLU()]),
  batch_norm_no_scale: seq([6, 6, 4], () => [
    tfl.layers.batchNormalization({ scale: false, center: false }),
    tfl.layers.reLU({ maxValue: 6 }),
  ]),
  pools: seq([12, 11, 3], () => [
    tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    tfl.layers.averagePooling2d({ poolSize: 2 }),
    tfl.layers.leakyReLU({ alpha: 0.2 }),
  ]),
  classifier: seq([8, 8, 3], () => [
    tfl.layers.conv2d({ filters: 4, kernelSize: 3 }),
    tfl.layers.flatten(),
    tfl.layers.dropout({ rate: 0.3 }),
    tfl.layers.dense({ units: 5, activation: 'softmax' }),
  ]),
  gap_dense: seq([8, 8, 3], () => [
    tfl.layers.conv2d({ filters: 6, kernelSize: 1 }),
    tfl.layers.globalAveragePooling2d({}),
    tfl.layers.dense({ units: 3 }),
    tfl.layers.activation({ activation: 'sigmoid' }),
  ]),
  prelu_hard_sigmoid: seq([7, 6, 3], () => [
    tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    tfl.layers.prelu({ sharedAxes: [1, 2] }),
    tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'hardSigmoid' }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 6 }),
    tfl.layers.prelu(),
    tfl.layers.activation({ activation: 'hardSigmoid' }),
  ]),
  upsampling: seq([5, 4, 2], () => [
    tfl.layers.upSampling2d({ size: [2, 3] }),
    tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    tfl.layers.softmax({ axis: -1 }),
  ]),
  open_size: seq([null, null, 3] as unknown as number[], () => [
    tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tfl.layers.upSampling2d({ size: [2, 2] }),
    tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }),
  ]),
  padding_reshape: seq([6, 5, 2], () => [
    tfl.layers.zeroPadding2d({
      padding: [
        [1, 2],
        [0, 3],
      ],
    }),
    tfl.layers.zeroPadding2d({ padding: 1 }),
    tfl.layers.conv2d({ filters: 2, kernelSize: 3 }),
    tfl.layers.reshape({ targetShape: [-1, 4] }),
    tfl.layers.reshape({ targetShape: [9, 4, 4] }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 2 }),
  ]),
  residual: () => {
    const x = input([8, 8, 4]);
    const a = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'branch_conv' })
      .apply(x) as tfl.SymbolicTensor;
    const b = tfl.layers.batchNormalization({ name: 'branch_bn' }).apply(a) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'residual_add' }).apply([x, b]) as tfl.SymbolicTensor;
    const out = tfl.layers.activation({ activation: 'relu', name: 'residual_relu' }).apply(sum) as tfl.SymbolicTensor;
    return tfl.model({ inputs: x, outputs: out, name: 'residual-block' });
  },
  unet_like: () => {
    const x = input([8, 8, 3]);
    const down = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'down' })
      .apply(x) as tfl.SymbolicTensor;
    const pooled = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(down) as tfl.SymbolicTensor;
    const mid = tfl.layers
      .conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'mid' })
      .apply(pooled) as tfl.SymbolicTensor;
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(mid) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate({ name: 'skip' }).apply([down, up]) as tfl.SymbolicTensor;
    const gated = tfl.layers.multiply({ name: 'gate' }).apply([joined, joined]) as tfl.SymbolicTensor;
    const mask = tfl.layers
      .conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', name: 'mask' })
      .apply(gated) as tfl.SymbolicTensor;
    const pooledScores = tfl.layers.globalMaxPooling2d({ name: 'score_pool' }).apply(mid) as tfl.SymbolicTensor;
    const scores = tfl.layers.dense({ units: 3, name: 'scores' }).apply(pooledScores) as tfl.SymbolicTensor;
    return tfl.model({ inputs: x, outputs: [mask, scores], name: 'unet_like' });
  },
};

async function compareOnBackends(name: string, build: Build): Promise<number[]> {
  const diffs: number[] = [];
  for (const backend of testBackends()) {
    await useBackend(backend);
    const keras = build();
    randomiseWeights(keras, 11);
    const directory = await saveLayersModel(keras, `${name}-${backend}`);
    const before = tf.memory().numTensors;
    const imported = await importLayersModel(directory);
    const compiled = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, imported.weights);
    disposeImported(imported);
    const shape = keras.inputs[0]!.shape.map((d) => d ?? 8) as number[];
    const x = tf.randomUniform(
      shape.map((d, i) => (i === 0 ? 2 : d)),
      0,
      1,
      'float32',
      5,
    );
    const expected = [keras.predict(x)].flat() as tf.Tensor[];
    const got = model.predict(x);
    const outputs = keras.outputNames.map((_, i) => Object.values(got)[i]!);
    for (const [i, reference] of expected.entries()) {
      expect(outputs[i]!.shape).toEqual(reference.shape);
      // Read asynchronously: WebGPU's synchronous read needs OffscreenCanvas, which Node lacks.
      const largest = tf.tidy(() => tf.max(tf.abs(tf.sub(outputs[i]!, reference))));
      diffs.push((await largest.data())[0]!);
      largest.dispose();
      if (process.env.SEGC_IMPORT_DIFFS === '1')
        console.log(`${name} on ${backend}: output ${i} max abs diff ${diffs[diffs.length - 1]}`);
    }
    tf.dispose([x, ...expected, ...Object.values(got)]);
    model.dispose();
    expect(tf.memory().numTensors, 'tensors left by the import and run').toBe(before);
    keras.dispose();
  }
  return diffs;
}

describe('segc import of tfjs-layers models, against tfjs-layers', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(`${name}: the same outputs on ${testBackends().join(' and ')} (max abs diff ≤ 1e-4)`, async () => {
      const diffs = await compareOnBackends(name, build);
      for (const diff of diffs) expect(diff).toBeLessThanOrEqual(1e-4);
    });
  }

  it('writes a formatted, readable .seg with names from the source', async () => {
    await useBackend('cpu');
    const keras = CASES.residual!();
    const imported = await importLayersModel(await saveLayersModel(keras, 'readable'));
    disposeImported(imported);
    keras.dispose();
    expect(imported.name).toBe('residual_block');
    expect(imported.source).toBe(`// Imported by \`segc import\` from a tfjs-layers model.
model ResidualBlock() {
  // InputLayer image
  input image: f32[N, 8, 8, 4]
  // Conv2D branch_conv
  let branch_conv = conv(image, 4, 3, padding: same)
  // BatchNormalization branch_bn
  let branch_bn = bn(branch_conv, epsilon: 0.001)
  // Add residual_add
  let residual_add = add([image, branch_bn])
  // Activation residual_relu
  let residual_relu = relu(residual_add)
  output residual_relu = residual_relu
}
`);
  });

  it('refuses a layer .seg cannot represent, naming it and its type, and writes nothing', async () => {
    await useBackend('cpu');
    const keras = tfl.sequential({
      name: 'lstm_model',
      layers: [
        tfl.layers.inputLayer({ inputShape: [6, 6, 3] }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'first' }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'elu', name: 'odd_activation' }),
      ],
    });
    const directory = await saveLayersModel(keras, 'refused');
    keras.dispose();
    const out = join(folder, 'refused-out');
    const result = await segc('import', directory, '-o', out);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'error E1302: layer `odd_activation` (Conv2D) cannot be written in .seg: activation `elu` has no exact .seg equivalent',
    );
    expect(result.err).toContain('hint: use linear, relu, relu6, sigmoid, tanh, hard_sigmoid or softmax');
    expect(existsSync(out)).toBe(false);
    mkdirSync(join(folder, 'graph'), { recursive: true });
    writeFileSync(
      join(folder, 'graph', 'model.json'),
      JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }),
    );
    const graph = await segc('import', join(folder, 'graph'), '-o', out, '--from', 'tfjs-layers');
    expect([graph.code, graph.err]).toEqual([
      1,
      `${join(folder, 'graph', 'model.json')}:1:1: error E1301: ${join(folder, 'graph', 'model.json')} is a tfjs graph model (tfjs-converter), not a tfjs-layers model\n  hint: give --from tfjs-graph, or leave --from out\n`,
    ]);
    const missing = await segc('import', join(folder, 'nowhere'), '-o', out);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`error E1301: cannot read ${join(folder, 'nowhere', 'model.json')} (ENOENT)`);
  });
});

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), out, err };
}

describe('segc import → check → run --input x.npy --format npy', () => {
  it('gives tfjs-layers’ prediction', async () => {
    await useBackend('cpu');
    const keras = CASES.unet_like!();
    randomiseWeights(keras, 3);
    const directory = await saveLayersModel(keras, 'cli');
    const out = join(folder, 'cli-out');
    const imported = await segc('import', join(directory, 'model.json'), '-o', out);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toBe(
      `wrote ${join(out, 'unet_like.seg')} (model UnetLike, 8 weights) and ${join(out, 'weights')}/\n`,
    );
    const again = await segc('import', directory, '-o', out);
    expect([again.code, again.err.split('\n')[0]]).toEqual([
      2,
      `segc import: ${join(out, 'unet_like.seg')} exists; give --overwrite to replace it`,
    ]);
    const checked = await segc('check', join(out, 'unet_like.seg'));
    expect(checked.code, checked.err).toBe(0);
    const formatted = await segc('fmt', '--check', join(out, 'unet_like.seg'));
    expect(formatted.code, formatted.out).toBe(0);
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 9);
    writeFileSync(join(folder, 'x.npy'), encodeNpy(x.dataSync() as Float32Array, x.shape));
    for (const backend of testBackends()) {
      const run = await segc(
        'run',
        join(out, 'unet_like.seg'),
        '--weights',
        join(out, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--format',
        'npy',
        '--out',
        join(folder, `run-${backend}`),
        '--backend',
        backend,
        '--json',
      );
      expect(run.code, run.err).toBe(0);
      await useBackend('cpu');
      const expected = keras.predict(x) as tf.Tensor[];
      for (const [i, name] of ['mask', 'scores'].entries()) {
        const written = decodeNpy(readFileSync(join(folder, `run-${backend}`, `x.${name}.npy`)));
        if ('problem' in written) throw new Error(written.problem);
        expect(written.shape).toEqual(expected[i]!.shape);
        const reference = expected[i]!.dataSync();
        const diff = written.values.reduce((m, v, j) => Math.max(m, Math.abs(v - reference[j]!)), 0);
        expect(diff, `${name} on ${backend}`).toBeLessThanOrEqual(1e-4);
      }
      tf.dispose(expected);
    }
    x.dispose();
    keras.dispose();
  });
});
