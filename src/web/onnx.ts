/**
 * Running a page's model on ONNX Runtime Web (WebGPU where the browser has it, wasm otherwise).
 * The model is exported to ONNX in the page, from the compiled IR and the loaded weights, and
 * runs through the same `OnnxEngine` and `OnnxExplainer` as onnxruntime-node in the CLI.
 *
 * onnxruntime-web is optional: it is not bundled into the page but loaded at run time from a
 * URL the page serves (its ES module bundle and its ort-wasm-* files in one folder), so a page built
 * without the package still builds and runs on tfjs. `segment` and `gradCamHeatmap` use ONNX
 * Runtime once `useOnnxRuntimeWeb` has put the model there.
 */
import { OnnxEngine, type OnnxRuntimeModule } from '../onnx/engine.js';
import { OnnxExplainer } from '../explain/onnx-explainer.js';
import { exportOnnx } from '../onnx/export.js';
import type { SegModel } from '../runtime/model.js';

/** onnxruntime-web's ES module bundle with every execution provider; its ort-wasm-*.mjs and .wasm files sit beside it. */
export const ONNX_RUNTIME_WEB_MODULE = 'ort.all.bundle.min.mjs';

export type OnnxWebProvider = 'webgpu' | 'wasm';

/** The part of onnxruntime-web beyond what the engine uses: where its .wasm files are served. */
export interface OnnxRuntimeWeb extends OnnxRuntimeModule {
  readonly env: {
    logLevel?: string;
    readonly wasm: { wasmPaths?: string | Record<string, string>; numThreads?: number };
  };
}

export class OnnxRuntimeWebMissing extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `ONNX Runtime Web could not be loaded from ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'OnnxRuntimeWebMissing';
  }

  readonly hint = `serve the files of onnxruntime-web's dist/ folder (${ONNX_RUNTIME_WEB_MODULE} and the ort-wasm-* files beside it) at that URL, or run on tfjs`;
}

/** Loads onnxruntime-web from `folderUrl`, the folder holding its module and .wasm files. */
export async function loadOnnxRuntimeWeb(folderUrl: string | URL): Promise<OnnxRuntimeWeb> {
  const base = new URL(folderUrl, globalThis.location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const url = new URL(ONNX_RUNTIME_WEB_MODULE, base).href;
  let runtime: OnnxRuntimeWeb;
  try {
    // The URL is a run-time value, so bundlers leave this import alone and never need the package.
    runtime = (await import(/* @vite-ignore */ url)) as OnnxRuntimeWeb;
  } catch (error) {
    throw new OnnxRuntimeWebMissing(url, error);
  }
  runtime.env.wasm.wasmPaths = base.href;
  // Its warnings (an unknown CPU vendor) reach the console as errors.
  runtime.env.logLevel = 'error';
  return runtime;
}

/** WebGPU first where the browser gives a WebGPU adapter (`navigator.gpu` alone is not enough), wasm always. */
export async function onnxWebProviders(): Promise<OnnxWebProvider[]> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  return adapter ? ['webgpu', 'wasm'] : ['wasm'];
}

const explainers = new WeakMap<SegModel, OnnxExplainer>();

/**
 * Exports the model with its current weights and runs `predictAsync` (and so `segment`) and
 * Grad-CAM (`gradCamHeatmap`) on ONNX Runtime from now on; disposing the model releases the
 * sessions. Returns the engine, for callers that want host arrays.
 */
export async function useOnnxRuntimeWeb(
  model: SegModel,
  runtime: OnnxRuntimeModule,
  asked?: readonly OnnxWebProvider[],
): Promise<OnnxEngine> {
  const providers = asked ?? (await onnxWebProviders());
  // Errors only: the sessions' warnings (shape ops placed on the CPU) reach the console as errors.
  const options = { executionProviders: providers, logSeverityLevel: 3 } as const;
  const engine = await OnnxEngine.create(runtime, (await exportOnnx(model.inference, model.weights)).model, options);
  const explainer = new OnnxExplainer(runtime, model, options);
  explainers.set(model, explainer);
  model.useEngine({
    name: `onnx (${providers.join(', ')})`,
    run: (inputs) => engine.run(inputs),
    dispose: async () => {
      explainers.delete(model);
      await Promise.all([engine.dispose(), explainer.dispose()]);
    },
  });
  return engine;
}

/** The ONNX Runtime explainer `useOnnxRuntimeWeb` gave the model, if any. */
export function webOnnxExplainerOf(model: SegModel): OnnxExplainer | undefined {
  return explainers.get(model);
}
