/**
 * Loading onnxruntime-node, an optional dependency: segc installs and runs without it, and says
 * how to add it when an ONNX Runtime executor is asked for.
 */
import type { OnnxRuntimeModule } from '../engine.js';

export class OnnxRuntimeMissing extends Error {
  constructor(cause: unknown) {
    super('ONNX Runtime is not installed: the onnx executor needs the optional package onnxruntime-node', { cause });
    this.name = 'OnnxRuntimeMissing';
  }

  readonly hint =
    'add it with `npm install onnxruntime-node` (its CPU build ships in the package), or use --backend wasm or cpu';
}

let loaded: Promise<OnnxRuntimeModule> | undefined;

/** `name` is for tests of the missing-package path; the package name sits in a variable so browser bundlers leave it alone. */
export function loadOnnxRuntime(name = 'onnxruntime-node'): Promise<OnnxRuntimeModule> {
  if (name !== 'onnxruntime-node')
    return import(/* @vite-ignore */ name).then(
      (m: OnnxRuntimeModule) => m,
      (error: unknown) => Promise.reject(new OnnxRuntimeMissing(error)),
    );
  loaded ??= import(/* @vite-ignore */ name).then(
    (module: { default?: OnnxRuntimeModule } & Partial<OnnxRuntimeModule>) =>
      module.InferenceSession ? (module as OnnxRuntimeModule) : module.default!,
    (error: unknown) => {
      loaded = undefined;
      throw new OnnxRuntimeMissing(error);
    },
  );
  return loaded;
}
