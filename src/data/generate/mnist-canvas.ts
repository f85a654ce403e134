/**
 * The `mnist-canvas` generator: one real handwritten MNIST digit, scaled by a random factor
 * and placed at a random position on a larger dark canvas with light noise. The image-level
 * label is the digit; the mask marks the digit's strokes (scaled intensity above a
 * threshold); the box is the tight box of every inked pixel, so it always contains the mask.
 */
import type { Random } from '../random.js';
import { resizeWindow, sampleBilinear } from '../resample.js';
import type { LabelledBox } from '../sample.js';
import { clamp01 } from './textures.js';

export const MNIST_SIDE = 28;
export const DIGIT_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const DIGIT_MASK_CLASSES: readonly string[] = ['background', 'digit'];

/** A digit's stroke pixels: intensity above this (of 1) after scaling. */
export const STROKE_THRESHOLD = 0.5;
/** Pixels the digit inks at all: what its box covers. */
export const INK_THRESHOLD = 0.1;

/** Raw MNIST digits: `pixels(digit, index)` gives 28×28 intensities in [0, 1], row-major. */
export interface DigitSource {
  /** Samples available per digit 0..9. */
  readonly counts: readonly number[];
  pixels(digit: number, index: number): Float32Array;
}

export interface CanvasOptions {
  /** Side of the square canvas; default 64. */
  readonly size?: number;
  /** Range of the digit's scale factor (1 = 28 px); default [1, 1.6], capped to fit the canvas. */
  readonly scale?: readonly [number, number];
  /** Largest background noise intensity; default 0.15. */
  readonly noise?: number;
}

export interface CanvasImage {
  readonly image: Float32Array;
  readonly height: number;
  readonly width: number;
  /** 1 on the digit's strokes, 0 elsewhere. */
  readonly mask: Uint8Array;
  readonly boxes: readonly LabelledBox[];
  readonly label: number;
}

/** The digit resized to side × side (bilinear, half-pixel centres). */
export function scaleDigit(pixels: Float32Array, side: number): Float32Array {
  return sampleBilinear(
    { data: pixels, height: MNIST_SIDE, width: MNIST_SIDE, channels: 1 },
    resizeWindow(MNIST_SIDE, MNIST_SIDE, side, side),
  );
}

interface Placement {
  readonly side: number;
  readonly top: number;
  readonly left: number;
  readonly size: number;
}

/** Draws the scaled digit over the grey canvas (brighter wins), marks its strokes, and returns the box of its ink. */
function stampDigit(
  grey: Float32Array,
  mask: Uint8Array,
  scaled: Float32Array,
  at: Placement,
): [number, number, number, number] {
  let [x0, y0, x1, y1] = [at.size, at.size, 0, 0];
  for (let y = 0; y < at.side; y++) {
    for (let x = 0; x < at.side; x++) {
      const value = scaled[y * at.side + x]!;
      const pixel = (y + at.top) * at.size + (x + at.left);
      grey[pixel] = clamp01(Math.max(grey[pixel]!, value));
      if (value > STROKE_THRESHOLD) mask[pixel] = 1;
      if (value <= INK_THRESHOLD) continue;
      [x0, y0, x1, y1] = [
        Math.min(x0, x + at.left),
        Math.min(y0, y + at.top),
        Math.max(x1, x + at.left + 1),
        Math.max(y1, y + at.top + 1),
      ];
    }
  }
  return [x0, y0, x1, y1];
}

export function generateCanvasImage(
  pixels: Float32Array,
  digit: number,
  options: CanvasOptions,
  random: Random,
): CanvasImage {
  const size = options.size ?? 64;
  const [low, high] = options.scale ?? [1, 1.6];
  const side = Math.min(size, Math.round(MNIST_SIDE * random.uniform(low, high)));
  const placement = { side, size, top: random.integer(0, size - side + 1), left: random.integer(0, size - side + 1) };
  const noise = options.noise ?? 0.15;
  const grey = Float32Array.from({ length: size * size }, () => random.uniform(0, noise));
  const mask = new Uint8Array(size * size);
  const [x0, y0, x1, y1] = stampDigit(grey, mask, scaleDigit(pixels, side), placement);
  const image = new Float32Array(size * size * 3);
  grey.forEach((value, index) => image.fill(value, index * 3, index * 3 + 3));
  return { image, height: size, width: size, mask, boxes: x1 > x0 ? [[x0, y0, x1, y1, digit]] : [], label: digit };
}
