/**
 * How an image becomes a model input's tensor, as the input declares it with `@preprocess(...)`.
 * The defaults are what segc always did: bilinear resize with half-pixel centres, RGB, pixel
 * values scaled to [0, 1], grey as the mean of R, G and B for a one-channel input.
 */

/** `half-pixel`: TensorFlow 2, PIL, OpenCV; `legacy`: TensorFlow 1 and tfjs's default; `corners`: align corners. */
export type ResizeCentres = 'half-pixel' | 'legacy' | 'corners';

export interface Preprocessing {
  readonly resize: 'bilinear' | 'nearest';
  readonly centres: ResizeCentres;
  /** Channel order of a three-channel tensor. */
  readonly order: 'rgb' | 'bgr';
  /** How a one-channel input is made from RGB: their mean, or Rec. 601 luma. */
  readonly grey: 'mean' | 'luma';
  /** Multiplies pixel values 0..255. */
  readonly scale: number;
  /** Subtracted after scaling: one value for every channel, or one per channel. */
  readonly mean: readonly number[];
  /** Divides after the mean: one value for every channel, or one per channel. */
  readonly std: readonly number[];
}

export const DEFAULT_PREPROCESSING: Preprocessing = {
  resize: 'bilinear',
  centres: 'half-pixel',
  order: 'rgb',
  grey: 'mean',
  scale: 1 / 255,
  mean: [0],
  std: [1],
};

/** The choices of each word-valued setting, in the order the docs list them. */
export const PREPROCESSING_CHOICES = {
  resize: ['bilinear', 'nearest'],
  centres: ['half-pixel', 'legacy', 'corners'],
  order: ['rgb', 'bgr'],
  grey: ['mean', 'luma'],
} as const;

/** Rec. 601 luma weights of R, G and B. */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/** An input's preprocessing: its declaration, or the defaults when it declares none. */
export function preprocessingOf(input: { readonly preprocessing?: Preprocessing } | undefined): Preprocessing {
  return input?.preprocessing ?? DEFAULT_PREPROCESSING;
}

/** The value of `channel` in a per-channel list of one value or one per channel. */
export function channelValue(values: readonly number[], channel: number): number {
  return values.length === 1 ? values[0]! : values[channel]!;
}
