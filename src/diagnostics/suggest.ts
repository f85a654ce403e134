/**
 * Edit distance with transpositions (optimal string alignment), for "did you mean" hints. With
 * `limit`, it stops as soon as every alignment costs more and returns `limit + 1`: a suggestion
 * only needs to know whether a name is close, and far-off candidates are most of them.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const columns = b.length + 1;
  ensureRows(columns);
  let [before, previous, current] = [scratch[0]!, scratch[1]!, scratch[2]!];
  for (let j = 0; j < columns; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = i;
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
      rowMinimum = Math.min(rowMinimum, best);
    }
    if (rowMinimum > limit) return limit + 1;
    const recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return Math.min(previous[b.length]!, limit + 1);
}

/** Three rows of the distance matrix, reused between calls: suggestions compare many names. */
let scratch: Int32Array[] = [];
function ensureRows(columns: number): void {
  if ((scratch[0]?.length ?? 0) < columns) scratch = [0, 1, 2].map(() => new Int32Array(Math.max(columns, 64)));
}

/** Names longer than this get no suggestion: no one mistypes a 65-letter name by a letter or two. */
export const MAX_SUGGESTED_NAME_LENGTH = 64;
/** Only this many candidates are compared, so a scope with huge numbers of names stays fast. */
export const MAX_SUGGESTION_CANDIDATES = 1000;

/**
 * The closest candidate, if it is close enough to be a plausible typo: at most a third of the
 * name's length in edits (and at least one), or the same name in another case. The work is
 * bounded: long names are not matched, candidates whose length alone rules them out are skipped
 * before any distance is computed, and at most MAX_SUGGESTION_CANDIDATES are looked at.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_SUGGESTED_NAME_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let looked = 0;
  for (const candidate of candidates) {
    if (++looked > MAX_SUGGESTION_CANDIDATES) break;
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const sameLetters = candidate.length === name.length && candidate.toLowerCase() === lower;
    const distance = sameLetters ? 0.5 : editDistance(name, candidate, Math.min(limit, bestDistance));
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** "did you mean `x`?" or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const match = closest(name, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}
