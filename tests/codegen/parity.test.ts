/**
 * The generated modules against the interpreter: the same weights and input through
 * `SegModel.predict` and the generated `predict` give bit-identical outputs on cpu and wasm
 * (the same kernels with the same arguments), and neither leaks a tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNames } from '../../src/codegen/index.js';
import { SegModel } from '../../src/runtime/model.js';
import { type BackendName, testBackends, useBackend } from '../ops/backends.js';
import { seededTensor } from '../runtime/helpers.js';
import { type BuiltModel, compileExample, weightsFor } from './helpers.js';

/** Small examples, each with an input size its `where` clauses accept (rows ≠ columns where free). */
const CASES: readonly [string, number[]][] = [
  ['gap_cam', [2, 28, 28, 1]],
  ['nin', [2, 28, 28, 1]],
  ['aspp', [1, 24, 40, 3]],
  ['deeplabv3plus_small', [1, 32, 48, 3]],
  ['acol', [2, 64, 64, 1]],
  ['unet', [1, 16, 24, 3]],
  ['spp', [1, 20, 28, 3]],
];

interface GeneratedModel {
  predict(inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  predictWithClassMaps?(inputs: Record<string, tf.Tensor>): {
    outputs: Record<string, tf.Tensor>;
    classMaps: Record<string, tf.Tensor>;
  };
  dispose(): void;
}

async function generated(
  stem: string,
  model: BuiltModel,
  weights: ReadonlyMap<string, tf.Tensor>,
): Promise<GeneratedModel> {
  const module = (await import(`./golden/${stem}.ts`)) as Record<string, unknown>;
  const create = module[moduleNames(model.graph).create] as (w: ReadonlyMap<string, tf.Tensor>) => GeneratedModel;
  return create(weights);
}

function expectIdentical(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expect(actual.dtype, what).toBe(expected.dtype);
  const [a, b] = [actual.dataSync(), expected.dataSync()];
  const differing = a.findIndex((value, index) => !Object.is(value, b[index]));
  expect(differing, `${what}: first differing element`).toBe(-1);
}

describe.each(testBackends().filter((b): b is Exclude<BackendName, 'webgpu'> => b !== 'webgpu'))(
  'generated code on %s',
  (backend) => {
    afterAll(() => tf.setBackend('cpu'));

    it.each(CASES)('%s predicts exactly what the interpreter predicts', async (stem, shape) => {
      await useBackend(backend);
      const model = compileExample(stem);
      const weights = weightsFor(model, 7);
      const input = seededTensor(shape, 11);
      const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
      const expected = interpreter.predict(input);
      // The generated module alone is counted: it must release all it creates but its outputs.
      const before = tf.memory().numTensors;
      const code = await generated(stem, model, weights);
      const actual = code.predict({ [model.graph.inputs[0]!.name]: input });
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const name of Object.keys(expected))
        expectIdentical(actual[name]!, expected[name]!, `${stem} ${name} on ${backend}`);
      tf.dispose(Object.values(actual));
      code.dispose();
      expect(tf.memory().numTensors, 'live tensors after the generated model is disposed').toBe(before);
      tf.dispose(Object.values(expected));
      interpreter.dispose();
      tf.dispose([...weights.values(), input]);
    });
  },
);

describe('class maps from generated code', () => {
  it("acol returns its @classmap tensors, equal to the interpreter's nodes", async () => {
    await useBackend('cpu');
    const model = compileExample('acol');
    const weights = weightsFor(model, 3);
    const input = seededTensor([1, 64, 64, 1], 5);
    const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
    const code = await generated('acol', model, weights);
    const before = tf.memory().numTensors;
    const { outputs, classMaps } = code.predictWithClassMaps!({ image: input });
    expect(Object.keys(classMaps)).toEqual(['mapA', 'mapB']);
    const ids = ['mapA', 'mapB'].map(
      (name) =>
        model.graph.nodes.find((n) => n.binding === name && n.annotations.some((a) => a.name === 'classmap'))!.id,
    );
    const run = interpreter.run(input, { keep: ids });
    // The interpreter's graph as written keeps bn and relu apart, so these agree to rounding only.
    ids.forEach((id, index) => {
      const expected = Array.from(run.kept.get(id)!.dataSync());
      const actual = classMaps[['mapA', 'mapB'][index]!]!.dataSync();
      const worst = expected.reduce((w, v, i) => Math.max(w, Math.abs(v - actual[i]!)), 0);
      expect(worst).toBeLessThan(1e-4);
    });
    tf.dispose([Object.values(outputs), Object.values(classMaps), Object.values(run.outputs), [...run.kept.values()]]);
    expect(tf.memory().numTensors).toBe(before);
    interpreter.dispose();
    code.dispose();
    tf.dispose([...weights.values(), input]);
  });
});
