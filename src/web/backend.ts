/**
 * Starting tfjs in a page: WebGPU first, wasm where there is no WebGPU. Unlike the CLI's
 * 'auto', a page takes a software WebGPU adapter too, because a page is asked to show that it
 * runs on WebGPU; the status line says when the adapter is software so a person can ask for
 * wasm instead (`?backend=wasm`), which is faster on such machines.
 */
import { type BackendChoice, type BackendName, selectBackend, setWasmBinaryLocation } from '../runtime/backend.js';
import { registerGradients } from '../runtime/gradients.js';

export type WebBackendRequest = BackendName | 'auto';

const REQUESTS: readonly WebBackendRequest[] = ['auto', 'webgpu', 'wasm', 'cpu'];

/** The backend a page asks for in its `backend` query parameter; 'auto' when absent or unknown. */
export function backendRequestFrom(search: string): WebBackendRequest {
  const asked = new URLSearchParams(search).get('backend');
  return REQUESTS.find((request) => request === asked) ?? 'auto';
}

/**
 * Tells tfjs where the wasm binaries are served (a URL prefix such as `https://host/app/tfjs/`),
 * starts the backend and registers the gradients Grad-CAM needs.
 */
export async function startWebBackend(request: WebBackendRequest, wasmLocation: string): Promise<BackendChoice> {
  await setWasmBinaryLocation(wasmLocation);
  const choice = await selectBackend(request, { allowSoftwareAdapter: false });
  registerGradients();
  return choice;
}

/** One line for the page: "webgpu on google swiftshader (software adapter …)" or "wasm — …why…". */
export function describeBackend(choice: BackendChoice): string {
  if (choice.name !== 'webgpu') return `${choice.name} — ${choice.reason}`;
  return `webgpu on ${choice.adapter ?? 'an unknown adapter'}${choice.software ? ' (software adapter: slower than wasm; choose wasm to compare)' : ''}`;
}
