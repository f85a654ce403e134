/**
 * What segc needs to know about a WebGPU adapter, shared by the browser path and the Node
 * path (`node/webgpu-node.ts`). Browser-safe: no Node imports.
 */

/** The subset of `GPUAdapterInfo` segc reads; every field is optional across implementations. */
interface AdapterInfoFields {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface AdapterDescription {
  /** Human-readable: "google swiftshader (SwiftShader driver 5.0.0)". */
  readonly name: string;
  /** A CPU implementation (SwiftShader, llvmpipe/lavapipe) or a browser's fallback adapter. */
  readonly software: boolean;
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = ((adapter as { info?: AdapterInfoFields }).info ?? {}) as AdapterInfoFields;
  const words = [info.vendor, info.architecture, info.device].filter((word) => word && word.length > 0);
  const name = `${words.join(' ') || 'unknown adapter'}${info.description ? ` (${info.description})` : ''}`;
  const fallback =
    info.isFallbackAdapter === true || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const named = [info.vendor, info.architecture, info.device, info.description].some(
    (text) => text && SOFTWARE_NAMES.test(text),
  );
  return { name, software: fallback || named };
}

/** Where a WebGPU adapter was found, or why none was. */
export type AdapterSearch =
  | { readonly found: true; readonly gpu: GPU; readonly adapter: GPUAdapter; readonly description: AdapterDescription }
  | { readonly found: false; readonly reason: string; readonly hint: string };

export interface AdapterSearchOptions {
  /** Accept a software adapter (and, in Node, set up SwiftShader when nothing else is there). */
  readonly allowSoftwareAdapter: boolean;
}

/** The shape of `node/webgpu-node.ts`, which `backend.ts` loads only when running in Node. */
export interface NodeWebGpuModule {
  findNodeAdapter(options: AdapterSearchOptions): Promise<AdapterSearch>;
  installNavigatorGpu(gpu: GPU): Promise<void>;
}
