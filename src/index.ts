/**
 * The public API of segc, in the order data flows: parse → check → compile to IR → run → explain.
 * Everything here is browser-safe. Node-only helpers (compiling files from disk, weights
 * folders, image files) are the `segc/node` entry (`src/node/index.ts`); what modules from
 * `segc build` use at run time is `segc/runtime` (`src/codegen/runtime/index.ts`).
 */
export type { Diagnostic, Span, Position, Severity } from './diagnostics/diagnostic.js';
export { DiagnosticError } from './diagnostics/diagnostic.js';
export { renderDiagnostic, renderDiagnostics, diagnosticToJson } from './diagnostics/render.js';
export {
  DIAGNOSTICS,
  RETIRED_CODES,
  codes,
  diagnosticKind,
  type DiagnosticKind,
  type DiagnosticName,
} from './diagnostics/codes.js';

export { parse, print, type ParseResult } from './parser/index.js';
export type * as ast from './parser/ast.js';

export {
  compile,
  compileSource,
  hasErrors,
  type CompileOptions,
  type CompileResult,
  type CompiledModel,
} from './compiler/compile.js';
export type { CompilerHost } from './program/modules.js';

export type { Graph, IRNode, IRWeight } from './ir/graph.js';
export { readIR, writeIR } from './ir/json.js';
export { summarize, type Summary, type SummaryRow } from './ir/analysis/summary.js';
export { receptiveFields } from './ir/analysis/receptive-field.js';
export { toDot, toMermaid } from './ir/export/index.js';
export { OPS, findOp } from './ops/registry.js';

export { selectBackend, setWasmBinaryLocation, type BackendChoice, type BackendName } from './runtime/backend.js';
export { registerGradients } from './runtime/gradients.js';
export { SegModel, weightDeclarations, initialWeights } from './runtime/model.js';
export { fetchStore, loadWeightsFromStore } from './runtime/weights.js';
export {
  applyColormap,
  fromPixelBytes,
  heatmapOverlay,
  maskToColors,
  normalizeMinMax,
  overlay,
  resizeImage,
  toRgbaBytes,
  type Colormap,
  type RgbImage,
} from './runtime/image.js';
export { prepareImage, prepareModelInput } from './runtime/preprocess-image.js';
export { DEFAULT_PREPROCESSING, preprocessingOf, type Preprocessing } from './ir/preprocessing.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  safetensorsToWeights,
  weightsToSafetensors,
} from './runtime/safetensors.js';

export { deriveExplanations, explain, featureMaps, mapToBox, mapToMask, acolLoss } from './explain/index.js';

export { exportOnnx, OnnxExportError, type OnnxExport, type OnnxExportOptions } from './onnx/export.js';
export { OnnxEngine, type OnnxRuntimeModule, type EngineOptions } from './onnx/engine.js';
export { exportExplanationModel, type ExplanationModelRequest } from './onnx/gradient.js';
export { OnnxExplainer } from './explain/onnx-explainer.js';
export type { InferenceEngine } from './runtime/model.js';
