/**
 * `floe table maintain` as a user runs it, in a project folder (the real bin; piped output = JSON
 * lines): dry run changes nothing; the real run compacts, expires and removes orphans, keeps the
 * files a write journal names, and the table reads the same; bad flags are one clear error.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog, type Table, uriToPath } from '../../src/iceberg/index.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'floe-maintain-'));
let catalog: SqlCatalog;
let t: Table;
const past = new Date(Date.now() - 5 * 24 * 3600 * 1000);

async function floe(...args: string[]) {
  return exec(process.execPath, [bin, ...args, '--project', dir], { timeout: 120_000 });
}
const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function files(d: string): string[] {
  if (!existsSync(d)) return [];
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

beforeAll(async () => {
  mkdirSync(join(dir, '.floe'), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'environment: test\n');
  catalog = new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  await catalog.createNamespace(['ns']);
  t = await createTable(catalog, 'ns.events', {
    schema: [
      { name: 'id', type: 'long' },
      { name: 'name', type: 'string' },
    ],
  });
  for (let i = 0; i < 6; i++) await t.append([{ id: i, name: `n${i}` }]);
});
afterAll(async () => {
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('floe table maintain', () => {
  it('--dry-run reports and changes nothing; the run compacts, expires, removes orphans but not journaled files', async () => {
    const loc = uriToPath(t.metadata.location);
    const orphan = join(loc, 'data', 'left-behind.parquet');
    const inflight = join(loc, 'data', 'in-flight.parquet');
    writeFileSync(orphan, 'x');
    writeFileSync(inflight, 'y');
    // A write in flight (another process's run): its journal names the file.
    mkdirSync(join(dir, '.floe', 'tmp', 'run-elsewhere'), { recursive: true });
    writeFileSync(join(dir, '.floe', 'tmp', 'run-elsewhere', 'written.log'), `file://${inflight}\n`);
    for (const f of files(loc)) utimesSync(f, past, past);
    const before = files(loc);
    const flags = ['--min-input-files', '2', '--older-than', '0s', '--retain-last', '1'];

    const dry = lines((await floe('table', 'maintain', 'ns.events', '--dry-run', ...flags)).stdout);
    expect(dry).toEqual([
      expect.objectContaining({
        table: 'ns.events',
        ok: true,
        dryRun: true,
        compact: expect.objectContaining({ rewrittenFiles: 6, groups: 1 }),
        expire: expect.objectContaining({ expiredSnapshots: 5 }),
        orphans: expect.objectContaining({ files: 1, journaled: 1 }),
      }),
    ]);
    expect(files(loc)).toEqual(before);

    const run = lines((await floe('table', 'maintain', 'ns.events', ...flags)).stdout);
    expect(run[0]).toMatchObject({
      table: 'ns.events',
      ok: true,
      dryRun: false,
      compact: { rewrittenFiles: 6, addedFiles: 1 },
      rewriteManifests: { created: 1 },
      expire: { expiredSnapshots: 7, retainedSnapshots: 1 },
      orphans: { files: 1, journaled: 1 },
    });
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(inflight)).toBe(true);
    const rows = lines((await floe('table', 'read', 'ns.events')).stdout);
    expect(rows.map((r) => r.id).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const snaps = lines((await floe('table', 'snapshots', 'ns.events')).stdout);
    expect(snaps).toHaveLength(1);
    expect(snaps[0].operation).toBe('replace');
    // The command's own scratch folder is gone; the other run's journal is untouched.
    expect(readdirSync(join(dir, '.floe', 'tmp'))).toEqual(['run-elsewhere']);
  });

  it('refuses an orphan age under an hour, naming the reason', async () => {
    const e = await floe('table', 'maintain', 'ns.events', '--orphan-age', '10m').then(
      () => undefined,
      (x: { code: number; stderr: string }) => x,
    );
    expect(e?.code).toBe(1);
    expect(e?.stderr).toMatch(/--orphan-age must be at least 1h/);
  });

  it('an unknown table is a clear error', async () => {
    const e = await floe('table', 'maintain', 'ns.nope').then(
      () => undefined,
      (x: { code: number; stderr: string }) => x,
    );
    expect(e?.code).toBe(1);
    expect(e?.stderr).toMatch(/ns\.nope/);
  });
});
