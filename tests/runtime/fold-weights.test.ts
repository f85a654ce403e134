/**
 * Batch-norm folding, written once: a layer with the batch norm folded into its weights computes
 * what the layer followed by the batch norm computes (conv, dense, depthwise and separable), and
 * the generated modules' `foldBatchNorm` helper gives the runtime's folded weights bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { FOLD_BATCH_NORM } from '../../src/codegen/weights.js';
import type { IRNode } from '../../src/ir/graph.js';
import { runPipeline } from '../../src/ir/passes/index.js';
import { findOp } from '../../src/ops/registry.js';
import { foldBatchNorm, prepareFoldedWeights } from '../../src/runtime/fold-weights.js';
import { compileText } from '../helpers/compile.js';
import { useBackend } from '../ops/backends.js';
import { errorBetween, randomTensor, runContext, withoutLeaks } from '../ops/helpers.js';

const LAYERS = ['conv(6, 3)', 'conv(6, 3, bias: false)', 'dwconv(3, multiplier: 2)', 'sepconv(5, 3)'];

/** The source graph (layer, bn) and the inference graph's folded layer for one model. */
function compileLayer(layer: string, input = 'N, 7, 7, 3') {
  const text = `model M() {\n  input x: f32[${input}]\n  output y = x -> ${layer} -> bn(epsilon: 0.001)\n}\n`;
  const model = compileText(text).models[0]!;
  const { graph: inference } = runPipeline(model.graph!, model.sizes, { mode: 'inference', verify: true }, []);
  return { source: model.graph!, folded: inference.nodes[1]! };
}

/** Random weights for every weight of the source graph; variances positive. */
function weightsFor(nodes: readonly IRNode[]): Map<string, tf.Tensor> {
  const store = new Map<string, tf.Tensor>();
  let seed = 300;
  for (const node of nodes)
    for (const w of node.weights) {
      const values = randomTensor([...w.shape], seed++);
      store.set(w.name, w.role === 'movingVariance' ? tf.tidy(() => tf.add(tf.abs(values), 0.5)) : values);
      if (w.role === 'movingVariance') values.dispose();
    }
  return store;
}

function byRole(node: IRNode, store: Map<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(node.weights.map((w) => [w.role, store.get(w.name)!]));
}

describe('batch-norm folding', () => {
  beforeAll(() => useBackend('cpu'));

  test.each([...LAYERS, 'dense(4)'])('%s -> bn folded computes the layer and the batch norm', async (layer) => {
    await withoutLeaks(() => {
      const { source, folded } = compileLayer(layer, layer.startsWith('dense') ? 'N, 6' : 'N, 7, 7, 3');
      expect(folded.attrs.foldedBatchNorm).toBe(0.001);
      const [, layerNode, bnNode] = source.nodes as [IRNode, IRNode, IRNode];
      const store = weightsFor(source.nodes);
      const x = randomTensor(layer.startsWith('dense') ? [2, 6] : [2, 7, 7, 3], 7);
      const context = runContext();
      const run = (node: IRNode, input: tf.Tensor, weights: Record<string, tf.Tensor>) =>
        findOp(node.op)!.execute({ tf, inputs: [input], weights, attrs: node.attrs, context });
      tf.tidy(() => {
        const unfolded = run(bnNode, run(layerNode, x, byRole(layerNode, store)), byRole(bnNode, store));
        const result = run(folded, x, prepareFoldedWeights(folded, store));
        expect(result.shape).toEqual(unfolded.shape);
        expect(errorBetween(result.dataSync(), unfolded.dataSync()).rel).toBeLessThan(1e-5);
      });
      tf.dispose([...store.values(), x]);
    });
  });

  test('the generated helper gives the runtime fold bit for bit', async () => {
    const helper = `function ${FOLD_BATCH_NORM.name}<${FOLD_BATCH_NORM.typeParameters!.join(', ')}>(${FOLD_BATCH_NORM.parameters
      .map((p) => `${p.name}: ${p.type}`)
      .join(
        ', ',
      )}): ${FOLD_BATCH_NORM.returnType} {\n${FOLD_BATCH_NORM.statements.join('\n')}\n}\nreturn ${FOLD_BATCH_NORM.name};`;
    const javascript = ts.transpile(helper, { target: ts.ScriptTarget.ES2022 });
    const emitted = new Function('tf', javascript)(tf) as typeof foldBatchNorm;
    await withoutLeaks(() => {
      tf.tidy(() => {
        for (const [shape, depthwise] of [
          [[3, 3, 4, 6], false],
          [[3, 3, 3, 2], true],
          [[5, 6], false],
        ] as const) {
          const channels = depthwise ? shape[2]! * shape[3]! : shape.at(-1)!;
          const kernel = randomTensor([...shape], 11);
          const bias = randomTensor([channels], 12) as tf.Tensor1D;
          const norm = {
            gamma: randomTensor([channels], 13),
            beta: randomTensor([channels], 14),
            movingMean: randomTensor([channels], 15),
            movingVariance: tf.add(tf.abs(randomTensor([channels], 16)), 0.5),
          };
          for (const b of [bias, undefined]) {
            const [ours, theirs] = [
              foldBatchNorm(kernel, b, norm, 1e-3, depthwise),
              emitted(kernel, b, norm, 1e-3, depthwise),
            ];
            expect(Array.from(theirs.kernel.dataSync())).toEqual(Array.from(ours.kernel.dataSync()));
            expect(Array.from(theirs.bias.dataSync())).toEqual(Array.from(ours.bias.dataSync()));
          }
        }
      });
    });
  });
});
