/** The messages between the playground page and its language worker. */
import type { Range } from '../../src/lsp/analysis.js';
import type { EditorDiagnostic } from '../../src/lsp/diagnostics.js';

export type Request =
  | { readonly kind: 'update'; readonly version: number; readonly text: string }
  | { readonly kind: 'hover'; readonly id: number; readonly line: number; readonly character: number };

export type Reply =
  /** `shapes`: false for the first diagnostics of an edit (names), true once the models are elaborated. */
  | {
      readonly kind: 'diagnostics';
      readonly version: number;
      readonly shapes: boolean;
      readonly diagnostics: readonly EditorDiagnostic[];
    }
  | { readonly kind: 'hover'; readonly id: number; readonly contents?: string; readonly range?: Range }
  /** The first model's architecture as SVG (Graphviz), after each edit that elaborates cleanly. */
  | { readonly kind: 'diagram'; readonly version: number; readonly model: string; readonly svg: string };

/** The path the edited text has inside the worker's files; imports of `std/` resolve beside it. */
export const PLAYGROUND_FILE = 'playground.seg';
