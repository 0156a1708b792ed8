// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * `floe source preview` and `floe run --dry-run` beyond the happy path (the new-user path test has
 * that): a rejected key (the 401 shown, the key not, nothing written), a preview against an
 * existing table (new columns, schemaEvolution refusing them, --load-type), an L2 config in a dry
 * run (sources and destination listed, parser not run), and the flags' errors. Against the
 * helpdesk simulator, with the real `floe` command.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HelpdeskSimulator, startHelpdeskSimulator } from '../../src/sim/helpdesk/index.js';

const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const API_KEY = 'hd-preview-key-5c02e7a9';

let sim: HelpdeskSimulator;
let work: string;
let proj: string;

function floe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args, '--project', proj],
      { cwd: work, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const configFile = () => join(proj, 'configs', 'l1', 'tickets.yaml');
function writeConfig(extra = ''): void {
  writeFileSync(
    configFile(),
    `configId: Tickets
platform: helpdesk
source:
  auth: { type: API_KEY, tokenKey: helpdesk-api-key, in: header, name: X-Api-Key }
  request: { method: GET, url: "${sim.baseUrl}/tickets?limit=10" }
  response: { dataPath: "$.data.tickets" }
  pagination: { type: link_header }
  incremental:
    cursorField: updated_at
    params: { updated_since: "\${start}" }
destination:
  glueDatabase: helpdesk_staging
  glueTable: tickets
  loadType: INCREMENTAL
  lastUpdatedColumn: updated_at
  primaryKey: [id]
  defaultwriteMode: MERGE
${extra}`,
  );
}
const secrets = (key: string) =>
  writeFileSync(join(proj, '.floe', 'secrets.yaml'), `helpdesk-api-key: ${key}\n`, { mode: 0o600 });

beforeAll(async () => {
  sim = await startHelpdeskSimulator({ tickets: 30, seed: 3, apiKey: API_KEY });
  work = mkdtempSync(join(tmpdir(), 'floe-preview-'));
  proj = join(work, 'lake');
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, [bin, 'init', proj, '--blank'], (e) => (e ? fail(e) : done())),
  );
  writeConfig();
});

afterAll(async () => {
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('floe source preview', () => {
  it('a rejected key: shows the 401 and the error, never the key, exits 1 and writes nothing', async () => {
    const wrong = 'wrong-helpdesk-key-81d3f0';
    secrets(wrong);
    const r = await floe('source', 'preview', 'Tickets');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/GET \S+\/tickets\?limit=10 → 401 in \d+ ms/);
    expect(r.stdout).toMatch(/✗ .*401/);
    expect(r.stdout).toContain('X-Api-Key: ***');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(existsSync(join(proj, '.floe', 'state.db'))).toBe(false);
    expect(existsSync(join(proj, '.floe', 'catalog.db'))).toBe(false);
    secrets(API_KEY);
  });

  it('against an existing table: the columns a run would add, schemaEvolution refusing them, --load-type FULL', async () => {
    expect((await floe('run')).code).toBe(0);
    const alter = await floe('table', 'alter', 'helpdesk_staging.tickets', '--drop-column', 'priority');
    expect(alter.code, alter.stderr).toBe(0);

    const adds = await floe('source', 'preview', 'Tickets');
    expect(adds.code, adds.stdout).toBe(0);
    expect(adds.stdout).toMatch(/table:\s+helpdesk_staging\.tickets \(exists\)/);
    expect(adds.stdout).toMatch(/columns:\s+adds priority/);
    expect(adds.stdout).toMatch(/cursor: from \S+ \(the saved cursor/);
    expect(adds.stdout).toContain('updated_since=');

    writeConfig('  icebergOptimizations: { schemaEvolution: false }\n');
    const refused = await floe('source', 'preview', 'Tickets', '--load-type', 'FULL');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('schemaEvolution refuses priority: the run would fail');
    expect(refused.stdout).toContain('config Tickets (L1, FULL)');
    expect(refused.stdout).toContain('cursor: none (loadType FULL');
    expect(refused.stdout).not.toContain('updated_since=');
    writeConfig();
  });

  it('a dataPath that selects nothing: the error a run would stop at, and with --raw the body to find the right one', async () => {
    writeFileSync(configFile(), readFileSync(configFile(), 'utf8').replace('$.data.tickets', '$.data.items'));
    const r = await floe('source', 'preview', 'Tickets');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("source.response.dataPath '$.data.items' did not yield an array of records");
    expect(r.stdout).toContain('a run would fail here (--raw shows the response body');
    expect(r.stdout).not.toContain('schema a run would infer');
    const raw = await floe('source', 'preview', 'Tickets', '--raw');
    expect(raw.code).toBe(1);
    expect(raw.stdout).toMatch(/first response body[^\n]*\n {2}\{\n {4}"data": \{\n {6}"tickets": \[/);
    writeConfig();
  });

  it('flags: --pages must be a number; an L2 config id says there is no source to preview', async () => {
    const pages = await floe('source', 'preview', 'Tickets', '--pages', '0');
    expect(pages.code).not.toBe(0);
    expect(pages.stderr).toContain('--pages must be a whole number of pages, at least 1');
    writeFileSync(
      join(proj, 'configs', 'l2', 'open-tickets.yaml'),
      `configId: Open_Tickets
parserName: task_parser
source:
  tickets: { glueDatabase: helpdesk_staging, glueTable: tickets, fetchMode: FULL }
destination: { glueDatabase: helpdesk_refined, glueTable: open_tickets, defaultwriteMode: OVERWRITE }
`,
    );
    const l2 = await floe('source', 'preview', 'Open_Tickets');
    expect(l2.code).not.toBe(0);
    expect(l2.stderr).toContain('Open_Tickets is an L2 config');
    expect(l2.stderr).toContain('floe run --dry-run --config-id Open_Tickets');
  });
});

describe('floe run --dry-run', () => {
  it('previews each L1 config and lists each L2 config’s sources and destination, without running anything', async () => {
    const history = async () => (await floe('history')).stdout;
    const before = await history();
    const cursor = (await floe('state', 'show', 'Tickets')).stdout;
    const r = await floe('run', '--dry-run', '--pages', '2');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('config Tickets (L1, INCREMENTAL)');
    expect(r.stdout).toContain(
      'config Open_Tickets (L2, parser task_parser) → table helpdesk_refined.open_tickets',
    );
    expect(r.stdout).toContain('reads  tickets: helpdesk_staging.tickets (FULL; exists)');
    expect(r.stdout).toContain('writes helpdesk_refined.open_tickets (OVERWRITE; does not exist yet)');
    expect(r.stdout).toContain(
      'dry run: 1 L1 config(s) previewed, 1 L2 config(s) listed; nothing was written',
    );
    // PROCESS_TYPE selects the layers, as in a run.
    const l2Only = await floe('run', '--dry-run', '--process-type', 'L2');
    expect(l2Only.stdout).toContain('dry run: 0 L1 config(s) previewed, 1 L2 config(s) listed');
    expect(await history()).toBe(before);
    expect((await floe('state', 'show', 'Tickets')).stdout).toBe(cursor);
    expect(existsSync(join(proj, 'warehouse', 'helpdesk_refined'))).toBe(false);
    expect(readFileSync(configFile(), 'utf8')).toContain('configId: Tickets');
  });

  it('refuses --pages without --dry-run, and a --dry-run value that is not true or false', async () => {
    const pages = await floe('run', '--pages', '2');
    expect(pages.code).not.toBe(0);
    expect(pages.stderr).toContain('--pages applies to a dry run only');
    const value = await floe('run', '--DRY_RUN=maybe');
    expect(value.code).not.toBe(0);
    expect(value.stderr).toContain('takes true or false');
  });
});
