/** Comparing what the page computed with what the Node runtime computed for the same image. */

export interface MaskComparison {
  /** Pixels whose class differs. */
  readonly differing: number;
  /** Of those, pixels where Node's two best scores are within the tolerance: either class is right. */
  readonly nearTies: number;
  /** Differing pixels that are not near-ties: real disagreements. */
  readonly unexplained: number;
}

export function maxAbsoluteDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let index = 0; index < expected.length; index++)
    worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!));
  return worst;
}

/** The gap between the best and second-best score of one pixel. */
export function topTwoGap(logits: ArrayLike<number>, pixel: number, classes: number): number {
  let best = -Infinity;
  let second = -Infinity;
  for (let label = 0; label < classes; label++) {
    const score = logits[pixel * classes + label]!;
    if (score > best) [best, second] = [score, best];
    else if (score > second) second = score;
  }
  return best - second;
}

/** Masks must agree exactly except where the reference's top-2 scores are within `tieTolerance`. */
export function compareMasks(
  pageMask: ArrayLike<number>,
  nodeMask: ArrayLike<number>,
  nodeLogits: ArrayLike<number>,
  classes: number,
  tieTolerance: number,
): MaskComparison {
  if (pageMask.length !== nodeMask.length)
    throw new Error(`mask lengths differ: ${pageMask.length} vs ${nodeMask.length}`);
  let differing = 0;
  let nearTies = 0;
  for (let pixel = 0; pixel < nodeMask.length; pixel++) {
    if (pageMask[pixel] === nodeMask[pixel]) continue;
    differing++;
    if (topTwoGap(nodeLogits, pixel, classes) <= tieTolerance) nearTies++;
  }
  return { differing, nearTies, unexplained: differing - nearTies };
}
