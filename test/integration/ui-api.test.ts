/**
 * `floe ui`'s JSON API and its guard, over a small project (history rows and tables made through
 * the library): requests naming another Host (DNS rebinding) or coming from another Origin are
 * refused, anything but GET too; with a token every request must carry it (cookie from the first
 * `?token=` load, or a Bearer header); every answer carries the page's CSP. Rows page without
 * repeats or gaps; bad parameters are 400s, unknown things 404s; the catalog is opened read-only.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { SqlCatalog } from '../../src/iceberg/index.js';
import { startUiServer, type UiServer } from '../../src/ui/server.js';
import { type ScaleProject, scaleProject } from '../support/ui-scale-project.js';

let project: ScaleProject;
let server: UiServer;
let guarded: UiServer;
const TOKEN = 'test-token-0123456789abcdef';

beforeAll(async () => {
  project = await scaleProject({ configs: 3, runs: 4 });
  server = await startUiServer({ project: project.dir, port: 0 });
  guarded = await startUiServer({ project: project.dir, port: 0, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  if (project) rmSync(project.dir, { recursive: true, force: true });
});

/** A raw request, so Host and Origin can be anything. */
function raw(
  s: UiServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => {
        body += b.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('floe ui guard', () => {
  it('answers its own Host and refuses others (DNS rebinding)', async () => {
    expect((await raw(server, '/api/runs')).status).toBe(200);
    expect((await raw(server, '/api/runs', { host: `localhost:${server.port}` })).status).toBe(200);
    const r = await raw(server, '/api/runs', { host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain('Host');
    expect((await raw(server, '/', { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('refuses requests from other origins and cross-site fetches; allows its own', async () => {
    expect((await raw(server, '/api/runs', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw(server, '/api/runs', { origin: 'null' })).status).toBe(403);
    expect((await raw(server, '/api/runs', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await raw(server, '/api/runs', { origin: server.origin })).status).toBe(200);
  });

  it('is read-only: anything but GET is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'])
      expect((await raw(server, '/api/runs', {}, method)).status, method).toBe(405);
  });

  it('with a token, every request needs it; the first ?token= load trades it for a strict cookie', async () => {
    expect((await raw(guarded, '/')).status).toBe(401);
    expect((await raw(guarded, '/api/runs')).status).toBe(401);
    expect((await raw(guarded, '/assets/app.js')).status).toBe(401);
    expect((await raw(guarded, '/api/runs', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(
      401,
    );
    expect((await raw(guarded, '/api/runs', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const first = await raw(guarded, `/?token=${TOKEN}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = cookie.split(';')[0]!;
    expect((await raw(guarded, '/', { cookie: jar })).status).toBe(200);
    expect((await raw(guarded, '/api/health', { cookie: jar })).status).toBe(200);
    // The token does not make another origin acceptable.
    expect((await raw(guarded, '/api/runs', { cookie: jar, origin: 'http://evil.example' })).status).toBe(
      403,
    );
  });

  it("every answer carries the page's Content-Security-Policy and no CORS grant", async () => {
    for (const path of ['/', '/api/runs', '/assets/app.js']) {
      const r = await raw(server, path);
      expect(r.headers['content-security-policy'], path).toContain("script-src 'self'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('floe ui API', () => {
  const get = async (path: string) => {
    const res = await fetch(`${server.origin}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('pages a table without repeats or gaps, with columns and a filter', async () => {
    const table = project.smallFilesTable; // 12 appends of 20 rows, in 12 files
    const ids: string[] = [];
    for (let offset = 0; ; offset += 50) {
      const r = await get(`/api/tables/${table}/rows?offset=${offset}&limit=50&columns=id`);
      expect(r.status).toBe(200);
      ids.push(...(r.body.rows as string[][]).map((row) => row[0]!));
      if (!r.body.hasMore) break;
    }
    expect(ids).toHaveLength(240);
    expect(new Set(ids).size).toBe(240);
    const filtered = await get(
      `/api/tables/${table}/rows?where=${encodeURIComponent('id < 5 AND amount >= 3')}`,
    );
    expect(filtered.status).toBe(200);
    // Ids 0..239 once each; in the first append amount = 1.5 × id.
    expect((filtered.body.rows as string[][]).map((r) => r[0]).sort()).toEqual(['2', '3', '4']);
    expect(filtered.body.columns).toEqual([
      { name: 'id', id: 1, type: 'long' },
      { name: 'name', id: 2, type: 'string' },
      { name: 'amount', id: 3, type: 'double' },
    ]);
  });

  it('says what is wrong with a request: 400 for bad parameters, 404 for unknown things', async () => {
    const t = project.tables[1]!;
    for (const [path, status] of [
      [`/api/tables/${t}/rows?where=${encodeURIComponent('nope = 1')}`, 400],
      [`/api/tables/${t}/rows?where=${encodeURIComponent('id = ')}`, 400],
      [`/api/tables/${t}/rows?columns=id,nope`, 400],
      [`/api/tables/${t}/rows?limit=100000`, 400],
      ['/api/tables/no_such.table', 404],
      ['/api/runs?status=GREAT', 400],
      ['/api/runs?since=yesterday', 400],
      ['/api/runs/..%2F..%2Fetc', 400],
      ['/api/runs/run-none', 404],
      ['/api/configs/Nope', 404],
      ['/api/nothing', 404],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(typeof r.body.error, path).toBe('string');
    }
  });

  it("a run's detail is the report's rendering of its history rows", async () => {
    const first = await get(`/api/runs/${project.runIds[0]}`);
    expect(first.status).toBe(200);
    expect((first.body.results as unknown[]).length).toBe(3);
    expect(first.body.html).toContain('class="floe-run-configs"');
    expect(first.body.html).toContain('All 3 configs succeeded');
    // The fixture's failing config failed the last two runs.
    const last = await get(`/api/runs/${project.runIds[3]}`);
    expect(last.body.html).toContain('1 of 3 configs failed');
    expect((last.body.results as { configId: string; status: string }[])[0]).toMatchObject({
      configId: project.failing,
      status: 'FAILED',
    });
  });

  it('a project that never ran shows no runs and no tables, and gets no state database or catalog', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'floe-ui-fresh-'));
    await scaffoldProject({ dir: fresh, platform: 'wrike', baseUrl: 'http://127.0.0.1:9' });
    const s = await startUiServer({ project: fresh, port: 0 });
    try {
      const runs = (await (await fetch(`${s.origin}/api/runs`)).json()) as {
        runs: unknown[];
        facets: { configs: string[] };
      };
      expect(runs.runs).toEqual([]);
      expect(runs.facets.configs).toContain('Wrike_Tasks');
      expect(await (await fetch(`${s.origin}/api/tables`)).json()).toEqual({ tables: [] });
      const cfg = (await (await fetch(`${s.origin}/api/configs/Wrike_Tasks`)).json()) as {
        history: unknown[];
      };
      expect(cfg.history).toEqual([]);
      expect((await fetch(`${s.origin}/api/health`)).status).toBe(200);
    } finally {
      await s.close();
    }
    expect(existsSync(join(fresh, '.floe', 'state.db'))).toBe(false);
    expect(existsSync(join(fresh, '.floe', 'catalog.db'))).toBe(false);
    rmSync(fresh, { recursive: true, force: true });
  });

  it('opens the catalog read-only: a write through it fails', async () => {
    const c = new SqlCatalog({
      name: 'floe',
      path: join(project.dir, '.floe', 'catalog.db'),
      warehouse: join(project.dir, 'warehouse'),
      readonly: true,
    });
    try {
      expect((await c.entries()).length).toBe(3);
      await expect(c.createNamespace(['nope'])).rejects.toThrow(/readonly/i);
    } finally {
      await c.close();
    }
  });
});
