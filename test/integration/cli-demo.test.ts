/**
 * `floe demo --platform X` for every platform: the CLI starts the platform's simulator,
 * scaffolds a project, runs L1 for the whole pack and shows rows of the platform's main table;
 * every L1 config succeeds (exit 0). An unknown platform is refused with the list of demos.
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

const CASES = [
  ['wrike', 'wrike_staging.staging_tasks', 9],
  ['cvent', 'cvent_staging.staging_attendees', 6],
  ['eloqua', 'eloqua_staging.staging_contacts', 9],
  ['medallia', 'medallia_staging.staging_feedback', 2],
] as const;

describe('floe demo --platform', () => {
  it.each(CASES)(
    '%s: every config of the pack succeeds and rows of %s are shown',
    async (platform, table, configs) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'floe-demo-test-')), 'p');
      dirs.push(dir);
      const out = await startTs(CLI, ['demo', '--platform', platform, '--tasks', '300', '--dir', dir]).done;
      expect(out.code, out.stderr).toBe(0);
      const l1 = out.stdout
        .split('\n')
        .filter((l) => l.startsWith('{"configId"'))
        .map((l) => JSON.parse(l) as { status: string });
      expect(l1).toHaveLength(configs);
      expect(l1.every((r) => r.status === 'SUCCESS')).toBe(true);
      expect(out.stdout).toContain(`${table} (5 rows):`);
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
