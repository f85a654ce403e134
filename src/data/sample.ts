/**
 * What a data set yields. Images are float RGB in [0, 1], row-major `[height, width, 3]`;
 * masks hold one class index per pixel with 255 meaning "ignore"; boxes are half-open pixel
 * rectangles with a class, `[x0, y0, x1, y1, class]` (see src/metrics/boxes.ts).
 */

export const IGNORE_LABEL = 255;

export type LabelledBox = readonly [x0: number, y0: number, x1: number, y1: number, classIndex: number];

export interface Sample {
  /** The file's path relative to the split folder, e.g. `images/00012.png` or `7/00012.png`. */
  readonly id: string;
  readonly image: Float32Array;
  readonly height: number;
  readonly width: number;
  /** `[height, width]` class indices in the mask class list. */
  readonly mask?: Uint8Array;
  /** Image-level class (index in `classes`). */
  readonly label?: number;
  /** Every class present, for multi-label training. */
  readonly labels?: readonly number[];
  readonly boxes?: readonly LabelledBox[];
}

export type Layout = 'segmentation' | 'classification';

/** A file that could not be used, and why. */
export interface DataProblem {
  readonly code: string;
  readonly file: string;
  readonly message: string;
  readonly hint?: string;
}

export interface Batch {
  readonly ids: readonly string[];
  readonly size: number;
  readonly height: number;
  readonly width: number;
  /** `[size, height, width, 3]`. */
  readonly images: Float32Array;
  /** `[size, height, width]`, present when every sample has a mask. */
  readonly masks?: Uint8Array;
  /** Present when every sample has a label. */
  readonly labels?: Int32Array;
  readonly boxes?: readonly (readonly LabelledBox[])[];
}
