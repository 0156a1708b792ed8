/**
 * Truncated column bounds (spec App. D note; `write.metadata.metrics.default=truncate(16)`),
 * after Java's `UnicodeUtil` and `BinaryUtil`. A lower bound is a prefix. An upper bound is the
 * prefix with its last unit incremented, right to left, so it still sorts above every value it
 * stands for; when nothing can be incremented there is no upper bound (undefined), which is
 * always safe.
 */
import { truncateCodePoints } from './transforms.js';

const MIN_SURROGATE = 0xd800;
const MAX_SURROGATE = 0xdfff;
const MAX_CODE_POINT = 0x10ffff;

/** The first `width` code points (astral characters count once). */
export function truncateLowerString(s: string, width: number): string {
  return truncateCodePoints(s, width);
}

/**
 * Java `UnicodeUtil.truncateStringMax`: the input itself if it has at most `width` code points;
 * otherwise the prefix with its last code point incremented, skipping the surrogate range and
 * dropping code points at U+10FFFF; undefined if every one is U+10FFFF.
 */
export function truncateUpperString(s: string, width: number): string | undefined {
  const cps = Array.from(s);
  if (cps.length <= width) return s;
  for (let i = width - 1; i >= 0; i--) {
    const cp = cps[i]!.codePointAt(0)!;
    if (cp === MAX_CODE_POINT) continue;
    const next = cp === MIN_SURROGATE - 1 ? MAX_SURROGATE + 1 : cp + 1;
    return cps.slice(0, i).join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** The first `width` bytes. */
export function truncateLowerBinary(b: Uint8Array, width: number): Uint8Array {
  return b.length <= width ? b : b.subarray(0, width);
}

/** Java `BinaryUtil.truncateBinaryMax`: the prefix with its last non-0xFF byte incremented, or undefined. */
export function truncateUpperBinary(b: Uint8Array, width: number): Uint8Array | undefined {
  if (b.length <= width) return b;
  for (let i = width - 1; i >= 0; i--) {
    const byte = b[i]!;
    if (byte === 0xff) continue;
    const out = b.slice(0, i + 1);
    out[i] = byte + 1;
    return out;
  }
  return undefined;
}

/** Truncated string bounds for a column's min and max; `upper` is absent when none exists. */
export function boundsForStrings(min: string, max: string, width = 16): { lower: string; upper?: string } {
  const upper = truncateUpperString(max, width);
  return upper === undefined
    ? { lower: truncateLowerString(min, width) }
    : { lower: truncateLowerString(min, width), upper };
}

/** Truncated binary bounds, as `boundsForStrings`. */
export function boundsForBinary(
  min: Uint8Array,
  max: Uint8Array,
  width = 16,
): { lower: Uint8Array; upper?: Uint8Array } {
  const upper = truncateUpperBinary(max, width);
  return upper === undefined
    ? { lower: truncateLowerBinary(min, width) }
    : { lower: truncateLowerBinary(min, width), upper };
}
