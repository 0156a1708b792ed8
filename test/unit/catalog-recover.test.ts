/**
 * A table's metadata folder as evidence: the error for a table whose current metadata file is gone
 * or garbled lists the earlier files to roll back to, and the recovery plan picks each folder's
 * newest metadata file that parses.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRecovery, planRecovery } from '../../src/iceberg/catalog/recover.js';
import { createTable, loadTable, SqlCatalog, uriToPath } from '../../src/iceberg/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-recover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function threeVersions() {
  const catalog = new SqlCatalog({
    name: 'floe',
    path: join(dir, 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  await catalog.createNamespace(['ns']);
  const t = await createTable(catalog, 'ns.t', { schema: [{ name: 'id', type: 'long' }] });
  const locations = [t.metadataLocation];
  for (const id of [1, 2, 3]) {
    await t.append([{ id }]);
    locations.push(t.metadataLocation);
  }
  return { catalog, locations };
}

describe('a damaged table metadata file', () => {
  for (const how of ['deleted', 'garbled'] as const) {
    it(`${how}: the error names the table and file, lists earlier files newest first and the rollback command`, async () => {
      const { catalog, locations } = await threeVersions();
      try {
        const current = locations[3]!;
        if (how === 'deleted') rmSync(uriToPath(current));
        else writeFileSync(uriToPath(current), '{"format-version": 2, "table-uu');
        const err = await loadTable(catalog, 'ns.t').then(
          () => undefined,
          (e: Error) => e,
        );
        const msg = err?.message ?? '';
        expect(msg).toContain(
          `table ns.t: its current metadata file ${current} ${how === 'deleted' ? 'is missing' : 'cannot be read (table metadata file is corrupt: not valid JSON'}`,
        );
        const [v2, v1, v0] = [locations[2]!, locations[1]!, locations[0]!];
        expect(msg.indexOf(v2)).toBeGreaterThan(0);
        expect(msg.indexOf(v2)).toBeLessThan(msg.indexOf(v1));
        expect(msg.indexOf(v1)).toBeLessThan(msg.indexOf(v0));
        expect(msg).toContain(`\`floe table register ns.t ${v2} --force\``);
        // The command's effect, through the catalog: re-pointed, the table reads its version 2.
        await catalog.swapMetadataLocation({ namespace: ['ns'], name: 't' }, current, v2);
        expect((await (await loadTable(catalog, 'ns.t')).scan().toRows()).map((r) => r.id).sort()).toEqual([
          1n,
          2n,
        ]);
      } finally {
        await catalog.close();
      }
    });
  }
});

describe('planRecovery', () => {
  it('picks the newest metadata file that parses; among equal versions the one whose snapshot log has the others', async () => {
    const { catalog, locations } = await threeVersions();
    const metaDir = uriToPath(locations[0]!).replace(/\/[^/]+$/, '');
    // A stale file with the top version number but an older snapshot log (a crashed racer), and a
    // newer file that does not parse.
    copyFileSync(uriToPath(locations[2]!), join(metaDir, '00003-00000000-stale.metadata.json'));
    writeFileSync(join(metaDir, '00004-ffffffff-broken.metadata.json'), 'not json');
    // A folder directly under the warehouse has no namespace.
    mkdirSync(join(dir, 'warehouse', 'orphan', 'metadata'), { recursive: true });
    writeFileSync(join(dir, 'warehouse', 'orphan', 'metadata', 'v1.metadata.json'), '{}');
    try {
      const fresh = new SqlCatalog({
        name: 'floe',
        path: join(dir, 'fresh.db'),
        warehouse: join(dir, 'warehouse'),
      });
      try {
        const { items, skipped } = await planRecovery(fresh);
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ action: 'register', metadataLocation: locations[3] });
        expect(items[0]!.passedOver.map((p) => p.location)).toEqual([
          `file://${join(metaDir, '00004-ffffffff-broken.metadata.json')}`,
        ]);
        expect(skipped.map((s) => s.folder)).toEqual([`file://${join(dir, 'warehouse', 'orphan')}`]);
        // Planning wrote nothing.
        expect(await fresh.metadataLocation({ namespace: ['ns'], name: 't' })).toBeUndefined();
        await applyRecovery(fresh, items);
        expect((await (await loadTable(fresh, 'ns.t')).scan().toRows()).length).toBe(3);
      } finally {
        await fresh.close();
      }

      // A catalog that points elsewhere is kept unless forced; forcing is a compare-and-swap.
      await catalog.swapMetadataLocation({ namespace: ['ns'], name: 't' }, locations[3]!, locations[1]!);
      const kept = await planRecovery(catalog);
      expect(kept.items[0]).toMatchObject({ action: 'kept', current: locations[1] });
      const forced = await planRecovery(catalog, { force: true });
      expect(forced.items[0]).toMatchObject({ action: 'repoint', metadataLocation: locations[3] });
      await applyRecovery(catalog, forced.items);
      expect(await catalog.metadataLocation({ namespace: ['ns'], name: 't' })).toBe(locations[3]);
      expect((await planRecovery(catalog)).items[0]!.action).toBe('unchanged');
    } finally {
      await catalog.close();
    }
  });

  it('reads v<N>.metadata.json names (Hadoop-style) by their number', async () => {
    const { catalog, locations } = await threeVersions();
    try {
      const metaDir = uriToPath(locations[0]!).replace(/\/[^/]+$/, '');
      copyFileSync(uriToPath(locations[3]!), join(metaDir, 'v12.metadata.json'));
      const fresh = new SqlCatalog({
        name: 'floe',
        path: join(dir, 'fresh.db'),
        warehouse: join(dir, 'warehouse'),
      });
      try {
        const { items } = await planRecovery(fresh);
        expect(items[0]!.metadataLocation).toBe(`file://${join(metaDir, 'v12.metadata.json')}`);
      } finally {
        await fresh.close();
      }
    } finally {
      await catalog.close();
    }
  });
});
