// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * A new source from zero, as a user does it with the real `floe` command: `floe init --blank`,
 * `floe config new l1` probing an API floe has no pack for (a small HTTP server in this test: an
 * API key header, `{meta, data: {items}}` envelope, offset + Link header pagination, nested
 * records, `updated_since`), `floe run`, `floe table read`, then `floe state show|set|reset` and
 * `floe history --failed`. Also: `floe run` in a blank project says what to do, an unknown
 * `--platform` names the packs and `--blank`, and an L1-only project hears nothing about L2.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const API_KEY = 'hd-secret-5f1c9e2a7b';

/** The test API: 7 tickets, newest update last; `updated_since` filters, offset/limit pages. */
const TICKETS = Array.from({ length: 7 }, (_, i) => ({
  id: 100 + i,
  subject: `ticket ${i}`,
  customer: { id: `c${i % 3}`, name: `Customer ${i % 3}` },
  created_at: `2024-03-0${i + 1}T08:00:00Z`,
  updated_at: `2024-04-0${i + 1}T09:30:00Z`,
  sla_minutes: i % 2 === 0 ? 90 : '90',
}));

let server: Server;
let base: string;
const requests: { url: string; key: string | undefined }[] = [];

function serve(req: IncomingMessage, res: import('node:http').ServerResponse) {
  const url = new URL(req.url ?? '/', base);
  const key =
    (req.headers['x-api-key'] as string | undefined) ?? url.searchParams.get('api_key') ?? undefined;
  requests.push({ url: url.pathname + url.search, key });
  if (key !== API_KEY) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid api key' }));
    return;
  }
  const since = url.searchParams.get('updated_since');
  const rows = TICKETS.filter((t) => since === null || Date.parse(t.updated_at) >= Date.parse(since));
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 3);
  const page = rows.slice(offset, offset + limit);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (offset + limit < rows.length) {
    const next = new URL(url);
    next.searchParams.set('offset', String(offset + limit));
    next.searchParams.set('limit', String(limit));
    headers.link = `<${next}>; rel="next"`;
  }
  res.writeHead(200, headers);
  res.end(JSON.stringify({ meta: { total: rows.length, offset, limit }, data: { items: page } }));
}

let work: string;
let proj: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function floe(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: opts.cwd ?? work, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'floe-authoring-'));
  proj = join(work, 'helpdesk-lake');
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('a new source from zero', () => {
  it('floe init --platform <unknown> names the packs and suggests --blank', async () => {
    const r = await floe(['init', join(work, 'other'), '--platform', 'helpdesk']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no connector pack for platform 'helpdesk'");
    expect(r.stderr).toMatch(/wrike, cvent, eloqua, medallia|wrike.*cvent/);
    expect(r.stderr).toContain('floe init --blank');
    expect(existsSync(join(work, 'other', 'floe.yaml'))).toBe(false);
  });

  it('floe init --blank writes floe.yaml and empty folders, no pack; floe.yaml points at docs/', async () => {
    const r = await floe(['init', proj, '--blank']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(proj, 'configs', 'l1'))).toEqual([]);
    expect(readdirSync(join(proj, 'configs', 'l2'))).toEqual([]);
    const yaml = readFileSync(join(proj, 'floe.yaml'), 'utf8');
    expect(yaml).toContain('docs/config-reference.md');
    expect(yaml).not.toMatch(/src\//);
    expect(r.stdout).toContain('floe config new l1');
  });

  it('floe run in a blank project says what to do', async () => {
    const r = await floe(['run', '--project', proj]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the project has no L1 configs');
    expect(r.stderr).toContain('floe config new l1 --name');
  });

  it('floe config new l1 probes once with the secret, and writes a commented config it detected', async () => {
    writeFileSync(join(proj, '.floe', 'secrets.yaml'), `helpdesk-api-key: ${API_KEY}\n`, { mode: 0o600 });
    requests.length = 0;
    const r = await floe([
      'config',
      'new',
      'l1',
      '--name',
      'Helpdesk_Tickets',
      '--url',
      `${base}/tickets?limit=3`,
      '--auth',
      'api-key',
      '--key-name',
      'X-Api-Key',
      '--project',
      proj,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(requests).toEqual([{ url: '/tickets?limit=3', key: API_KEY }]);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    const file = join(proj, 'configs', 'l1', 'helpdesk-tickets.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('dataPath: "$.data.items"');
    expect(text).toContain('type: link_header');
    expect(text).toMatch(/Also possible: pagination type offset .*\$\.meta\.total/);
    expect(text).toContain('cursorField: "updated_at"');
    expect(text).toContain('primaryKey: ["id"]');
    expect(text).toContain('name: "X-Api-Key"');
    expect(r.stdout).toContain('cursor candidates: updated_at');
    const v = await floe(['config', 'validate', proj]);
    expect(v.code, v.stdout).toBe(0);
  });

  it('floe run loads every page into the table; no L2 line in an L1-only project', async () => {
    const r = await floe(['run', '--project', proj]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).not.toMatch(/no L2 configs/);
    expect(jsonLines(r.stdout).filter((l) => l.processType === 'L2')).toEqual([]);
    const rows = jsonLines(
      (await floe(['table', 'read', 'helpdesk_staging.tickets', '--project', proj])).stdout,
    );
    expect(rows.map((x) => Number(x.id)).sort()).toEqual(TICKETS.map((t) => t.id));
  });

  it('floe state show prints the cursor, status, last run and the next fetch', async () => {
    // Switch to incremental as the comments in the config say.
    const file = join(proj, 'configs', 'l1', 'helpdesk-tickets.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('  # incremental:', '  incremental:')
      .replace('  #   cursorField:', '    cursorField:')
      .replace('  #   params: { updated_since: "${start}" }', '    params: { updated_since: "${start}" }')
      .replace('loadType: FULL', 'loadType: INCREMENTAL')
      .replace('  # lastUpdatedColumn: "updated_at"', '  lastUpdatedColumn: "updated_at"');
    writeFileSync(file, text);
    expect((await floe(['config', 'validate', proj])).code).toBe(0);
    const run = await floe(['run', '--project', proj]);
    expect(run.code, run.stderr).toBe(0);
    const r = await floe(['state', 'show', 'Helpdesk_Tickets', '--project', proj]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cursor:\s+2024-04-07T09:30:00/);
    expect(r.stdout).toMatch(/status:\s+COMPLETED/);
    expect(r.stdout).toMatch(/last history row: L1 SUCCESS/);
    expect(r.stdout).toMatch(/last error:\s+\(none\)/);
    expect(r.stdout).toContain('next run:');
  });

  it('floe state set asks first, says what the next run re-fetches, then moves the cursor', async () => {
    const show = () => floe(['state', 'show', 'Helpdesk_Tickets', '--project', proj]);
    const refused = await floe([
      'state',
      'set',
      'Helpdesk_Tickets',
      '--cursor',
      '2024-04-05T00:00:00Z',
      '--project',
      proj,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('re-fetches the records updated since 2024-04-05T00:00:00Z');
    expect(refused.stderr).toContain('nothing changed: pass --yes');
    expect((await show()).stdout).toMatch(/cursor:\s+2024-04-07T09:30:00/);

    const past = await floe([
      'state',
      'set',
      'Helpdesk_Tickets',
      '--cursor',
      '2030-01-01T00:00:00Z',
      '--yes',
      '--project',
      proj,
    ]);
    expect(past.code).not.toBe(0);
    expect(past.stderr).toContain('is past the newest commit');

    const done = await floe([
      'state',
      'set',
      'Helpdesk_Tickets',
      '--cursor',
      '2024-04-05T00:00:00Z',
      '--yes',
      '--project',
      proj,
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect((await show()).stdout).toMatch(/cursor:\s+2024-04-05T00:00:00Z/);
    requests.length = 0;
    expect((await floe(['run', '--project', proj])).code).toBe(0);
    expect(requests[0]?.url).toContain('updated_since=2024-04-05T00%3A00%3A00Z');
    // MERGE by id: the window read again replaced rows, nothing doubled.
    const rows = jsonLines(
      (await floe(['table', 'read', 'helpdesk_staging.tickets', '--project', proj])).stdout,
    );
    expect(rows.length).toBe(TICKETS.length);
  });

  it('floe state reset <configId> asks first, then forgets cursor and status', async () => {
    const refused = await floe(['state', 'reset', 'Helpdesk_Tickets', '--project', proj]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('next run: resumes from 2024-04-07T09:30:00');
    const done = await floe(['state', 'reset', 'Helpdesk_Tickets', '--yes', '--project', proj]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('reset the state of config Helpdesk_Tickets');
    const after = await floe(['state', 'show', 'Helpdesk_Tickets', '--project', proj]);
    expect(after.stdout).toMatch(/state:\s+none/);
    expect(after.stdout).toMatch(/next run:\s+resumes from 2024-04-07T09:30:00/);
  });

  it('floe history --config X --failed shows only the failed runs', async () => {
    writeFileSync(join(proj, '.floe', 'secrets.yaml'), 'helpdesk-api-key: wrong-key\n', { mode: 0o600 });
    const failed = await floe(['run', '--project', proj]);
    expect(failed.code).not.toBe(0);
    const all = jsonLines(
      (await floe(['history', '--config', 'Helpdesk_Tickets', '--project', proj])).stdout,
    );
    expect(all.map((h) => h.lastRunStatus)).toContain('SUCCESS');
    const only = jsonLines(
      (await floe(['history', '--config', 'Helpdesk_Tickets', '--failed', '--project', proj])).stdout,
    );
    expect(only.length).toBe(1);
    expect(only[0]).toMatchObject({ configId: 'Helpdesk_Tickets', lastRunStatus: 'FAILED' });
    expect(only[0].error).toContain('401');
    const show = await floe(['state', 'show', 'Helpdesk_Tickets', '--project', proj]);
    expect(show.stdout).toMatch(/status:\s+FAILED/);
    expect(show.stdout).toMatch(/last error:\s+\S/);
  });

  it('an API key sent as a query parameter never shows in what floe prints, even on a 401', async () => {
    const newConfig = (name: string) =>
      floe([
        'config',
        'new',
        'l1',
        '--name',
        name,
        '--url',
        `${base}/tickets`,
        '--auth',
        'api-key',
        '--key-in',
        'query',
        '--key-name',
        'api_key',
        '--token-key',
        'helpdesk-query-key',
        '--project',
        proj,
      ]);
    const wrong = 'wrong-query-key-8d2f41';
    writeFileSync(join(proj, '.floe', 'secrets.yaml'), `helpdesk-query-key: ${wrong}\n`, { mode: 0o600 });
    const failed = await newConfig('Helpdesk_Query');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('401');
    expect(failed.stdout + failed.stderr).not.toContain(wrong);
    expect(existsSync(join(proj, 'configs', 'l1', 'helpdesk-query.yaml'))).toBe(false);

    writeFileSync(join(proj, '.floe', 'secrets.yaml'), `helpdesk-query-key: ${API_KEY}\n`, { mode: 0o600 });
    requests.length = 0;
    const ok = await newConfig('Helpdesk_Query');
    expect(ok.code, ok.stderr).toBe(0);
    expect(requests[0]?.url).toContain(`api_key=${API_KEY}`);
    expect(ok.stdout).toContain(`probed GET ${base}/tickets → HTTP 200`);
    expect(ok.stdout + ok.stderr).not.toContain(API_KEY);
    const text = readFileSync(join(proj, 'configs', 'l1', 'helpdesk-query.yaml'), 'utf8');
    expect(text).toContain('in: "query"');
    expect(text).not.toContain(API_KEY);
  });
});
