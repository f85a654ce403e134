/**
 * WebGPU in Node through Dawn (the `webgpu` npm package). Loaded by `backend.ts` only when it
 * runs in Node, so browser bundles never see it.
 *
 * Finding (Linux, libvulkan1): the Vulkan loader reads VK_ICD_FILENAMES each time Dawn creates
 * an instance, so setting `process.env.VK_ICD_FILENAMES` inside the process before
 * `create([])` is enough; no re-exec is needed, and a second `create([])` after setting it finds
 * SwiftShader even when a first one found nothing. Without XDG_RUNTIME_DIR, Dawn prints
 * "XDG_RUNTIME_DIR is invalid or not set" (harmless); it is set to the temp directory if unset.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describeAdapter, type AdapterSearch, type AdapterSearchOptions } from '../webgpu-adapter.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface SwiftShaderSetup {
  readonly configured: boolean;
  readonly reason: string;
}

/**
 * Points the Vulkan loader at Chromium's SwiftShader when that file exists and the user has
 * not chosen an ICD. Setting it hides every other Vulkan driver, so it is done only after no
 * hardware adapter was found, or when the caller asks for it.
 */
export function configureSwiftShader(
  env: NodeJS.ProcessEnv = process.env,
  icdPath = SWIFTSHADER_ICD,
): SwiftShaderSetup {
  if (env.VK_ICD_FILENAMES)
    return { configured: false, reason: `VK_ICD_FILENAMES is already set to ${env.VK_ICD_FILENAMES}` };
  if (!existsSync(icdPath)) return { configured: false, reason: `${icdPath} does not exist` };
  env.VK_ICD_FILENAMES = icdPath;
  env.XDG_RUNTIME_DIR ??= tmpdir();
  return { configured: true, reason: `VK_ICD_FILENAMES set to ${icdPath}` };
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: Promise<DawnModule> | undefined;

function loadDawn(): Promise<DawnModule> {
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  dawn ??= import('webgpu') as unknown as Promise<DawnModule>;
  return dawn;
}

async function requestAdapter(module: DawnModule): Promise<{ gpu: GPU; adapter: GPUAdapter | null }> {
  const gpu = module.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return { gpu, adapter };
}

const NO_ADAPTER_HINT =
  `on Linux without a GPU install libvulkan1 and chromium (for SwiftShader) and set ` +
  `VK_ICD_FILENAMES=${SWIFTSHADER_ICD}; with a GPU, install its Vulkan driver`;

export async function findNodeAdapter(options: AdapterSearchOptions): Promise<AdapterSearch> {
  let module: DawnModule;
  try {
    module = await loadDawn();
  } catch (error) {
    return {
      found: false,
      reason: `the webgpu package failed to load: ${(error as Error).message}`,
      hint: 'reinstall the `webgpu` package for this platform',
    };
  }
  let { gpu, adapter } = await requestAdapter(module);
  const software = adapter ? describeAdapter(adapter).software : false;
  if ((!adapter || software) && options.allowSoftwareAdapter && configureSwiftShader().configured) {
    const retry = await requestAdapter(module);
    if (retry.adapter) ({ gpu, adapter } = retry);
  }
  if (!adapter) return { found: false, reason: 'no WebGPU adapter', hint: NO_ADAPTER_HINT };
  return { found: true, gpu, adapter, description: describeAdapter(adapter) };
}

/**
 * Makes `navigator.gpu` (and the GPU* classes tfjs checks with instanceof) global, keeping an
 * existing navigator object (Node 21+ has one) and any `gpu` it already has.
 */
export async function installNavigatorGpu(gpu: GPU): Promise<void> {
  const module = await loadDawn();
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(module.globals)) if (!(name in scope)) scope[name] = value;
  const existing = scope.navigator as { gpu?: GPU } | undefined;
  if (!existing) scope.navigator = { gpu };
  else if (!existing.gpu) Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
}
