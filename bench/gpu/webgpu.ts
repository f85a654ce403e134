/**
 * The WebGPU side of the kit's bench: finding Dawn's adapter, describing it so that a software
 * adapter is never reported as a GPU, and watching the device for errors. tfjs's WebGPU backend
 * does not throw when the device rejects a buffer (too large, out of memory) or is lost; it goes
 * on with empty buffers, which would time as a very fast run. Every such error fails the cell.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { findNodeAdapter, installNavigatorGpu } from '../../src/runtime/node/webgpu-node.js';
import { describeAdapter } from '../../src/runtime/webgpu-adapter.js';

/** What the adapter says about itself; `software` is segc's own verdict (`describeAdapter`). */
export interface AdapterReport {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
  readonly name: string;
  readonly software: boolean;
  readonly limits: Record<string, number>;
  readonly features: string[];
  /** The Vulkan loader and driver libraries mapped into this process: which ones Dawn really uses. */
  readonly libraries: string[];
}

const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
];

/**
 * Makes Dawn's adapter `navigator.gpu`, so that `selectBackend('webgpu')` takes its browser
 * path: a bundle cannot follow the computed import by which it loads the Node module itself.
 */
export async function installDawn(): Promise<AdapterReport> {
  const search = await findNodeAdapter({ allowSoftwareAdapter: true });
  if (!search.found) throw new Error(`${search.reason} (${search.hint})`);
  await installNavigatorGpu(search.gpu);
  return adapterReport(search.adapter);
}

function adapterReport(adapter: GPUAdapter): AdapterReport {
  const info = (adapter as unknown as { info?: Record<string, unknown> }).info ?? {};
  const text = (key: string) => (typeof info[key] === 'string' ? { [key]: info[key] as string } : {});
  const limits: Record<string, number> = {};
  for (const key of LIMITS) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  const fallback = info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    ...text('vendor'),
    ...text('architecture'),
    ...text('device'),
    ...text('description'),
    ...(typeof fallback === 'boolean' ? { isFallbackAdapter: fallback } : {}),
    ...describeAdapter(adapter),
    limits,
    features: [...adapter.features].sort(),
    libraries: vulkanLibraries(),
  };
}

/**
 * The Vulkan and driver libraries this process loaded, by file name: `<kit>/vulkan/libvulkan.so.1.3.239`
 * for one the kit unpacked (the folder of the kit it came from, then its name), `<system>/libvk_swiftshader.so`
 * for the machine's own. Which library ran is the fact; where a machine keeps it is not reported.
 */
function vulkanLibraries(): string[] {
  if (!existsSync('/proc/self/maps')) return [];
  const kit = process.argv[1] ? dirname(process.argv[1]) : undefined;
  const paths = readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/)[5] ?? '');
  const loaded = paths.filter((path) => /vulkan|swiftshader|nvidia|lvp|radeon|intel/i.test(path));
  const named = (path: string) =>
    kit && path.startsWith(`${kit}/`)
      ? `<kit>/${path.slice(kit.length + 1).split('/')[0]}/${basename(path)}`
      : `<system>/${basename(path)}`;
  return [...new Set(loaded.map(named))].sort();
}

/** Collects the device's uncaptured errors and its loss; `check()` throws the first one since the last check. */
export interface DeviceWatch {
  check(): void;
}

export function watchDevice(): DeviceWatch {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  const errors: string[] = [];
  let lost: string | undefined;
  device?.addEventListener('uncapturederror', (event) => errors.push((event as GPUUncapturedErrorEvent).error.message));
  void device?.lost.then((info) => (lost = `device lost (${info.reason}): ${info.message}`));
  return {
    check() {
      if (lost) throw new Error(`WebGPU ${lost}`);
      const first = errors.splice(0).at(0);
      if (first) throw new Error(`WebGPU: ${first.split('\n')[0]}`);
    },
  };
}
