/**
 * Incremental sync: which time range a run asks for, how the range enters the request, and the
 * maximum cursor value seen (what the caller stores as the next `lastSyncTime` once the data is
 * committed).
 *
 *  - FULL without windows: no range, `source.incremental.params` are not sent.
 *  - INCREMENTAL: start = lastSyncTime − lookback (or `startDate` on a first run); end = now.
 *  - `window` (APIs that cap ranges: Wrike account-wide comments < 7 days, attachments < 31 days):
 *    [start, now) is cut into consecutive windows, in FULL runs too (from `startDate`).
 * Ranges are half-open [start, end), as Wrike's are, so consecutive windows neither overlap nor gap.
 */
import type { IncrementalConfig } from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import { JsonNumber } from '../util/json-numbers.js';
import { DateValue, TimestampValue } from '../util/typed-values.js';
import { compileField } from './select/jsonpath.js';

export type LoadType = 'FULL' | 'INCREMENTAL';

export interface TimeWindow {
  /** Undefined: no lower bound (FULL). */
  start?: Date;
  end: Date;
}

export interface RangePlan {
  /** Whether incremental request additions are applied. */
  apply: boolean;
  windows: TimeWindow[];
  /** Set when the plan falls back to a full fetch, for a warning event. */
  note?: string;
}

/** Parses ISO-8601 or epoch (seconds below 1e11, else milliseconds, numbers or digit strings). */
export function parseTime(v: unknown): number | undefined {
  if (v instanceof JsonNumber) return parseTime(v.toNumber());
  if (v instanceof TimestampValue || v instanceof DateValue) return Date.parse(v.iso);
  if (typeof v === 'number') return Number.isFinite(v) ? (Math.abs(v) < 1e11 ? v * 1000 : v) : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const t = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return parseTime(Number(t));
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function formatTime(d: Date, format: IncrementalConfig['format']): string {
  switch (format) {
    case 'ISO8601':
      return `${d.toISOString().slice(0, 19)}Z`;
    case 'ISO8601_MS':
      return d.toISOString();
    case 'EPOCH_SECONDS':
      return String(Math.floor(d.getTime() / 1000));
    case 'EPOCH_MILLIS':
      return String(d.getTime());
    case 'DATE':
      return d.toISOString().slice(0, 10);
    case 'SQL_DATETIME':
      return d.toISOString().slice(0, 19).replace('T', ' ');
  }
}

/** Seconds from a number or an ISO-8601 duration (`P6D`, `PT12H`, `P1DT6H`). */
export function durationSeconds(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (!m) return Number.NaN;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

export function planRange(
  cfg: IncrementalConfig | undefined,
  loadType: LoadType,
  lastSyncTime: string | undefined,
  now: Date,
  configId: string,
): RangePlan {
  if (!cfg) {
    return {
      apply: false,
      windows: [{ end: now }],
      note:
        loadType === 'INCREMENTAL'
          ? 'loadType is INCREMENTAL but source.incremental is not configured: fetching everything (add source.incremental to fetch only changes)'
          : undefined,
    };
  }
  const bad = (msg: string, field: string) =>
    new FloeError('config-invalid', `${configId}: ${msg}`, { context: { configId, field } });
  let start: number | undefined;
  let note: string | undefined;
  if (loadType === 'INCREMENTAL' && lastSyncTime !== undefined && lastSyncTime.trim() !== '') {
    const t = parseTime(lastSyncTime);
    if (t === undefined) {
      throw bad(
        `lastSyncTime '${lastSyncTime}' is not a timestamp (ISO-8601 like 2024-01-31T00:00:00Z, or epoch); fix destination.lastSyncTime or run FULL`,
        'destination.lastSyncTime',
      );
    }
    start = t - cfg.lookbackSeconds * 1000;
  }
  if (
    start === undefined &&
    (cfg.window !== undefined || loadType === 'INCREMENTAL') &&
    cfg.startDate !== undefined
  ) {
    const t = parseTime(cfg.startDate);
    if (t === undefined)
      throw bad(
        `source.incremental.startDate '${cfg.startDate}' is not a timestamp`,
        'source.incremental.startDate',
      );
    start = t;
  }
  if (start === undefined && loadType === 'INCREMENTAL') {
    note = 'INCREMENTAL run without a lastSyncTime or source.incremental.startDate: fetching everything';
  }
  if (cfg.window === undefined) {
    return {
      apply: start !== undefined,
      windows: [{ start: start === undefined ? undefined : new Date(start), end: now }],
      note,
    };
  }
  if (start === undefined) {
    throw bad(
      'source.incremental.window needs a start: set source.incremental.startDate (the oldest data to fetch), or run INCREMENTAL with a lastSyncTime',
      'source.incremental.startDate',
    );
  }
  const step = durationSeconds(cfg.window) * 1000;
  if (!(step > 0))
    throw bad(
      `source.incremental.window '${cfg.window}' is not a positive duration`,
      'source.incremental.window',
    );
  const windows: TimeWindow[] = [];
  for (let s = start; s < now.getTime(); s += step) {
    windows.push({ start: new Date(s), end: new Date(Math.min(s + step, now.getTime())) });
  }
  return { apply: true, windows, note };
}

/** Keeps the maximum value of the cursor field over the records it observes. */
export class CursorTracker {
  private readonly get: (r: unknown) => unknown;
  private best: { raw: unknown; key: number | string } | undefined;

  constructor(
    private readonly cfg: Pick<IncrementalConfig, 'cursorField' | 'cursorType'>,
    configId: string,
  ) {
    this.get = compileField(cfg.cursorField, configId, 'source.incremental.cursorField');
  }

  observe(record: unknown): void {
    const raw = this.get(record);
    if (raw === undefined || raw === null || raw === '') return;
    // Fast path: ISO-8601 UTC strings of equal length compare as strings.
    const best = this.best;
    if (
      best !== undefined &&
      this.cfg.cursorType === 'TIMESTAMP' &&
      typeof raw === 'string' &&
      typeof best.raw === 'string' &&
      raw.length === best.raw.length &&
      raw.endsWith('Z') &&
      best.raw.endsWith('Z')
    ) {
      if (raw > best.raw) this.best = { raw, key: best.key };
      return;
    }
    let key: number | string | undefined;
    switch (this.cfg.cursorType) {
      case 'TIMESTAMP':
        key = parseTime(raw);
        break;
      case 'NUMBER':
        key = typeof raw === 'number' ? raw : Number(raw); // JsonNumbers too (valueOf)
        if (Number.isNaN(key)) key = undefined;
        break;
      case 'STRING':
        key = String(raw);
        break;
    }
    if (key === undefined) return;
    if (best === undefined || this.compareKey(key, best) > 0) this.best = { raw, key };
  }

  private compareKey(key: number | string, best: { raw: unknown; key: number | string }): number {
    if (this.cfg.cursorType === 'TIMESTAMP') {
      // The fast path may have moved best.raw without updating best.key.
      const bk = parseTime(best.raw) ?? (best.key as number);
      return (key as number) - bk;
    }
    if (typeof key === 'number' && typeof best.key === 'number') return key - best.key;
    return String(key) < String(best.key) ? -1 : String(key) > String(best.key) ? 1 : 0;
  }

  /**
   * The maximum seen: ISO-8601 texts as the API wrote them; epoch values (numbers and digit
   * strings such as Eloqua's `"1403034086"`) as ISO-8601, so a stored cursor always reads as a
   * time whatever format the next request needs (`source.incremental.format`).
   */
  max(): string | undefined {
    if (!this.best) return undefined;
    const { raw } = this.best;
    if (
      this.cfg.cursorType === 'TIMESTAMP' &&
      (typeof raw === 'number' ||
        raw instanceof JsonNumber ||
        (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())))
    )
      return new Date(parseTime(raw)!).toISOString();
    return String(raw);
  }
}
