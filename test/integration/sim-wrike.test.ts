/**
 * The Wrike simulator over loopback with Node's fetch: envelope, pagination, fields, filters,
 * folder modes, the clock, comments/attachments windows and determinism. Auth, rate limiting and
 * faults are in sim-wrike-auth-faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/sim/wrike/ids.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';

const TOKEN = 'sim-permanent-token';
type Body = {
  kind: string;
  data: Array<Record<string, unknown>>;
  nextPageToken?: string;
  responseSize?: number;
};

async function get(
  sim: WrikeSimulator,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(sim.baseUrl + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function ok(sim: WrikeSimulator, path: string): Promise<Body> {
  const r = await get(sim, path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as unknown as Body;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const q = (v: unknown) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v));

/** Every task through pagination; returns the pages' bodies. */
async function paginate(sim: WrikeSimulator, first: string): Promise<Body[]> {
  const pages: Body[] = [];
  let body = await ok(sim, first);
  pages.push(body);
  while (body.nextPageToken) {
    body = await ok(sim, `/tasks?nextPageToken=${q(body.nextPageToken)}`);
    pages.push(body);
  }
  return pages;
}

const ID = /^IEA[A-P]{5}[A-Z0-9]{2}[A-P]{6}$/;
const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('Wrike simulator: data API', () => {
  let sim: WrikeSimulator;
  beforeAll(async () => {
    sim = await startWrikeSimulator({ rateLimit: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('binds to 127.0.0.1 and exposes the URLs of the contract', () => {
    expect(sim.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.baseUrl).toBe(`${sim.origin}/api/v4`);
    expect(sim.tokenUrl).toBe(`${sim.origin}/oauth2/token`);
    expect(sim.now().toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('answers every endpoint with the {kind, data} envelope and Wrike-shaped records', async () => {
    const expected: Record<string, string> = {
      '/contacts': 'contacts',
      '/folders': 'folderTree',
      '/folders?project=true': 'folders',
      '/tasks': 'tasks',
      '/customfields': 'customfields',
      '/workflows': 'workflows',
      '/timelogs': 'timelogs',
      '/spaces': 'spaces',
      '/comments': 'comments',
      [`/attachments?createdDate=${q({ start: '2023-12-05T00:00:00Z' })}`]: 'attachments',
      '/version': 'version',
      '/account': 'accounts',
    };
    for (const [path, kind] of Object.entries(expected)) {
      const body = await ok(sim, path);
      expect(body.kind, path).toBe(kind);
      expect(Array.isArray(body.data), path).toBe(true);
      expect(body.data.length, path).toBeGreaterThan(0);
    }
    const task = (await ok(sim, '/tasks')).data[0]!;
    expect(Object.keys(task)).toEqual(
      expect.arrayContaining([
        'id',
        'accountId',
        'title',
        'status',
        'importance',
        'createdDate',
        'updatedDate',
        'dates',
        'scope',
        'customStatusId',
        'permalink',
        'priority',
      ]),
    );
    expect(task.id).toMatch(ID);
    expect(task.createdDate).toMatch(TS);
    expect(task).not.toHaveProperty('description');
    const contacts = (await ok(sim, '/contacts')).data;
    const me = contacts.find((c) => c.me === true)!;
    expect(me.type).toBe('Person');
    expect(me.profiles).toEqual([
      expect.objectContaining({ accountId: task.accountId, owner: true, admin: true }),
    ]);
    expect(me.primaryEmail).toMatch(/@/);
    const groups = contacts.filter((c) => c.type === 'Group');
    expect(groups.length).toBeGreaterThan(0);
    expect(Array.isArray(groups[0]!.memberIds)).toBe(true);
    const cfTypes = new Set((await ok(sim, '/customfields')).data.map((c) => c.type));
    for (const t of [
      'Text',
      'DropDown',
      'Numeric',
      'Currency',
      'Percentage',
      'Date',
      'Duration',
      'Checkbox',
      'Contacts',
      'Multiple',
    ]) {
      expect(cfTypes.has(t), t).toBe(true);
    }
    const wf = (await ok(sim, '/workflows')).data[0]!;
    expect(wf.customStatuses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ group: 'Completed', id: expect.stringMatching(ID) }),
      ]),
    );
    const tl = (await ok(sim, '/timelogs')).data[0]!;
    expect(tl.trackedDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(tl).not.toHaveProperty('billingType');
    expect((await ok(sim, `/timelogs?fields=${q(['billingType'])}`)).data[0]).toHaveProperty('billingType');
    // The archived space only with withArchived=true.
    expect((await ok(sim, '/spaces?withArchived=true')).data.length).toBe(
      (await ok(sim, '/spaces')).data.length + 1,
    );
  });

  it('paginates tasks with pageSize, responseSize and nextPageToken; the pages equal the ground truth', async () => {
    const pages = await paginate(sim, '/tasks?pageSize=1000');
    expect(pages.map((p) => p.data.length)).toEqual([1000, 1000, 500]);
    expect(pages.map((p) => p.responseSize)).toEqual([2500, 2500, 2500]);
    expect(pages[2]!.nextPageToken).toBeUndefined();
    expect(pages[0]!.nextPageToken).toMatch(/^[A-Z2-7]+$/);
    const truth = await all(sim.records('tasks'));
    expect(pages.flatMap((p) => p.data)).toEqual(truth);
    const ids = truth.map((t) => t.id as string);
    expect([...ids].sort()).toEqual(ids); // id order
  });

  it('returns at most 1000 tasks without pageSize, and rejects pageSize > 1000 and bad tokens', async () => {
    const body = await ok(sim, '/tasks');
    expect(body.data).toHaveLength(1000);
    expect(body.nextPageToken).toBeUndefined();
    expect(body.responseSize).toBeUndefined();
    const big = await get(sim, '/tasks?pageSize=1001');
    expect(big.status).toBe(400);
    expect(big.body).toEqual({
      errorDescription: expect.stringContaining('pageSize'),
      error: 'invalid_parameter',
    });
    expect((await get(sim, '/tasks?pageSize=0')).status).toBe(400);
    const bad = await get(sim, '/tasks?nextPageToken=GARBAGE1');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_parameter');
  });

  it('carries filters and fields inside the page token', async () => {
    const fields = ['description', 'customFields', 'parentIds', 'responsibleIds'];
    const start = '2023-09-01T00:00:00Z';
    const pages = await paginate(sim, `/tasks?pageSize=300&fields=${q(fields)}&updatedDate=${q({ start })}`);
    const got = pages.flatMap((p) => p.data);
    const truth = (await all(sim.records('tasks', { fields }))).filter(
      (t) => (t.updatedDate as string) >= start,
    );
    expect(got).toEqual(truth);
    expect(pages[0]!.responseSize).toBe(truth.length);
    for (const t of got) {
      expect(t).toHaveProperty('description');
      expect(t).toHaveProperty('customFields');
      expect((t.parentIds as string[])[0]).toMatch(ID);
    }
    const bad = await get(sim, `/tasks?fields=${q(['noSuchField'])}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_parameter');
    // Airbyte's unquoted form.
    expect((await ok(sim, '/tasks?pageSize=1&fields=[description,parentIds]')).data[0]).toHaveProperty(
      'parentIds',
    );
  });

  it('filters by a semi-open updatedDate interval (start inclusive, end exclusive)', async () => {
    const truth = await all(sim.records('tasks'));
    const pivot = truth[1234]!.updatedDate as string;
    const end = truth[2000]!.updatedDate as string;
    const range = { start: pivot, end: end > pivot ? end : '2024-01-01T00:00:00Z' };
    const got = (await paginate(sim, `/tasks?pageSize=1000&updatedDate=${q(range)}`)).flatMap((p) => p.data);
    const expected = truth.filter(
      (t) => (t.updatedDate as string) >= range.start && (t.updatedDate as string) < range.end,
    );
    expect(got.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    expect(got.some((t) => t.updatedDate === pivot)).toBe(true);
    const endOnly = (await paginate(sim, `/tasks?pageSize=1000&updatedDate=${q({ end: pivot })}`)).flatMap(
      (p) => p.data,
    );
    expect(endOnly.every((t) => (t.updatedDate as string) < pivot)).toBe(true);
    expect(endOnly.length + truth.filter((t) => (t.updatedDate as string) >= pivot).length).toBe(
      truth.length,
    );
    expect((await get(sim, `/tasks?updatedDate=${q({ start: 'yesterday' })}`)).status).toBe(400);
  });

  it('serves folder-tree mode without filters and folders mode with project / updatedDate / descendants=false', async () => {
    const tree = await ok(sim, '/folders');
    expect(tree.kind).toBe('folderTree');
    const root = tree.data[0]!;
    expect(root).toEqual({
      id: expect.stringMatching(/I7777777$/),
      title: 'Root',
      childIds: expect.any(Array),
      scope: 'WsRoot',
    });
    for (const e of tree.data) {
      for (const k of Object.keys(e))
        expect(['id', 'title', 'color', 'childIds', 'scope', 'project', 'space']).toContain(k);
    }
    const projects = await ok(sim, '/folders?project=true');
    const folders = await ok(sim, '/folders?project=false');
    expect(projects.kind).toBe('folders');
    expect(projects.data.length).toBe(20);
    expect(folders.data.length).toBe(60);
    for (const p of projects.data) {
      expect(p.project).toEqual(
        expect.objectContaining({
          authorId: expect.any(String),
          ownerIds: expect.any(Array),
          status: expect.any(String),
          customStatusId: expect.stringMatching(ID),
        }),
      );
      expect((p.project as Record<string, string>).startDate).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
    for (const f of folders.data) expect(f).not.toHaveProperty('project');
    expect(folders.data[0]).toEqual(
      expect.objectContaining({
        accountId: expect.any(String),
        scope: 'WsFolder',
        parentIds: expect.any(Array),
        workflowId: expect.stringMatching(ID),
      }),
    );
    expect((await ok(sim, '/folders?descendants=false')).kind).toBe('folders');
    expect((await ok(sim, `/folders?updatedDate=${q({ start: '2023-06-01T00:00:00Z' })}`)).kind).toBe(
      'folders',
    );
    // Ground truth.
    expect(projects.data).toEqual(
      await all(sim.records('projects')).then((r) => r.map(stripOptionalFolderFields)),
    );
    // By ids, up to 100.
    const two = [projects.data[0]!.id, folders.data[0]!.id] as string[];
    const byIds = await ok(sim, `/folders/${two.join(',')}`);
    expect(byIds.kind).toBe('folders');
    expect(byIds.data.map((f) => f.id)).toEqual(two);
    const tooMany = Array.from({ length: 101 }, () => two[0]).join(',');
    expect((await get(sim, `/folders/${tooMany}`)).status).toBe(400);
    const missing = await get(sim, `/folders/${two[0]!.slice(0, 10)}PPPPPP`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('resource_not_found');
  });

  it('lists the tasks of a folder subtree with /folders/{id}/tasks', async () => {
    const tree = (await ok(sim, '/folders')).data;
    const byId = new Map(tree.map((e) => [e.id as string, e]));
    const project =
      tree.find((e) => e.project && (e.childIds as string[]).length > 0) ?? tree.find((e) => e.project)!;
    const subtree = new Set<string>();
    const visit = (id: string) => {
      subtree.add(id);
      for (const c of (byId.get(id)!.childIds as string[]) ?? []) visit(c);
    };
    visit(project.id as string);
    const got = (await ok(sim, `/folders/${project.id}/tasks?fields=${q(['parentIds'])}`)).data;
    expect(got.length).toBeGreaterThan(0);
    for (const t of got) expect(subtree.has((t.parentIds as string[])[0]!)).toBe(true);
    const all2 = (await all(sim.records('tasks', { fields: ['parentIds'] }))).filter((t) =>
      subtree.has((t.parentIds as string[])[0]!),
    );
    expect(got.map((t) => t.id)).toEqual(all2.slice(0, 1000).map((t) => t.id));
  });

  it('enforces the comments (< 7 days) and attachments (< 31 days, required) windows', async () => {
    const c8 = await get(
      sim,
      `/comments?updatedDate=${q({ start: '2023-12-20T00:00:00Z', end: '2023-12-28T00:00:00Z' })}`,
    );
    expect(c8.status).toBe(400);
    expect(c8.body).toEqual({
      errorDescription: expect.stringContaining('7 days'),
      error: 'invalid_parameter',
    });
    const c6 = await ok(
      sim,
      `/comments?updatedDate=${q({ start: '2023-12-20T00:00:00Z', end: '2023-12-26T00:00:00Z' })}`,
    );
    for (const c of c6.data) {
      const u = String(c.updatedDate);
      expect(u >= '2023-12-20T00:00:00Z' && u < '2023-12-26T00:00:00Z').toBe(true);
      expect(c.taskId ?? c.folderId).toMatch(ID);
    }
    expect((await get(sim, `/comments?updatedDate=${q({ start: '2023-12-01T00:00:00Z' })}`)).status).toBe(
      400,
    );
    const a0 = await get(sim, '/attachments');
    expect(a0.status).toBe(400);
    expect(a0.body.error).toBe('parameter_required');
    expect(
      (
        await get(
          sim,
          `/attachments?createdDate=${q({ start: '2023-11-01T00:00:00Z', end: '2023-12-03T00:00:00Z' })}`,
        )
      ).status,
    ).toBe(400);
    const a30 = await ok(
      sim,
      `/attachments?withUrls=true&createdDate=${q({ start: '2023-11-01T00:00:00Z', end: '2023-12-01T00:00:00Z' })}`,
    );
    expect(a30.data.length).toBeGreaterThan(0);
    for (const a of a30.data) {
      const c = String(a.createdDate);
      expect(c >= '2023-11-01T00:00:00Z' && c < '2023-12-01T00:00:00Z').toBe(true);
      expect(a.url).toMatch(/^https:/);
    }
  });

  it('answers unknown methods and write calls with Wrike errors', async () => {
    const r = await get(sim, '/nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('method_not_found');
    const w = await fetch(`${sim.baseUrl}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(w.status).toBe(403);
    expect(((await w.json()) as { error: string }).error).toBe('access_forbidden');
  });
});

function stripOptionalFolderFields(r: Record<string, unknown>): Record<string, unknown> {
  const { attachmentCount: _a, space: _s, ...rest } = r;
  if (rest.project) {
    const { contractType: _c, ...p } = rest.project as Record<string, unknown>;
    rest.project = p;
  }
  return rest;
}

describe('Wrike simulator: clock and incremental sync', () => {
  let sim: WrikeSimulator;
  beforeAll(async () => {
    sim = await startWrikeSimulator({ rateLimit: false, seed: 11, tasks: 3000 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('after advanceClock, updatedDate={"start": lastSync} returns exactly the tasks created or updated since', async () => {
    const full = (await paginate(sim, '/tasks?pageSize=1000')).flatMap((p) => p.data);
    expect(full).toHaveLength(3000);
    const lastSync = sim.now().toISOString().replace('.000Z', 'Z');
    sim.advanceClock(2 * 86_400_000);
    const delta = (await paginate(sim, `/tasks?pageSize=1000&updatedDate=${q({ start: lastSync })}`)).flatMap(
      (p) => p.data,
    );
    const truth = await all(sim.records('tasks'));
    const expected = truth.filter((t) => (t.updatedDate as string) >= lastSync);
    expect(delta).toEqual(expected);
    const before = new Map(full.map((t) => [t.id, t]));
    const created = delta.filter((t) => !before.has(t.id));
    const updated = delta.filter((t) => before.has(t.id));
    expect(created.length).toBeGreaterThan(0);
    expect(updated.length).toBeGreaterThan(0);
    for (const t of created) expect(String(t.createdDate) >= lastSync).toBe(true);
    for (const t of updated) {
      const old = before.get(t.id)!;
      expect(String(t.updatedDate) > String(old.updatedDate)).toBe(true);
      expect(t.title).not.toBe(old.title);
    }
    // Merging the delta into the first sync gives the current state exactly.
    const merged = new Map(before);
    for (const t of delta) merged.set(t.id, t);
    expect([...merged.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(truth);
  });

  it('the clock control endpoint moves the clock; folders and timelogs follow', async () => {
    const start = sim.now().toISOString().replace('.000Z', 'Z');
    const projectsBefore = (await ok(sim, '/folders?project=false')).data.length;
    const res = await fetch(`${sim.origin}/__sim/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 10 * 86_400_000 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { now: string }).now).toBe(
      new Date(Date.parse(start) + 10 * 86_400_000).toISOString(),
    );
    const changedFolders = await ok(sim, `/folders?updatedDate=${q({ start })}`);
    expect(changedFolders.data.length).toBeGreaterThan(0);
    expect(
      (await ok(sim, '/folders?project=true')).data.length +
        (await ok(sim, '/folders?project=false')).data.length,
    ).toBeGreaterThanOrEqual(projectsBefore + 20);
    const tl = (await ok(sim, `/timelogs?updatedDate=${q({ start })}`)).data;
    const truth = (await all(sim.records('timelogs'))).filter((t) => (t.updatedDate as string) >= start);
    expect(tl.map((t) => t.id)).toEqual(truth.map((t) => t.id));
    expect(tl.length).toBeGreaterThan(0);
  });
});

describe('Wrike simulator: determinism and scale', () => {
  it('the same seed gives the same data, another seed different data', async () => {
    const a = await startWrikeSimulator({ rateLimit: false, seed: 5 });
    const b = await startWrikeSimulator({ rateLimit: false, seed: 5 });
    const c = await startWrikeSimulator({ rateLimit: false, seed: 6 });
    try {
      for (const path of [
        '/tasks?pageSize=50&fields=["customFields","description"]',
        '/contacts',
        '/folders',
        '/timelogs?pageSize=20',
      ]) {
        expect(await ok(a, path)).toEqual(await ok(b, path));
        expect(await ok(a, path)).not.toEqual(await ok(c, path));
      }
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('serves a million tasks without materialising them', async () => {
    const sim = await startWrikeSimulator({ rateLimit: false, tasks: 1_000_000 });
    try {
      const heap = process.memoryUsage().heapUsed;
      const first = await ok(sim, '/tasks?pageSize=1000');
      expect(first.responseSize).toBe(1_000_000);
      // Jump straight to the last page through a token for the last offset.
      let body = first;
      for (let k = 0; k < 3; k++) body = await ok(sim, `/tasks?nextPageToken=${q(body.nextPageToken!)}`);
      expect(decode(String(body.data[0]!.id).slice(10)) - 1).toBe(3000);
      const filtered = await ok(
        sim,
        `/tasks?pageSize=10&updatedDate=${q({ start: '2023-12-31T00:00:00Z' })}`,
      );
      expect(filtered.responseSize).toBeGreaterThan(0);
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(200 * 1024 * 1024);
    } finally {
      await sim.close();
    }
  });
});
