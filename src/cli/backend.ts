/**
 * `--backend` for the commands that run a model: checks the name, starts the backend, prints
 * the one line that says which backend runs and why.
 *
 * With `auto`, the WebGPU adapter is first looked for in a child process whose stderr is
 * discarded: Dawn (the `webgpu` package) writes its Vulkan warnings ("Couldn't load Vulkan",
 * "vkCreateInstance: Found no drivers!") straight to file descriptor 2, where no JavaScript can
 * hold them back. Only when the child finds a hardware adapter is Dawn loaded in this process.
 * `auto` takes no software adapter, so SwiftShader is not looked for here.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendChoice, type BackendName, selectBackend } from '../runtime/backend.js';
import { registerGradients } from '../runtime/gradients.js';
import { describeAdapter } from '../runtime/webgpu-adapter.js';
import { UsageError } from './args.js';
import type { Io } from './io.js';

export const BACKEND_NAMES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
/** `onnx`: the model runs on ONNX Runtime (segc run and explain); tfjs cpu prepares images and results. */
export type BackendRequest = BackendName | 'auto' | 'onnx';
const PROBE_TIMEOUT_MS = 20_000;

/** The `--backend` value, checked before anything is compiled or started; `onnx` only where the command runs on it. */
export function backendOption(
  value: unknown,
  fallback: BackendName | 'auto',
  options: { onnx?: boolean } = {},
): BackendRequest {
  const requested = value === undefined ? fallback : String(value);
  const names: readonly string[] = options.onnx ? [...BACKEND_NAMES, 'onnx'] : BACKEND_NAMES;
  if (!names.includes(requested))
    throw new UsageError(
      `--backend must be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}, got \`${requested}\``,
    );
  return requested as BackendRequest;
}

const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
process.stdout.write(JSON.stringify(adapter ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter } : null));
process.exit(0);
`;

/** Whether a hardware WebGPU adapter is there, asked in a child process; the reason when not. */
export async function probeHardwareAdapter(): Promise<{ found: boolean; reason: string }> {
  let webgpu: string;
  try {
    webgpu = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch {
    return { found: false, reason: 'the webgpu package is not installed' };
  }
  const output = await new Promise<string | undefined>((resolve) => {
    const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE, webgpu],
      { env, timeout: PROBE_TIMEOUT_MS },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
  if (output === undefined) return { found: false, reason: 'the WebGPU probe failed' };
  const info = JSON.parse(output || 'null') as Record<string, unknown> | null;
  if (!info) return { found: false, reason: 'no WebGPU adapter' };
  const described = describeAdapter({ info } as unknown as GPUAdapter);
  return described.software
    ? { found: false, reason: `only a software adapter (${described.name})` }
    : { found: true, reason: described.name };
}

async function start(requested: BackendName | 'auto'): Promise<BackendChoice> {
  const inNode = !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (requested !== 'auto' || !inNode) return selectBackend(requested);
  const probe = await probeHardwareAdapter();
  if (probe.found) return selectBackend('auto');
  try {
    const wasm = await selectBackend('wasm');
    return { ...wasm, reason: `auto: no hardware WebGPU (${probe.reason}); wasm` };
  } catch {
    const cpu = await selectBackend('cpu');
    return { ...cpu, reason: `auto: no hardware WebGPU (${probe.reason}) and wasm did not start; cpu` };
  }
}

/**
 * Starts the backend with gradients registered, and says once on stderr which one runs.
 * `notOnnx` says why `auto` did not take ONNX Runtime for a command that could have used it.
 */
export async function startBackend(requested: BackendRequest, io: Io, notOnnx?: string): Promise<BackendChoice> {
  // Production mode: fewer debug checks, and no banner suggesting tfjs-node on stderr.
  tf.env().set('PROD', true);
  // On ONNX Runtime the engine says which backend runs once it is attached (load-model.ts).
  if (requested === 'onnx') return selectBackend('cpu');
  const choice = await start(requested);
  registerGradients();
  const reason = notOnnx && requested === 'auto' ? `${choice.reason} (not onnx: ${notOnnx})` : choice.reason;
  io.err(`backend: ${choice.name}${choice.adapter ? ` (${choice.adapter})` : ''} — ${reason}`);
  return choice;
}
