/**
 * Shared by the ONNX tests: a model compiled from inline source or an example, its export, and
 * its outputs on ONNX Runtime (onnxruntime-node) next to segc's tfjs executor on cpu.
 */
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { compile } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { OnnxEngine } from '../../src/onnx/engine.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { loadOnnxRuntime } from '../../src/onnx/node/runtime.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { compileText } from '../helpers/compile.js';

/** Debian's interpreter, which has python3-onnx (the first python3 on PATH may not). */
export const PYTHON = '/usr/bin/python3';

export function modelFromSource(source: string, seed = 1): SegModel {
  const result = compileText(source);
  const compiled = result.models[0];
  if (!compiled?.graph)
    throw new Error(
      result.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`).join('\n'),
    );
  return withStatistics(SegModel.random(compiled.graph, compiled.sizes, seed), seed);
}

export function modelFromFile(file: string, seed = 1): SegModel {
  const compiled = compile(file, nodeHost()).models[0]!;
  return withStatistics(SegModel.random(compiled.graph!, compiled.sizes, seed), seed);
}

/**
 * Seeded initial weights leave batch norms at the identity (mean 0, variance 1, γ 1, β 0);
 * these give them real statistics, so that folding them into the layer before is tested.
 */
function withStatistics(model: SegModel, seed: number): SegModel {
  for (const [index, declaration] of weightDeclarations(model.graph).entries()) {
    const variable = model.weights.get(declaration.name)! as tf.Variable;
    const shape = [...declaration.shape];
    const s = seed * 1000 + index;
    const value = (() => {
      if (declaration.name.endsWith('/movingVariance')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', s);
      if (declaration.name.endsWith('/gamma')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', s);
      if (/\/(movingMean|beta|bias)$/.test(declaration.name)) return tf.randomUniform(shape, -0.2, 0.2, 'float32', s);
      return undefined;
    })();
    if (value) {
      variable.assign(value);
      value.dispose();
    }
  }
  return model;
}

export async function engineFor(model: SegModel): Promise<OnnxEngine> {
  return OnnxEngine.create(await loadOnnxRuntime(), (await exportOnnx(model.inference, model.weights)).model, {
    threads: 1,
  });
}

/** Largest |ours − theirs| over the largest |ours| (at least 1e-6), for every output. */
export async function compareOutputs(
  model: SegModel,
  engine: OnnxEngine,
  input: tf.Tensor,
): Promise<Record<string, number>> {
  const ours = model.predict(input);
  const theirs = await engine.run({ [model.inputNames[0]!]: input });
  const errors: Record<string, number> = {};
  for (const [name, expected] of Object.entries(ours)) {
    const actual = theirs[name]!;
    if (actual.shape.join() !== expected.shape.join() || actual.dtype !== expected.dtype)
      throw new Error(`${name}: ${actual.dtype}[${actual.shape}] against ${expected.dtype}[${expected.shape}]`);
    errors[name] = tf.tidy(() => {
      const [a, e] = [tf.cast(actual, 'float32'), tf.cast(expected, 'float32')];
      const scale = Math.max(tf.max(tf.abs(e)).dataSync()[0]!, 1e-6);
      return tf.max(tf.abs(tf.sub(a, e))).dataSync()[0]! / scale;
    });
  }
  for (const t of [...Object.values(ours), ...Object.values(theirs)]) t.dispose();
  return errors;
}

/** Runs onnx.checker with full_check on each file; answers `ok` or the checker's message per file. */
export function checkModels(paths: readonly string[]): string[] {
  const script = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(onnx.load(path), full_check=True)',
    '        print("ok")',
    '    except Exception as error:',
    '        print(str(error).replace("\\n", " ")[:300])',
  ].join('\n');
  return execFileSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8', timeout: 300_000 })
    .trim()
    .split('\n');
}
