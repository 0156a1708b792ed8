/**
 * The one Logger implementation: builds redacted, JSON-safe records and hands them to sinks.
 * Adapters differ only in their sinks (console, file, CloudWatch), so redaction and field
 * normalisation live here once.
 */
import { FloeError } from '../errors.js';
import { redact } from '../util/redact.js';
import type { LogFields, Logger, LogLevel, LogRecord, LogSink } from './ports/logger.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Lowest level written; default `info`. */
  level?: LogLevel;
  /** Fields bound to every record. */
  fields?: LogFields;
  /** Clock, for tests. */
  now?: () => Date;
}

export function createLogger(sink: LogSink, opts: LoggerOptions = {}): Logger {
  return new SinkLogger(sink, opts.level ?? 'info', toJsonSafe(opts.fields ?? {}) as LogFields, opts.now);
}

class SinkLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly level: LogLevel,
    private readonly bound: LogFields,
    private readonly now: () => Date = () => new Date(),
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new SinkLogger(
      this.sink,
      this.level,
      { ...this.bound, ...(toJsonSafe(fields) as LogFields) },
      this.now,
    );
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (rank[level] < rank[this.level]) return;
    const record: LogRecord = {
      time: this.now().toISOString(),
      level,
      msg: redact(msg),
      fields: fields ? { ...this.bound, ...(toJsonSafe(fields) as LogFields) } : this.bound,
    };
    try {
      this.sink.write(record);
    } catch {
      // A broken log sink must never take a run down with it.
    }
  }
}

/**
 * Makes a field value JSON-safe and redacted: strings are redacted, bigints become decimal
 * strings (snapshot ids), Errors become {message, kind, context}, Dates ISO strings, cycles cut.
 */
export function toJsonSafe(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === undefined) return undefined;
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object') return redact(String(value));
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { message: redact(value.message) };
    if (value instanceof FloeError) {
      out.message = redact(value.describe());
      out.kind = value.kind;
      out.retryable = value.retryable;
    } else if (value.name !== 'Error') {
      out.name = value.name;
    }
    if (value.cause !== undefined) out.cause = toJsonSafe(value.cause, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, seen) ?? null);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const safe = toJsonSafe(v, seen);
    if (safe !== undefined) out[k] = safe;
  }
  return out;
}

/** A sink that writes to several sinks (console + file). */
export function teeSink(...sinks: LogSink[]): LogSink {
  return {
    write(record) {
      for (const s of sinks) {
        try {
          s.write(record);
        } catch {
          // One failing sink must not silence the others.
        }
      }
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close?.()));
    },
  };
}

/** Keeps records in memory (tests, and `floe run --json` summaries). */
export class MemorySink implements LogSink {
  readonly records: LogRecord[] = [];
  write(record: LogRecord): void {
    this.records.push(record);
  }
}

/** A logger that drops everything (library defaults). */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
};
