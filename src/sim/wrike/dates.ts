/**
 * Wrike's date formats. The simulator keeps time as whole epoch seconds; these render it.
 * Timestamps: `2024-01-02T03:04:05Z`; task dates (no zone): `2024-01-02T09:00:00`;
 * plain dates (project start/end, timelog trackedDate): `2024-01-02`.
 */

// Formatting is on the hot path (five timestamps per task), and Date#toISOString costs ~0.6 µs:
// cache the `yyyy-MM-dd` of each day (bounded) and compose the time of day arithmetically.
const dayCache = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

function dayString(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    if (dayCache.size >= 20_000) dayCache.clear();
    s = new Date(day * 86_400_000).toISOString().slice(0, 10);
    dayCache.set(day, s);
  }
  return s;
}

function timeOfDay(sec: number, day: number): string {
  const r = sec - day * 86_400;
  const h = Math.floor(r / 3600);
  const m = Math.floor((r - h * 3600) / 60);
  return `${TWO[h]}:${TWO[m]}:${TWO[r - h * 3600 - m * 60]}`;
}

/** `2024-01-02T03:04:05Z` (Wrike never sends milliseconds). */
export function timestamp(sec: number): string {
  const day = Math.floor(sec / 86_400);
  return `${dayString(day)}T${timeOfDay(sec, day)}Z`;
}

/** `2024-01-02T09:00:00`: task dates carry no zone. */
export function localDateTime(sec: number): string {
  const day = Math.floor(sec / 86_400);
  return `${dayString(day)}T${timeOfDay(sec, day)}`;
}

export function date(sec: number): string {
  return dayString(Math.floor(sec / 86_400));
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a Wrike timestamp to epoch milliseconds; undefined when malformed. */
export function parseTimestamp(s: unknown): number | undefined {
  if (typeof s !== 'string' || !TIMESTAMP.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses `yyyy-MM-dd` to epoch milliseconds at 00:00 UTC; undefined when malformed. */
export function parseDate(s: unknown): number | undefined {
  if (typeof s !== 'string' || !DATE.test(s)) return undefined;
  const ms = Date.parse(s + 'T00:00:00Z');
  return Number.isFinite(ms) ? ms : undefined;
}

export const DAY = 86_400;
export const HOUR = 3_600;
