/**
 * How right pseudo-masks are against the true masks, pixel by pixel over all images:
 * - object precision: of the pixels a pseudo-mask gives an object class, the share whose true
 *   class is that class;
 * - object recall: of the true object pixels, the share the pseudo-mask gives their class;
 * - background precision and recall likewise for the background class;
 * - coverage: the share of pixels labelled at all (not the ignore label).
 * Pixels whose true label is the ignore label are left out. A share with no pixel to count is NaN.
 */
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface PseudoMaskQuality {
  readonly pixels: number;
  readonly coverage: number;
  readonly objectPrecision: number;
  readonly objectRecall: number;
  readonly backgroundPrecision: number;
  readonly backgroundRecall: number;
}

export interface PseudoMaskQualityOptions {
  /** Default 0. */
  readonly backgroundClass?: number;
  /** Default 255. */
  readonly ignoreLabel?: number;
}

export class PseudoMaskScores {
  private readonly background: number;
  private readonly ignore: number;
  private pixels = 0;
  private labelled = 0;
  private objectPredicted = 0;
  private objectTrue = 0;
  private objectRight = 0;
  private backgroundPredicted = 0;
  private backgroundTrue = 0;
  private backgroundRight = 0;

  constructor(options: PseudoMaskQualityOptions = {}) {
    this.background = options.backgroundClass ?? 0;
    this.ignore = options.ignoreLabel ?? 255;
  }

  add(truth: ArrayLike<number>, pseudo: ArrayLike<number>): void {
    if (truth.length !== pseudo.length)
      throw diagnosticError(
        codes.metricLengthMismatch,
        `a true mask of ${truth.length} pixels against a pseudo-mask of ${pseudo.length}`,
        { file: '<metrics>' },
      );
    for (let index = 0; index < truth.length; index++) {
      const [t, p] = [truth[index]!, pseudo[index]!];
      if (t === this.ignore) continue;
      this.pixels += 1;
      if (t === this.background) this.backgroundTrue += 1;
      else this.objectTrue += 1;
      if (p === this.ignore) continue;
      this.labelled += 1;
      if (p === this.background) {
        this.backgroundPredicted += 1;
        if (t === p) this.backgroundRight += 1;
      } else {
        this.objectPredicted += 1;
        if (t === p) this.objectRight += 1;
      }
    }
  }

  result(): PseudoMaskQuality {
    const share = (part: number, whole: number) => (whole > 0 ? part / whole : NaN);
    return {
      pixels: this.pixels,
      coverage: share(this.labelled, this.pixels),
      objectPrecision: share(this.objectRight, this.objectPredicted),
      objectRecall: share(this.objectRight, this.objectTrue),
      backgroundPrecision: share(this.backgroundRight, this.backgroundPredicted),
      backgroundRecall: share(this.backgroundRight, this.backgroundTrue),
    };
  }
}
