/**
 * The tfjs backends op tests run on: cpu and wasm always, webgpu (Dawn in Node, on SwiftShader
 * here) only when SEGC_TEST_WEBGPU=1 because it is about 100× slower than wasm on this machine.
 * Importing this module also registers tfjs-core's gradients, which its Node build leaves out.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

export function testBackends(): BackendName[] {
  return process.env.SEGC_TEST_WEBGPU === '1' ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
}

/** Largest acceptable max abs/rel error against a reference on each backend. */
export function toleranceFor(backend: BackendName): number {
  return backend === 'webgpu' ? 1e-3 : 1e-5;
}

async function registerWebgpu(): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}

export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu') await registerWebgpu();
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend could not be initialised`);
  await tf.ready();
}
