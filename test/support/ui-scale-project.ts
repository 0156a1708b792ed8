/**
 * A project the size of a long-lived installation, for `floe ui` at scale: `configs` L1 config
 * files, `runs` nightly runs of every config in the history (configs × runs rows, 10,000 by
 * default), and `configs` small tables made through the library API. Two configs have a story the
 * health view must tell: one failed its last two runs, one got three times slower lately; one
 * table has many small files.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTable, SqlCatalog } from '../../src/iceberg/index.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import type { HistoryEntry } from '../../src/runtime/ports/history-store.js';

export interface ScaleProject {
  dir: string;
  configIds: string[];
  tables: string[];
  /** Run ids, oldest first. */
  runIds: string[];
  failing: string;
  slowing: string;
  smallFilesTable: string;
  historyRows: number;
}

const DAY = 24 * 3600 * 1000;

export async function scaleProject(opts: { configs?: number; runs?: number } = {}): Promise<ScaleProject> {
  const nConfigs = opts.configs ?? 50;
  const nRuns = opts.runs ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'floe-ui-scale-'));
  for (const d of ['configs/l1', 'configs/l2', '.floe']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'name: scale\nenvironment: bench\n');
  const configIds = Array.from({ length: nConfigs }, (_, i) => `Scale_${String(i).padStart(2, '0')}`);
  const tables = configIds.map((_, i) => `scale_staging.t${String(i).padStart(2, '0')}`);
  configIds.forEach((id, i) => {
    writeFileSync(
      join(dir, 'configs', 'l1', `${id}.json`),
      JSON.stringify({
        configId: id,
        platform: i % 2 ? 'wrike' : 'cvent',
        objectName: `object${i}`,
        source: {
          apiType: 'REST',
          auth: { type: 'PERM', tokenKey: 'scale-token' },
          request: { method: 'GET', url: `http://127.0.0.1:9/objects/${i}` },
          response: { dataPath: '$.data' },
        },
        destination: {
          glueDatabase: 'scale_staging',
          glueTable: `t${String(i).padStart(2, '0')}`,
          loadType: 'FULL',
          defaultwriteMode: 'OVERWRITE',
        },
      }),
    );
  });
  const failing = configIds[7 % nConfigs]!;
  const slowing = configIds[13 % nConfigs]!;

  // History: one row per config per nightly run, inserted in one transaction.
  const db = openStateDb(join(dir, '.floe', 'state.db'));
  const history = new SqliteHistoryStore(db);
  const start = Date.parse('2024-01-01T02:00:00Z');
  const runIds: string[] = [];
  db.transaction(() => {
    for (let r = 0; r < nRuns; r++) {
      const runId = `run-scale-${String(r).padStart(4, '0')}`;
      runIds.push(runId);
      const lastRuns = nRuns - r;
      configIds.forEach((configId, i) => {
        const fails = configId === failing && lastRuns <= 2;
        const slow = configId === slowing && lastRuns <= 3;
        const durationMs = slow ? 30_000 + i : 10_000 + ((r * 7 + i * 13) % 500);
        const entry: HistoryEntry = {
          configId,
          'job-id': runId,
          load_type: 'FULL',
          loadTimestamp: new Date(start + r * DAY + i * 1000 + durationMs).toISOString(),
          snapshot_id: fails ? '' : String(1_000_000 + r * 100 + i),
          error: fails ? `HTTP 503 from http://127.0.0.1:9/objects/${i} after 3 attempts` : '',
          lastRunStatus: fails ? 'FAILED' : 'SUCCESS',
          totalRecordsProcessed: fails ? 0 : 100 + ((r + i) % 50),
          runId,
          processType: 'L1',
          durationMs,
          table: tables[i]!,
        };
        void history.record(entry);
      });
    }
  })();
  db.close();

  // Tables through the library API: a few rows each; one gets a dozen small appends.
  const catalog = new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  try {
    await catalog.createNamespace(['scale_staging']);
    for (const [i, name] of tables.entries()) {
      const t = await createTable(catalog, name, {
        schema: [
          { name: 'id', type: 'long', required: true },
          { name: 'name', type: 'string' },
          { name: 'amount', type: 'double' },
        ],
      });
      const appends = i === 0 ? 12 : 1;
      for (let a = 0; a < appends; a++)
        await t.append(
          Array.from({ length: 20 }, (_, k) => ({
            id: BigInt(a * 20 + k),
            name: `row ${a * 20 + k}`,
            amount: k * 1.5,
          })),
        );
    }
  } finally {
    await catalog.close();
  }
  return {
    dir,
    configIds,
    tables,
    runIds,
    failing,
    slowing,
    smallFilesTable: tables[0]!,
    historyRows: nConfigs * nRuns,
  };
}
