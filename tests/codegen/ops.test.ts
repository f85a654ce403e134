/**
 * Every op through generated code: one model uses each op of the registry, with the attribute
 * forms that take other paths in `emit` (explicit padding, mirrored padding, crops by amount and
 * by `like`, dilation, depth multipliers, activations a kernel cannot fuse, softmax off the last
 * axis, resizes by factor and by size). Its module is a golden file and predicts bit for bit
 * what the interpreter predicts on cpu and wasm.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { generateModule } from '../../src/codegen/index.js';
import { compileSource } from '../../src/compiler/compile.js';
import { nodeHost } from '../../src/compiler/node-host.js';
import { OPS } from '../../src/ops/registry.js';
import { SegModel, initialWeights } from '../../src/runtime/model.js';
import { testBackends, useBackend } from '../ops/backends.js';
import { seededTensor, seededValues } from '../runtime/helpers.js';
import { GOLDEN, typeCheck } from './helpers.js';

const SOURCE = `model AllOps(classes: int = 3) {
  input image: f32[N, H, W, 3] where H % 4 == 0, W % 4 == 0
  input extra: f32[N, H, W, 2]

  let mirrored = image -> pad([1, 2, 2, 1], mode: reflect) -> pad([1], mode: symmetric) -> crop(amount: [1, 2, 2, 1]) -> crop(like: image)
  let padded = pad(image, [2, 1], value: 0.5)
  let joined = concat([mirrored, extra])
  let a = joined -> conv(6, 3, pad: 1, activation: leakyRelu) -> dwconv(multiplier: 2, dilation: 2, activation: relu6) -> bn
  let b = joined -> sepconv(12, 3, stride: 2, pad: 1, activation: tanh) -> convTranspose(12, 3, stride: 2, padding: valid, activation: sigmoid) -> crop(like: a)
  let c = mul([a, b]) -> hardSwish -> leakyRelu(alpha: 0.2) -> hardSigmoid(alpha: 1.5, beta: 0.25) -> prelu -> maxpool(3, stride: 2, pad: 1)
  let d = c -> relu6 -> avgpool(2, padding: same) -> avgpool(3, stride: 1, pad: 1) -> dropout(0.3)
  let e = max([d, d -> sigmoid, d -> tanh]) -> channels(1, -2)
  let f = add([e, gap(e, keep: true)]) -> upsample(factor: 2, mode: nearest) -> upsample(size: [6, 10], mode: bilinear, alignCorners: true, halfPixel: false)
  let g = f -> gmp -> dense(16, activation: tanh) -> dense(8) -> relu
  let h = padded -> conv(4, 3, stride: 2) -> upsample(size: [2, 3]) -> flatten
  output scores = concat([g, channels(h, 0, 8)], axis: 1) -> dense(classes) -> softmax(axis: 0)
  output maps = erase(f, by: f -> conv(classes, 1) @classmap, threshold: 0.4) -> reshape([-1, 2])
  output classes = argmax(f, axis: 1)
}
`;

function compileAllOps() {
  const result = compileSource(SOURCE, 'all_ops.seg', {}, nodeHost());
  const model = result.models[0];
  if (!model?.graph) throw new Error(result.diagnostics.map((d) => `${d.span.start.line}: ${d.message}`).join('\n'));
  return { ...model, graph: model.graph };
}

/** Initial weights, with batch-norm statistics and biases moved off 1 and 0. */
function weightsFor(graph: ReturnType<typeof compileAllOps>['graph']): Map<string, tf.Tensor> {
  const weights = initialWeights(graph, 4);
  let seed = 100;
  for (const [name, tensor] of weights) {
    const shift = { gamma: 1, movingVariance: 1, beta: 0, movingMean: 0, bias: 0 }[
      name.slice(name.lastIndexOf('/') + 1)
    ];
    if (shift === undefined) continue;
    weights.set(
      name,
      tf.tensor(
        seededValues(tensor.size, ++seed).map((v) => shift + 0.5 * v),
        tensor.shape,
      ),
    );
    tensor.dispose();
  }
  return weights;
}

type Module = Record<
  string,
  (w: ReadonlyMap<string, tf.Tensor>) => { predict(i: object): Record<string, tf.Tensor>; dispose(): void }
>;

describe('every op in generated code', () => {
  const model = compileAllOps();
  const text = generateModule(model, 'all_ops.seg');
  afterAll(() => tf.setBackend('cpu'));

  it('uses every op of the registry, and every op can be emitted', () => {
    const used = new Set(model.graph.nodes.map((n) => n.op));
    expect(OPS.map((op) => op.name).filter((name) => !used.has(name))).toEqual([]);
    expect(OPS.filter((op) => !op.emit).map((op) => op.name)).toEqual([]);
  });

  it('matches its golden file and compiles under tsc --strict', () => {
    const path = join(GOLDEN, 'all_ops.ts');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
    expect(typeCheck({ 'all_ops.ts': text })).toEqual([]);
  });

  it.each(testBackends().filter((b) => b !== 'webgpu'))(
    'predicts exactly what the interpreter predicts on %s',
    async (backend) => {
      await useBackend(backend);
      const weights = weightsFor(model.graph);
      const inputs = { image: seededTensor([2, 8, 12, 3], 1), extra: seededTensor([2, 8, 12, 2], 2) };
      const interpreter = SegModel.fromTensors(model.graph, model.sizes, weights);
      const expected = interpreter.predict(inputs);
      const module = (await import('./golden/all_ops.js')) as unknown as Module;
      const before = tf.memory().numTensors;
      const code = module.createAllOps!(weights);
      const actual = code.predict(inputs);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const name of Object.keys(expected)) {
        expect(actual[name]!.shape, name).toEqual(expected[name]!.shape);
        expect(Array.from(actual[name]!.dataSync()), `${name} on ${backend}`).toEqual(
          Array.from(expected[name]!.dataSync()),
        );
      }
      tf.dispose(Object.values(actual));
      code.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([Object.values(expected), [...weights.values()], Object.values(inputs)]);
      interpreter.dispose();
    },
  );
});
