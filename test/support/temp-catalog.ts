/** A fresh SQLite catalog + warehouse in a temp folder, removed after the test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../src/iceberg/index.js';
import { shortestFloat32 } from '../../src/iceberg/spec/values.js';

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

/**
 * Canonical JSON text of a row set, order-insensitive: what two readers must agree on. Numbers
 * that are exact 32-bit floats are compared by their shortest float32 text on both sides, since
 * writers print a float column's values either way (0.3 or 0.30000001192092896).
 */
export function canonicalSet(rows: readonly Record<string, unknown>[]): string[] {
  const text = (v: unknown): string =>
    JSON.stringify(v, (_k, x) =>
      typeof x === 'number' && !Number.isSafeInteger(x) && Math.fround(x) === x
        ? shortestFloat32(x)
        : typeof x === 'bigint'
          ? Number(x) === Number(String(x)) && Number.isSafeInteger(Number(x))
            ? Number(x)
            : `${x}`
          : x,
    );
  return rows.map(text).sort();
}
