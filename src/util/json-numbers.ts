/**
 * JSON numbers without silent change. `JSON.parse` turns every number into a double, which
 * rounds integers beyond 2^53 (`9007199254740993` → `…992`) and forgets how a number was
 * written (`1.0`, `-0.0` and `1e2` become the integers 1, 0 and 100, so a float column would be
 * typed long). API responses are parsed here instead: numbers whose text a double would not
 * keep become {@link JsonNumber}s carrying their exact text; every other value is exactly what
 * `JSON.parse` gives.
 *
 * How, cheaply: one scan over the text (skipping strings) finds the few number tokens that need
 * it; only when there are any are they rewritten into marked strings before `JSON.parse` and
 * turned into JsonNumbers after it. Pages without such numbers cost one scan plus `JSON.parse`.
 */
import { randomBytes } from 'node:crypto';

/** A JSON number kept as written: an integer a double cannot hold exactly, or a float literal with an integral value. */
export class JsonNumber {
  constructor(
    /** The number exactly as the JSON text wrote it. */
    readonly text: string,
    /** `integer`: no fraction or exponent in the text; `float`: written with one. */
    readonly kind: 'integer' | 'float',
  ) {}

  /** The nearest double (exact for floats the text can hold; rounded for huge integers). */
  toNumber(): number {
    return Number(this.text);
  }

  /** For arithmetic and comparisons in code that expects numbers. */
  valueOf(): number {
    return this.toNumber();
  }

  /** The exact text: query parameters, templates and cursors get the number as the API sent it. */
  toString(): string {
    return this.text;
  }

  /** JSON output (logs, events): a number when that is exact, else the text. */
  toJSON(): number | string {
    const n = this.toNumber();
    return this.kind === 'integer' && !Number.isSafeInteger(n) ? this.text : n;
  }
}

export function isJsonNumber(v: unknown): v is JsonNumber {
  return v instanceof JsonNumber;
}

/** A JSON-ish scalar as a number, JsonNumbers included (NaN for anything else). */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof JsonNumber) return v.toNumber();
  return Number.NaN;
}

// A marked string cannot collide with API data: it starts with NUL and a per-process nonce.
const MARK = `\u0000floe#${randomBytes(6).toString('hex')}#`;
const MARK_JSON = `\\u0000floe#${MARK.slice(6)}`;
const MAX_SAFE_TEXT = '9007199254740991';

/**
 * Parses JSON text like `JSON.parse`, except that numbers a double would change come back as
 * {@link JsonNumber}s. Throws `SyntaxError` for invalid JSON, as `JSON.parse` does.
 */
export function parseJsonPreservingNumbers(text: string): unknown {
  const tokens = findNumbersToKeep(text);
  if (tokens.length === 0) return JSON.parse(text);
  let rewritten = '';
  let at = 0;
  for (let i = 0; i < tokens.length; i += 2) {
    const start = tokens[i]!;
    const end = tokens[i + 1]!;
    rewritten += `${text.slice(at, start)}"${MARK_JSON}${text.slice(start, end)}"`;
    at = end;
  }
  rewritten += text.slice(at);
  return revive(JSON.parse(rewritten));
}

/**
 * Start/end offsets (flattened pairs) of the number tokens outside strings that must be kept
 * as text: integers of 16+ digits beyond 2^53, and floats whose value is integral (or not a
 * finite double). A hand-written loop: it runs over every byte of every page.
 */
function findNumbersToKeep(t: string): number[] {
  const out: number[] = [];
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string: the next quote not escaped by an odd run of backslashes. indexOf is
      // native and fast; strings are most of an API page's bytes.
      for (;;) {
        const j = t.indexOf('"', i + 1);
        if (j < 0) return out; // unterminated: JSON.parse reports it
        let k = j - 1;
        while (t.charCodeAt(k) === 92 /* \ */) k--;
        i = j;
        if ((j - 1 - k) % 2 === 0) break;
      }
      continue;
    }
    if ((c < 48 || c > 57) && c !== 45 /* - */) continue;
    const start = i;
    let float = false;
    let integralFraction = true;
    let exponent = false;
    for (i++; i < n; i++) {
      const d = t.charCodeAt(i);
      if (d >= 48 && d <= 57) {
        if (float && !exponent && d !== 48) integralFraction = false;
      } else if (d === 46 /* . */) float = true;
      else if (d === 101 || d === 69 /* e E */) {
        float = true;
        exponent = true;
      } else if (d !== 43 && d !== 45 /* + - */) break;
    }
    const end = i;
    i--; // the loop's i++ must see the character after the number
    if (float) {
      if (exponent) {
        const v = Number(t.slice(start, end));
        if (Number.isInteger(v) || !Number.isFinite(v)) out.push(start, end);
      } else if (integralFraction) out.push(start, end);
    } else {
      const digits = end - start - (c === 45 ? 1 : 0);
      if (digits > 16 || (digits === 16 && t.slice(end - 16, end) > MAX_SAFE_TEXT)) out.push(start, end);
    }
  }
  return out;
}

function revive(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith(MARK) ? toJsonNumber(v.slice(MARK.length)) : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) o[k] = revive(o[k]);
  return o;
}

function toJsonNumber(text: string): JsonNumber {
  return new JsonNumber(text, /[.eE]/.test(text) ? 'float' : 'integer');
}
