/**
 * WebGPU through Dawn in Node. Here (no GPU) that means SwiftShader, which selectBackend
 * configures itself when webgpu is requested by name. In CI (CI=true) a missing adapter is a
 * failure; elsewhere the test is skipped with the reason. SwiftShader is slow: tiny tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { selectBackend, type BackendChoice } from '../../src/runtime/backend.js';
import { registerGradients } from '../../src/runtime/gradients.js';
import { expectClose, seededValues, withoutLeaks } from './helpers.js';

let choice: BackendChoice | undefined;
let unavailable = '';

beforeAll(async () => {
  registerGradients();
  try {
    choice = await selectBackend('webgpu');
  } catch (error) {
    if (!(error instanceof DiagnosticError) || process.env.CI === 'true') throw error;
    unavailable = error.message;
  }
}, 120_000);

/** WebGPU has no synchronous readback in Node (tfjs's readSync needs OffscreenCanvas): read with data(). */
async function run(name: 'cpu' | 'webgpu', body: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  return withoutLeaks(async () => {
    const tensors = tf.tidy(body);
    const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(tensors);
    return values;
  });
}

describe('webgpu backend', () => {
  it('starts on an adapter and reports it', (context) => {
    if (!choice) return context.skip(`no WebGPU adapter: ${unavailable}`);
    expect(choice.name).toBe('webgpu');
    expect(choice.adapter).toMatch(/\S/);
    expect(choice.reason).toMatch(/^requested; WebGPU adapter /);
  });

  it('computes a convolution and its gradients like cpu', async (context) => {
    if (!choice) return context.skip(`no WebGPU adapter: ${unavailable}`);
    const body = () => {
      const x = tf.tensor4d(seededValues(1 * 5 * 4 * 2, 1), [1, 5, 4, 2]);
      const w = tf.tensor4d(seededValues(3 * 3 * 2 * 2, 2), [3, 3, 2, 2]);
      const loss = (input: tf.Tensor4D, filter: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(input, filter, 1, 'same')));
      const [dx, dw] = tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([x, w]);
      return [tf.conv2d(x, w, 1, 'same'), dx!, dw!];
    };
    const expected = await run('cpu', body);
    const actual = await run('webgpu', body);
    actual.forEach((values, index) => expectClose(values, expected[index]!, 1e-4));
  });
});

describe('images from WebGPU tensors', () => {
  it('encode as PNG with the same bytes as on cpu (no synchronous read)', async (context) => {
    if (!choice) return context.skip(`no WebGPU adapter: ${unavailable}`);
    const { encodePng } = await import('../../src/runtime/node/image-io.js');
    const encode = async (name: 'cpu' | 'webgpu') => {
      await tf.setBackend(name);
      return withoutLeaks(async () => {
        const image = tf.tensor4d(
          seededValues(1 * 3 * 5 * 3, 7).map((v) => (v + 1) / 2),
          [1, 3, 5, 3],
        ) as tf.Tensor4D;
        const bytes = await encodePng(image);
        image.dispose();
        return bytes;
      });
    };
    const onCpu = await encode('cpu');
    expect(await encode('webgpu')).toEqual(onCpu);
  });
});
