/**
 * Structured logging. Every message and every field value is passed through `redact()` before it
 * reaches a sink, so no code path can leak a registered secret into a log. `child(fields)` binds
 * context (runId, configId, table) once instead of repeating it in every call.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (later fields win on name clashes). */
  child(fields: LogFields): Logger;
}

/** One log event after redaction: what sinks receive. Field values are JSON-safe. */
export interface LogRecord {
  /** ISO-8601 UTC. */
  time: string;
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** Where records go (console, a file, CloudWatch). Sinks must not throw from `write`. */
export interface LogSink {
  write(record: LogRecord): void;
  /** Flushes buffered records and releases resources; the sink is unusable after. */
  close?(): Promise<void>;
}
