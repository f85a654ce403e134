/**
 * The ONNX path from the command line: `segc build --target onnx` on trained weights (checked by
 * onnx.checker, names, doc strings and metadata read back by the onnx package), `segc run
 * --backend onnx` against `--backend cpu` on the bundled images, and the errors for an op with no
 * ONNX form, for an explanation through an op with no derivative there, and for a missing
 * onnxruntime-node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { OnnxRuntimeMissing, loadOnnxRuntime } from '../../src/onnx/node/runtime.js';
import { PYTHON, checkModels } from './helpers.js';

async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let [out, err] = ['', ''];
  const code = await main(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

const directory = mkdtempSync(join(tmpdir(), 'segc-onnx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The model's metadata, and the name, type and doc string of every node, read by the onnx package. */
function describeModel(path: string): {
  metadata: Record<string, string>;
  nodes: [string, string, string][];
  input: (number | string)[];
} {
  const script = [
    'import json, sys, onnx',
    'm = onnx.load(sys.argv[1])',
    'dims = [d.dim_value or d.dim_param for d in m.graph.input[0].type.tensor_type.shape.dim]',
    'print(json.dumps({"metadata": {p.key: p.value for p in m.metadata_props}, "nodes": [[n.name, n.op_type, n.doc_string] for n in m.graph.node], "input": dims, "opset": m.opset_import[0].version}))',
  ].join('\n');
  return JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' }));
}

describe('segc build --target onnx', () => {
  it('writes a checked model with the source names, doc strings and preprocessing', async () => {
    const result = await segc(
      'build',
      'examples/gap_cam.seg',
      '--target',
      'onnx',
      '-o',
      directory,
      '--weights',
      'weights/gap_cam',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const path = join(directory, 'GapCam.onnx');
    expect(result.out).toBe(`wrote ${path}\n`);
    expect(checkModels([path])).toEqual(['ok']);
    const model = describeModel(path);
    expect(model.input).toEqual(['N', 28, 28, 1]);
    const conv = model.nodes.find(([, op]) => op === 'Conv')!;
    expect(conv[0]).toBe('features/conv:Conv');
    expect(conv[2]).toBe('conv at examples/gap_cam.seg:12:8');
    expect(JSON.parse(model.metadata['segc.inputs']!)[0]).toMatchObject({
      name: 'image',
      layout: 'NHWC',
      color: 'grey: mean of R, G and B',
    });
    expect(JSON.parse(model.metadata['segc.outputs']!).map((o: { name: string }) => o.name)).toEqual([
      'logits',
      'probabilities',
    ]);
  });

  it('points at the op that has no ONNX form', async () => {
    const file = join(directory, 'symmetric.seg');
    writeFileSync(file, 'model M() {\n  input x: f32[N, 8, 8, 3]\n  output y = x -> pad([1], mode: symmetric)\n}\n');
    const result = await segc('build', file, '--target', 'onnx', '-o', directory);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${file}:3:19: error E1801: cannot export \`y/pad\` to ONNX: pad with \`mode: symmetric\` has no ONNX form at opset 17`,
    );
    expect(result.err).toContain('use `mode: reflect` or `constant`');
  });
});

describe('segc run and explain --backend onnx', () => {
  it.each([
    ['examples/gap_cam.seg', 'weights/gap_cam', 'examples/images/digit-7.png'],
    ['examples/deeplabv3plus_small.seg', 'weights/deeplabv3plus_small', 'examples/images/shapes-a.png'],
  ])('%s gives the report and files --backend cpu gives', async (model, weights, image) => {
    const reports: Record<string, unknown>[] = [];
    const files: Buffer[][] = [];
    for (const backend of ['cpu', 'onnx']) {
      const out = join(directory, `run-${backend}`);
      const result = await segc(
        'run',
        model,
        '--weights',
        weights,
        '--image',
        image,
        '--out',
        out,
        '--backend',
        backend,
        '--json',
      );
      expect(result.code, result.err).toBe(0);
      if (backend === 'onnx') expect(result.err).toContain('backend: onnx (onnxruntime-node, cpu)');
      const report = JSON.parse(result.out) as Record<string, unknown>;
      reports.push(report);
      files.push(Object.values((report.files as Record<string, string> | string[]) ?? {}).map((f) => readFileSync(f)));
    }
    const [cpu, onnx] = reports;
    for (const [key, value] of Object.entries(cpu!)) {
      if (key === 'files') continue;
      if (Array.isArray(value) && typeof value[0] === 'object') {
        (value as { class: number; probability: number }[]).forEach((entry, i) => {
          const theirs = (onnx![key] as { class: number; probability: number }[])[i]!;
          if (typeof entry.probability !== 'number') return expect(theirs).toEqual(entry);
          expect(theirs.class).toBe(entry.class);
          expect(Math.abs(theirs.probability - entry.probability)).toBeLessThan(1e-4);
        });
      } else expect(onnx![key]).toEqual(value);
    }
    expect(files[1]!.length).toBe(files[0]!.length);
    files[0]!.forEach((bytes, i) => expect(files[1]![i]!.equals(bytes), `file ${i}`).toBe(true));
  });

  it.each([
    ['examples/gap_cam.seg', 'weights/gap_cam', 'examples/images/digit-7.png', 'gradcam'],
    ['examples/gap_cam.seg', 'weights/gap_cam', 'examples/images/digit-1.png', 'cam'],
    ['examples/deeplabv3plus_small.seg', 'weights/deeplabv3plus_small', 'examples/images/shapes-b.png', 'layercam'],
    ['examples/acol.seg', 'weights/acol', 'examples/images/canvas-4.png', 'acol'],
    ['examples/acol.seg', 'weights/acol', 'examples/images/canvas-9.png', 'gradcam'],
  ])(
    'segc explain %s (weights %s, image %s, method %s) gives the maps of --backend cpu',
    async (model, weights, image, method) => {
      const maps: number[][] = [];
      const reports: Record<string, unknown>[] = [];
      for (const backend of ['cpu', 'onnx']) {
        const out = join(directory, `explain-${backend}`);
        const result = await segc(
          'explain',
          model,
          '--weights',
          weights,
          '--image',
          image,
          '--out',
          out,
          '--method',
          method,
          '--backend',
          backend,
          '--json',
        );
        expect(result.code, result.err).toBe(0);
        const report = JSON.parse(result.out) as { files: string[] } & Record<string, unknown>;
        reports.push(report);
        const mapFile = report.files.find((f) => f.endsWith('.map.json'))!;
        maps.push((JSON.parse(readFileSync(mapFile, 'utf8')) as { values: number[] }).values);
      }
      const { files: _cpuFiles, ...cpu } = reports[0]!;
      const { files: _onnxFiles, ...onnx } = reports[1]!;
      expect(onnx).toEqual(cpu);
      expect(maps[1]!.length).toBe(maps[0]!.length);
      expect(Math.max(...maps[0]!.map((v, i) => Math.abs(v - maps[1]![i]!)))).toBeLessThan(1e-4);
    },
  );

  it('explain through an op without a derivative on ONNX Runtime is an input error at the op with --backend onnx; auto and cpu run on tfjs', async () => {
    const file = join(directory, 'max3.seg');
    writeFileSync(
      file,
      'model M() {\n  input x: f32[N, 8, 8, 3]\n  let a = x -> conv(4, 3)\n  output s = max(a, relu(a), tanh(a)) -> gap -> dense(3)\n}\n',
    );
    const explainOn = (backend: string) =>
      segc(
        'explain',
        file,
        '--method',
        'gradcam',
        '--layer',
        'a',
        '--backend',
        backend,
        '--image',
        'examples/images/digit-7.png',
        '--out',
        join(directory, `max3-${backend}`),
      );
    for (const backend of ['onnx']) {
      const result = await explainOn(backend);
      expect(result.code, result.err).toBe(1);
      expect(result.err).toContain(
        `${file}:4:14: error E1803: cannot explain on ONNX Runtime through \`s/max\` (op \`max\`): the derivative of max over more than two tensors`,
      );
      expect(result.err).toContain('> 4 |   output s = max(a, relu(a), tanh(a)) -> gap -> dense(3)');
      expect(result.err).toContain('hint: run the explanation on tfjs (--backend cpu or --backend wasm)');
      expect(result.err).not.toContain('internal error');
      expect(readdirSync(join(directory, `max3-${backend}`))).toEqual([]);
    }
    // `auto` took ONNX Runtime for Grad-CAM, cannot build its explanation model, and says so on
    // the backend line as it runs the same command on tfjs.
    const auto = await explainOn('auto');
    expect(auto.code, auto.err).toBe(0);
    expect(auto.err).toMatch(
      /backend: .*\(not onnx: `s\/max` \(op `max`\) has no derivative there: the derivative of max over more than two tensors\)/,
    );
    expect(auto.err).not.toContain('E1803');
    expect(readdirSync(join(directory, 'max3-auto'))).toContain('digit-7.gradcam.png');
    const cpu = await explainOn('cpu');
    expect(cpu.code, cpu.err).toBe(0);
    expect(readdirSync(join(directory, 'max3-cpu'))).toContain('digit-7.gradcam.png');
  });

  it('says how to add ONNX Runtime when it is missing', async () => {
    const error = await loadOnnxRuntime('onnxruntime-node-missing-package').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnnxRuntimeMissing);
    expect((error as OnnxRuntimeMissing).message).toBe(
      'ONNX Runtime is not installed: the onnx executor needs the optional package onnxruntime-node',
    );
    expect((error as OnnxRuntimeMissing).hint).toContain('npm install onnxruntime-node');
  });
});
