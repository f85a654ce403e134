/**
 * Diagnostic codes raised by the ONNX exporter and executor. A code never changes meaning once
 * published. E18xx: a model or setup that the ONNX path cannot serve.
 */
export const OnnxCode = {
  /** An op, or an op setting, that has no ONNX form at opset 17. */
  unsupported: 'E1801',
  /** `--backend onnx` without the optional onnxruntime-node package. */
  runtimeMissing: 'E1802',
} as const;
