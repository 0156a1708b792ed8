/**
 * Wrike's date formats. The simulator keeps time as whole epoch seconds; these render it.
 * Timestamps: `2024-01-02T03:04:05Z`; task dates (no zone): `2024-01-02T09:00:00`;
 * plain dates (project start/end, timelog trackedDate): `2024-01-02`.
 */

export function timestamp(sec: number): string {
  // toISOString gives `…T03:04:05.000Z`; Wrike never sends milliseconds.
  const iso = new Date(sec * 1000).toISOString();
  return iso.slice(0, 19) + 'Z';
}

export function localDateTime(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19);
}

export function date(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 10);
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
