/**
 * Data files without Iceberg field ids, added to a floe table with PyIceberg's `add_files` (how
 * Parquet from another tool or a Hive table joins an Iceberg table). The spec reads such files
 * through the table's name mapping (`schema.name-mapping.default`, which floe keeps current,
 * old names included). floe must read their values (projecting by field id alone reads NULLs),
 * find their keys in a MERGE (else the upsert duplicates the rows), delete from them by filter,
 * and compact them; PyIceberg then reads what floe reads. (PyIceberg refuses to add a file under
 * a column's old name, so the old-name half of the mapping is not reached here.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, loadTable, SqlCatalog, type Table } from '../../src/iceberg/index.js';
import { compactTable } from '../../src/iceberg/maintenance/compact.js';
import { where } from '../../src/iceberg/read/expr.js';
import { dumpValues, INTEROP_TIMEOUT_MS, interopAvailable, pyicebergAddFiles } from '../support/interop.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-added-files-'));
const spec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
let catalog: SqlCatalog;

beforeAll(async () => {
  interopAvailable(); // throws with provisioning instructions: never a silent skip
  catalog = new SqlCatalog({ name: spec.name, path: spec.db, warehouse: spec.warehouse });
  await catalog.createNamespace(['ext']);
});
afterAll(async () => {
  await catalog?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(t: Table): Promise<string[]> {
  return (await t.scan().toRows()).map((r) => `${r.id}:${r.title}`).sort();
}

describe('files without field ids, added by PyIceberg', () => {
  it(
    'are read through the name mapping (into a column renamed since), merged into, deleted from and compacted',
    async () => {
      const t = await createTable(catalog, 'ext.tasks', {
        schema: [
          { name: 'id', type: 'long' },
          { name: 'name', type: 'string' },
        ],
      });
      await t.append([
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ]);
      // Renamed after the data was written: the name mapping keeps "name" for the column's id.
      await t.updateSchema({ renameColumns: [{ name: 'name', to: 'title' }] });
      // Plain Parquet written under the current names.
      await pyicebergAddFiles(
        spec,
        'ext.tasks',
        join(dir, 'added.parquet'),
        [
          { id: 3, title: 'three' },
          { id: 4, title: 'four' },
        ],
        { id: 'int64', title: 'string' },
      );
      let table = await loadTable(catalog, 'ext.tasks');
      expect(await rows(table)).toEqual(['1:one', '2:two', '3:three', '4:four']);

      // A MERGE finds key 3 in the added file: replaced, not duplicated.
      await table.merge(
        [
          { id: 3, title: 'three v2' },
          { id: 5, title: 'five' },
        ],
        { keys: ['id'] },
      );
      table = await loadTable(catalog, 'ext.tasks');
      expect(await rows(table)).toEqual(['1:one', '2:two', '3:three v2', '4:four', '5:five']);

      // Delete by filter reaches rows of the added file.
      await table.deleteWhere(where.eq('id', 4));
      table = await loadTable(catalog, 'ext.tasks');
      const expected = ['1:one', '2:two', '3:three v2', '5:five'];
      expect(await rows(table)).toEqual(expected);

      // Compaction rewrites everything, with field ids, and keeps the rows.
      await compactTable(table, { minInputFiles: 2 });
      table = await loadTable(catalog, 'ext.tasks');
      expect(await rows(table)).toEqual(expected);
      const py = await dumpValues(spec, 'ext.tasks');
      expect(py.rows.map((r) => `${r.id}:${r.title}`).sort()).toEqual(expected);
    },
    INTEROP_TIMEOUT_MS,
  );
});
