// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * The new-user path on an API no connector pack knows, with the real `floe` command as a user
 * types it: `floe init --blank`, the API key in the project's secrets file, `floe config new l1`,
 * `floe source preview` (requests with the key redacted, records, the inferred schema with its
 * type conflict; nothing written), editing the config to MERGE + incremental, `floe run --dry-run`,
 * `floe run`, `floe table read`, then the simulator's clock moves and a second run fetches only
 * the changes. PyIceberg reads the table back and it equals the simulator's ground truth.
 *
 * The API is `floe sim helpdesk` (src/sim/helpdesk), built unlike Wrike: an X-Api-Key header,
 * offset + RFC 8288 Link paging, `updated_since`, records in a `{data: {tickets}}` envelope with
 * nested objects, ISO-8601 times and `sla_minutes`, a number some tickets send as a string.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HelpdeskSimulator,
  type HelpdeskTicket,
  startHelpdeskSimulator,
} from '../../src/sim/helpdesk/index.js';
import { dumpValues, interopAvailable } from '../support/interop.js';

const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const API_KEY = 'hd-live-key-93b1f0c2d7';
const PAGE = 20;
const TABLE = 'helpdesk_staging.tickets';

/**
 * The column types, in one place. Before the config declares anything (the preview), ISO-8601
 * times are detected as timestamptz, and `sla_minutes` (a number some tickets send as "90") is a
 * string with a noted type conflict. The edited config declares `sla_minutes: {type: int}`, so
 * the run writes it as int, converted by DuckDB.
 */
const PREVIEW_TYPES: Record<string, string> = {
  id: 'long',
  subject: 'string',
  status: 'string',
  priority: 'string',
  sla_minutes: 'string',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  tags: 'list<string>',
};
/** Columns whose preview type comes from a conflict the preview notes. */
const CONFLICT_COLUMNS = ['sla_minutes'];
const EXPECTED_TYPES: Record<string, string> = { ...PREVIEW_TYPES, sla_minutes: 'int' };

/** A ticket field as `floe table read` (JSON lines) or PyIceberg's text dump shows it. */
function stored(column: string, value: unknown, reader: 'floe' | 'pyiceberg' = 'pyiceberg'): unknown {
  const type = EXPECTED_TYPES[column];
  if (value === null) return null;
  if (type === 'string') return String(value);
  if (type === 'long' || type === 'int') return reader === 'floe' ? Number(value) : String(Number(value));
  if (type === 'list<string>') return (value as unknown[]).map(String);
  if (type === 'timestamptz') {
    const ms = Date.parse(String(value));
    return reader === 'floe'
      ? new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00')
      : new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '+00:00');
  }
  throw new Error(`no stored form for ${column} of type ${type}: add it here`);
}

let sim: HelpdeskSimulator;
let work: string;
let proj: string;
let python: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function floe(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: work, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
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
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The API's order: oldest update first, then id. */
const byUpdate = (a: HelpdeskTicket, b: HelpdeskTicket) =>
  a.updated_at.localeCompare(b.updated_at) || a.id - b.id;

/** The row of the preview's schema table for a column: `column  type  source  note`. */
function schemaRow(out: string, column: string): string[] | undefined {
  const line = out.split('\n').find((l) => l.trim().split(/\s{2,}/)[0] === column);
  return line?.trim().split(/\s{2,}/);
}

/** What holds state: nothing may appear here before the first run. */
function written(): string[] {
  const found: string[] = [];
  for (const f of ['state.db', 'catalog.db', 'run.lock', 'logs', 'reports', 'tmp'])
    if (existsSync(join(proj, '.floe', f))) found.push(`.floe/${f}`);
  const wh = join(proj, 'warehouse');
  if (existsSync(wh) && readdirSync(wh).length > 0) found.push('warehouse/*');
  return found;
}

beforeAll(async () => {
  python = interopAvailable();
  sim = await startHelpdeskSimulator({ tickets: 60, seed: 7, apiKey: API_KEY });
  work = mkdtempSync(join(tmpdir(), 'floe-new-user-'));
  proj = join(work, 'helpdesk-lake');
});

afterAll(async () => {
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the new-user path on an API floe has no pack for', () => {
  it('floe init --blank, the key in the secrets file, floe config new l1 detects the API', async () => {
    const init = await floe(['init', proj, '--blank']);
    expect(init.code, init.stderr).toBe(0);
    writeFileSync(join(proj, '.floe', 'secrets.yaml'), `helpdesk-api-key: ${API_KEY}\n`, { mode: 0o600 });
    const r = await floe([
      'config',
      'new',
      'l1',
      '--name',
      'Helpdesk_Tickets',
      '--url',
      `${sim.baseUrl}/tickets?limit=${PAGE}`,
      '--auth',
      'api-key',
      '--key-name',
      'X-Api-Key',
      '--project',
      proj,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    const text = readFileSync(join(proj, 'configs', 'l1', 'helpdesk-tickets.yaml'), 'utf8');
    expect(text).toContain('dataPath: "$.data.tickets"');
    expect(text).toContain('type: link_header');
    expect(text).toContain('primaryKey: ["id"]');
  });

  it('floe source preview shows the request (key redacted), the records and the inferred schema, and writes nothing', async () => {
    const firstPage = sim.tickets().sort(byUpdate).slice(0, PAGE);
    // The type conflict this test expects must be on the page the preview fetches.
    expect(new Set(firstPage.map((t) => typeof t.sla_minutes))).toEqual(new Set(['number', 'string']));

    const r = await floe(['source', 'preview', 'Helpdesk_Tickets', '--project', proj]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = r.stdout;
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    expect(out).toMatch(
      new RegExp(
        `GET ${sim.baseUrl}/tickets\\?limit=${PAGE} → 200 in \\d+ ms, \\d+ bytes, ${PAGE} records selected`,
      ),
    );
    expect(out).toContain('X-Api-Key: ***');
    expect(out).toContain('1 page, 20 records (stopped at --pages');
    // The first records, as the dataPath selects them.
    expect(out).toContain(`{"id":${firstPage[0]!.id},"subject":${JSON.stringify(firstPage[0]!.subject)}`);
    // The schema a run would infer: each column's type and source key, the conflict noted.
    for (const [column, type] of Object.entries(PREVIEW_TYPES))
      expect(schemaRow(out, column)?.slice(0, 3), column).toEqual([column, type, column]);
    expect(schemaRow(out, 'updated_at')?.[3]).toMatch(/ISO-8601 date-time: stored as timestamptz/);
    expect(schemaRow(out, 'requester.email')).toEqual(['requester.email', 'string', 'requester.email']);
    expect(schemaRow(out, 'requester')?.[1]).toBe('struct');
    for (const column of CONFLICT_COLUMNS)
      expect(schemaRow(out, column)?.[3]).toMatch(/holds both integer and string values/);
    expect(out).toMatch(/table:\s+helpdesk_staging\.tickets \(does not exist yet/);
    expect(out).toMatch(/mode:\s+MERGE by id/);
    expect(written()).toEqual([]);

    // --pages 2 --raw --json: the Link header's next page, and the first body, for scripts.
    const j = await floe([
      'source',
      'preview',
      'Helpdesk_Tickets',
      '--pages',
      '2',
      '--raw',
      '--json',
      '--project',
      proj,
    ]);
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout).not.toContain(API_KEY);
    const doc = JSON.parse(j.stdout) as {
      requests: { url: string; status: number; records: number; headers: Record<string, string> }[];
      records: number;
      raw: { body: string };
      schema: { column: string; type: string; source: string; note?: string }[];
      write: { exists: boolean; primaryKey: string[] };
    };
    expect(doc.requests.map((q) => [q.status, q.records])).toEqual([
      [200, PAGE],
      [200, PAGE],
    ]);
    expect(doc.requests[1]!.url).toContain(`offset=${PAGE}`);
    expect(doc.requests[0]!.headers['X-Api-Key']).toBe('***');
    expect(doc.raw.body).toContain('"tickets"');
    expect(doc.raw.body).toContain('"total": 60');
    expect(doc.raw.body).toContain(`"… ${PAGE - 2} more"`);
    expect(doc.write).toMatchObject({ exists: false, primaryKey: ['id'] });
    expect(written()).toEqual([]);
  });

  it('edit the config to incremental; floe run --dry-run previews it; floe run loads every ticket', async () => {
    const file = join(proj, 'configs', 'l1', 'helpdesk-tickets.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('  # incremental:', '  incremental:')
      .replace('  #   cursorField:', '    cursorField:')
      .replace('  #   params: { updated_since: "${start}" }', '    params: { updated_since: "${start}" }')
      .replace('loadType: FULL', 'loadType: INCREMENTAL')
      .replace(
        '  # lastUpdatedColumn: "updated_at"',
        '  lastUpdatedColumn: "updated_at"\n  columns:\n    sla_minutes: { type: int }',
      );
    expect(text).toContain('    params: { updated_since: "${start}" }');
    writeFileSync(file, text);

    const dry = await floe(['run', '--dry-run', '--project', proj]);
    expect(dry.code, dry.stderr + dry.stdout).toBe(0);
    expect(dry.stdout).toContain('config Helpdesk_Tickets (L1, INCREMENTAL)');
    expect(dry.stdout).toContain('cursor: none (no cursor yet');
    expect(dry.stdout).toMatch(/updated:\s+updated_at \(lastUpdatedColumn\)/);
    expect(dry.stdout).toContain(
      'dry run: 1 L1 config(s) previewed, 0 L2 config(s) listed; nothing was written',
    );
    expect(dry.stdout + dry.stderr).not.toContain(API_KEY);
    // The Glue spelling of the same.
    const glue = await floe([
      'run',
      '--DRY_RUN',
      'true',
      '--CONFIG_ID',
      'Helpdesk_Tickets',
      '--project',
      proj,
    ]);
    expect(glue.code, glue.stderr).toBe(0);
    expect(glue.stdout).toContain('dry run: 1 L1 config(s) previewed');
    expect(written()).toEqual([]);

    const run = await floe(['run', '--project', proj]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // Declared: no type conflict to report any more.
    for (const column of CONFLICT_COLUMNS) expect(run.stderr).not.toContain(`schema: column ${column}`);
    const rows = jsonLines((await floe(['table', 'read', TABLE, '--project', proj])).stdout);
    const truth = sim.tickets();
    expect(rows.map((x) => Number(x.id)).sort((a, b) => a - b)).toEqual(truth.map((t) => t.id));
    const row = rows.find((x) => Number(x.id) === truth[0]!.id)!;
    expect(row.sla_minutes).toBe(stored('sla_minutes', truth[0]!.sla_minutes, 'floe'));
    expect(row.updated_at).toBe(stored('updated_at', truth[0]!.updated_at, 'floe'));
  });

  it('after the clock moves, a preview shows the saved cursor and moves nothing; the run fetches only the changes', async () => {
    sim.advanceClock(36 * 3600_000);
    const truth = sim.tickets();
    const stateShow = async () =>
      (await floe(['state', 'show', 'Helpdesk_Tickets', '--project', proj])).stdout;
    const history = async () =>
      jsonLines((await floe(['history', '--config', 'Helpdesk_Tickets', '--project', proj])).stdout).length;
    const before = { state: await stateShow(), history: await history() };

    // A run holding the project lock does not stop a preview (it reads only committed data).
    const lock = join(proj, '.floe', 'run.lock');
    writeFileSync(
      lock,
      `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), runId: 'run-held-by-test' })}\n`,
    );
    const p = await floe(['source', 'preview', 'Helpdesk_Tickets', '--json', '--project', proj]);
    rmSync(lock);
    expect(p.code, p.stderr).toBe(0);
    const doc = JSON.parse(p.stdout) as {
      cursor: { start: string; why: string };
      requests: { url: string }[];
      write: { exists: boolean; newColumns: string[] };
    };
    expect(doc.cursor.why).toContain('saved cursor');
    expect(doc.requests[0]!.url).toContain(`updated_since=${encodeURIComponent(doc.cursor.start)}`);
    expect(doc.write).toEqual(expect.objectContaining({ exists: true, newColumns: [] }));
    expect({ state: await stateShow(), history: await history() }).toEqual(before);

    const changed = truth.filter((t) => Date.parse(t.updated_at) >= Date.parse(doc.cursor.start));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(truth.length);
    const run = await floe(['run', '--project', proj]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const result = jsonLines(run.stdout).find((l) => l.configId === 'Helpdesk_Tickets' && l.status);
    expect(result?.records).toBe(changed.length);

    const rows = jsonLines((await floe(['table', 'read', TABLE, '--project', proj])).stdout);
    expect(rows.length).toBe(truth.length);
    for (const t of truth) {
      const row = rows.find((x) => Number(x.id) === t.id);
      expect(row?.updated_at, String(t.id)).toBe(stored('updated_at', t.updated_at, 'floe'));
      expect(row?.status, String(t.id)).toBe(t.status);
    }
  });

  it('PyIceberg reads the table back: the declared and detected types, and the simulator’s tickets', async () => {
    expect(python).toBeTruthy();
    const { schema, rows } = await dumpValues(
      { name: 'floe', db: join(proj, '.floe', 'catalog.db'), warehouse: join(proj, 'warehouse') },
      TABLE,
    );
    for (const [column, type] of Object.entries(EXPECTED_TYPES)) expect(schema[column], column).toBe(type);
    expect(schema.requester).toMatch(
      /^struct<.*id: optional long.*name: optional string.*email: optional string>$/,
    );
    const truth = sim.tickets();
    expect(rows.length).toBe(truth.length);
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const t of truth) {
      const row = byId.get(String(t.id));
      expect(row, `ticket ${t.id}`).toBeDefined();
      for (const column of Object.keys(EXPECTED_TYPES))
        expect(row![column], `${t.id}.${column}`).toEqual(stored(column, t[column as keyof HelpdeskTicket]));
      expect(row!.requester).toEqual({
        id: String(t.requester.id),
        name: t.requester.name,
        email: t.requester.email,
      });
      expect(row!.assignee).toEqual(t.assignee ? { id: String(t.assignee.id), name: t.assignee.name } : null);
    }
  });
});
