/**
 * `floe demo --platform X` for every platform: the CLI starts the platform's simulator,
 * scaffolds a project, runs the whole pack (L1, then L2 where the pack has it) and shows rows of
 * the platform's main table; every config succeeds (exit 0). An unknown platform is refused with the list of demos.
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
  ['wrike', 'wrike_refined.tasks', 9],
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
      const results = out.stdout
        .split('\n')
        .filter((l) => l.startsWith('{"configId"'))
        .map((l) => JSON.parse(l) as { status: string; processType: string });
      // Every L1 config of the pack ran; L1 and (where the pack has them) L2 all succeeded.
      expect(results.filter((r) => r.processType === 'L1')).toHaveLength(configs);
      expect(results.every((r) => r.status === 'SUCCESS')).toBe(true);
      expect(out.stdout).toMatch(new RegExp(`${table.replace('.', '\\.')} \\((?:.*; )?5 rows\\):`));
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
