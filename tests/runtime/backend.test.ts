import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { selectBackend, type BackendName } from '../../src/runtime/backend.js';
import { configureSwiftShader } from '../../src/runtime/node/webgpu-node.js';
import { describeAdapter } from '../../src/runtime/webgpu-adapter.js';
import { expectClose, seededTensor, withoutLeaks } from './helpers.js';

async function diagnosticOf(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DiagnosticError);
    return (error as DiagnosticError).diagnostics[0]!;
  }
  throw new Error('expected a DiagnosticError');
}

describe('selectBackend', () => {
  it.each(['cpu', 'wasm'] as const)('starts %s when asked and computes a convolution like cpu', async (name) => {
    const choice = await selectBackend(name);
    expect(choice).toEqual({ name, reason: 'requested' });
    expect(tf.getBackend()).toBe(name);
    const x = seededTensor<tf.Rank.R4>([1, 6, 5, 2], 1);
    const w = seededTensor<tf.Rank.R4>([3, 3, 2, 3], 2);
    await withoutLeaks(() => {
      const actual = tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync().slice());
      expect(actual.length).toBe(90);
      return selectBackend('cpu').then(() => {
        expectClose(
          actual,
          tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync().slice()),
          1e-5,
        );
      });
    });
    tf.dispose([x, w]);
  });

  it('wasm gets the training kernels it lacks', async () => {
    await selectBackend('wasm');
    for (const kernel of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
    ]) {
      expect(tf.getKernel(kernel, 'wasm'), kernel).toBeDefined();
    }
  });

  it("'auto' never takes a software adapter unless allowed, and falls back to wasm", async () => {
    const choice = await selectBackend('auto');
    expect(tf.getBackend()).toBe(choice.name);
    if (choice.name === 'webgpu') expect(choice.software).toBe(false);
    else
      expect(choice).toMatchObject({ name: 'wasm', reason: expect.stringMatching(/^auto: no WebGPU \(.+\); wasm$/) });
  });

  it('rejects an unknown backend name with E0501', async () => {
    const diagnostic = await diagnosticOf(() => selectBackend('tpu' as BackendName));
    expect(diagnostic.code).toBe('E0501');
    expect(diagnostic.message).toBe('tpu: unknown backend');
    expect(diagnostic.hint).toBe('choose one of auto, webgpu, wasm, cpu');
  });

  it('reports a requested webgpu without an adapter as E0501 with a hint (browser path)', async () => {
    const scope = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: { requestAdapter: async () => null } },
      configurable: true,
      writable: true,
    });
    try {
      const diagnostic = await diagnosticOf(() => selectBackend('webgpu'));
      expect(diagnostic.code).toBe('E0501');
      expect(diagnostic.message).toBe('webgpu: navigator.gpu returned no adapter');
      expect(diagnostic.hint).toContain('--backend wasm');
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete scope.navigator;
    }
  });
});

describe('describeAdapter', () => {
  const adapter = (info: object) => ({ info }) as unknown as GPUAdapter;

  it('recognises SwiftShader and fallback adapters as software', () => {
    expect(
      describeAdapter(
        adapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }),
      ),
    ).toEqual({ name: 'google swiftshader (SwiftShader driver 5.0.0)', software: true });
    expect(describeAdapter(adapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).software).toBe(
      true,
    );
    expect(describeAdapter(adapter({ vendor: 'intel', isFallbackAdapter: true })).software).toBe(true);
  });

  it('treats a named GPU as hardware', () => {
    expect(describeAdapter(adapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA A100' }))).toEqual({
      name: 'nvidia ampere (NVIDIA A100)',
      software: false,
    });
  });
});

describe('configureSwiftShader', () => {
  it('points Vulkan at an existing ICD file only when the user has not chosen one', () => {
    const icd = new URL(import.meta.url).pathname;
    const env: NodeJS.ProcessEnv = {};
    expect(configureSwiftShader(env, icd)).toEqual({ configured: true, reason: `VK_ICD_FILENAMES set to ${icd}` });
    expect(env.VK_ICD_FILENAMES).toBe(icd);
    expect(env.XDG_RUNTIME_DIR).toMatch(/\S/);
    expect(configureSwiftShader({ VK_ICD_FILENAMES: '/mine.json' }, icd)).toEqual({
      configured: false,
      reason: 'VK_ICD_FILENAMES is already set to /mine.json',
    });
    expect(configureSwiftShader({}, '/no/such/icd.json')).toEqual({
      configured: false,
      reason: '/no/such/icd.json does not exist',
    });
  });
});
