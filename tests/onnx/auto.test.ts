/**
 * `--backend auto` with onnxruntime-node installed: `segc run`, and `segc explain` for the methods
 * the ONNX explanation model makes, run on ONNX Runtime and say so once; the others, and models
 * with an op ONNX cannot express, keep the tfjs choice and say why. auto-missing.test.ts covers
 * the same commands with the package's resolution made to fail.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendLines, segc } from './auto-helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'segc-onnx-auto-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const MODEL = ['examples/gap_cam.seg', '--weights', 'weights/gap_cam'];

describe('--backend auto with onnxruntime-node installed', () => {
  it('runs segc run on ONNX Runtime, says so once, and reports what --backend cpu reports', async () => {
    const auto = await segc(
      'run',
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, 'auto'),
      '--json',
    );
    expect(auto.code, auto.err).toBe(0);
    expect(backendLines(auto.err)).toEqual([
      'backend: onnx (onnxruntime-node, cpu) — auto: onnxruntime-node is installed and segc run needs inference only; tfjs cpu prepares images and results',
    ]);
    const cpu = await segc(
      'run',
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, 'cpu'),
      '--backend',
      'cpu',
      '--json',
    );
    expect(cpu.code, cpu.err).toBe(0);
    const [fromAuto, fromCpu] = [auto, cpu].map(
      (r) => JSON.parse(r.out) as { top: { class: number; probability: number }[] },
    );
    expect(fromAuto!.top.map((c) => c.class)).toEqual(fromCpu!.top.map((c) => c.class));
    fromAuto!.top.forEach((c, i) => expect(Math.abs(c.probability - fromCpu!.top[i]!.probability)).toBeLessThan(1e-4));
  });

  it('runs Grad-CAM on the ONNX explanation model', async () => {
    const result = await segc(
      'explain',
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, 'gradcam'),
      '--method',
      'gradcam',
    );
    expect(result.code, result.err).toBe(0);
    expect(backendLines(result.err)).toEqual([
      'backend: onnx (onnxruntime-node, cpu) — auto: onnxruntime-node is installed and the ONNX explanation model makes gradcam maps; tfjs cpu prepares images and results',
    ]);
  });

  it('keeps tfjs for feature grids, which the explanation model does not make', async () => {
    const result = await segc(
      'explain',
      ...MODEL,
      '--image',
      'examples/images/digit-7.png',
      '--out',
      join(directory, 'features'),
      '--method',
      'features',
    );
    expect(result.code, result.err).toBe(0);
    const lines = backendLines(result.err);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backend: (wasm|cpu|webgpu)\b.* — auto: /);
    expect(lines[0]).not.toContain('onnx');
  });

  it('keeps tfjs for a model with an op that has no ONNX form, and says why', async () => {
    const file = join(directory, 'symmetric.seg');
    writeFileSync(file, 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> pad([1], mode: symmetric)\n}\n');
    const image = join(directory, 'tiny.png');
    writeFileSync(image, readFileSync('examples/images/shapes-a.png'));
    const result = await segc('run', file, '--image', image, '--out', join(directory, 'symmetric'));
    expect(result.code, result.err).toBe(0);
    const lines = backendLines(result.err);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^backend: (wasm|cpu|webgpu)\b.* — auto: .* \(not onnx: `y\/pad` has no ONNX form: pad with `mode: symmetric` has no ONNX form at opset 17\)$/,
    );
  });
});
