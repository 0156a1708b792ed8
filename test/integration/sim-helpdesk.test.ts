/**
 * The helpdesk simulator behaves as its API says (src/sim/helpdesk/index.ts): the key header,
 * offset pages linked by `Link: rel="next"` covering every ticket once, `updated_since`, the
 * envelope, the number-or-string field, a clock that brings edits and new tickets, and 400s for
 * bad parameters. Plain HTTP against the running simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HelpdeskSimulator, startHelpdeskSimulator } from '../../src/sim/helpdesk/index.js';

const KEY = 'sim-test-key-20b7c1';
let sim: HelpdeskSimulator;

beforeAll(async () => {
  sim = await startHelpdeskSimulator({ tickets: 50, seed: 11, apiKey: KEY });
});
afterAll(async () => {
  await sim?.close();
});

/** `key: null` sends no key header. */
const get = (url: string, key: string | null = KEY) =>
  fetch(url, { headers: key === null ? {} : { 'X-Api-Key': key } });

/** Follows the Link header from `url` and returns every ticket and the number of pages. */
async function all(url: string): Promise<{ tickets: { id: number; updated_at: string }[]; pages: number }> {
  const tickets: { id: number; updated_at: string }[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    const res = await get(next);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { tickets: { id: number; updated_at: string }[] };
      meta: unknown;
    };
    tickets.push(...body.data.tickets);
    pages++;
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return { tickets, pages };
}

describe('floe sim helpdesk', () => {
  it('answers 401 without the X-Api-Key header, or with another key', async () => {
    expect((await get(`${sim.baseUrl}/tickets`, null)).status).toBe(401);
    const wrong = await get(`${sim.baseUrl}/tickets`, 'other-key');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('pages by offset with a Link header until every ticket came once, oldest update first', async () => {
    const first = await get(`${sim.baseUrl}/tickets?limit=20`);
    const body = (await first.json()) as { data: { tickets: unknown[] }; meta: Record<string, number> };
    expect(body.meta).toEqual({ total: 50, offset: 0, limit: 20 });
    expect(first.headers.get('link')).toBe(`<${sim.baseUrl}/tickets?limit=20&offset=20>; rel="next"`);
    const { tickets, pages } = await all(`${sim.baseUrl}/tickets?limit=20`);
    expect(pages).toBe(3);
    expect(tickets.map((t) => t.id).sort((a, b) => a - b)).toEqual(sim.tickets().map((t) => t.id));
    const updates = tickets.map((t) => t.updated_at);
    expect(updates).toEqual([...updates].sort());
  });

  it('tickets have nested objects, ISO-8601 times and sla_minutes as a number or a string', () => {
    const t = sim.tickets();
    expect(t[0]).toMatchObject({
      requester: { id: expect.any(Number), email: expect.stringContaining('@') },
    });
    for (const x of t) {
      expect(x.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(x.updated_at >= x.created_at).toBe(true);
    }
    expect(new Set(t.map((x) => typeof x.sla_minutes))).toEqual(new Set(['number', 'string']));
    expect(t.some((x) => x.assignee === null)).toBe(true);
  });

  it('updated_since keeps the tickets updated at or after it; the clock brings edits and new tickets', async () => {
    const before = sim.tickets();
    const since = sim.now().toISOString();
    expect((await all(`${sim.baseUrl}/tickets?updated_since=${encodeURIComponent(since)}`)).tickets).toEqual(
      [],
    );
    sim.advanceClock(3 * 86_400_000);
    const after = sim.tickets();
    expect(after.length).toBeGreaterThan(before.length);
    const changed = after.filter((t) => t.updated_at >= since.replace(/\.\d{3}Z$/, 'Z'));
    const { tickets } = await all(
      `${sim.baseUrl}/tickets?limit=7&updated_since=${encodeURIComponent(since)}`,
    );
    expect(tickets.map((t) => t.id).sort((a, b) => a - b)).toEqual(changed.map((t) => t.id));
    expect(changed.some((t) => before.some((b) => b.id === t.id))).toBe(true);
  });

  it('answers 400 for a bad limit, offset or updated_since, naming the parameter', async () => {
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'updated_since=yesterday']) {
      const res = await get(`${sim.baseUrl}/tickets?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(q.split('=')[0]);
    }
  });
});
