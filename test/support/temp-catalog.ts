/** A fresh SQLite catalog + warehouse in a temp folder, removed after the test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../src/iceberg/index.js';

export interface TempCatalog {
  readonly dir: string;
  readonly dbPath: string;
  readonly warehouse: string;
  readonly catalog: SqlCatalog;
  cleanup(): Promise<void>;
}

export function tempCatalog(name = 'floe'): TempCatalog {
  const dir = mkdtempSync(join(tmpdir(), 'floe-test-'));
  const dbPath = join(dir, 'catalog.db');
  const warehouse = join(dir, 'warehouse');
  const catalog = new SqlCatalog({ name, path: dbPath, warehouse });
  return {
    dir,
    dbPath,
    warehouse,
    catalog,
    cleanup: async () => {
      await catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Canonical JSON text of a row set, order-insensitive: what two readers must agree on. */
export function canonicalSet(rows: readonly Record<string, unknown>[]): string[] {
  const text = (v: unknown): string =>
    JSON.stringify(v, (_k, x) =>
      typeof x === 'bigint'
        ? Number(x) === Number(String(x)) && Number.isSafeInteger(Number(x))
          ? Number(x)
          : `${x}`
        : x,
    );
  return rows.map(text).sort();
}
