/**
 * `floe demo --platform X` for every platform: the CLI starts the platform's simulator,
 * scaffolds a project, runs L1 for the whole pack and then the pack's L2 configs, and shows rows
 * of the platform's main staging table and of a refined table; every config
 * succeeds (exit 0). An unknown platform is refused with the list of demos.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startTs } from '../support/child.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// platform, staging table shown, L1 configs, refined table shown, L2 configs.
const CASES = [
  ['wrike', 'wrike_staging.staging_tasks', 9, 'wrike_refined.tasks', 4],
  ['cvent', 'cvent_staging.staging_attendees', 7, 'cvent_refined.event_attendance', 2],
  ['eloqua', 'eloqua_staging.staging_contacts', 9, 'eloqua_refined.email_engagement', 1],
  ['medallia', 'medallia_staging.staging_feedback', 2, 'medallia_refined.feedback', 1],
] as const;

describe('floe demo --platform', () => {
  it.each(CASES)(
    '%s: every config of the pack succeeds and rows of %s are shown',
    async (platform, table, l1Configs, refined, l2Configs) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'floe-demo-test-')), 'p');
      dirs.push(dir);
      const out = await startTs(CLI, ['demo', '--platform', platform, '--tasks', '300', '--dir', dir]).done;
      expect(out.code, out.stderr).toBe(0);
      const results = out.stdout
        .split('\n')
        .filter((l) => l.startsWith('{"configId"'))
        .map((l) => JSON.parse(l) as { status: string; processType: string });
      expect(results.filter((r) => r.processType === 'L1')).toHaveLength(l1Configs);
      expect(results.filter((r) => r.processType === 'L2')).toHaveLength(l2Configs);
      expect(results.every((r) => r.status === 'SUCCESS')).toBe(true);
      expect(out.stdout).toContain(`${table} (L1, as the API sent it; 5 rows):`);
      expect(out.stdout).toMatch(new RegExp(`^${refined} \\(L2, .*; 5 rows\\):$`, 'm'));
    },
    120_000,
  );

  it('an unknown platform is refused, naming the demos there are', async () => {
    const out = await startTs(CLI, ['demo', '--platform', 'nope']).done;
    expect(out.code).not.toBe(0);
    expect(out.stderr + out.stdout).toMatch(
      /no demo for platform 'nope'; available: wrike, cvent, eloqua, medallia/,
    );
  });
});
