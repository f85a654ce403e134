/**
 * Puts a SegModel on ONNX Runtime in Node: its inference graph, exported with the current
 * weights, serves `predictAsync`, and explanation models (made on demand, one per layer and
 * input size) serve CAM, Grad-CAM, Grad-CAM++ and LayerCAM. Disposing the model releases both.
 */
import type { SegModel } from '../runtime/model.js';
import { type EngineOptions, OnnxEngine } from '../onnx/engine.js';
import { OnnxExplainer } from '../explain/onnx-explainer.js';
import { exportOnnx } from '../onnx/export.js';
import { loadOnnxRuntime } from '../onnx/node/runtime.js';

const explainers = new WeakMap<SegModel, OnnxExplainer>();

export async function useOnnxRuntime(model: SegModel, options: EngineOptions = {}): Promise<OnnxEngine> {
  const runtime = await loadOnnxRuntime();
  const engine = await OnnxEngine.create(runtime, (await exportOnnx(model.inference, model.weights)).model, options);
  const explainer = new OnnxExplainer(runtime, model, options);
  explainers.set(model, explainer);
  model.useEngine({
    name: engine.name,
    run: (inputs) => engine.run(inputs),
    dispose: async () => {
      explainers.delete(model);
      await Promise.all([engine.dispose(), explainer.dispose()]);
    },
  });
  return engine;
}

/** The ONNX Runtime explainer of a model that `useOnnxRuntime` put there, if any. */
export function onnxExplainerOf(model: SegModel): OnnxExplainer | undefined {
  return explainers.get(model);
}
