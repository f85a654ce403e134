/**
 * Augmentation of one sample: an optional fixed resize, a random scale followed by a random
 * crop to a target size, and a random horizontal flip. Images are resampled bilinearly, masks
 * by nearest neighbour (classes must not blend), and boxes are moved with the pixels. The
 * randomness comes from a generator seeded per sample, so the result does not depend on
 * which samples came before.
 */
import type { Random } from './random.js';
import { type Window, flipColumns, resizeWindow, sampleBilinear, sampleNearest } from './resample.js';
import { IGNORE_LABEL, type LabelledBox, type Sample } from './sample.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface CropOptions {
  readonly height: number;
  readonly width: number;
  /** Range of the random scale factor applied before cropping; default [0.5, 2]. */
  readonly scale?: readonly [number, number];
}

export interface AugmentOptions {
  /** Resize every sample to this size first (no randomness). */
  readonly resize?: { readonly height: number; readonly width: number };
  readonly crop?: CropOptions;
  /** Horizontal flip: `true` flips half the samples, a number gives the probability. */
  readonly flip?: boolean | number;
}

export const DEFAULT_SCALE_RANGE: readonly [number, number] = [0.5, 2];

export function checkAugmentOptions(options: AugmentOptions): void {
  const sizes = [options.resize, options.crop].filter((size) => size !== undefined);
  for (const size of sizes) {
    if (!isPositiveInteger(size.height) || !isPositiveInteger(size.width)) {
      throw diagnosticError(
        codes.dataBadOption,
        `augmentation sizes must be positive integers, got ${size.height}×${size.width}`,
        { file: '<data>' },
      );
    }
  }
  const [low, high] = options.crop?.scale ?? DEFAULT_SCALE_RANGE;
  if (!(low > 0 && high >= low))
    throw diagnosticError(codes.dataBadOption, `the scale range must satisfy 0 < low ≤ high, got [${low}, ${high}]`, {
      file: '<data>',
    });
  const probability = flipProbability(options.flip);
  if (!(probability >= 0 && probability <= 1))
    throw diagnosticError(codes.dataBadOption, `the flip probability must lie in [0, 1], got ${probability}`, {
      file: '<data>',
    });
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

function flipProbability(flip: boolean | number | undefined): number {
  if (flip === undefined || flip === false) return 0;
  return flip === true ? 0.5 : flip;
}

/** Applies `window` to the image, mask and boxes of a sample. */
export function resampleSample(sample: Sample, window: Window): Sample {
  const image = sampleBilinear(
    { data: sample.image, height: sample.height, width: sample.width, channels: 3 },
    window,
    0,
  );
  const mask =
    sample.mask &&
    sampleNearest({ data: sample.mask, height: sample.height, width: sample.width, channels: 1 }, window, IGNORE_LABEL);
  const boxes =
    sample.boxes && sample.boxes.map((box) => moveBox(box, window)).filter((box): box is LabelledBox => box !== null);
  return {
    ...sample,
    image,
    height: window.height,
    width: window.width,
    ...(mask ? { mask } : {}),
    ...(boxes ? { boxes } : {}),
  };
}

/** Scales and shifts a box into the window, clipped to it; null when nothing of it is left. */
function moveBox([x0, y0, x1, y1, classIndex]: LabelledBox, window: Window): LabelledBox | null {
  const clipX = (x: number) =>
    Math.min(Math.max(x * window.scaleX - window.left, 0), Math.min(window.width, window.scaledWidth - window.left));
  const clipY = (y: number) =>
    Math.min(Math.max(y * window.scaleY - window.top, 0), Math.min(window.height, window.scaledHeight - window.top));
  const box: LabelledBox = [clipX(x0), clipY(y0), clipX(x1), clipY(y1), classIndex];
  return box[2] > box[0] && box[3] > box[1] ? box : null;
}

export function resizeSample(sample: Sample, height: number, width: number): Sample {
  if (sample.height === height && sample.width === width) return sample;
  return resampleSample(sample, resizeWindow(sample.height, sample.width, height, width));
}

/**
 * The window of a random scale then a random crop. Along an axis where the scaled image is
 * larger than the crop, the crop starts at a random offset inside it; where it is smaller, the
 * scaled image lands at a random offset inside the crop and the rest is padding (a negative
 * window offset), so shrinking does not always push the content into one corner.
 */
export function randomCropWindow(height: number, width: number, crop: CropOptions, random: Random): Window {
  const [low, high] = crop.scale ?? DEFAULT_SCALE_RANGE;
  const scale = random.uniform(low, high);
  const scaledHeight = Math.max(1, Math.round(height * scale));
  const scaledWidth = Math.max(1, Math.round(width * scale));
  return {
    scaleY: scaledHeight / height,
    scaleX: scaledWidth / width,
    scaledHeight,
    scaledWidth,
    top: randomOffset(scaledHeight - crop.height, random),
    left: randomOffset(scaledWidth - crop.width, random),
    height: crop.height,
    width: crop.width,
  };
}

/** An integer offset between 0 and `slack` inclusive (`slack` may be negative). */
function randomOffset(slack: number, random: Random): number {
  return slack >= 0 ? random.integer(0, slack + 1) : -random.integer(0, -slack + 1);
}

export function flipSample(sample: Sample): Sample {
  const { height, width } = sample;
  const image = flipColumns({ data: sample.image, height, width, channels: 3 });
  const mask = sample.mask && flipColumns({ data: sample.mask, height, width, channels: 1 });
  const boxes = sample.boxes?.map(([x0, y0, x1, y1, classIndex]): LabelledBox => [
    width - x1,
    y0,
    width - x0,
    y1,
    classIndex,
  ]);
  return { ...sample, image, ...(mask ? { mask } : {}), ...(boxes ? { boxes } : {}) };
}

/** Resize, then scale-crop, then flip, drawing from `random` in that order. */
export function augmentSample(sample: Sample, options: AugmentOptions, random: Random): Sample {
  let result = options.resize ? resizeSample(sample, options.resize.height, options.resize.width) : sample;
  if (options.crop)
    result = resampleSample(result, randomCropWindow(result.height, result.width, options.crop, random));
  if (random.chance(flipProbability(options.flip))) result = flipSample(result);
  return result;
}
