/**
 * What the page exposes on `window` for scripts and tests: `segcReady` settles when the model is
 * loaded (rejecting with the problem when it cannot be), `segcRun(url, classIndex)` runs one
 * image, and `segcResult` holds the numbers of the last run.
 */
export interface SegcResult {
  readonly backend: string;
  /** `tfjs`, or `onnx (wasm)` / `onnx (webgpu, wasm)` with `?executor=onnx`. */
  readonly executor: string;
  readonly adapter?: string;
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  /** Where the image sits in the model's letterboxed input. */
  readonly box: { readonly top: number; readonly left: number; readonly height: number; readonly width: number };
  /** The model's input, [H, W, 3] in [0, 1]. */
  readonly input: number[];
  readonly logits: number[];
  readonly mask: number[];
  /** Grad-CAM for `classIndex`, [H, W] in [0, 1]. */
  readonly heatmap: number[];
  readonly classIndex: number;
  readonly target: string;
  /** Live tfjs tensors once the run finished (the current image is one of them). */
  readonly tensors: number;
  readonly milliseconds: { readonly segment: number; readonly gradCam: number };
}

declare global {
  interface Window {
    segcReady: Promise<void>;
    segcRun: (imageUrl: string, classIndex?: number) => Promise<SegcResult>;
    segcResult?: SegcResult;
    segcError?: string;
  }
}
