/**
 * What the compiler derives, per model output, about explaining it: what kind of prediction
 * it is, which node holds the class scores, which layer Grad-CAM looks at and why, and whether
 * the architecture gives an exact class activation map. Node ids refer to the graph as written
 * (`SegModel.graph`).
 */

/**
 * `classification`: scores [N, classes]. `segmentation`: per-pixel scores [N, H, W, classes].
 * `classmap`: an output that is itself a class map (ACoL's fused `max` of two class maps).
 */
export type OutputKind = 'classification' | 'segmentation' | 'classmap';

export interface TargetLayer {
  readonly node: number;
  readonly name: string;
  /** Why this layer, in words (shown by `segc explain --list`). */
  readonly reason: string;
}

/**
 * An exact class activation map. `dense`: the score is dense(gap(f)), and class c's map is
 * Σ_k w[k, c] f_k (bias ignored). `channel`: channel c of `map` is class c's map (a NIN head,
 * a tensor annotated `@classmap`, an output that is a class map).
 */
export type ExactCam =
  | { readonly kind: 'dense'; readonly features: number; readonly dense: number; readonly reason: string }
  | { readonly kind: 'channel'; readonly map: number; readonly reason: string };

/** The two class maps of an ACoL head: `first` is branch A (the one erasing reads). */
export interface AcolBranches {
  readonly first: number;
  readonly second: number;
  readonly reason: string;
}

export interface ExplanationPlan {
  readonly output: string;
  readonly outputNode: number;
  readonly kind: OutputKind;
  /** The node whose class axis holds the scores explained: the output, or the input of its softmax. */
  readonly score: number;
  readonly scoreReason: string;
  readonly classes: number;
  /** The default Grad-CAM layer; absent when no feature map lies on every path to the score. */
  readonly target?: TargetLayer;
  /** Why there is no default target, when there is none. */
  readonly targetProblem?: string;
  readonly cam?: ExactCam;
  readonly acol?: AcolBranches;
}

/** An output that cannot be explained, and why (class indices from `argmax`). */
export interface SkippedOutput {
  readonly output: string;
  readonly reason: string;
}

export interface ExplanationSurvey {
  readonly plans: readonly ExplanationPlan[];
  readonly skipped: readonly SkippedOutput[];
}
