/**
 * Values a source has typed on purpose (from `source.response.fieldTypes`), so the L1 pipeline
 * writes them as real temporal columns instead of inferring text. They carry their canonical
 * text: UTC ISO-8601 with up to microseconds for timestamps, `YYYY-MM-DD` for dates, which is
 * exactly what DuckDB reads into TIMESTAMPTZ and DATE columns.
 */

/** An instant, as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (UTC, at most microseconds). */
export class TimestampValue {
  constructor(readonly iso: string) {}
  toString(): string {
    return this.iso;
  }
  toJSON(): string {
    return this.iso;
  }
}

/** A calendar date, as `YYYY-MM-DD`. */
export class DateValue {
  constructor(readonly iso: string) {}
  toString(): string {
    return this.iso;
  }
  toJSON(): string {
    return this.iso;
  }
}
