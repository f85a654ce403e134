/**
 * Independent references: tfjs-layers layers run with given weights, and the mapping from our
 * activation names to theirs.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Attrs, OpDef, RunContext } from '../../src/ops/op.js';
import { expect } from 'vitest';
import { expectClose, runContext } from './helpers.js';
import type { PlainTensor } from './plain.js';

/** What the tests need of a tfjs-layers layer (its base class is not exported). */
export interface Layer {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): unknown;
  setWeights(weights: tf.Tensor[]): void;
  dispose(): unknown;
}

/** Runs a tfjs-layers layer on `x` with the given weights, then frees the layer. */
export function layerOutput(
  layer: Layer,
  x: tf.Tensor | tf.Tensor[],
  weights: tf.Tensor[] = [],
  training = false,
): tf.Tensor {
  tf.dispose(layer.apply(x) as tf.Tensor);
  if (weights.length > 0) layer.setWeights(weights);
  const y = layer.apply(x, { training }) as tf.Tensor;
  layer.dispose();
  return y;
}

/** Applies layers in sequence (the first one gets the weights). */
export function layersOutput(layers: Layer[], x: tf.Tensor, weights: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() =>
    layers.reduce((value, layer, index) => layerOutput(layer, value, index === 0 ? weights : []), x),
  );
}

/** Keras activation names for ours, and the layer to append for the ones Keras names differently. */
export function kerasActivation(name: string): {
  activation: 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'tanh';
  after: Layer[];
} {
  if (name === 'leakyRelu') return { activation: 'linear', after: [tfl.layers.leakyReLU({ alpha: 0.01 })] };
  return { activation: name === 'none' ? 'linear' : (name as 'relu'), after: [] };
}

export interface Execution {
  readonly inputs: tf.Tensor[];
  readonly weights?: Record<string, tf.Tensor>;
  readonly attrs: Attrs;
  readonly context?: Partial<RunContext>;
}

/** Executes an op and checks that it leaves nothing behind but its output. */
export function executeChecked(op: OpDef, run: Execution): tf.Tensor {
  const before = tf.memory().numTensors;
  const output = op.execute({
    tf,
    inputs: run.inputs,
    weights: run.weights ?? {},
    attrs: run.attrs,
    context: runContext(run.context),
  });
  expect(tf.memory().numTensors - before).toBe(1);
  return output;
}

const worstErrors = new Map<string, { abs: number; rel: number }>();

/** The largest error seen per label, for the summary printed after a test file. */
export function recordError(label: string, error: { abs: number; rel: number }): void {
  const seen = worstErrors.get(label) ?? { abs: 0, rel: 0 };
  worstErrors.set(label, { abs: Math.max(seen.abs, error.abs), rel: Math.max(seen.rel, error.rel) });
}

export function errorSummary(): string {
  return [...worstErrors]
    .map(([label, e]) => `${label}: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)}`)
    .join('\n');
}

/**
 * Creates the inputs, executes the op (checking it adds only its output), compares with the
 * reference within `tolerance`, frees everything and checks nothing leaked.
 */
export async function compareWithReference(
  label: string,
  op: OpDef,
  make: () => Execution,
  reference: (run: Execution) => tf.Tensor | PlainTensor | Promise<tf.Tensor | PlainTensor>,
  tolerance: number,
): Promise<void> {
  const before = tf.memory().numTensors;
  const run = make();
  const y = executeChecked(op, run);
  const expected = await reference(run);
  const error = await expectCloseTo(y, expected, tolerance);
  recordError(`${label} on ${tf.getBackend()}`, error);
  tf.dispose([
    y,
    ...run.inputs,
    ...Object.values(run.weights ?? {}),
    ...(expected instanceof tf.Tensor ? [expected] : []),
  ]);
  expect(tf.memory().numTensors).toBe(before);
}

async function expectCloseTo(actual: tf.Tensor, expected: tf.Tensor | PlainTensor, tolerance: number) {
  return expectClose(actual, expected, tolerance);
}
