/** Edit distance with transpositions (optimal string alignment), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Names longer than this get no suggestion: no one mistypes a 65-letter name by a letter or two. */
export const MAX_SUGGESTED_NAME_LENGTH = 64;
/** Only this many candidates are compared, so a scope with huge numbers of names stays fast. */
export const MAX_SUGGESTION_CANDIDATES = 10_000;

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
  let looked = 0;
  for (const candidate of candidates) {
    if (++looked > MAX_SUGGESTION_CANDIDATES) break;
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
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
