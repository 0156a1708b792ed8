/**
 * Local log sinks. On a terminal, one readable line per event (time, level, config id, message,
 * fields); piped or in CI, JSON lines that tools can parse. Every run also gets a JSON-lines file,
 * `<logs dir>/<runId>.log`, the local counterpart of the seed's per-run CloudWatch log stream.
 * Records arrive already redacted (structured-logger.ts); these sinks only format and write.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FloeError } from '../../errors.js';
import type { LogFields, Logger, LogLevel, LogRecord, LogSink } from '../ports/logger.js';
import { createLogger, teeSink } from '../structured-logger.js';

export type LogFormat = 'auto' | 'json' | 'pretty';

/** What a console sink writes to: a stream with an optional `isTTY` (process.stderr by default). */
export interface TextStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ConsoleSinkOptions {
  /** Default process.stderr, so command output on stdout stays clean for pipes. */
  stream?: TextStream;
  /** `auto`: pretty on a TTY, JSON lines otherwise. */
  format?: LogFormat;
  /** Colours; default: only on a TTY and when NO_COLOR is not set. */
  color?: boolean;
}

export function consoleSink(opts: ConsoleSinkOptions = {}): LogSink {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const format = opts.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && tty);
  const color = opts.color ?? (tty && !process.env.NO_COLOR);
  return {
    write(record) {
      stream.write(`${pretty ? formatPretty(record, color) : formatJson(record)}\n`);
    },
  };
}

/** `{"time","level","msg",...fields}`: fields flattened to the top so log tools index them. */
export function formatJson(record: LogRecord): string {
  return JSON.stringify({ ...record.fields, time: record.time, level: record.level, msg: record.msg });
}

const COLORS: Record<LogLevel, string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
/** Bound on every line of a run and already in the log file name: noise on a terminal. */
const HIDDEN_ON_TERMINAL = new Set(['runId', 'configId']);

/** `12:04:05.123 INFO  [Wrike_Tasks] committed snapshot records=120 snapshotId=123…` */
export function formatPretty(record: LogRecord, color = false): string {
  const time = record.time.slice(11, 23);
  const level = record.level.toUpperCase().padEnd(5);
  const configId = record.fields.configId;
  const scope = typeof configId === 'string' ? `[${configId}] ` : '';
  const rest = Object.entries(record.fields)
    .filter(([k, v]) => !HIDDEN_ON_TERMINAL.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${prettyValue(v)}`)
    .join(' ');
  if (!color) return `${time} ${level} ${scope}${record.msg}${rest ? ` ${rest}` : ''}`;
  return `${DIM}${time}${RESET} ${COLORS[record.level]}${level}${RESET} ${scope}${record.msg}${
    rest ? ` ${DIM}${rest}${RESET}` : ''
  }`;
}

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** Run ids become file names: keep them to a safe alphabet so no id can escape the logs dir. */
export function safeFileStem(runId: string): string {
  const stem = runId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (!stem) throw new FloeError('internal', 'empty run id for a log/report file name');
  return stem;
}

/**
 * Appends JSON lines to a file, synchronously: ordered, and everything up to a crash is on disk,
 * which is what a log of a crashed run is for.
 */
export function fileSink(path: string): LogSink & { readonly path: string } {
  let fd: number | undefined = openSync(path, 'a', 0o644);
  return {
    path,
    write(record) {
      if (fd === undefined) return;
      writeSync(fd, `${formatJson(record)}\n`);
    },
    async close() {
      if (fd === undefined) return;
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
        fd = undefined;
      }
    },
  };
}

export interface RunLoggerOptions extends ConsoleSinkOptions {
  /** Folder for `<runId>.log`; no file when omitted. */
  logDir?: string;
  level?: LogLevel;
  fields?: LogFields;
}

/** A run's logger (console + `<logDir>/<runId>.log`, every record carrying runId) and its closer. */
export function createRunLogger(
  runId: string,
  opts: RunLoggerOptions = {},
): { logger: Logger; logFile?: string; close(): Promise<void> } {
  const sinks: LogSink[] = [consoleSink(opts)];
  let logFile: string | undefined;
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    const file = fileSink(join(opts.logDir, `${safeFileStem(runId)}.log`));
    logFile = file.path;
    sinks.push(file);
  }
  const sink = sinks.length === 1 ? sinks[0]! : teeSink(...sinks);
  const logger = createLogger(sink, { level: opts.level, fields: { runId, ...opts.fields } });
  return {
    logger,
    ...(logFile ? { logFile } : {}),
    close: async () => {
      await sink.close?.();
    },
  };
}
