/**
 * Tensors in and out of `segc run` and `segc explain`: `.npy` files written by NumPy are read
 * exactly, `--format npy` writes every output as float32 `.npy`, and a one-channel sigmoid
 * output is thresholded into a mask with its probability map. The reference values come from
 * NumPy (Debian's /usr/bin/python3), computed from the same weights and input.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { compileSource } from '../../src/compiler/compile.js';
import { explain } from '../../src/explain/explain.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { SegModel } from '../../src/runtime/model.js';
import { saveWeights } from '../../src/runtime/node/weights-fs.js';
import { moduleNames } from '../../src/codegen/index.js';
import type { Graph } from '../../src/ir/graph.js';
import type { SizeSpace } from '../../src/shapes/sizes.js';
import { useBackend } from '../ops/backends.js';
import { decodeNpy } from '../../src/runtime/npy.js';
import { withoutLeaks } from '../explain/helpers.js';

const PYTHON = '/usr/bin/python3';
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += `${text}\n`), err: (text) => void (err += `${text}\n`) };
  return { code: await main(argv, io), out, err };
}

const MODEL = `model Tiny() {
  input image: f32[N, 8, 8, 3]
  let stem = conv(image, 4, 3)
  let norm = bn(stem, epsilon: 0.001)
  let head = conv(relu(norm), 1, 1)
  output mask = sigmoid(head)
}
`;

/** Weights, input and expected output from NumPy: a 3×3 'same' convolution by explicit sums. */
const REFERENCE = String.raw`
import json, sys, numpy as np
rng = np.random.default_rng(7)
folder = sys.argv[1]
x = rng.uniform(0, 1, (8, 8, 3)).astype(np.float32)
np.save(folder + '/x.npy', x)
np.save(folder + '/x64.npy', x.astype(np.float64))
w = {
  'stem/conv/kernel': rng.normal(0, 0.5, (3, 3, 3, 4)), 'stem/conv/bias': rng.normal(0, 0.1, 4),
  'norm/bn/gamma': rng.uniform(0.5, 1.5, 4), 'norm/bn/beta': rng.normal(0, 0.1, 4),
  'norm/bn/movingMean': rng.normal(0, 0.2, 4), 'norm/bn/movingVariance': rng.uniform(0.5, 2, 4),
  'head/conv/kernel': rng.normal(0, 0.5, (1, 1, 4, 1)), 'head/conv/bias': np.array([0.1]),
}
w = {k: v.astype(np.float32) for k, v in w.items()}
p = np.pad(x, ((1, 1), (1, 1), (0, 0)))
conv = np.zeros((8, 8, 4))
for dy in range(3):
  for dx in range(3):
    conv += p[dy:dy + 8, dx:dx + 8, :] @ w['stem/conv/kernel'][dy, dx]
conv += w['stem/conv/bias']
norm = (conv - w['norm/bn/movingMean']) / np.sqrt(w['norm/bn/movingVariance'] + 0.001) * w['norm/bn/gamma'] + w['norm/bn/beta']
head = np.maximum(norm, 0) @ w['head/conv/kernel'][0, 0] + w['head/conv/bias']
mask = 1 / (1 + np.exp(-head))
print(json.dumps({'weights': {k: [list(v.shape), v.ravel().tolist()] for k, v in w.items()}, 'mask': mask.ravel().tolist()}))
`;

let folder: string;
let expected: number[];
beforeAll(async () => {
  await useBackend('cpu');
  folder = mkdtempSync(join(tmpdir(), 'segc-tensors-'));
  writeFileSync(join(folder, 'tiny.seg'), MODEL);
  if (!hasNumpy) return;
  const reference = JSON.parse(execFileSync(PYTHON, ['-c', REFERENCE, folder], { encoding: 'utf8' })) as {
    weights: Record<string, [number[], number[]]>;
    mask: number[];
  };
  const tensors = new Map(
    Object.entries(reference.weights).map(([name, [shape, values]]) => [name, tf.tensor(values, shape)]),
  );
  await saveWeights(join(folder, 'weights'), tensors, { model: 'Tiny' });
  tf.dispose([...tensors.values()]);
  expected = reference.mask;
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe.skipIf(!hasNumpy)('.npy read', () => {
  it('reads what numpy.save writes, for float, integer and byte dtypes, with the shape', () => {
    const script = String.raw`
import sys, numpy as np
a = np.arange(24).reshape(2, 3, 4)
for name, dtype in [('f4', np.float32), ('f8', np.float64), ('f2', np.float16), ('i4', np.int32), ('i8', np.int64), ('u1', np.uint8)]:
  np.save(sys.argv[1] + '/' + name + '.npy', (a - 5).astype(dtype) if name != 'u1' else a.astype(dtype))
np.save(sys.argv[1] + '/scalar.npy', np.float32(2.5))
np.save(sys.argv[1] + '/fortran.npy', np.asfortranarray(a.astype(np.float32)))
np.save(sys.argv[1] + '/big.npy', np.zeros(3, dtype='>f4'))
`;
    execFileSync(PYTHON, ['-c', script, folder]);
    const range = Array.from({ length: 24 }, (_, i) => i);
    for (const name of ['f4', 'f8', 'f2', 'i4', 'i8', 'u1']) {
      const decoded = decodeNpy(readFileSync(join(folder, `${name}.npy`)));
      expect(decoded, name).toEqual({
        shape: [2, 3, 4],
        values: Float32Array.from(range, (v) => (name === 'u1' ? v : v - 5)),
      });
    }
    expect(decodeNpy(readFileSync(join(folder, 'scalar.npy')))).toEqual({
      shape: [],
      values: Float32Array.from([2.5]),
    });
    expect(decodeNpy(readFileSync(join(folder, 'fortran.npy')))).toEqual({
      problem: 'it is in Fortran order; save it with numpy.ascontiguousarray first',
    });
    expect(decodeNpy(readFileSync(join(folder, 'big.npy')))).toMatchObject({
      problem: expect.stringContaining('dtype `>f4` is not a little-endian number'),
    });
    expect(decodeNpy(Uint8Array.from([1, 2, 3]))).toEqual({ problem: 'it does not start with the .npy magic string' });
    const cut = readFileSync(join(folder, 'f4.npy')).subarray(0, 140);
    expect(decodeNpy(cut)).toMatchObject({ problem: expect.stringContaining('needs 96 bytes of data but it holds') });
  });
});

describe.skipIf(!hasNumpy)('segc run --input FILE.npy', () => {
  it('--format npy writes every output as float32 .npy equal to the NumPy reference', () =>
    withoutLeaks(async () => {
      const out = join(folder, 'npy');
      for (const input of [join(folder, 'x.npy'), `image=${join(folder, 'x64.npy')}`]) {
        const result = await segc(
          'run',
          join(folder, 'tiny.seg'),
          '--weights',
          join(folder, 'weights'),
          '--input',
          input,
          '--format',
          'npy',
          '--out',
          out,
          '--backend',
          'cpu',
          '--json',
        );
        expect(result.code, result.err).toBe(0);
        const stem = input.endsWith('x.npy') ? 'x' : 'x64';
        expect(JSON.parse(result.out).files).toEqual({ mask: join(out, `${stem}.mask.npy`) });
        const written = decodeNpy(readFileSync(join(out, `${stem}.mask.npy`)));
        if ('problem' in written) throw new Error(written.problem);
        expect(written.shape).toEqual([1, 8, 8, 1]);
        expect(maxDiff(written.values, expected)).toBeLessThan(1e-5);
        expect(
          readFileSync(join(out, `${stem}.mask.npy`))
            .subarray(0, 60)
            .toString('latin1'),
        ).toContain("'descr': '<f4'");
      }
      const text = await segc(
        'run',
        join(folder, 'tiny.seg'),
        '--weights',
        join(folder, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--format',
        'npy',
        '--out',
        out,
        '--backend',
        'cpu',
      );
      expect(text.out).toBe(`${join(folder, 'x.npy')} → mask → ${join(out, 'x.mask.npy')}\n`);
    }));

  it('thresholds a one-channel sigmoid output into a mask, with its probability map (0.5 by default, --threshold)', () =>
    withoutLeaks(async () => {
      for (const threshold of [undefined, 0.8]) {
        const out = join(folder, `mask-${threshold ?? 'default'}`);
        const result = await segc(
          'run',
          join(folder, 'tiny.seg'),
          '--weights',
          join(folder, 'weights'),
          '--input',
          join(folder, 'x.npy'),
          '--out',
          out,
          '--backend',
          'cpu',
          '--json',
          ...(threshold ? ['--threshold', String(threshold)] : []),
        );
        expect(result.code, result.err).toBe(0);
        const report = JSON.parse(result.out);
        const cut = threshold ?? 0.5;
        expect(report.threshold).toBe(cut);
        const labels = PNG.sync.read(readFileSync(join(out, 'x.labels.png')));
        const got = Array.from({ length: 64 }, (_, i) => labels.data[i * 4]!);
        expect(got).toEqual(expected.map((p) => (p >= cut ? 1 : 0)));
        const foreground = expected.filter((p) => p >= cut).length / 64;
        expect(report.pixels.find((p: { class: number }) => p.class === 1)?.fraction ?? 0).toBeCloseTo(foreground, 6);
        const probability = PNG.sync.read(readFileSync(join(out, 'x.probability.png')));
        const grey = Array.from({ length: 64 }, (_, i) => probability.data[i * 4]! / 255);
        expect(maxDiff(grey, expected)).toBeLessThanOrEqual(1 / 255 + 1e-6);
      }
    }));

  it('reports unreadable and ill-fitting tensors with the file name, and mixing images and tensors as usage', async () => {
    writeFileSync(join(folder, 'bad.npy'), 'not numpy');
    const missing = await segc(
      'run',
      join(folder, 'tiny.seg'),
      '--input',
      join(folder, 'absent.npy'),
      '--out',
      join(folder, 'e'),
      '--backend',
      'cpu',
    );
    expect([missing.code, missing.err]).toEqual([
      1,
      `${join(folder, 'absent.npy')}: error E0606: cannot read tensor file ${join(folder, 'absent.npy')} (ENOENT)\n  hint: check the path\n`,
    ]);
    const bad = await segc(
      'run',
      join(folder, 'tiny.seg'),
      '--input',
      join(folder, 'bad.npy'),
      '--out',
      join(folder, 'e'),
      '--backend',
      'cpu',
    );
    expect([bad.code, bad.err]).toEqual([
      1,
      `${join(folder, 'bad.npy')}: error E0606: ${join(folder, 'bad.npy')} is not a .npy array: it does not start with the .npy magic string\n  hint: write it with numpy.save\n`,
    ]);
    execFileSync(PYTHON, [
      '-c',
      'import sys, numpy as np; np.save(sys.argv[1], np.zeros((1, 9, 8, 3), np.float32))',
      join(folder, 'wrong.npy'),
    ]);
    const wrong = await segc(
      'run',
      join(folder, 'tiny.seg'),
      '--weights',
      join(folder, 'weights'),
      '--input',
      join(folder, 'wrong.npy'),
      '--out',
      join(folder, 'e'),
      '--backend',
      'cpu',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/E042\d/);
    expect(wrong.err).not.toMatch(/\n\s+at /);
    const both = await segc(
      'run',
      join(folder, 'tiny.seg'),
      '--input',
      join(folder, 'x.npy'),
      '--image',
      'examples/images/shapes-a.png',
      '--out',
      join(folder, 'e'),
    );
    expect([both.code, both.err.split('\n')[0]]).toEqual([
      2,
      'segc run: run takes images (--image) or tensors (--input FILE.npy), not both',
    ]);
    const named = await segc(
      'run',
      join(folder, 'tiny.seg'),
      '--input',
      `photo=${join(folder, 'x.npy')}`,
      '--out',
      join(folder, 'e'),
      '--backend',
      'cpu',
    );
    expect(named.code).toBe(2);
    expect(named.err).toContain('the model has no input `photo` (its inputs: image)');
  });
});

describe.skipIf(!hasNumpy)('segc run on a one-score classifier', () => {
  it('reports the sigmoid of the score as its probability, not softmax over one class (always 1)', () =>
    withoutLeaks(async () => {
      writeFileSync(
        join(folder, 'score.seg'),
        'model Score() {\n  input image: f32[N, 8, 8, 3]\n  let features = conv(image, 2, 3)\n  output score = dense(gap(features), 1)\n}\n',
      );
      const common = [
        join(folder, 'score.seg'),
        '--input',
        join(folder, 'x.npy'),
        '--backend',
        'cpu',
        '--json',
        '--seed',
        '3',
      ];
      const raw = await segc('run', ...common, '--format', 'npy', '--out', join(folder, 'score-npy'));
      expect(raw.code, raw.err).toBe(0);
      const logit = decodeNpy(readFileSync(join(folder, 'score-npy', 'x.score.npy')));
      if ('problem' in logit) throw new Error(logit.problem);
      const reported = await segc('run', ...common, '--out', join(folder, 'score-png'));
      expect(reported.code, reported.err).toBe(0);
      const [best] = JSON.parse(reported.out).top;
      expect(best.probability).toBeCloseTo(1 / (1 + Math.exp(-logit.values[0]!)), 5);
      expect(best.probability).toBeLessThan(1);
    }));
});

describe.skipIf(!hasNumpy)('segc explain on a one-channel output', () => {
  it('explains the foreground of a sigmoid output from a tensor file (no one-hot over one channel)', () =>
    withoutLeaks(async () => {
      const out = join(folder, 'explain');
      const result = await segc(
        'explain',
        join(folder, 'tiny.seg'),
        '--weights',
        join(folder, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--out',
        out,
        '--backend',
        'cpu',
        '--format',
        'npy',
        '--json',
      );
      expect(result.code, result.err).toBe(0);
      const report = JSON.parse(result.out);
      expect([report.method, report.output, report.class]).toEqual(['gradcam', 'mask', 0]);
      const map = decodeNpy(readFileSync(join(out, 'x.gradcam.map.npy')));
      if ('problem' in map) throw new Error(map.problem);
      expect(map.shape).toEqual([8, 8]);
      expect(map.values.every(Number.isFinite)).toBe(true);
      expect(Math.max(...map.values)).toBeCloseTo(1, 5);
      expect(existsSync(join(out, 'x.gradcam.png'))).toBe(true);
      const common = [
        '--weights',
        join(folder, 'weights'),
        '--input',
        join(folder, 'x.npy'),
        '--out',
        out,
        '--backend',
        'cpu',
        '--json',
      ];
      for (const extra of [
        ['--region', '0,0,4,4'],
        ['--class', '0'],
        ['--method', 'layercam'],
      ]) {
        const other = await segc('explain', join(folder, 'tiny.seg'), ...common, ...extra);
        expect(other.code, `${extra.join(' ')}: ${other.err}`).toBe(0);
      }
      const outOfRange = await segc('explain', join(folder, 'tiny.seg'), ...common, '--class', '1');
      expect(outOfRange.code).toBe(1);
      expect(outOfRange.err).toContain('class 1 is out of range: the output `mask` has 1 classes (0 to 0)');
    }));
});

describe('generated modules on a one-channel output', () => {
  it('Grad-CAM of the generated code equals the interpreter’s over the whole image (no one-hot of depth 1)', async () => {
    registerGradients();
    await useBackend('cpu');
    const source =
      'model Gen() {\n  input image: f32[N, 8, 8, 3]\n  let features = conv(image, 4, 3, activation: relu)\n  output mask = conv(features, 1, 1)\n}\n';
    writeFileSync(join(folder, 'gen.seg'), source);
    const built = await segc('build', join(folder, 'gen.seg'), '-o', join(folder, 'built'), '--target', 'js');
    expect(built.code, built.err).toBe(0);
    const { graph, sizes } = compileSource(source, 'gen.seg').models[0]! as { graph: Graph; sizes: SizeSpace };
    const before = tf.memory().numTensors;
    const interpreter = SegModel.random(graph, sizes, 5);
    const module = (await import(join(folder, 'built', 'gen.js'))) as Record<
      string,
      (w: ReadonlyMap<string, tf.Tensor>) => {
        gradCam(inputs: Record<string, tf.Tensor>): tf.Tensor3D;
        dispose(): void;
      }
    >;
    const generated = module[moduleNames(graph).create]!(interpreter.weights);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4);
    const fromCode = generated.gradCam({ image: x });
    const reference = await explain(interpreter, x, { method: 'gradcam', region: { box: [0, 0, 8, 8] } });
    const scale = Math.max(...Array.from(reference.raw.dataSync(), Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(maxDiff(fromCode.dataSync(), reference.raw.dataSync()) / scale).toBeLessThan(1e-4);
    tf.dispose([x, fromCode, reference.raw, reference.map]);
    generated.dispose();
    interpreter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
