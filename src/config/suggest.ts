/**
 * "Did you mean …?" for misspelled config keys, enum values and job parameters. Comparison is
 * case- and separator-insensitive first (`defaultWriteMode` vs `defaultwriteMode`, `load-type` vs
 * `LOAD_TYPE`), then by edit distance, so the suggestion is the value a person most likely meant.
 */

/** Levenshtein distance; inputs here are short identifiers, so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s.]/g, '');
}

/**
 * The candidate closest to `input`, or undefined when nothing is close enough to be a plausible
 * typo (at most a third of the word may differ, and never more than 3 edits).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const f = fold(input);
  if (f.length === 0) return undefined;
  const exact = candidates.find((c) => fold(c) === f);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(f, fold(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(f.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean X?)` or an empty string, for appending to messages. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : ` (did you mean ${c}?)`;
}
