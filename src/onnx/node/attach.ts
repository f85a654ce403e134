/**
 * Puts a SegModel's inference on ONNX Runtime in Node: exports its inference graph with the
 * current weights and hands `predictAsync` to onnxruntime-node.
 */
import type { SegModel } from '../../runtime/model.js';
import { type EngineOptions, OnnxEngine } from '../engine.js';
import { exportOnnx } from '../export.js';
import { loadOnnxRuntime } from './runtime.js';

export async function useOnnxRuntime(model: SegModel, options: EngineOptions = {}): Promise<OnnxEngine> {
  const runtime = await loadOnnxRuntime();
  const engine = await OnnxEngine.create(runtime, exportOnnx(model.inference, model.weights).model, options);
  model.useEngine(engine);
  return engine;
}
