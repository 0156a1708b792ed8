import { describe, expect, it } from 'vitest';
import { IncrementalSchema } from '../../src/config/source-schema.js';
import {
  CursorTracker,
  durationSeconds,
  formatTime,
  parseTime,
  planRange,
} from '../../src/source/incremental.js';

const inc = (c: Record<string, unknown>) => IncrementalSchema.parse({ cursorField: 'updatedDate', ...c });
const NOW = new Date('2024-01-20T00:00:00Z');

describe('incremental ranges', () => {
  it('FULL without windows sends no range; INCREMENTAL starts at lastSyncTime minus lookback', () => {
    expect(planRange(inc({}), 'FULL', '2024-01-01T00:00:00Z', NOW, 'C')).toEqual({
      apply: false,
      windows: [{ end: NOW }],
    });
    const p = planRange(inc({ lookbackSeconds: 60 }), 'INCREMENTAL', '2024-01-01T00:00:00Z', NOW, 'C');
    expect(p.apply).toBe(true);
    expect(p.windows).toEqual([{ start: new Date('2023-12-31T23:59:00Z'), end: NOW }]);
  });

  it('INCREMENTAL without a cursor falls back to everything, with a note', () => {
    const p = planRange(inc({}), 'INCREMENTAL', '', NOW, 'C');
    expect(p.apply).toBe(false);
    expect(p.note).toMatch(/fetching everything/);
    expect(planRange(undefined, 'INCREMENTAL', 'x', NOW, 'C').note).toMatch(
      /source\.incremental is not configured/,
    );
  });

  it('windows cut [start, now) into half-open steps, in FULL runs too', () => {
    const p = planRange(
      inc({ window: 'P7D', startDate: '2024-01-01T00:00:00Z' }),
      'FULL',
      undefined,
      NOW,
      'C',
    );
    expect(p.windows.map((w) => [w.start?.toISOString(), w.end.toISOString()])).toEqual([
      ['2024-01-01T00:00:00.000Z', '2024-01-08T00:00:00.000Z'],
      ['2024-01-08T00:00:00.000Z', '2024-01-15T00:00:00.000Z'],
      ['2024-01-15T00:00:00.000Z', '2024-01-20T00:00:00.000Z'],
    ]);
    expect(() => planRange(inc({ window: 3600 }), 'FULL', undefined, NOW, 'C')).toThrow(
      /window needs a start/,
    );
  });

  it('a bad lastSyncTime is a config error naming the field', () => {
    expect(() => planRange(inc({}), 'INCREMENTAL', 'yesterday', NOW, 'C')).toThrow(
      /destination\.lastSyncTime/,
    );
  });

  it('formats and parses times and durations', () => {
    const d = new Date('2024-02-03T04:05:06.789Z');
    expect(formatTime(d, 'ISO8601')).toBe('2024-02-03T04:05:06Z');
    expect(formatTime(d, 'ISO8601_MS')).toBe('2024-02-03T04:05:06.789Z');
    expect(formatTime(d, 'EPOCH_SECONDS')).toBe('1706933106');
    expect(formatTime(d, 'EPOCH_MILLIS')).toBe('1706933106789');
    expect(formatTime(d, 'DATE')).toBe('2024-02-03');
    expect(parseTime('1706933106')).toBe(1706933106000);
    expect(parseTime(1706933106789)).toBe(1706933106789);
    expect(parseTime('2024-02-03T04:05:06Z')).toBe(Date.parse('2024-02-03T04:05:06Z'));
    expect(durationSeconds('P1DT6H')).toBe(30 * 3600);
    expect(durationSeconds(90)).toBe(90);
  });
});

describe('cursor max', () => {
  it('timestamps: ISO strings of mixed precision and epoch numbers', () => {
    const t = new CursorTracker({ cursorField: 'meta.updated', cursorType: 'TIMESTAMP' }, 'C');
    for (const v of [
      '2024-01-02T00:00:00Z',
      '2024-01-05T00:00:00Z',
      '2024-01-03T00:00:00.500Z',
      null,
      undefined,
    ]) {
      t.observe({ meta: { updated: v } });
    }
    expect(t.max()).toBe('2024-01-05T00:00:00Z');
    t.observe({ meta: { updated: '2024-01-05T00:00:00.001Z' } });
    expect(t.max()).toBe('2024-01-05T00:00:00.001Z');
    const e = new CursorTracker({ cursorField: 'ts', cursorType: 'TIMESTAMP' }, 'C');
    e.observe({ ts: 1_700_000_000 });
    e.observe({ ts: 1_600_000_000 });
    expect(e.max()).toBe(new Date(1_700_000_000_000).toISOString());
  });
  it('numbers compare numerically, not as text', () => {
    const t = new CursorTracker({ cursorField: 'v', cursorType: 'NUMBER' }, 'C');
    for (const v of [9, '10', 2]) t.observe({ v });
    expect(t.max()).toBe('10');
  });
});
