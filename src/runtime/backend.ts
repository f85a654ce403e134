/**
 * Choosing and starting a tfjs backend. 'auto' prefers a hardware WebGPU adapter, then wasm,
 * then cpu. A software adapter (SwiftShader, llvmpipe, a browser's fallback adapter) runs
 * shaders on the CPU about a hundred times slower than wasm, so 'auto' takes it only when
 * `allowSoftwareAdapter` says so; asking for 'webgpu' by name accepts it.
 *
 * Browser-safe: Node's WebGPU (the `webgpu` package) is reached through `node/webgpu-node.ts`,
 * loaded by a computed import that bundlers leave alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWasmBackpropKernels } from './kernels/wasm-backprop.js';
import { describeAdapter, type AdapterSearch, type NodeWebGpuModule } from './webgpu-adapter.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendChoice {
  readonly name: BackendName;
  /** The WebGPU adapter in use, e.g. "nvidia ampere (NVIDIA A100)". */
  readonly adapter?: string;
  /** True for a software WebGPU adapter. */
  readonly software?: boolean;
  /** Why this backend was chosen, for `--verbose` output and bug reports. */
  readonly reason: string;
}

export interface BackendOptions {
  readonly allowSoftwareAdapter?: boolean;
}

const BACKEND_NAMES: readonly string[] = ['webgpu', 'wasm', 'cpu'];
const NODE_WEBGPU_MODULE = './node/webgpu-node.js';

function runningInNode(): boolean {
  const scope = globalThis as { process?: { versions?: { node?: string } } };
  return typeof scope.process?.versions?.node === 'string';
}

async function findAdapter(allowSoftwareAdapter: boolean): Promise<AdapterSearch> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu) {
    const adapter = await navigatorGpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) return { found: true, gpu: navigatorGpu, adapter, description: describeAdapter(adapter) };
    return {
      found: false,
      reason: 'navigator.gpu returned no adapter',
      hint: 'enable WebGPU in the browser, or use --backend wasm',
    };
  }
  if (!runningInNode()) {
    return {
      found: false,
      reason: 'this browser has no WebGPU (navigator.gpu is missing)',
      hint: 'use a browser with WebGPU, or --backend wasm',
    };
  }
  const module = (await import(/* @vite-ignore */ NODE_WEBGPU_MODULE)) as NodeWebGpuModule;
  const search = await module.findNodeAdapter({ allowSoftwareAdapter });
  if (search.found) await module.installNavigatorGpu(search.gpu);
  return search;
}

/** Registers tfjs's WebGPU backend (it registers itself only if navigator.gpu existed when imported). */
async function startWebGpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) return false;
  return tf.setBackend('webgpu');
}

async function tryWebGpu(allowSoftware: boolean): Promise<BackendChoice | { failure: string; hint: string }> {
  const search = await findAdapter(allowSoftware);
  if (!search.found) return { failure: search.reason, hint: search.hint };
  const { name, software } = search.description;
  if (software && !allowSoftware) {
    return {
      failure: `only a software adapter is available (${name})`,
      hint: 'request --backend webgpu to use it anyway',
    };
  }
  if (!(await startWebGpu()))
    return { failure: `the tfjs WebGPU backend did not start on ${name}`, hint: 'use --backend wasm' };
  return { name: 'webgpu', adapter: name, software, reason: `WebGPU adapter ${name}${software ? ' (software)' : ''}` };
}

async function startWasm(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmBackpropKernels();
  try {
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

function unavailable(name: BackendName, reason: string, hint: string): Error {
  return diagnosticError(codes.backendUnavailable, `${name}: ${reason}`, { hint });
}

async function selectNamed(name: BackendName): Promise<BackendChoice> {
  if (name === 'webgpu') {
    const result = await tryWebGpu(true);
    if ('failure' in result) throw unavailable('webgpu', result.failure, result.hint);
    return { ...result, reason: `requested; ${result.reason}` };
  }
  if (name === 'wasm') {
    if (!(await startWasm()))
      throw unavailable(
        'wasm',
        'the WebAssembly backend did not start',
        'in a browser call setWasmBinaryLocation() first; or use --backend cpu',
      );
    return { name: 'wasm', reason: 'requested' };
  }
  if (!(await tf.setBackend('cpu')))
    throw unavailable('cpu', 'the cpu backend did not start', 'this is unexpected; please report it');
  return { name: 'cpu', reason: 'requested' };
}

async function selectAutomatically(options: BackendOptions): Promise<BackendChoice> {
  const webgpu = await tryWebGpu(options.allowSoftwareAdapter ?? false);
  if (!('failure' in webgpu)) return { ...webgpu, reason: `auto: ${webgpu.reason}` };
  if (await startWasm()) return { name: 'wasm', reason: `auto: no WebGPU (${webgpu.failure}); wasm` };
  await tf.setBackend('cpu');
  return { name: 'cpu', reason: `auto: no WebGPU (${webgpu.failure}) and wasm did not start; cpu` };
}

/**
 * Starts the requested backend and makes it tfjs's current one. A backend requested by name
 * that cannot start is a DiagnosticError (E0501) with a hint; 'auto' always ends on something.
 */
export async function selectBackend(
  request: BackendName | 'auto' = 'auto',
  options: BackendOptions = {},
): Promise<BackendChoice> {
  if (request !== 'auto' && !BACKEND_NAMES.includes(request)) {
    throw unavailable(request, 'unknown backend', `choose one of auto, ${BACKEND_NAMES.join(', ')}`);
  }
  return request === 'auto' ? selectAutomatically(options) : selectNamed(request);
}

/**
 * Browsers must be told where the wasm binaries are served (Node reads them from
 * node_modules). Call before the first `selectBackend`; a prefix such as '/assets/tfjs/' or a
 * map from file name (e.g. 'tfjs-backend-wasm-simd.wasm') to URL.
 */
export async function setWasmBinaryLocation(prefixOrFileMap: string | Record<string, string>): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(prefixOrFileMap as Parameters<typeof wasm.setWasmPaths>[0]);
}
