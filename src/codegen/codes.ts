/**
 * Diagnostic codes raised by code generation. A code never changes meaning once published.
 * E11xx: a model that compiles but cannot be written as a module.
 */
export const CodegenCode = {
  /** The graph uses an op that has no `emit` (it runs in the interpreter only). */
  opNotGeneratable: 'E1101',
  /** Two generated files would have the same name (two models of one file built to one directory). */
  fileClash: 'E1102',
  /** The graph uses an op that has no PyTorch lowering (`segc build --target pytorch`). */
  opNotInPytorch: 'E1103',
  /** A layer's path cannot name a PyTorch submodule (a `.` in it, or an nn.Module attribute). */
  pytorchNameClash: 'E1104',
} as const;

export type CodegenCodeName = keyof typeof CodegenCode;
