/**
 * `floe ui` in headless Chromium, over the demo's project (the Wrike pack run against the
 * simulator, plus a config that fails twice): the Runs view lists every config of the run with
 * the status and records the run produced, the failed one with its error, and renders the run
 * exactly as the HTML report does; a config view charts its history and shows its cursor and last
 * error with the fix; a table view shows the row count and schema the table has, charts its
 * snapshots and pages its rows; Health names the failing config; navigation works. Every view is
 * saved as a screenshot in test-artifacts/ui/. No page and no API answer carries the project's
 * secret (a canary the configs use and even quote), and the UI changes no file of the project.
 *
 * Skipped, with the reason printed, only where no Chromium can be found (scripts/setup-browser.sh
 * installs Debian's package).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import {
  artifactsDir,
  type BrowserSession,
  launchChromium,
  noBrowserReason,
  paintedPixels,
  viewReady,
} from '../support/browser.js';
import { startUiChild, type UiChild } from '../support/ui-child.js';
import { BROKEN, CANARY, type UiDemoProject, uiDemoProject } from '../support/ui-demo-project.js';

const reason = noBrowserReason();
if (reason) console.warn(`floe ui browser tests skipped: ${reason}`);

/** Every file under `dir` with its content hash: what "the UI changed nothing" is checked against. */
function fingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(reason !== undefined)('floe ui in a browser', () => {
  let project: UiDemoProject;
  let server: UiChild;
  let session: BrowserSession;
  let page: Page;
  let before: Map<string, string>;
  /** Everything the browser received and every page's HTML, for the canary check. */
  const seen: { where: string; text: string }[] = [];
  const shots = artifactsDir();

  beforeAll(async () => {
    project = await uiDemoProject();
    before = fingerprint(project.dir);
    // Its own process, as a user runs it: this process ran the job and so knows the secret.
    server = await startUiChild(['--project', project.dir]);
    session = await launchChromium();
    page = await session.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('response', async (r) => {
      try {
        seen.push({ where: r.url(), text: await r.text() });
      } catch {
        // A redirect or aborted response has no body.
      }
    });
  });

  afterAll(async () => {
    await session?.close();
    const exit = await server?.stop();
    expect(exit?.stderr ?? '').toBe('');
    await project?.close();
  });

  async function shot(name: string): Promise<void> {
    seen.push({ where: `page ${name}`, text: await page.content() });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  /** The cells of each config row of a rendered run table, by `layer:configId`. */
  async function runRows(p: Page, scope: string): Promise<Map<string, string[]>> {
    const rows = await p.$$eval(`${scope} tr[data-config]`, (trs) =>
      trs.map((tr) => ({
        key: `${tr.getAttribute('data-layer')}:${tr.getAttribute('data-config')}`,
        cells: [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()),
      })),
    );
    return new Map(rows.map((r) => [r.key, r.cells]));
  }

  it('the Runs view lists every config of the run with its status and records; the failed one shows its error', async () => {
    await page.goto(server.url);
    await viewReady(page, 'runs');
    // Two runs: the full one and the broken config's rerun (the newest, selected first).
    const listed = await page.$$eval('#runs-list tr[data-run]', (trs) =>
      trs.map((t) => t.getAttribute('data-run')),
    );
    expect(listed).toEqual([project.again.runId, project.full.runId]);
    expect(await page.$$eval('svg[data-chart="runs-timeline"] rect', (r) => r.length)).toBe(2);
    await page.click(`#runs-list tr[data-run="${project.full.runId}"]`);
    await page.waitForSelector(`.run-section[data-run-id="${project.full.runId}"]`);
    const rows = await runRows(page, '.run-section');
    expect([...rows.keys()].sort()).toEqual(
      project.full.results.map((r) => `${r.processType}:${r.configId}`).sort(),
    );
    for (const r of project.full.results) {
      const cells = rows.get(`${r.processType}:${r.configId}`)!;
      // Config, layer, table, load type, status, records, snapshot id, duration, error.
      expect(cells[4], r.configId).toBe(r.status);
      expect(cells[5], r.configId).toBe(r.records.toLocaleString('en-US'));
      expect(cells[6], r.configId).toBe(r.snapshotId ?? '');
      if (r.status === 'FAILED') expect(cells[8]).toContain('answered 404');
      else expect(cells[8]).toBe('');
    }
    expect(project.full.results.find((r) => r.configId === BROKEN)?.status).toBe('FAILED');
    await shot('runs');
  });

  it("renders the run as the HTML report does: the report's rows, cell for cell", async () => {
    const report = readFileSync(join(project.dir, '.floe', 'reports', `${project.full.runId}.html`), 'utf8');
    const dashboard = await runRows(page, '.run-section');
    const other = await session.browser.newPage();
    try {
      await other.setContent(report);
      const reported = await runRows(other, 'body');
      // The report lists the configs whose notifications ask for it; the dashboard every one.
      expect(reported.size).toBeGreaterThan(5);
      for (const [key, cells] of reported) expect(dashboard.get(key), key).toEqual(cells);
    } finally {
      await other.close();
    }
  });

  it('a config view charts its history and shows its last error with the fix', async () => {
    await page.click(`.run-section tr[data-config="${BROKEN}"] a[href^="#/configs/"]`);
    await viewReady(page, 'configs');
    expect(await page.textContent('h1')).toContain(BROKEN);
    expect(await page.textContent('#config-last-error')).toContain('answered 404');
    expect(await page.textContent('#config-fix')).toContain('Check source.request.url');
    expect(await page.$$eval('#config-history tbody tr', (t) => t.length)).toBe(2);
    for (const chart of ['records', 'duration', 'failures'])
      expect(await paintedPixels(page, `[data-chart="${chart}"]`), chart).toBeGreaterThan(0);
    await shot('config-failed');

    // A healthy incremental config: its cursor is the one the run reached.
    const tasks = project.full.results.find((r) => r.configId === 'Wrike_Tasks')!;
    await page.goto(`${server.origin}/#/configs/Wrike_Tasks?layer=L1`);
    await viewReady(page, 'configs');
    expect((await page.textContent('#config-cursor'))?.trim()).toBe(tasks.cursor);
    expect(await page.$('#config-last-error')).toBeNull();
    expect(await paintedPixels(page, '[data-chart="records"]')).toBeGreaterThan(0);
    await shot('config');
  });

  it('a table view shows the row count and schema, charts its snapshots, pages and filters its rows', async () => {
    await page.click('nav a[data-nav="tables"]');
    await viewReady(page, 'tables');
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(project.dir, '.floe', 'catalog.db'),
      warehouse: join(project.dir, 'warehouse'),
      readonly: true,
    });
    try {
      const names = (await catalog.entries()).map((e) => `${e.id.namespace.join('.')}.${e.id.name}`);
      expect(
        await page.$$eval('#tables-list tr[data-table]', (t) => t.map((x) => x.getAttribute('data-table'))),
      ).toEqual(names);
      await shot('tables');
      const t = await loadTable(catalog, 'wrike_staging.staging_tasks');
      const count = (await t.scan({ select: ['id'] }).toRows()).length;
      expect(count).toBe(300);
      await page.click('#tables-list tr[data-table="wrike_staging.staging_tasks"] a');
      await viewReady(page, 'tables');
      expect(await page.textContent('#table-records')).toBe(count.toLocaleString('en-US'));
      const fields = await page.$$eval('#table-schema tr[data-field]', (trs) =>
        trs.map((tr) => ({
          name: tr.getAttribute('data-field'),
          type: tr.getAttribute('data-type'),
          id: tr.getAttribute('data-id'),
        })),
      );
      const top = t.schema().fields.map((f) => ({
        name: f.name,
        type: typeof f.type === 'string' ? f.type : f.type.type,
        id: String(f.id),
      }));
      // Top-level fields in order, with their ids and (for nested ones, the kind of) type.
      expect(
        fields
          .filter((f) => !f.name!.includes('.'))
          .map((f) => ({ ...f, type: f.type!.replace(/<.*$/, '') })),
      ).toEqual(top);
      expect(await paintedPixels(page, '[data-chart="snapshots"]')).toBeGreaterThan(0);
      await page.waitForSelector('#rows-table');
      const idColumn = await page.$$eval('#rows-table th', (th) =>
        th.findIndex((x) => x.textContent === 'id'),
      );
      const ids = async () =>
        page.$$eval(`#rows-table tbody tr td:nth-child(${idColumn + 1})`, (tds) =>
          tds.map((td) => td.textContent),
        );
      const first = await ids();
      expect(first).toHaveLength(50);
      await shot('table');
      await page.click('#rows-next');
      await page.waitForSelector('#rows-table[data-offset="50"]');
      expect(await page.textContent('#rows-range')).toBe('rows 51–100');
      const second = await ids();
      expect(second).toHaveLength(50);
      expect(second.filter((id) => first.includes(id))).toEqual([]);
      await page.fill('#rows-where', `id = '${second[7]}'`);
      await page.click('#rows-form button[type="submit"]');
      await page.waitForSelector('#rows-table[data-offset="0"]');
      expect(await ids()).toEqual([second[7]]);
      // Back: the table view as it was before the filter (the address holds the rows' state).
      await page.goBack();
      await viewReady(page, 'tables');
    } finally {
      await catalog.close();
    }
  });

  it('the Health view names the config that failed twice in a row; the nav reaches every view', async () => {
    await page.click('nav a[data-nav="health"]');
    await viewReady(page, 'health');
    expect(await page.$(`#health-configs tr[data-config="${BROKEN}"][data-kind="failing"]`)).not.toBeNull();
    expect(await page.textContent('#health-configs')).toContain('answered 404');
    await shot('health');
    await page.click('nav a[data-nav="configs"]');
    await viewReady(page, 'configs');
    expect(await page.$$eval('#configs-list tr[data-config]', (t) => t.length)).toBe(
      project.full.results.length,
    );
    await shot('configs');
    await page.click('nav a[data-nav="runs"]');
    await viewReady(page, 'runs');
    await page.goBack();
    await viewReady(page, 'configs');
  });

  it('no page and no API answer shows the secret (canary), though the configs use and even quote it', async () => {
    // Not a vacuous check: the canary is in the project's files the UI reads.
    expect(readFileSync(join(project.dir, 'configs', 'l1', 'wrike-broken.json'), 'utf8')).toContain(CANARY);
    const get = async (path: string) => {
      const res = await fetch(`${server.origin}${path}`);
      const text = await res.text();
      seen.push({ where: path, text });
      return text;
    };
    const paths = ['/', '/api', '/api/project', '/api/runs', '/api/configs', '/api/tables', '/api/health'];
    for (const p of paths) await get(p);
    for (const r of [project.full, project.again]) {
      await get(`/api/runs/${r.runId}`);
      await get(`/api/runs/${r.runId}/log?level=debug&limit=5000`);
      await get(`/api/runs/${r.runId}/log?config=${BROKEN}&level=debug`);
    }
    const configs = JSON.parse(await get('/api/configs')) as {
      configs: { configId: string; layer: string }[];
    };
    for (const c of configs.configs) await get(`/api/configs/${c.configId}?layer=${c.layer}`);
    const tables = JSON.parse(await get('/api/tables')) as { tables: { name: string }[] };
    for (const t of tables.tables) {
      await get(`/api/tables/${t.name}`);
      await get(`/api/tables/${t.name}/rows?limit=500`);
    }
    const broken = JSON.parse(await get(`/api/configs/${BROKEN}?layer=L1`)) as {
      config: { source: { request: { headers: Record<string, string> } } };
    };
    // The config is shown, with the secret's place visible but not its value.
    expect(broken.config.source.request.headers['X-Debug']).toBe('***');
    for (const view of ['#/runs', `#/configs/${BROKEN}?layer=L1`, '#/tables', '#/health']) {
      await page.goto(`${server.origin}/${view}`);
      await page.waitForSelector('main[data-ready]');
      seen.push({ where: `page ${view}`, text: await page.content() });
    }
    const leaks = seen.filter((s) => s.text.includes(CANARY)).map((s) => s.where);
    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(50);
  });

  it('the UI changed nothing in the project and took no lock', () => {
    expect(existsSync(join(project.dir, '.floe', 'run.lock'))).toBe(false);
    const after = fingerprint(project.dir);
    // A read-only SQLite reader of a WAL database opens its shared-memory index (-shm) and an
    // empty write-ahead log (-wal); neither holds data, and the databases themselves are unchanged.
    const sqliteSideFile = (f: string) =>
      !before.has(f) && (f.endsWith('.db-shm') || (f.endsWith('.db-wal') && statSync(f).size === 0));
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (f) => before.get(f) !== after.get(f) && !sqliteSideFile(f),
    );
    expect(changed).toEqual([]);
    expect(after.get(join(project.dir, '.floe', 'state.db'))).toBe(
      before.get(join(project.dir, '.floe', 'state.db')),
    );
  });
});
