/**
 * The shapes of the `shapes` data set. Each fits a bounding circle of radius `radius` around
 * its centre; a pixel belongs to a shape when the pixel's centre (x + 0.5, y + 0.5) lies inside
 * it, which makes masks exact (no anti-aliasing, so a mask and its image always agree).
 */

export const SHAPE_CLASSES = ['background', 'circle', 'square', 'triangle'] as const;

export type ShapeKind = 'circle' | 'square' | 'triangle';

export const SHAPE_KINDS: readonly ShapeKind[] = ['circle', 'square', 'triangle'];

export function shapeClass(kind: ShapeKind): number {
  return SHAPE_CLASSES.indexOf(kind);
}

export interface Shape {
  readonly kind: ShapeKind;
  readonly centreX: number;
  readonly centreY: number;
  readonly radius: number;
  /** Rotation in radians (ignored for circles). */
  readonly angle: number;
}

type Point = readonly [number, number];

/** Corners of a regular polygon inscribed in the bounding circle, counter-clockwise in image coordinates. */
function corners(shape: Shape, count: number): Point[] {
  return Array.from({ length: count }, (_, index) => {
    const theta = shape.angle + (2 * Math.PI * index) / count;
    return [shape.centreX + shape.radius * Math.cos(theta), shape.centreY + shape.radius * Math.sin(theta)] as const;
  });
}

/** Inside a convex polygon when on the same side of every edge. */
function insideConvex(points: readonly Point[], x: number, y: number): boolean {
  let sign = 0;
  for (let index = 0; index < points.length; index++) {
    const [ax, ay] = points[index]!;
    const [bx, by] = points[(index + 1) % points.length]!;
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross === 0) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

/** A membership test for pixel centres. */
export function shapeTest(shape: Shape): (x: number, y: number) => boolean {
  if (shape.kind === 'circle') {
    const limit = shape.radius * shape.radius;
    return (x, y) => (x - shape.centreX) ** 2 + (y - shape.centreY) ** 2 <= limit;
  }
  const points = corners(shape, shape.kind === 'square' ? 4 : 3);
  return (x, y) => insideConvex(points, x, y);
}

/** The pixel range [x0, x1) × [y0, y1) that can hold the shape, clipped to the image. */
export function pixelBounds(shape: Shape, width: number, height: number): [number, number, number, number] {
  return [
    Math.max(0, Math.floor(shape.centreX - shape.radius)),
    Math.max(0, Math.floor(shape.centreY - shape.radius)),
    Math.min(width, Math.ceil(shape.centreX + shape.radius)),
    Math.min(height, Math.ceil(shape.centreY + shape.radius)),
  ];
}

/** Bounding squares at least one pixel apart, so the shapes' boxes never overlap. */
export function boundsApart(a: Shape, b: Shape): boolean {
  const gap = a.radius + b.radius + 1;
  return Math.abs(a.centreX - b.centreX) >= gap || Math.abs(a.centreY - b.centreY) >= gap;
}
