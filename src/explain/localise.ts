/**
 * From explanation maps to boxes and masks (weakly supervised localisation and segmentation).
 * Pixels strictly above `threshold` × the image's maximum are kept (the convention of
 * src/metrics/map-to-box.ts, whose functions do the work); `largest` keeps the largest
 * 8-connected component, `all` keeps every component.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Box, boxOfMask, connectedComponents, mapToMask as thresholdMap } from '../metrics/index.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export type ComponentChoice = 'largest' | 'all';

export interface LocaliseOptions {
  /** A fraction of each image's maximum, in [0, 1]. Default 0.5. */
  readonly threshold?: number;
  /** Default `largest`. */
  readonly components?: ComponentChoice;
}

export const DEFAULT_BOX_THRESHOLD = 0.5;

/** A map's pixels, row-major, with its size. */
export interface MapMask {
  readonly mask: Uint8Array;
  readonly height: number;
  readonly width: number;
}

interface Planes {
  readonly values: Float32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
}

async function planes(map: tf.Tensor): Promise<Planes> {
  if (map.rank !== 2 && map.rank !== 3) {
    throw diagnosticError(
      codes.explainBadOption,
      `a map must be [H, W] or [N, H, W], got shape [${map.shape.join(', ')}]`,
      { file: '<explain>' },
    );
  }
  const [count, height, width] =
    map.rank === 2 ? [1, map.shape[0]!, map.shape[1]!] : (map.shape as [number, number, number]);
  return { values: Float32Array.from(await map.data()), count, height, width };
}

function options(given: LocaliseOptions): Required<LocaliseOptions> {
  const threshold = given.threshold ?? DEFAULT_BOX_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw diagnosticError(
      codes.explainBadOption,
      `a box threshold is a fraction of the map's maximum in [0, 1], got ${threshold}`,
      { file: '<explain>' },
    );
  }
  const components = given.components ?? 'largest';
  if (components !== 'largest' && components !== 'all') {
    throw diagnosticError(
      codes.explainBadOption,
      `\`components\` must be largest or all, got \`${String(components)}\``,
      { file: '<explain>' },
    );
  }
  return { threshold, components };
}

/** Only the pixels of the largest component (most pixels; the first in raster order on ties). */
function largestComponent(mask: Uint8Array, width: number, height: number): Uint8Array {
  const { labels, components } = connectedComponents(mask, width, height);
  let best = 0;
  let bestArea = 0;
  components.forEach((component, index) => {
    if (component.area > bestArea) [best, bestArea] = [index + 1, component.area];
  });
  return Uint8Array.from(labels, (label) => (label !== 0 && label === best ? 1 : 0));
}

function eachPlane<T>(source: Planes, make: (values: Float32Array) => T): T[] {
  const size = source.height * source.width;
  return Array.from({ length: source.count }, (_, image) =>
    make(source.values.subarray(image * size, (image + 1) * size)),
  );
}

/** One box per image (null when nothing is above the threshold), `[x0, y0, x1, y1]` half-open. */
export async function mapToBox(map: tf.Tensor, given: LocaliseOptions = {}): Promise<(Box | null)[]> {
  const { threshold, components } = options(given);
  const source = await planes(map);
  return eachPlane(source, (values) => {
    const mask = thresholdMap({ values, height: source.height, width: source.width }, threshold);
    return boxOfMask(mask, source.width, source.height, components === 'largest' ? 'largest' : 'union');
  });
}

/** One 0/1 mask per image. */
export async function mapToMask(map: tf.Tensor, given: LocaliseOptions = {}): Promise<MapMask[]> {
  const { threshold, components } = options(given);
  const source = await planes(map);
  return eachPlane(source, (values) => {
    const mask = thresholdMap({ values, height: source.height, width: source.width }, threshold);
    const kept = components === 'largest' ? largestComponent(mask, source.width, source.height) : mask;
    return { mask: kept, height: source.height, width: source.width };
  });
}
