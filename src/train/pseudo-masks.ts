/**
 * Pseudo-masks for weakly supervised segmentation: from the class maps (normalised to [0, 1])
 * of the classes an image is labelled with, a pixel whose strongest map reaches `foreground`
 * becomes that class, one where every map stays at or below `background` becomes background,
 * and the uncertain pixels in between get the ignore label, so the segmentation loss skips them.
 */
import { IGNORE_LABEL } from '../data/sample.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface PseudoMaskOptions {
  /** Map value from which a pixel is the class; default 0.6. */
  readonly foreground?: number;
  /** Map value up to which a pixel is background; default 0.2. */
  readonly background?: number;
  /** Mask index of background; default 0. */
  readonly backgroundClass?: number;
}

export interface ClassMap {
  /** The mask class this map votes for. */
  readonly maskClass: number;
  /** [height × width] in [0, 1]. */
  readonly values: ArrayLike<number>;
}

export function checkThresholds(foreground: number, background: number): void {
  if (!(background >= 0 && foreground <= 1 && background <= foreground)) {
    throw diagnosticError(
      codes.trainBadOption,
      `the pseudo-mask thresholds must satisfy 0 ≤ bg ≤ fg ≤ 1, got fg ${foreground} and bg ${background}`,
      { hint: 'for example --fg 0.6 --bg 0.2' },
    );
  }
}

export function pseudoMask(maps: readonly ClassMap[], pixels: number, options: PseudoMaskOptions = {}): Uint8Array {
  const foreground = options.foreground ?? 0.6;
  const background = options.background ?? 0.2;
  checkThresholds(foreground, background);
  const mask = new Uint8Array(pixels).fill(options.backgroundClass ?? 0);
  for (let pixel = 0; pixel < pixels; pixel++) {
    let best = -Infinity;
    let bestClass = options.backgroundClass ?? 0;
    for (const map of maps) {
      const value = map.values[pixel]!;
      if (value > best) [best, bestClass] = [value, map.maskClass];
    }
    if (best >= foreground) mask[pixel] = bestClass;
    else if (best > background) mask[pixel] = IGNORE_LABEL;
  }
  return mask;
}

/**
 * The mask class of an image-level class: the mask class of the same name (shapes: circle is
 * circle), or 1 when the masks are background/foreground (mnist-canvas: any digit is "digit").
 */
export function maskClassOf(label: number, classes: readonly string[], maskClasses: readonly string[]): number {
  const byName = maskClasses.indexOf(classes[label] ?? '');
  if (byName >= 0) return byName;
  if (maskClasses.length === 2) return 1;
  throw diagnosticError(
    codes.dataDoesNotFitTask,
    `the class \`${classes[label]}\` has no mask class of the same name (mask classes: ${maskClasses.join(', ')})`,
    { hint: 'name the mask classes like the image classes, or use two mask classes (background, foreground)' },
  );
}
