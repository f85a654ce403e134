/**
 * Seeded backgrounds for generated images: smooth value noise, stripes at a random angle and
 * period, and linear gradients. Textured backgrounds keep a segmenter from separating shapes
 * from the background by flat colour alone.
 */
import type { Random } from '../random.js';
import { resizeWindow, sampleBilinear } from '../resample.js';

export type Colour = readonly [number, number, number];

export type BackgroundKind = 'noise' | 'stripes' | 'gradient';

export const BACKGROUND_KINDS: readonly BackgroundKind[] = ['noise', 'stripes', 'gradient'];

export function randomColour(random: Random): Colour {
  return [random.next(), random.next(), random.next()];
}

export function colourDistance(a: Colour, b: Colour): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Fills a `[height, width, 3]` image with a background of the given kind. */
export function paintBackground(
  image: Float32Array,
  height: number,
  width: number,
  kind: BackgroundKind,
  random: Random,
): void {
  if (kind === 'noise') paintNoise(image, height, width, random);
  else paintBands(image, height, width, kind, random);
}

/** Random colours on a coarse grid, interpolated bilinearly up to full size. */
function paintNoise(image: Float32Array, height: number, width: number, random: Random): void {
  const cell = random.integer(6, 14);
  const gridHeight = Math.max(2, Math.ceil(height / cell));
  const gridWidth = Math.max(2, Math.ceil(width / cell));
  const base = randomColour(random);
  const grid = new Float32Array(gridHeight * gridWidth * 3);
  for (let index = 0; index < grid.length; index++)
    grid[index] = clamp01(base[index % 3]! + random.uniform(-0.25, 0.25));
  image.set(
    sampleBilinear(
      { data: grid, height: gridHeight, width: gridWidth, channels: 3 },
      resizeWindow(gridHeight, gridWidth, height, width),
    ),
  );
}

/** Stripes and gradients: a colour chosen by each pixel's position along a random direction. */
function paintBands(
  image: Float32Array,
  height: number,
  width: number,
  kind: 'stripes' | 'gradient',
  random: Random,
): void {
  const angle = random.uniform(0, Math.PI);
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const first = randomColour(random);
  const second = randomColour(random);
  const period = random.uniform(6, 16);
  const extent = Math.abs(dx) * width + Math.abs(dy) * height;
  const origin = Math.min(0, dx * width) + Math.min(0, dy * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const along = (x + 0.5) * dx + (y + 0.5) * dy;
      const t = kind === 'stripes' ? Math.floor((2 * along) / period) & 1 : (along - origin) / extent;
      for (let c = 0; c < 3; c++) image[(y * width + x) * 3 + c] = first[c]! + (second[c]! - first[c]!) * t;
    }
  }
}

/** Adds uniform noise in [−amplitude, amplitude] to every value, clamped to [0, 1]. */
export function addNoise(image: Float32Array, amplitude: number, random: Random): void {
  for (let index = 0; index < image.length; index++)
    image[index] = clamp01(image[index]! + random.uniform(-amplitude, amplitude));
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Mean colour of the pixels inside [x0, x1) × [y0, y1). */
export function meanColour(image: Float32Array, width: number, box: readonly [number, number, number, number]): Colour {
  const sum = [0, 0, 0];
  let count = 0;
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += image[(y * width + x) * 3 + c]!;
      count += 1;
    }
  }
  return [sum[0]! / Math.max(1, count), sum[1]! / Math.max(1, count), sum[2]! / Math.max(1, count)];
}
