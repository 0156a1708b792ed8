/**
 * `floe ui` over a long-lived project: 10,000 history rows (200 nightly runs of 50 configs) and
 * 50 tables made through the library API. The first view (Runs) shows a page of runs, not the
 * whole history: the newest 50, the newest selected with its 50 configs, older ones a click
 * away; the API pages through every run exactly once; Tables lists the 50 tables and Health finds
 * the stories the fixture planted (a config failing twice, one slowing down, a table of small
 * files). The time from navigation to the first complete view is measured and printed (claims
 * about it live in bench/ui.bench.ts; tests do not time-assert).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  type BrowserSession,
  launchChromium,
  noBrowserReason,
  viewReady,
} from '../support/browser.js';
import { startUiChild, type UiChild } from '../support/ui-child.js';
import { type ScaleProject, scaleProject } from '../support/ui-scale-project.js';

const reason = noBrowserReason();
if (reason) console.warn(`floe ui scale browser tests skipped: ${reason}`);

let project: ScaleProject;
let server: UiChild;

beforeAll(async () => {
  project = await scaleProject();
  server = await startUiChild(['--project', project.dir]);
});

afterAll(async () => {
  await server?.stop();
  if (project) rmSync(project.dir, { recursive: true, force: true });
});

describe('floe ui API at scale', () => {
  it('pages through all 200 runs exactly once, newest first', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const res = await fetch(
        `${server.origin}/api/runs?limit=37${before ? `&before=${encodeURIComponent(before)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { runs: { runId: string; configs: number }[]; next: string | null };
      expect(page.runs.length).toBeLessThanOrEqual(37);
      for (const r of page.runs) expect(r.configs).toBe(50);
      seen.push(...page.runs.map((r) => r.runId));
      before = page.next;
    } while (before);
    expect(seen).toEqual([...project.runIds].reverse());
  });

  it('filters runs by config and status', async () => {
    const res = await fetch(`${server.origin}/api/runs?config=${project.failing}&status=FAILED`);
    const page = (await res.json()) as { runs: { runId: string; configs: number; failed: number }[] };
    expect(page.runs.map((r) => r.runId)).toEqual(project.runIds.slice(-2).reverse());
    for (const r of page.runs) expect([r.configs, r.failed]).toEqual([1, 1]);
  });
});

describe.skipIf(reason !== undefined)('floe ui in a browser at scale', () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    session = await launchChromium();
  });
  afterAll(async () => {
    await session?.close();
  });

  it(`renders the first view of ${'10,000'} history rows and 50 tables as a page of runs (time printed)`, async () => {
    const times: number[] = [];
    // Three fresh loads: the first pays the server's first queries and the browser's cold start.
    for (let i = 0; i < 3; i++) {
      if (page && !page.isClosed()) await page.close();
      page = await session.browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(server.url);
      await viewReady(page, 'runs');
      times.push(Number(await page.$eval('html', (el) => el.getAttribute('data-first-view-ms'))));
    }
    console.log(
      `floe ui first view (Runs) with ${project.historyRows} history rows and ${project.tables.length} tables: ${times.join(' ms, ')} ms (navigation start to view complete; fresh page each)`,
    );
    expect(times.every((t) => Number.isFinite(t) && t > 0)).toBe(true);
    const listed = await page.$$eval('#runs-list tr[data-run]', (t) =>
      t.map((r) => r.getAttribute('data-run')),
    );
    expect(listed).toEqual([...project.runIds].reverse().slice(0, 50));
    expect(await page.$$eval('.run-section tr[data-config]', (t) => t.length)).toBe(50);
    await page.screenshot({ path: join(artifactsDir(), 'scale-runs.png') });
    await page.click('#older-runs');
    // (A selector, not a function: the page's CSP allows no evaluated strings, rightly.)
    await page.waitForSelector('#runs-list tbody tr:nth-child(100)');
    expect(await page.$$eval('#runs-list tr[data-run]', (t) => t.length)).toBe(100);
  });

  it('lists the 50 tables, and Health finds the failing and the slowing config and the table of small files', async () => {
    await page.click('nav a[data-nav="tables"]');
    await viewReady(page, 'tables');
    expect(
      await page.$$eval('#tables-list tr[data-table]', (t) => t.map((r) => r.getAttribute('data-table'))),
    ).toEqual(project.tables);
    await page.click('nav a[data-nav="health"]');
    await viewReady(page, 'health');
    const concerns = await page.$$eval('#health-configs tr[data-config]', (t) =>
      t.map((r) => `${r.getAttribute('data-config')}:${r.getAttribute('data-kind')}`),
    );
    expect(concerns).toEqual([`${project.failing}:failing`, `${project.slowing}:slowing`].sort());
    expect(
      await page.$$eval('#health-tables tr[data-table]', (t) => t.map((r) => r.getAttribute('data-table'))),
    ).toEqual([project.smallFilesTable]);
    await page.screenshot({ path: join(artifactsDir(), 'scale-health.png'), fullPage: true });
  });
});
