/** Shared test utilities for explanations: models on random weights, tolerances, leak checks. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'vitest';
import type { Graph } from '../../src/ir/graph.js';
import { SegModel, weightDeclarations } from '../../src/runtime/model.js';
import { compileText } from '../helpers/compile.js';

export function compileGraph(source: string): { graph: Graph; sizes: SegModel['sizes'] } {
  const result = compileText(source);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  const model = result.models.find((m) => m.graph)!;
  return { graph: model.graph!, sizes: model.sizes };
}

export function exampleGraph(file: string): { graph: Graph; sizes: SegModel['sizes'] } {
  return compileGraph(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
}

/**
 * A model on seeded random weights with non-trivial batch-norm statistics and biases, so that
 * folding, biases and every weight matter to the identities tested.
 */
export function randomModel(source: { graph: Graph; sizes: SegModel['sizes'] }, seed = 1): SegModel {
  const tensors = new Map(
    weightDeclarations(source.graph).map((d, index) => {
      const shape = [...d.shape];
      const s = seed * 1000 + index;
      if (d.name.endsWith('/movingVariance')) return [d.name, tf.randomUniform(shape, 0.5, 1.5, 'float32', s)];
      if (d.name.endsWith('/gamma')) return [d.name, tf.randomUniform(shape, 0.5, 1.5, 'float32', s)];
      const small = ['/movingMean', '/beta', '/bias'].some((suffix) => d.name.endsWith(suffix));
      const scale = small ? 0.1 : Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1));
      return [d.name, tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', s), scale))];
    }),
  );
  try {
    return SegModel.fromTensors(source.graph, source.sizes, tensors);
  } finally {
    for (const tensor of tensors.values()) tensor.dispose();
  }
}

/** max |a − b| / max(tiny, max |b|). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1e-12;
  for (let index = 0; index < expected.length; index++) {
    worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!));
    scale = Math.max(scale, Math.abs(expected[index]!));
  }
  return worst / scale;
}

export function values(tensor: tf.Tensor): Float32Array {
  return tensor.dataSync() as Float32Array;
}

/** Runs `body` and asserts that the number of live tensors is unchanged afterwards. */
export async function withoutLeaks<T>(body: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await body();
  expect(tf.memory().numTensors, 'live tensors after the body').toBe(before);
  return result;
}

/** The diagnostic code of a rejected promise or thrown error. */
export async function codeOf(body: () => unknown): Promise<string | undefined> {
  try {
    await body();
  } catch (error) {
    return (
      (error as { diagnostics?: { code: string }[] }).diagnostics?.[0]?.code ?? `not a diagnostic: ${String(error)}`
    );
  }
  return undefined;
}

/** Deterministic image-like input in [0, 1). */
export function seededInput(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}
