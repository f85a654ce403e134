/** Options of `segc import` that reach the translation. */
export interface ImportOptions {
  /**
   * The height and width to give an input that leaves them open, so that sizes the graph
   * computes from them (a flatten, a resize to a computed size) are known at import.
   */
  readonly inputSize?: readonly [number, number];
}
