/**
 * Batch norm, activations, pools, upsampling, merges and reshapes against the tfjs-layers
 * layers (the Keras semantics), on every available backend, with leak checks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { OpDef } from '../../src/ops/op.js';
import { findOp } from '../../src/ops/registry.js';
import { testBackends, toleranceFor, useBackend } from './backends.js';
import { LAYER_CASES } from './exec-layers-cases.js';
import { randomTensor } from './helpers.js';
import { compareWithReference, errorSummary, layerOutput } from './reference.js';

const op = (name: string): OpDef => findOp(name)!;

/** Positive values for variances; others in [-1, 1). */
function weightTensor(role: string, shape: number[], seed: number): tf.Tensor {
  return role === 'movingVariance'
    ? tf.tidy(() => tf.add(tf.abs(randomTensor(shape, seed)), 0.5))
    : randomTensor(shape, seed);
}

afterAll(() => console.log(`worst errors against references:\n${errorSummary()}`));

for (const backend of testBackends()) {
  describe(`layers on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    test.each(LAYER_CASES.map((c, index) => ({ ...c, index })))('#$index $op $attrs $context', async (c) => {
      await compareWithReference(
        c.op,
        op(c.op),
        () => ({
          inputs: c.shapes.map((shape, index) => randomTensor(shape, 20 + index)),
          weights: Object.fromEntries(
            (c.weights ?? []).map(([role, shape], index) => [role, weightTensor(role, shape, 40 + index)]),
          ),
          attrs: c.attrs,
          ...(c.context ? { context: c.context } : {}),
        }),
        (run) =>
          tf.tidy(() => {
            const weights = (c.weights ?? []).map(([role]) => run.weights![role]!);
            const inputs = run.inputs.length === 1 ? run.inputs[0]! : [...run.inputs];
            const y = layerOutput(c.layer(), inputs, weights);
            return c.reshape ? tf.reshape(y, c.reshape) : y;
          }),
        toleranceFor(backend),
      );
    });
  });
}
