/**
 * From a localisation map (CAM, Grad-CAM, ACoL) to a mask or a box, the way weakly supervised
 * localisation is scored: keep the pixels whose value is strictly above a fraction of the
 * map's maximum (strict, like OpenCV's THRESH_BINARY used by the reference evaluation code), then
 * box either the largest 8-connected component or all kept pixels together.
 */
import { type Box, maskBox } from './boxes.js';
import { connectedComponents } from './components.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

/** A single-channel map, row-major `[height, width]`. */
export interface ScoreMap {
  readonly values: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
}

/** `largest`: the box of the largest connected component (most pixels, first in raster order on ties). `union`: the box of every kept pixel. */
export type BoxMode = 'largest' | 'union';

export function checkMap(map: ScoreMap): void {
  if (map.values.length !== map.height * map.width) {
    throw diagnosticError(
      codes.metricLengthMismatch,
      `a ${map.height}×${map.width} map needs ${map.height * map.width} values, got ${map.values.length}`,
      { file: '<metrics>' },
    );
  }
  for (let index = 0; index < map.values.length; index++) {
    if (Number.isNaN(map.values[index]!)) {
      throw diagnosticError(codes.metricNotANumber, `the map holds NaN at pixel ${index}`, {
        hint: 'check the model output for overflow before scoring it',
        file: '<metrics>',
      });
    }
  }
}

function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw diagnosticError(
      codes.thresholdOutOfRange,
      `a map threshold is a fraction of the maximum in [0, 1], got ${fraction}`,
      { file: '<metrics>' },
    );
  }
}

/** Min-max normalisation to [0, 1]; a constant map becomes all zeros. */
export function normaliseMap(values: ArrayLike<number>): Float32Array {
  let low = Infinity;
  let high = -Infinity;
  for (let index = 0; index < values.length; index++) {
    low = Math.min(low, values[index]!);
    high = Math.max(high, values[index]!);
  }
  const range = high - low;
  return Float32Array.from(values, (value) => (range > 0 ? (value - low) / range : 0));
}

export function mapMaximum(values: ArrayLike<number>): number {
  let high = -Infinity;
  for (let index = 0; index < values.length; index++) high = Math.max(high, values[index]!);
  return high;
}

/** 1 where the value is strictly above `fraction` × the map's maximum, else 0. */
export function mapToMask(map: ScoreMap, fraction: number): Uint8Array {
  checkMap(map);
  checkFraction(fraction);
  return thresholdValues(map.values, fraction * mapMaximum(map.values));
}

function thresholdValues(values: ArrayLike<number>, cut: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let index = 0; index < values.length; index++) mask[index] = values[index]! > cut ? 1 : 0;
  return mask;
}

/** The box of a binary mask under `mode`; null when the mask is empty. */
export function boxOfMask(mask: Uint8Array, width: number, height: number, mode: BoxMode): Box | null {
  if (mode === 'union') return maskBox(mask, width);
  let best: Box | null = null;
  let bestArea = 0;
  for (const component of connectedComponents(mask, width, height).components) {
    if (component.area > bestArea) {
      best = component.box;
      bestArea = component.area;
    }
  }
  return best;
}

export function mapToBox(map: ScoreMap, fraction: number, mode: BoxMode = 'largest'): Box | null {
  return boxOfMask(mapToMask(map, fraction), map.width, map.height, mode);
}

/** Box candidates of a scoring: one box (`largest`, `union`), or every component's box (`each`, scored by the best of them, as the reference code's multi-contour evaluation). */
export type CandidateMode = BoxMode | 'each';

/** Candidate boxes for several fractions of one map at once (the map is checked once); empty where nothing is kept. */
export function mapToBoxes(map: ScoreMap, fractions: readonly number[], mode: CandidateMode = 'largest'): Box[][] {
  checkMap(map);
  fractions.forEach(checkFraction);
  const maximum = mapMaximum(map.values);
  // Masks at rising cuts are nested, so the same number of kept pixels means the same mask: its
  // boxes are reused, which keeps a fine grid (1000 thresholds) cheap on maps with few levels.
  let previous: { kept: number; boxes: Box[] } | undefined;
  return fractions.map((fraction, t) => {
    const mask = thresholdValues(map.values, fraction * maximum);
    let kept = 0;
    for (let index = 0; index < mask.length; index++) kept += mask[index]!;
    if (previous && previous.kept === kept && fractions[t - 1]! <= fraction) return previous.boxes;
    let boxes: Box[];
    if (mode === 'each')
      boxes = connectedComponents(mask, map.width, map.height).components.map((component) => component.box);
    else {
      const box = boxOfMask(mask, map.width, map.height, mode);
      boxes = box ? [box] : [];
    }
    previous = { kept, boxes };
    return boxes;
  });
}
