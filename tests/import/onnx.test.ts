/**
 * `segc import` of ONNX models, checked against onnxruntime-node: small PyTorch networks per op
 * and pattern (conv-bn-relu, residual, inverted residual with hard-swish and squeeze-excitation,
 * an upsample-and-concatenate decoder, a classifier head with flatten and linear), exported at test
 * time by tests/import/onnx-models.py with torch.onnx.export, run by segc on cpu and wasm; outputs
 * must match within 1e-4. ONNX is channel-first, segc channel-last: inputs are transposed on the
 * way in and outputs back. Also: segc's own ONNX export of examples read back, and the command
 * line end to end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { compile, compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { disposeImported, importModel } from '../../src/import/import.js';
import { SegModel, initialWeights } from '../../src/runtime/model.js';
import { saveWeights } from '../../src/runtime/node/weights-fs.js';
import { decodeNpy, encodeNpy } from '../../src/runtime/npy.js';
import { testBackends, useBackend } from '../ops/backends.js';

const PYTHON = '/usr/bin/python3';
const torchMissing = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8', timeout: 120_000 });
  return probe.status === 0
    ? undefined
    : `${PYTHON} cannot import torch and onnx: ${probe.stderr.trim().split('\n').at(-1)}`;
})();
if (torchMissing) console.warn(`skipping the ONNX import tests: ${torchMissing}`);

/** Network name → input size [N, C, H, W], as tests/import/onnx-models.py exports them. */
const NETWORKS: Record<string, number[]> = {
  conv_bn_relu: [2, 3, 15, 13],
  residual: [2, 3, 12, 12],
  inverted_residual_se_hardswish: [2, 3, 16, 16],
  inverted_residual_se_hardswish_opset13: [2, 3, 16, 16],
  upsample_concat_decoder: [2, 3, 16, 16],
  upsample_concat_decoder_opset11: [2, 3, 16, 16],
  classifier_flatten_linear: [2, 3, 8, 8],
  upsample_matmul_opset9: [2, 3, 8, 8],
  repeated_blocks: [2, 3, 16, 16],
  written_out_activations: [2, 3, 12, 12],
  written_out_activations_opset9: [2, 3, 12, 12],
  prelu: [2, 3, 8, 8],
};

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'segc-import-onnx-'));
  if (torchMissing) return;
  const exported = spawnSync(PYTHON, ['tests/import/onnx-models.py', folder], { encoding: 'utf8', timeout: 300_000 });
  if (exported.status !== 0) throw new Error(`onnx-models.py failed:\n${exported.stderr}`);
}, 300_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Seeded values in [0, 1) in NCHW order. */
function inputValues(shape: number[], seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  });
}

async function onnxRuntime(file: string, values: Float32Array, shape: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(file);
  const result = await session.run({ x: new ort.Tensor('float32', values, shape) });
  await session.release();
  return result.y!;
}

/** NCHW values as an NHWC tensor, and an NHWC tensor's values in NCHW order. */
const toNhwc = (values: Float32Array, shape: number[]) =>
  tf.tidy(() => (shape.length === 4 ? tf.transpose(tf.tensor(values, shape), [0, 2, 3, 1]) : tf.tensor(values, shape)));
const toNchw = (x: tf.Tensor) => tf.tidy(() => (x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : tf.clone(x)));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff;
}

describe.skipIf(torchMissing)('segc import of ONNX models exported by PyTorch, against onnxruntime-node', () => {
  for (const [name, shape] of Object.entries(NETWORKS)) {
    it(`${name}: the same outputs on ${testBackends().join(' and ')} (max abs diff ≤ 1e-4)`, async () => {
      const file = join(folder, `${name}.onnx`);
      const values = inputValues(shape, 7);
      const expected = await onnxRuntime(file, values, shape);
      const reference = expected.data as Float32Array;
      let spread = 0;
      for (const v of reference) spread = Math.max(spread, Math.abs(v - reference[0]!));
      expect(spread, 'the reference output varies').toBeGreaterThan(1e-3);
      for (const backend of testBackends()) {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        const imported = await importModel(file);
        const compiled = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
        const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, imported.weights);
        disposeImported(imported);
        const x = toNhwc(values, shape);
        const [got] = Object.values(model.predict(x));
        const back = toNchw(got!);
        expect(back.shape).toEqual(expected.dims);
        const diff = maxDiff(await back.data(), reference);
        tf.dispose([x, got!, back]);
        model.dispose();
        expect(tf.memory().numTensors, 'tensors left by the import and run').toBe(before);
        if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`${name}.onnx on ${backend}: max abs diff ${diff}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      }
    }, 120_000);
  }
});

describe.skipIf(torchMissing)('blocks recovered from the graph', () => {
  it('writes residual, inverted-residual and squeeze-excitation units as blocks, one per structure', async () => {
    await useBackend('cpu');
    const imported = await importModel(join(folder, 'repeated_blocks.onnx'));
    const names = [...imported.weights.keys()];
    disposeImported(imported);
    const text = imported.source;
    // Two residual units of one structure: one block, two calls under the source's names.
    expect(text).toContain(
      'block Residual(x) {\n  // Conv\n  let conv1 = conv(x, 8, 3, pad: 1)\n  // Relu\n  let relu1 = relu(conv1)\n  // Conv\n  let conv2 = conv(relu1, 8, 3, pad: 1)\n  // Add\n  let sum = add(x, conv2)\n  return sum\n}\n',
    );
    expect(text).toContain('  let layer1_layer1_0_Add = Residual(Relu)\n');
    expect(text).toContain('  let layer1_layer1_1_Add = Residual(layer1_layer1_0_Relu_1)\n');
    // Two inverted residuals that differ in width and kernel: one block, parameterised by them.
    expect(text).toContain(
      'block InvertedResidual(\n  x,\n  expand_filters: int,\n  depthwise_kernel: int,\n  depthwise_pad: int,\n  se_squeeze_filters: int,\n  se_excite_filters: int,\n) {\n',
    );
    expect(text).toContain('  let depthwise = dwconv(hardSwish1, kernel: depthwise_kernel, pad: depthwise_pad)\n');
    expect(text).toContain(
      '  let layer2_layer2_1_Add = InvertedResidual(\n    layer2_layer2_0_Add,\n    expand_filters: 24,\n    depthwise_kernel: 3,\n    depthwise_pad: 1,\n    se_squeeze_filters: 8,\n    se_excite_filters: 24,\n  )\n',
    );
    expect(text).toContain(
      'block SqueezeExcite(x, squeeze_filters: int, excite_filters: int) {\n  // GlobalAveragePool\n',
    );
    expect(text.match(/^block /gm)).toHaveLength(3);
    // Weights are named through the calls, as the compiler names them.
    expect(names).toContain('layer1_layer1_0_Add/residual/conv1/conv/kernel');
    expect(names).toContain('layer2_layer2_1_Add/inverted_residual/se/squeeze_excite/squeeze/conv/kernel');
    expect(names).toContain('layer2_layer2_0_Add/inverted_residual/depthwise/dwconv/depthwiseKernel');
    // One squeeze-excitation inside one inverted residual: blocks even where a unit occurs once.
    const single = await importModel(join(folder, 'inverted_residual_se_hardswish.onnx'));
    disposeImported(single);
    expect(single.source).toContain('block SqueezeExcite(x) {\n');
    expect(single.source).toContain('  let se = SqueezeExcite(hardSwish2)\n');
    expect(single.source).toContain('  let Add = InvertedResidual(stem_stem_2_HardSwish)\n');
  }, 120_000);

  it('keeps a unit flat when a value inside it is read outside', async () => {
    await useBackend('cpu');
    const imported = await importModel(join(folder, 'residual.onnx'));
    disposeImported(imported);
    // `b_Conv` is read by the add and by `- 0.25 * y` after it: no single-exit unit.
    expect(imported.source).not.toContain('block ');
    expect(imported.source).toContain('  let Add = add(pool_MaxPool, b_Conv)\n');
  }, 60_000);
});

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), out, err };
}

describe.skipIf(torchMissing)('hard activations read as such', () => {
  it('writes HardSwish, and HardSigmoid · its input with α = 1/6, β = 0.5, as hardSwish; other HardSigmoids with their α and β', async () => {
    await useBackend('cpu');
    for (const name of ['inverted_residual_se_hardswish', 'inverted_residual_se_hardswish_opset13']) {
      const imported = await importModel(join(folder, `${name}.onnx`));
      disposeImported(imported);
      // nn.Hardswish is a HardSwish node at opset 14, HardSigmoid(α = 1/6) · x before; nn.Hardsigmoid
      // a HardSigmoid with α = 1/6.
      expect(imported.source, name).toMatch(/ {2}let stem_stem_2_\w+ = hardSwish\(stem_stem_0_Conv\)\n/);
      expect(imported.source.match(/= hardSwish\(/g), name).toHaveLength(3);
      expect(imported.source, name).toContain(
        '  let hardSigmoid1 = hardSigmoid(excite, alpha: 0.16666667, beta: 0.5)\n',
      );
      // Only the network's own final relu6 is left.
      expect(imported.source.match(/relu6\(/g), name).toHaveLength(1);
    }
  });

  for (const name of ['written_out_activations', 'written_out_activations_opset9'])
    it(`${name}: x · clip(x + 3, 0, 6) / 6 in either order is hardSwish, clip(x + 3, 0, 6) / 6 hardSigmoid; a look-alike stays arithmetic`, async () => {
      await useBackend('cpu');
      const imported = await importModel(join(folder, `${name}.onnx`));
      disposeImported(imported);
      const lets = imported.source.split('\n').filter((line) => line.startsWith('  let '));
      expect(lets).toEqual([
        '  let a_Conv = conv(x, 8, 3, pad: 1)',
        '  let Mul = dwconv(a_Conv, kernel: 1, bias: false)',
        '  let Div = hardSwish(Mul)',
        '  let b_Conv = conv(Div, 8, 3, pad: 1)',
        '  let Mul_2 = dwconv(b_Conv, kernel: 1, bias: false)',
        '  let Mul_4 = hardSwish(Mul_2)',
        '  let c_Conv = conv(Mul_4, 8, 1, padding: valid)',
        '  let Mul_5 = dwconv(c_Conv, kernel: 1, bias: false)',
        '  let Div_1 = hardSigmoid(Mul_5, alpha: 0.16666667, beta: 0.5)',
        '  let Mul_6 = mul(Mul_4, Div_1)',
        '  let d_Conv = conv(Mul_6, 6, 3, pad: 1)',
        '  let Mul_7 = dwconv(d_Conv, kernel: 1, bias: false)',
        // x · relu6(x + 3) / 5 is not hard-swish: written out as before.
        '  let Add_3 = dwconv(Mul_7, kernel: 1)',
        '  let Relu_2 = relu(Add_3)',
        '  let Clip_3 = relu6(Relu_2)',
        '  let Mul_8 = mul(Mul_7, Clip_3)',
        '  let Div_2 = dwconv(Mul_8, kernel: 1, bias: false)',
      ]);
    });
});

describe.skipIf(torchMissing)('segc import of ONNX models on the command line', () => {
  it('segc import → check → run --input x.npy --format npy gives onnxruntime-node’s output', async () => {
    const file = join(folder, 'upsample_concat_decoder.onnx');
    const out = join(folder, 'decoder-out');
    const imported = await segc('import', file, '-o', out);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toMatch(
      /^wrote .*upsample_concat_decoder\.seg \(model UpsampleConcatDecoder, \d+ weights\) and /,
    );
    const seg = join(out, 'upsample_concat_decoder.seg');
    const checked = await segc('check', seg);
    expect(checked.code, checked.err).toBe(0);
    const formatted = await segc('fmt', '--check', seg);
    expect(formatted.code, formatted.out).toBe(0);
    const shape = [1, 3, 16, 16];
    const values = inputValues(shape, 11);
    await useBackend('cpu');
    const x = toNhwc(values, shape);
    writeFileSync(join(folder, 'x.npy'), encodeNpy(x.dataSync() as Float32Array, x.shape));
    x.dispose();
    const expected = await onnxRuntime(file, values, shape);
    const nhwc = toNhwc(expected.data as Float32Array, expected.dims as number[]);
    const reference = nhwc.dataSync();
    for (const backend of testBackends()) {
      const run = await segc(
        'run',
        seg,
        '--weights',
        join(out, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--format',
        'npy',
        '--out',
        join(folder, `decoder-run-${backend}`),
        '--backend',
        backend,
      );
      expect(run.code, run.err).toBe(0);
      const written = decodeNpy(readFileSync(join(folder, `decoder-run-${backend}`, 'x.y.npy')));
      if ('problem' in written) throw new Error(written.problem);
      expect(written.shape).toEqual(nhwc.shape);
      const diff = maxDiff(written.values, reference);
      if (process.env.SEGC_IMPORT_DIFFS === '1')
        console.log(`segc run of the decoder on ${backend}: max abs diff ${diff}`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    }
    nhwc.dispose();
  }, 180_000);

  it('refuses an op or a setting .seg cannot represent, naming the node and its op, and writes nothing', async () => {
    const out = join(folder, 'refused-out');
    const elu = join(folder, 'refused_elu.onnx');
    const refused = await segc('import', elu, '-o', out);
    expect([refused.code, refused.err]).toEqual([
      1,
      `${elu}:1:1: error E1302: node \`/act/Elu\` (Elu) cannot be written in .seg: segc import has no translation for this op\n  hint: see docs/import.md for the ops segc import reads\n`,
    ]);
    const hardtanh = join(folder, 'refused_hardtanh.onnx');
    const clipped = await segc('import', hardtanh, '-o', out);
    expect([clipped.code, clipped.err]).toEqual([
      1,
      `${hardtanh}:1:1: error E1302: node \`/act/Clip\` (Clip) cannot be written in .seg: a clip to [-1, 1]\n  hint: .seg has relu (clip at 0) and relu6 (clip to [0, 6])\n`,
    ]);
    // Recognised by its first bytes without the extension, or named with --from onnx.
    const renamed = join(folder, 'classifier.model');
    writeFileSync(renamed, readFileSync(join(folder, 'classifier_flatten_linear.onnx')));
    const detected = await segc('import', renamed, '-o', join(folder, 'detected'));
    expect(detected.code, detected.err).toBe(0);
    expect(existsSync(join(folder, 'detected', 'classifier.seg'))).toBe(true);
    const named = await segc('import', renamed, '-o', join(folder, 'named'), '--from', 'onnx');
    expect(named.code, named.err).toBe(0);
    writeFileSync(join(folder, 'not-onnx.onnx'), 'not a model');
    const garbage = await segc('import', join(folder, 'not-onnx.onnx'), '-o', out);
    expect(garbage.code).toBe(1);
    expect(garbage.err).toContain('error E1301:');
    expect(garbage.err).toContain('is not an ONNX model');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

/**
 * segc's own ONNX export (`segc build --target onnx`, channel-last at the inputs and outputs)
 * read back: the imported model, on the exported weights, gives the original model's outputs.
 */
describe('segc build --target onnx → segc import', () => {
  const EXAMPLES: Record<string, number[]> = {
    gap_cam: [2, 28, 28, 1],
    nin: [2, 28, 28, 1],
    // Open H and W, with the export's `where` conditions, and an int32 argmax output.
    unet: [2, 32, 48, 3],
  };
  for (const [example, shape] of Object.entries(EXAMPLES)) {
    it(`${example}.seg: the same outputs as the original with its weights (max abs diff ≤ 1e-4)`, async () => {
      await useBackend('cpu');
      const compiled = compile(`examples/${example}.seg`, nodeHost()).models[0]!;
      const weights = initialWeights(compiled.graph!, 3);
      const saved = join(folder, `${example}-weights`);
      await saveWeights(saved, weights, { model: example, generatedBy: 'test' });
      const built = await segc(
        'build',
        `examples/${example}.seg`,
        '--target',
        'onnx',
        '--weights',
        saved,
        '-o',
        join(folder, `${example}-onnx`),
      );
      expect(built.code, built.err).toBe(0);
      const onnxFile = built.out.match(/wrote (\S+\.onnx)/)![1]!;
      const original = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
      tf.dispose([...weights.values()]);
      const imported = await importModel(onnxFile);
      const back = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
      const model = SegModel.fromTensors(back.graph!, back.sizes, imported.weights);
      disposeImported(imported);
      const x = tf.randomUniform(shape, 0, 1, 'float32', 4);
      const expected = original.predict(x);
      const got = model.predict(x);
      expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, value] of Object.entries(expected)) {
        const reference = value.dataSync();
        if (value.dtype === 'float32')
          expect(Math.max(...reference) - Math.min(...reference), `${name} varies`).toBeGreaterThan(1e-3);
        expect(got[name]!.dtype).toBe(value.dtype);
        const diff = maxDiff(got[name]!.dataSync(), reference);
        if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`${example} round trip, ${name}: max abs diff ${diff}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      }
      tf.dispose([x, ...Object.values(expected), ...Object.values(got)]);
      original.dispose();
      model.dispose();
    }, 120_000);
  }

  it('hardSigmoid, hardSwish and prelu: the export runs in onnxruntime-node as segc runs them, and imports back as written', async () => {
    await useBackend('cpu');
    const seg = join(folder, 'hard.seg');
    const body =
      '  let features = conv(image, 4, 3)\n' +
      '  let gate = hardSigmoid(features, alpha: 0.3, beta: 0.45)\n' +
      '  let swish = hardSwish(features)\n' +
      '  let leaky = prelu(features)\n';
    writeFileSync(
      seg,
      `model Hard() {\n  input image: f32[N, 8, 8, 3]\n${body}  output y = concat([gate, swish, leaky])\n}\n`,
    );
    const compiled = compile(seg, nodeHost()).models[0]!;
    const weights = initialWeights(compiled.graph!, 6);
    // Slopes of both signs (their initial value, 0, would make prelu a relu).
    tf.dispose(weights.get('leaky/prelu/alpha'));
    weights.set('leaky/prelu/alpha', tf.tensor1d([0.25, -0.5, 1.5, 0.1]));
    const saved = join(folder, 'hard-weights');
    await saveWeights(saved, weights, { model: 'Hard', generatedBy: 'test' });
    const built = await segc('build', seg, '--target', 'onnx', '--weights', saved, '-o', join(folder, 'hard-onnx'));
    expect(built.code, built.err).toBe(0);
    const onnxFile = built.out.match(/wrote (\S+\.onnx)/)![1]!;
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, weights);
    tf.dispose([...weights.values()]);
    // Inputs in [-4, 4): both clips of the gate and both kinks of the swish are reached.
    const x = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 8), 8), 4));
    const expected = model.predict(x).y!;
    const session = await ort.InferenceSession.create(onnxFile);
    const result = await session.run({ image: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    await session.release();
    const reference = expected.dataSync();
    expect(reference.some((v) => v === 0) && reference.some((v) => v === 1), 'the gate is clipped both ways').toBe(
      true,
    );
    const diff = maxDiff(result.y!.data as Float32Array, reference);
    if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`hardSigmoid/hardSwish/prelu export: max abs diff ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, expected]);
    model.dispose();
    const imported = await importModel(onnxFile);
    expect(imported.source).toMatch(/= hardSigmoid\(\w+, alpha: 0\.3, beta: 0\.45\)\n/);
    expect(imported.source).toMatch(/= hardSwish\(\w+\)\n/);
    expect(imported.source).toMatch(/= prelu\(\w+\)\n/);
    const slope = [...imported.weights].find(([name]) => name.endsWith('/prelu/alpha'))![1];
    expect(Array.from(slope.dataSync())).toEqual([0.25, -0.5, 1.5, 0.1].map(Math.fround));
    disposeImported(imported);
  }, 120_000);

  /** `image → conv → gap` with `annotation` on its input, built to ONNX and imported back. */
  async function roundTrip(name: string, annotation: string) {
    const seg = join(folder, `${name}.seg`);
    writeFileSync(
      seg,
      `model Preprocessed() {\n  input image: f32[N, 8, 8, 3] ${annotation}\n  let features = conv(image, 4, 3)\n  output y = gap(features)\n}\n`,
    );
    const compiled = compile(seg, nodeHost()).models[0]!;
    const weights = initialWeights(compiled.graph!, 5);
    const saved = join(folder, `${name}-weights`);
    await saveWeights(saved, weights, { model: 'Preprocessed', generatedBy: 'test' });
    tf.dispose([...weights.values()]);
    const built = await segc('build', seg, '--target', 'onnx', '--weights', saved, '-o', join(folder, `${name}-onnx`));
    expect(built.code, built.err).toBe(0);
    const imported = await importModel(built.out.match(/wrote (\S+\.onnx)/)![1]!);
    disposeImported(imported);
    const back = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
    return { source: imported.source, original: compiled.graph!.inputs[0]!, back: back.graph!.inputs[0]! };
  }

  it('keeps the input’s @preprocess: the import reads it back from the export’s metadata', async () => {
    await useBackend('cpu');
    const annotation =
      '@preprocess(resize: "nearest", centres: "legacy", order: "bgr", scale: 1, mean: [103.94, 116.78, 123.68], std: 58.5)';
    const declared = await roundTrip('preprocessed', annotation);
    // The formatter lays the annotation out one argument a line.
    expect(declared.source).toContain('input image: f32[N, 8, 8, 3] @preprocess(\n');
    for (const argument of annotation.slice('@preprocess('.length, -1).split(/, (?=[a-z])/))
      expect(declared.source).toContain(`    ${argument},\n`);
    expect(declared.original.preprocessing).toBeDefined();
    expect(declared.back.preprocessing).toEqual(declared.original.preprocessing);
    // A model that declares none gets none: the defaults are not written out.
    const plain = await roundTrip('plain', '');
    expect(plain.source).not.toContain('@preprocess');
    expect(plain.back.preprocessing).toBeUndefined();
  }, 120_000);
});
