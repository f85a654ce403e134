/**
 * Image tensors for input and for showing results: RGB float tensors [1, H, W, 3] in [0, 1].
 * Browser-safe; decoding and encoding files is in `node/image-io.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';

export type RgbImage = tf.Tensor4D;
export type Colormap = 'jet' | 'turbo';

/**
 * Bilinear resize to a model's input size, with half-pixel centres (the convention of PIL,
 * OpenCV and TensorFlow 2's `tf.image.resize`), so the image is not shifted by half a pixel.
 */
export function resizeImage(image: RgbImage, height: number, width: number): RgbImage {
  return tf.image.resizeBilinear(image, [height, width], false, true);
}

/**
 * The PASCAL VOC palette: class c gets its colour from c's bits, interleaved so that bit 3k of
 * c goes to red, 3k+1 to green and 3k+2 to blue, filling each channel from its top bit down.
 * Class 0 is black, 1 is (128,0,0), 255 (VOC's "ignore") is (224,224,192).
 */
export function vocPalette(count = 256): Uint8Array {
  const palette = new Uint8Array(count * 3);
  for (let label = 0; label < count; label++) {
    let rest = label;
    for (let bit = 7; bit >= 0 && rest > 0; bit--, rest >>= 3) {
      for (let channel = 0; channel < 3; channel++) palette[label * 3 + channel]! |= ((rest >> channel) & 1) << bit;
    }
  }
  return palette;
}

/** Class-index mask ([H, W], [1, H, W] or [1, H, W, 1], integer labels) → palette colours. */
export function maskToColors(mask: tf.Tensor, palette: Uint8Array = vocPalette()): RgbImage {
  return tf.tidy(() => {
    const [height, width] = mask.shape.slice(mask.rank === 2 ? 0 : 1, mask.rank === 2 ? 2 : 3) as [number, number];
    const colors = tf.div(tf.tensor2d(palette, [palette.length / 3, 3], 'float32'), 255);
    const labels = tf.clipByValue(tf.reshape(tf.cast(mask, 'int32'), [height * width]), 0, palette.length / 3 - 1);
    return tf.reshape(tf.gather(colors, labels), [1, height, width, 3]) as RgbImage;
  });
}

/** (1 - alpha)·image + alpha·colors; colors are resized to the image when sizes differ. */
export function overlay(image: RgbImage, colors: RgbImage, alpha: number): RgbImage {
  return tf.tidy(() => {
    const [, height, width] = image.shape;
    const fitted =
      colors.shape[1] === height && colors.shape[2] === width ? colors : resizeImage(colors, height, width);
    return tf.add(tf.mul(image, 1 - alpha), tf.mul(fitted, alpha)) as RgbImage;
  });
}

/** Turbo (Mikhailov 2019): a perceptually smoother rainbow; degree-5 polynomial fit per channel. */
const TURBO: readonly (readonly number[])[] = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
];

function polynomial(x: tf.Tensor, coefficients: readonly number[]): tf.Tensor {
  return coefficients.reduceRight<tf.Tensor>(
    (sum, coefficient) => tf.add(tf.mul(sum, x), coefficient),
    tf.zerosLike(x),
  );
}

/**
 * Values in [0, 1] ([H, W] or [1, H, W, 1]; clipped) → RGB. 'jet' is MATLAB's classic
 * piecewise-linear blue→cyan→yellow→red; 'turbo' is Google's smoother replacement.
 */
export function applyColormap(values: tf.Tensor, colormap: Colormap = 'turbo'): RgbImage {
  return tf.tidy(() => {
    const [height, width] = values.shape.slice(values.rank === 2 ? 0 : 1, values.rank === 2 ? 2 : 3) as [
      number,
      number,
    ];
    const x = tf.clipByValue(tf.reshape(values, [1, height, width, 1]), 0, 1);
    const channels =
      colormap === 'jet'
        ? [3, 2, 1].map((center) => tf.clipByValue(tf.sub(1.5, tf.abs(tf.sub(tf.mul(x, 4), center))), 0, 1))
        : TURBO.map((coefficients) => tf.clipByValue(polynomial(x, coefficients), 0, 1));
    return tf.concat(channels, 3) as RgbImage;
  });
}

/** Min-max normalises to [0, 1]; a constant map becomes all zeros. */
export function normalizeMinMax(values: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const low = tf.min(values);
    const range = tf.sub(tf.max(values), low);
    return tf.div(tf.sub(values, low), tf.maximum(range, 1e-12));
  });
}

/** A heatmap (any size, normalised here) coloured and blended over the image. */
export function heatmapOverlay(
  image: RgbImage,
  heatmap: tf.Tensor,
  alpha = 0.5,
  colormap: Colormap = 'turbo',
): RgbImage {
  return tf.tidy(() => overlay(image, applyColormap(normalizeMinMax(heatmap), colormap), alpha));
}

/**
 * Feature maps [1, H, W, C] → one grayscale-as-RGB image tiling the channels in a grid
 * (ceil(sqrt(C)) columns, `gap` white pixels between tiles), each channel min-max normalised
 * on its own so that weak channels stay visible.
 */
export function featureGrid(features: tf.Tensor4D, gap = 1): RgbImage {
  return tf.tidy(() => {
    const [, height, width, channels] = features.shape;
    const columns = Math.ceil(Math.sqrt(channels));
    const rows = Math.ceil(channels / columns);
    const low = tf.min(features, [0, 1, 2], true);
    const range = tf.maximum(tf.sub(tf.max(features, [0, 1, 2], true), low), 1e-12);
    const normalised = tf.div(tf.sub(features, low), range);
    const padded = tf.pad(
      normalised,
      [
        [0, 0],
        [0, gap],
        [0, gap],
        [0, rows * columns - channels],
      ],
      1,
    );
    const tiles = tf.reshape(padded, [height + gap, width + gap, rows, columns]);
    const grid = tf.reshape(tf.transpose(tiles, [2, 0, 3, 1]), [1, rows * (height + gap), columns * (width + gap), 1]);
    const trimmed = tf.slice(grid, [0, 0, 0, 0], [1, rows * (height + gap) - gap, columns * (width + gap) - gap, 1]);
    return tf.tile(trimmed, [1, 1, 1, 3]) as RgbImage;
  });
}

/** [1, H, W, 3] floats in [0, 1] → RGBA bytes (opaque), rounding to nearest. */
export function toRgbaBytes(image: RgbImage): { data: Uint8Array; width: number; height: number } {
  const scaled = toByteValues(image);
  const values = scaled.dataSync();
  scaled.dispose();
  return rgba(values, image.shape[1], image.shape[2]);
}

/**
 * The same as `toRgbaBytes`, reading the values asynchronously: WebGPU in Node has no
 * synchronous read (it needs a canvas), so code that may run on WebGPU reads this way.
 */
export async function readRgbaBytes(image: RgbImage): Promise<{ data: Uint8Array; width: number; height: number }> {
  const scaled = toByteValues(image);
  try {
    return rgba(await scaled.data(), image.shape[1], image.shape[2]);
  } finally {
    scaled.dispose();
  }
}

function toByteValues(image: RgbImage): tf.Tensor {
  return tf.tidy(() => tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)));
}

function rgba(
  values: ArrayLike<number>,
  height: number,
  width: number,
): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    data.set([values[pixel * 3]!, values[pixel * 3 + 1]!, values[pixel * 3 + 2]!, 255], pixel * 4);
  }
  return { data, width, height };
}

/** RGBA (or RGB) bytes → [1, H, W, 3] floats in [0, 1]; alpha is dropped. */
export function fromPixelBytes(data: Uint8Array, width: number, height: number, channels: 3 | 4): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    for (let channel = 0; channel < 3; channel++) rgb[pixel * 3 + channel] = data[pixel * channels + channel]! / 255;
  }
  return tf.tensor4d(rgb, [1, height, width, 3]);
}
