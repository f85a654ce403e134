/** What the playground page puts on `window`: Monaco (loaded by index.html) and, for tests, its editor. */
import type * as Monaco from 'monaco-editor';

declare global {
  interface Window {
    monaco: typeof Monaco;
    /** The editor, and the version whose diagnostics are shown. */
    playground?: {
      editor: Monaco.editor.IStandaloneCodeEditor;
      shown: { version: number; shapes: boolean };
      /** Runs the edited model on an image URL (relative to the page), as picking it does. */
      run: (imageUrl: string) => Promise<PlaygroundRun>;
    };
  }
}

/** What a run gave, for tests and for people poking at the page from the console. */
export interface PlaygroundRun {
  readonly kind: 'classifier' | 'segmentation';
  readonly inputSize: [number, number];
  readonly predicted?: number;
  readonly probabilities?: number[];
  /** Segmentation: pixels per class, and the class of each pixel ([H, W] row-major). */
  readonly pixels?: number[];
  readonly mask?: number[];
  /** The class Grad-CAM explained, and the layer it differentiated with respect to. */
  readonly classIndex: number;
  readonly target: string;
  /** Whether the weights were a bundled example's trained ones (else seeded random ones). */
  readonly trained: boolean;
  readonly weightsOrigin: string;
  /** The Grad-CAM map's range and pixel count. */
  readonly heatmap: { readonly min: number; readonly max: number; readonly size: number };
  /** Live tfjs tensors once the run finished (the model's weights among them). */
  readonly tensors: number;
}
