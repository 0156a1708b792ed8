/**
 * Reading a run's log file back (`<logs dir>/<runId>.log`, JSON lines written by the file sink
 * in console-logger.ts): the lines of one config, at or above a level, the last `limit` of them.
 * The file is streamed, so a long run's log costs its size in time, not in memory. Records were
 * redacted when written; callers that show them redact again (a secret registered since).
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LogLevel } from '../ports/logger.js';
import { safeFileStem } from './console-logger.js';

export interface RunLogLine {
  time: string;
  level: LogLevel;
  msg: string;
  configId?: string;
  /** The record's other fields. */
  fields: Record<string, unknown>;
}

export interface RunLog {
  /** Whether the run has a log file (runs of another host or a removed log have none). */
  exists: boolean;
  lines: RunLogLine[];
  /** Matching lines in the file; more than `lines.length` when only the last were kept. */
  matched: number;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export async function readRunLog(
  logDir: string,
  runId: string,
  opts: { configId?: string; minLevel?: LogLevel; limit: number },
): Promise<RunLog> {
  const file = join(logDir, `${safeFileStem(runId)}.log`);
  if (!existsSync(file)) return { exists: false, lines: [], matched: 0 };
  const min = RANK[opts.minLevel ?? 'debug'];
  const kept: RunLogLine[] = [];
  let matched = 0;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of rl) {
    if (!text.trim()) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue; // a line cut by a crash mid-write
    }
    const { time, level, msg, configId, runId: _run, ...fields } = rec;
    const lvl = (typeof level === 'string' && level in RANK ? level : 'info') as LogLevel;
    if (RANK[lvl] < min) continue;
    if (opts.configId !== undefined && configId !== opts.configId) continue;
    matched++;
    kept.push({
      time: String(time ?? ''),
      level: lvl,
      msg: String(msg ?? ''),
      ...(typeof configId === 'string' ? { configId } : {}),
      fields,
    });
    // Trim in batches: shifting one line off per line read is quadratic on a long log.
    if (kept.length >= 2 * opts.limit) kept.splice(0, kept.length - opts.limit);
  }
  return { exists: true, lines: kept.slice(-opts.limit), matched };
}
