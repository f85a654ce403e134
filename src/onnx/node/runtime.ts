/**
 * Loading onnxruntime-node, an optional dependency: segc installs and runs without it, and says
 * how to add it when an ONNX Runtime executor is asked for.
 */
import type { OnnxRuntimeModule } from '../engine.js';

export class OnnxRuntimeMissing extends Error {
  constructor(readonly cause: unknown) {
    super('ONNX Runtime is not installed: the onnx executor needs the optional package onnxruntime-node');
    this.name = 'OnnxRuntimeMissing';
  }

  readonly hint = 'add it with `npm install onnxruntime-node` (its CPU build ships in the package), or use --backend wasm or cpu';
}

let loaded: Promise<OnnxRuntimeModule> | undefined;

export function loadOnnxRuntime(): Promise<OnnxRuntimeModule> {
  // The package name is held in a variable so bundlers for the browser leave it alone.
  const name = 'onnxruntime-node';
  loaded ??= import(/* @vite-ignore */ name).then(
    (module: { default?: OnnxRuntimeModule } & Partial<OnnxRuntimeModule>) => (module.InferenceSession ? (module as OnnxRuntimeModule) : module.default!),
    (error: unknown) => {
      loaded = undefined;
      throw new OnnxRuntimeMissing(error);
    },
  );
  return loaded;
}
