/**
 * Glue commit conflicts. moto accepts an UpdateTable with a stale VersionId, so the conflicts
 * AWS would raise are produced by wrapping the real (moto) Glue client: injected
 * ConcurrentModificationExceptions, and Glue's VersionId check itself (aws-faults.ts). The commit
 * loop must keep every commit: retried after a conflict, never lost, never doubled.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlueCatalog } from '../../src/iceberg/catalog/glue.js';
import { createTable, loadTable } from '../../src/iceberg/index.js';
import { S3FileIO } from '../../src/iceberg/io/s3.js';
import { awsFault, enforceGlueVersionId, inject, record } from '../support/aws-faults.js';
import { createBucket, moto, s3, uniq } from '../support/aws-moto.js';
import { runTs } from '../support/child.js';

let warehouse: string;
const scratch = mkdtempSync(join(tmpdir(), 'floe-glue-commits-'));

function catalog(glue: GlueClient): GlueCatalog {
  return new GlueCatalog({ client: glue, io: new S3FileIO({ client: s3(), tempDir: scratch }), warehouse });
}

async function newTable(name: string) {
  const c = catalog(new GlueClient({}));
  const db = `commits_${uniq('db').replace(/-/g, '_')}`;
  await c.createNamespace([db]);
  await createTable(c, `${db}.${name}`, {
    schema: [
      { name: 'id', type: 'long' },
      { name: 'name', type: 'string' },
    ],
  });
  return `${db}.${name}`;
}

beforeAll(async () => {
  await moto();
  const bucket = uniq('glue-commits');
  await createBucket(bucket);
  warehouse = `s3://${bucket}/warehouse`;
});

describe('Glue commits (UpdateTable with VersionId)', () => {
  it('retries a ConcurrentModificationException and keeps every commit', async () => {
    const table = await newTable('cme');
    let injected = 0;
    const glue = record(new GlueClient({}));
    inject(glue.client, (cmd) => {
      // Every other UpdateTable fails as a concurrent writer would make it fail on AWS.
      if (cmd === 'UpdateTableCommand' && injected < 3) {
        injected++;
        return awsFault(
          'ConcurrentModificationException',
          'Update table failed due to concurrent modifications.',
        );
      }
      return undefined;
    });
    const t = await loadTable(catalog(glue.client), table);
    const r1 = await t.append([{ id: 1n, name: 'a' }]);
    const r2 = await t.append([{ id: 2n, name: 'b' }]);
    expect(r1.attempts + r2.attempts).toBe(5);
    const updates = glue.calls.filter((c) => c.command === 'UpdateTableCommand');
    expect(updates.map((c) => (c.error ? 'conflict' : 'ok'))).toEqual([
      'conflict',
      'conflict',
      'conflict',
      'ok',
      'ok',
    ]);
    // Every UpdateTable carried the VersionId GetTable gave it.
    for (const u of updates) expect(u.input.VersionId).toMatch(/^\d+$/);
    const rows = await (await loadTable(catalog(new GlueClient({})), table)).scan().toRows();
    expect(rows.map((r) => r.id).sort()).toEqual([1n, 2n]);
    expect((await loadTable(catalog(new GlueClient({})), table)).snapshots()).toHaveLength(2);
  });

  it('refuses to swap when metadata_location moved since the base was read (a stale writer)', async () => {
    const table = await newTable('stale');
    const a = await loadTable(catalog(new GlueClient({})), table);
    const b = await loadTable(catalog(new GlueClient({})), table);
    await a.append([{ id: 1n, name: 'a' }]);
    // b still holds the pre-append base: its first attempt must conflict, then rebase.
    const r = await b.append([{ id: 2n, name: 'b' }]);
    expect(r.attempts).toBe(2);
    const after = await loadTable(catalog(new GlueClient({})), table);
    expect((await after.scan().toRows()).map((x) => x.id).sort()).toEqual([1n, 2n]);
    const g = await new GlueClient({}).send(
      new GetTableCommand({ DatabaseName: table.split('.')[0], Name: table.split('.')[1] }),
    );
    expect(g.Table?.Parameters?.previous_metadata_location).toBeDefined();
  });

  it('two processes committing to one Glue table lose nothing', async () => {
    const table = await newTable('race');
    const lockDir = mkdtempSync(join(tmpdir(), 'floe-glue-lock-'));
    const worker = new URL('../support/aws-glue-append-worker.ts', import.meta.url).pathname;
    const [a, b] = await Promise.all([
      runTs(worker, [warehouse, table, '0', '8', lockDir]),
      runTs(worker, [warehouse, table, '100', '8', lockDir]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const retries = JSON.parse(a.stdout).retries + JSON.parse(b.stdout).retries;
    const t = await loadTable(catalog(enforceGlueVersionId(new GlueClient({}), lockDir)), table);
    const ids = (await t.scan().toRows()).map((r) => Number(r.id)).sort((x, y) => x - y);
    expect(ids).toEqual([
      ...Array.from({ length: 8 }, (_, i) => i),
      ...Array.from({ length: 8 }, (_, i) => 100 + i),
    ]);
    expect(t.snapshots()).toHaveLength(16);
    // The race really happened: at least one commit lost a round and was retried.
    expect(retries).toBeGreaterThan(0);
  });
});
