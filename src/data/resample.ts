/**
 * Resampling through a window: the source is scaled by (scaleY, scaleX), then a
 * height × width window is read starting at (top, left) of the scaled image. Pixel centres
 * are at half-integers (alignCorners false, half-pixel centres true, like
 * `tf.image.resizeBilinear(x, size, false, true)`): output pixel (y, x) reads the source at
 * ((y + top + 0.5) / scaleY − 0.5, (x + left + 0.5) / scaleX − 0.5). Window pixels that fall
 * outside the scaled image take the fill value, which is how crops larger than the image pad.
 */

export interface Raster<T extends Float32Array | Uint8Array> {
  readonly data: T;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface Window {
  readonly scaleY: number;
  readonly scaleX: number;
  /** Size of the scaled image; window pixels beyond it are filled. */
  readonly scaledHeight: number;
  readonly scaledWidth: number;
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** A plain resize to height × width. */
export function resizeWindow(sourceHeight: number, sourceWidth: number, height: number, width: number): Window {
  return {
    scaleY: height / sourceHeight,
    scaleX: width / sourceWidth,
    scaledHeight: height,
    scaledWidth: width,
    top: 0,
    left: 0,
    height,
    width,
  };
}

function inside(window: Window, y: number, x: number): boolean {
  return (
    y + window.top < window.scaledHeight &&
    x + window.left < window.scaledWidth &&
    y + window.top >= 0 &&
    x + window.left >= 0
  );
}

interface Taps {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly fraction: Float64Array;
}

/** Source neighbours and weights along one axis, clamped at the borders. */
function taps(count: number, offset: number, scale: number, sourceSize: number): Taps {
  const low = new Int32Array(count);
  const high = new Int32Array(count);
  const fraction = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const position = Math.min(Math.max((index + offset + 0.5) / scale - 0.5, 0), sourceSize - 1);
    low[index] = Math.floor(position);
    high[index] = Math.min(low[index]! + 1, sourceSize - 1);
    fraction[index] = position - low[index]!;
  }
  return { low, high, fraction };
}

export function sampleBilinear(source: Raster<Float32Array>, window: Window, fill = 0): Float32Array {
  const { channels } = source;
  const out = new Float32Array(window.height * window.width * channels).fill(fill);
  const rows = taps(window.height, window.top, window.scaleY, source.height);
  const columns = taps(window.width, window.left, window.scaleX, source.width);
  for (let y = 0; y < window.height; y++) {
    const top = rows.low[y]! * source.width;
    const bottom = rows.high[y]! * source.width;
    const dy = rows.fraction[y]!;
    for (let x = 0; x < window.width; x++) {
      if (!inside(window, y, x)) continue;
      const left = columns.low[x]!;
      const right = columns.high[x]!;
      const dx = columns.fraction[x]!;
      for (let c = 0; c < channels; c++) {
        const upper = lerp(source.data[(top + left) * channels + c]!, source.data[(top + right) * channels + c]!, dx);
        const lower = lerp(
          source.data[(bottom + left) * channels + c]!,
          source.data[(bottom + right) * channels + c]!,
          dx,
        );
        out[(y * window.width + x) * channels + c] = lerp(upper, lower, dy);
      }
    }
  }
  return out;
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** Nearest neighbour: source index floor((i + offset + 0.5) / scale), clamped. Masks use it so classes never blend. */
export function sampleNearest<T extends Float32Array | Uint8Array>(source: Raster<T>, window: Window, fill: number): T {
  const { channels } = source;
  const out = new (source.data.constructor as new (length: number) => T)(window.height * window.width * channels);
  out.fill(fill);
  const row = (y: number) => Math.min(Math.floor((y + window.top + 0.5) / window.scaleY), source.height - 1);
  const column = (x: number) => Math.min(Math.floor((x + window.left + 0.5) / window.scaleX), source.width - 1);
  for (let y = 0; y < window.height; y++) {
    const sourceRow = row(y) * source.width;
    for (let x = 0; x < window.width; x++) {
      if (!inside(window, y, x)) continue;
      const from = (sourceRow + column(x)) * channels;
      const to = (y * window.width + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = source.data[from + c]!;
    }
  }
  return out;
}

/** Mirrors the columns of a `[height, width, channels]` raster. */
export function flipColumns<T extends Float32Array | Uint8Array>(source: Raster<T>): T {
  const { channels, width } = source;
  const out = new (source.data.constructor as new (length: number) => T)(source.data.length);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = (y * width + (width - 1 - x)) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = source.data[from + c]!;
    }
  }
  return out;
}
