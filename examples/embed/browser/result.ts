/** What the example page leaves on `window.embedResult`, for the test that drives it. */
export interface EmbedRun {
  readonly classIndex: number;
  readonly probability: number;
  /** The raw Grad-CAM map of the class, at the target layer's resolution. */
  readonly raw: number[];
}

export interface EmbedResult {
  readonly interpreter: EmbedRun;
  readonly generated: EmbedRun;
  /** Tensors alive after both runs and their disposal, beyond those alive before. */
  readonly tensorsLeft: number;
}

declare global {
  interface Window {
    embedResult?: Promise<EmbedResult>;
  }
}
