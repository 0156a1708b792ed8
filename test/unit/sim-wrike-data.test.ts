import { describe, expect, it } from 'vitest';
import { hash, Rng } from '../../src/sim/prng.js';
import { ALL_TASK_FIELDS, taskJson } from '../../src/sim/wrike/data/tasks.js';
import { World } from '../../src/sim/wrike/data/world.js';
import { date, localDateTime, parseTimestamp, timestamp } from '../../src/sim/wrike/dates.js';
import { FaultInjector } from '../../src/sim/wrike/faults.js';
import { decode, encode, IdSpace } from '../../src/sim/wrike/ids.js';
import { decodePageToken, encodePageToken, scan } from '../../src/sim/wrike/pagination.js';
import { parseFields, parseRange } from '../../src/sim/wrike/query.js';
import { RateLimiter } from '../../src/sim/wrike/rate-limit.js';
import { Timeline } from '../../src/sim/wrike/timeline.js';

const T0 = Date.parse('2024-01-01T00:00:00Z') / 1000;

function world(tasks = 3000): World {
  return new World({
    seed: 7,
    t0: T0,
    counts: {
      tasks,
      contacts: 10,
      groups: 2,
      folders: 8,
      projects: 3,
      spaces: 3,
      customFields: 12,
      timelogs: 100,
      comments: 100,
      attachments: 50,
    },
  });
}

describe('sim prng and ids', () => {
  it('hash is deterministic and order-sensitive; Rng streams repeat', () => {
    expect(hash(1, 2, 3)).toBe(hash(1, 2, 3));
    expect(hash(1, 2)).not.toBe(hash(2, 1));
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('ids look like Wrike ids, round-trip, and sort in index order', () => {
    const ids = new IdSpace(1);
    expect(ids.accountId).toMatch(/^IEA[A-P]{5}$/);
    expect(ids.id('KQ', 0)).toBe(`${ids.accountId}KQAAAAAB`);
    expect(ids.rootFolderId.endsWith('I7777777')).toBe(true);
    const list = [0, 1, 15, 16, 255, 4096, 99_999, 1_000_000].map((i) => ids.id('KQ', i));
    expect([...list].sort()).toEqual(list);
    expect(list.map((id) => ids.index('KQ', id))).toEqual([0, 1, 15, 16, 255, 4096, 99_999, 1_000_000]);
    expect(ids.index('I4', list[0]!)).toBe(-1);
    expect(decode(encode(123456, 6))).toBe(123456);
    expect(ids.contactIndex(ids.contactId(4, true))).toEqual({ index: 4, group: true });
  });
});

describe('sim dates and query parsing', () => {
  it('formats Wrike timestamps, task dates and dates', () => {
    const s = Date.parse('2024-01-02T03:04:05Z') / 1000;
    expect(timestamp(s)).toBe('2024-01-02T03:04:05Z');
    expect(localDateTime(s)).toBe('2024-01-02T03:04:05');
    expect(date(s)).toBe('2024-01-02');
    expect(timestamp(0)).toBe('1970-01-01T00:00:00Z');
    expect(parseTimestamp('2024-01-02T03:04:05Z')).toBe(s * 1000);
    expect(parseTimestamp('2024-01-02')).toBeUndefined();
  });

  it('parses fields arrays (quoted and unquoted) and ranges, rejecting bad input', () => {
    expect([...parseFields('["description","customFields"]', ['description', 'customFields'])]).toEqual([
      'description',
      'customFields',
    ]);
    expect([...parseFields('[description, customFields]', ['description', 'customFields'])]).toHaveLength(2);
    expect(() => parseFields('["nope"]', ['description'])).toThrow(/invalid/);
    expect(parseRange('{"start":"2024-01-02T00:00:00Z"}', 'updatedDate')).toEqual({
      start: Date.parse('2024-01-02T00:00:00Z'),
    });
    expect(() => parseRange('{"start":"yesterday"}', 'updatedDate')).toThrow(/invalid/);
    expect(() => parseRange('not json', 'updatedDate')).toThrow();
  });
});

describe('sim timeline', () => {
  const tl = new Timeline({
    seed: 3,
    salt: 9,
    base: 1000,
    t0: T0,
    churn: { newPerDayFraction: 0.1, updatedFraction: 0.2 },
  });

  it('base records exist before t0 and are created in index order', () => {
    expect(tl.count(T0)).toBe(1000);
    let prev = -Infinity;
    for (let i = 0; i < 1000; i++) {
      const c = tl.created(i);
      expect(c).toBeLessThan(T0);
      expect(c).toBeGreaterThanOrEqual(prev);
      prev = c;
      expect(tl.updated(i, tl.version(i, T0))).toBeLessThan(T0);
      expect(tl.version(i, T0)).toBe(0);
    }
  });

  it('new records appear strictly after their createdDate, and edits move updatedDate forward', () => {
    const later = T0 + 3 * 86_400;
    const n = tl.count(later);
    expect(n).toBeGreaterThan(1000);
    for (let i = 1000; i < n; i++) expect(tl.created(i)).toBeLessThan(later);
    expect(tl.created(n)).toBeGreaterThanOrEqual(later);
    let edited = 0;
    for (let i = 0; i < n; i++) {
      const v = tl.version(i, later);
      const u = tl.updated(i, v);
      expect(u).toBeLessThan(later);
      expect(u).toBeGreaterThanOrEqual(tl.created(i));
      if (v > 0) {
        edited++;
        expect(u).toBeGreaterThan(T0);
        // The edit is visible exactly from u+1 on.
        expect(tl.version(i, u)).toBe(v - 1);
        expect(tl.version(i, u + 1)).toBe(v);
      }
    }
    expect(edited).toBeGreaterThan(50);
  });
});

describe('sim task JSON', () => {
  it('every generated task is valid JSON with all optional fields, at several clocks', () => {
    const w = world();
    for (const now of [T0, T0 + 5 * 86_400]) {
      for (let i = 0; i < w.tasks.count(now); i++) {
        const t = JSON.parse(taskJson(w, i, now, ALL_TASK_FIELDS)) as Record<string, unknown>;
        expect(t.id).toBe(w.ids.id('KQ', i));
        expect(t.updatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(Array.isArray(t.customFields)).toBe(true);
      }
    }
  });
});

describe('sim pagination, rate limit and faults', () => {
  it('page tokens round-trip and reject garbage', () => {
    const t = {
      path: '/tasks',
      query: [['updatedDate', '{"start":"x"}']] as Array<[string, string]>,
      pageSize: 10,
      offset: 20,
      total: 99,
    };
    const enc = encodePageToken(t);
    expect(enc).toMatch(/^[A-Z2-7]+$/);
    expect(decodePageToken(enc)).toEqual(t);
    expect(() => decodePageToken('not-a-token!')).toThrow(/nextPageToken/);
    expect(() => decodePageToken('MFRGGZDF')).toThrow(/nextPageToken/);
  });

  it('scan returns matches and where to resume', () => {
    expect(scan(0, 10, 3, null)).toEqual({ items: [0, 1, 2], next: 3 });
    expect(scan(8, 10, 3, null)).toEqual({ items: [8, 9], next: undefined });
    expect(scan(0, 10, 2, (i) => i % 3 === 0)).toEqual({ items: [0, 3], next: 6 });
    expect(scan(7, 10, 2, (i) => i % 3 === 0)).toEqual({ items: [9], next: undefined });
  });

  it('token bucket: one second of burst, then refills at rpm/60 per second', () => {
    let now = 0;
    const rl = new RateLimiter({ requestsPerMinute: 60 * 5 }, () => now);
    const results = Array.from({ length: 7 }, () => rl.take('t'));
    expect(results.filter((r) => r === 0)).toHaveLength(5);
    expect(results[6]).toBeGreaterThanOrEqual(1);
    expect(rl.take('other')).toBe(0);
    now += 400; // two tokens back
    expect(rl.take('t')).toBe(0);
    expect(rl.take('t')).toBe(0);
    expect(rl.take('t')).toBeGreaterThan(0);
  });

  it('fault decisions are a function of the seed and the request number', () => {
    const f = {
      seed: 5,
      serverErrorRate: 0.2,
      throttleBurstRate: 0.05,
      throttleBurstLength: 3,
      resetRate: 0.1,
      truncateRate: 0.1,
    };
    const a = new FaultInjector(f, 1);
    const b = new FaultInjector(f, 1);
    const seqA = Array.from({ length: 300 }, () => a.decide());
    expect(Array.from({ length: 300 }, () => b.decide())).toEqual(seqA);
    expect(seqA.some((d) => d.serverError)).toBe(true);
    expect(seqA.some((d) => d.throttle)).toBe(true);
    expect(seqA.some((d) => d.reset)).toBe(true);
    expect(seqA.some((d) => d.truncate)).toBe(true);
    a.set(f);
    expect(Array.from({ length: 300 }, () => a.decide())).toEqual(seqA);
    const c = new FaultInjector({ ...f, seed: 6 }, 1);
    expect(Array.from({ length: 300 }, () => c.decide())).not.toEqual(seqA);
  });
});
