import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import {
  consoleSink,
  createRunLogger,
  formatPretty,
  safeFileStem,
  type TextStream,
} from '../../src/runtime/local/console-logger.js';
import type { LogRecord } from '../../src/runtime/ports/logger.js';
import { createLogger, MemorySink, teeSink } from '../../src/runtime/structured-logger.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

const fixedNow = () => new Date('2025-03-04T05:06:07.089Z');

function stream(isTTY: boolean): TextStream & { lines: () => string[] } {
  let out = '';
  return {
    isTTY,
    write(chunk: string) {
      out += chunk;
      return true;
    },
    lines: () => out.split('\n').filter(Boolean),
  };
}

afterEach(() => clearSecretsForTest());

describe('structured logger', () => {
  it('binds child fields, filters by level and makes fields JSON-safe', () => {
    const sink = new MemorySink();
    const log = createLogger(sink, { level: 'info', now: fixedNow, fields: { runId: 'r1' } });
    const child = log.child({ configId: 'Wrike_Tasks' });
    child.debug('hidden');
    child.info('committed', { snapshotId: 123456789012345678901n, at: new Date(0), fn: () => 1 });
    child.error('failed', { error: new FloeError('http', 'HTTP 500', { context: { status: 500 } }) });
    expect(sink.records).toEqual<LogRecord[]>([
      {
        time: '2025-03-04T05:06:07.089Z',
        level: 'info',
        msg: 'committed',
        fields: {
          runId: 'r1',
          configId: 'Wrike_Tasks',
          snapshotId: '123456789012345678901',
          at: '1970-01-01T00:00:00.000Z',
        },
      },
      {
        time: '2025-03-04T05:06:07.089Z',
        level: 'error',
        msg: 'failed',
        fields: {
          runId: 'r1',
          configId: 'Wrike_Tasks',
          error: { message: 'HTTP 500 (status=500)', kind: 'http', retryable: false },
        },
      },
    ]);
  });

  it('redacts registered secrets in messages, fields and child fields', () => {
    registerSecret('canary-logger-secret');
    const sink = new MemorySink();
    const log = createLogger(sink).child({ auth: 'Bearer canary-logger-secret' });
    log.warn('retrying with canary-logger-secret', {
      url: 'https://x/?t=canary-logger-secret',
      list: ['canary-logger-secret'],
    });
    const text = JSON.stringify(sink.records);
    expect(text).not.toContain('canary-logger-secret');
    expect(sink.records[0]!.msg).toBe('retrying with ***');
    expect(sink.records[0]!.fields).toEqual({ auth: 'Bearer ***', url: 'https://x/?t=***', list: ['***'] });
  });

  it('tee writes to every sink even if one throws', () => {
    const a = new MemorySink();
    const broken = {
      write() {
        throw new Error('disk full');
      },
    };
    const log = createLogger(teeSink(broken, a));
    log.info('hello');
    expect(a.records).toHaveLength(1);
  });
});

describe('console sink', () => {
  const rec: LogRecord = {
    time: '2025-03-04T05:06:07.089Z',
    level: 'warn',
    msg: 'rate limited',
    fields: { runId: 'r1', configId: 'Wrike_Tasks', retryAfterMs: 2000, path: '/api v4/tasks' },
  };

  it('pretty on a terminal: time, level, config id, message, key fields; colours only when asked', () => {
    expect(formatPretty(rec)).toBe(
      '05:06:07.089 WARN  [Wrike_Tasks] rate limited retryAfterMs=2000 path="/api v4/tasks"',
    );
    expect(formatPretty(rec, true)).toContain('\x1b[33mWARN');
    const tty = stream(true);
    createLogger(consoleSink({ stream: tty, color: false }), { now: fixedNow }).info('hi', {
      configId: 'c1',
      n: 1,
    });
    expect(tty.lines()).toEqual(['05:06:07.089 INFO  [c1] hi n=1']);
  });

  it('JSON lines when not a terminal (format auto), and no colour codes', () => {
    const pipe = stream(false);
    createLogger(consoleSink({ stream: pipe }), { now: fixedNow }).info('hi', { configId: 'c1', n: 1 });
    const lines = pipe.lines();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2025-03-04T05:06:07.089Z',
      level: 'info',
      msg: 'hi',
      configId: 'c1',
      n: 1,
    });
    expect(lines[0]).not.toContain('\x1b[');
  });

  it('an explicit format wins over the TTY check', () => {
    const tty = stream(true);
    createLogger(consoleSink({ stream: tty, format: 'json' })).info('x');
    expect(() => JSON.parse(tty.lines()[0]!)).not.toThrow();
    const pipe = stream(false);
    createLogger(consoleSink({ stream: pipe, format: 'pretty' })).info('x');
    expect(pipe.lines()[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}x$/);
  });
});

describe('run logger with file sink', () => {
  it('writes JSON lines with the run id to <logDir>/<runId>.log and tees to the console', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-logs-'));
    try {
      const tty = stream(true);
      const run = createRunLogger('run-2025/01', { logDir: join(dir, 'logs'), stream: tty, color: false });
      run.logger.child({ configId: 'c' }).info('started', { records: 3 });
      run.logger.debug('not at info level');
      await run.close();
      expect(run.logFile).toBe(join(dir, 'logs', 'run-2025_01.log'));
      const lines = readFileSync(run.logFile!, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        runId: 'run-2025/01',
        configId: 'c',
        msg: 'started',
        records: 3,
      });
      expect(tty.lines()[0]).toContain('[c] started records=3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run ids cannot escape the log folder', () => {
    const stem = safeFileStem('../../etc/passwd');
    expect(stem).toBe('__.._etc_passwd');
    expect(stem).not.toMatch(/[/\\]|^\./);
    expect(safeFileStem('jr_abc123')).toBe('jr_abc123');
  });
});
