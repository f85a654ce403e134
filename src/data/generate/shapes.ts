/**
 * The `shapes` generator: circles, squares and triangles (classes 1, 2, 3; background 0) of
 * random size, position, rotation and colour on a textured background, with the exact class
 * mask, one box per shape, and image-level labels. Shapes never overlap (their bounding
 * squares are kept apart), so each box is the tight box of its shape's mask pixels.
 */
import type { Random } from '../random.js';
import type { LabelledBox } from '../sample.js';
import { SHAPE_KINDS, type Shape, boundsApart, pixelBounds, shapeClass, shapeTest } from './geometry.js';
import {
  BACKGROUND_KINDS,
  type Colour,
  addNoise,
  colourDistance,
  meanColour,
  paintBackground,
  randomColour,
} from './textures.js';

export interface ShapesImageOptions {
  /** Side of the square image; default 64. */
  readonly size?: number;
  /** Shapes per image, a count or an inclusive range; default [1, 3]. */
  readonly shapesPerImage?: number | readonly [number, number];
}

export interface GeneratedImage {
  readonly image: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly mask: Uint8Array;
  readonly boxes: readonly LabelledBox[];
  /** Class of the largest shape (most pixels; the first placed on ties). */
  readonly label: number;
  /** Classes present, ascending. */
  readonly labels: readonly number[];
}

const PLACEMENT_TRIES = 60;
const COLOUR_TRIES = 30;
const MIN_CONTRAST = 0.45;
const NOISE = 0.03;

export function shapesRange(option: ShapesImageOptions['shapesPerImage']): readonly [number, number] {
  if (option === undefined) return [1, 3];
  return typeof option === 'number' ? [option, option] : option;
}

/** Random shapes with bounding squares apart; fewer than asked when the image runs out of room. */
export function placeShapes(count: number, size: number, random: Random): Shape[] {
  const shapes: Shape[] = [];
  const largest = Math.max(4, (0.25 * size) / Math.sqrt(count));
  const smallest = Math.min(largest, Math.max(3, (0.12 * size) / Math.sqrt(count)));
  for (let tries = 0; shapes.length < count && tries < PLACEMENT_TRIES * count; tries++) {
    const radius = random.uniform(smallest, largest);
    const shape: Shape = {
      kind: random.pick(SHAPE_KINDS),
      radius,
      centreX: random.uniform(radius, size - radius),
      centreY: random.uniform(radius, size - radius),
      angle: random.uniform(0, 2 * Math.PI),
    };
    if (shapes.every((other) => boundsApart(shape, other))) shapes.push(shape);
  }
  return shapes;
}

/** A colour far enough from the background under the shape (the farthest of the tries otherwise). */
function contrastingColour(background: Colour, random: Random): Colour {
  let best = randomColour(random);
  for (let tries = 1; tries < COLOUR_TRIES && colourDistance(best, background) < MIN_CONTRAST; tries++) {
    const candidate = randomColour(random);
    if (colourDistance(candidate, background) > colourDistance(best, background)) best = candidate;
  }
  return best;
}

/** Paints one shape; returns its box and pixel count. */
function drawShape(
  image: Float32Array,
  mask: Uint8Array,
  size: number,
  shape: Shape,
  random: Random,
): { box: LabelledBox; area: number } {
  const bounds = pixelBounds(shape, size, size);
  const colour = contrastingColour(meanColour(image, size, bounds), random);
  const inside = shapeTest(shape);
  const classIndex = shapeClass(shape.kind);
  let [x0, y0, x1, y1, area] = [size, size, 0, 0, 0];
  for (let y = bounds[1]; y < bounds[3]; y++) {
    for (let x = bounds[0]; x < bounds[2]; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      mask[y * size + x] = classIndex;
      image.set(colour, (y * size + x) * 3);
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
      area += 1;
    }
  }
  return { box: [x0, y0, x1, y1, classIndex], area };
}

export function generateShapesImage(options: ShapesImageOptions, random: Random): GeneratedImage {
  const size = options.size ?? 64;
  const [fewest, most] = shapesRange(options.shapesPerImage);
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  paintBackground(image, size, size, random.pick(BACKGROUND_KINDS), random);
  const drawn = placeShapes(random.integer(fewest, most + 1), size, random)
    .map((shape) => drawShape(image, mask, size, shape, random))
    .filter((shape) => shape.area > 0);
  addNoise(image, NOISE, random);
  const largest = drawn.reduce(
    (best, shape) => (shape.area > best.area ? shape : best),
    drawn[0] ?? { area: 0, box: [0, 0, 0, 0, 0] },
  );
  const labels = [...new Set(drawn.map((shape) => shape.box[4]))].sort((a, b) => a - b);
  return {
    image,
    height: size,
    width: size,
    mask,
    boxes: drawn.map((shape) => shape.box),
    label: largest.box[4],
    labels,
  };
}
