/**
 * A throwaway floe project for L2 tests that need no API: source ("L1") tables are written
 * straight into the project's catalog with the Iceberg library, L2 configs and parser files are
 * written as files, and the job runs in-process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseJobParams } from '../../src/config/job-params.js';
import { type FieldInput, loadOrCreateTable, SqlCatalog, type Table } from '../../src/iceberg/index.js';
import { type JobOptions, type JobOutcome, runJob } from '../../src/job/run-job.js';
import type { L2Result } from '../../src/l2/process-config.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import type { HistoryEntry } from '../../src/runtime/ports/history-store.js';
import type { ConfigState } from '../../src/runtime/ports/state-store.js';

export interface L2TestProject {
  readonly dir: string;
  /** Writes a project file (relative path). */
  file(path: string, text: string): void;
  /** Writes an L2 config item as configs/l2/<configId>.json. */
  config(item: Record<string, unknown>): void;
  /** Runs the job (default PROCESS_TYPE L2). */
  run(args?: string[], opts?: JobOptions): Promise<JobOutcome>;
  /** Runs with the project's catalog. */
  catalog<T>(fn: (c: SqlCatalog) => Promise<T>): Promise<T>;
  /** Creates (or loads) a table and appends the rows of a DuckDB query. */
  seed(table: string, fields: FieldInput[], selectSql?: string): Promise<void>;
  table(name: string): Promise<Table>;
  state(configId: string): Promise<ConfigState | undefined>;
  history(configId: string): Promise<HistoryEntry[]>;
  cleanup(): void;
}

export async function l2Project(floeYaml = ''): Promise<L2TestProject> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-l2-'));
  mkdirSync(join(dir, 'configs', 'l1'), { recursive: true });
  mkdirSync(join(dir, 'configs', 'l2'), { recursive: true });
  writeFileSync(
    join(dir, 'floe.yaml'),
    `environment: test\nlogs: { format: json, level: warn }\n${floeYaml}`,
  );
  const catalog = async <T>(fn: (c: SqlCatalog) => Promise<T>) => {
    const c = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  };
  const p: L2TestProject = {
    dir,
    file: (path, text) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    config: (item) =>
      writeFileSync(
        join(dir, 'configs', 'l2', `${String(item.configId)}.json`),
        JSON.stringify(item, null, 2),
      ),
    run: (args = [], opts = {}) =>
      runJob(
        parseJobParams(
          ['--project', dir, ...(args.includes('--process-type') ? [] : ['--process-type', 'L2']), ...args],
          {},
        ),
        {
          logStream: { write: () => true },
          ...opts,
        },
      ),
    catalog,
    seed: (table, fields, selectSql) =>
      catalog(async (c) => {
        const t = await loadOrCreateTable(c, table, { schema: fields });
        if (selectSql) await t.appendQuery(selectSql);
      }),
    table: (name) => catalog(async (c) => (await import('../../src/iceberg/index.js')).loadTable(c, name)),
    state: async (configId) => {
      const s = new SqliteStateStore(join(dir, '.floe', 'state.db'));
      try {
        return await s.get('L2', configId);
      } finally {
        s.close();
      }
    },
    history: async (configId) => {
      const h = new SqliteHistoryStore(join(dir, '.floe', 'state.db'));
      try {
        return await h.list({ configId, processType: 'L2' });
      } finally {
        h.close();
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  // A first run creates the catalog and state databases (a project with tables but no state
  // database would be refused as damaged).
  await p.run();
  return p;
}

/** An L2 config item over `sources` (name → `ns.table`) writing `ns.table`. */
export function l2Config(opts: {
  configId: string;
  parser: string;
  sources: Record<string, string | Record<string, unknown>>;
  destination: string;
  writeMode?: 'APPEND' | 'OVERWRITE' | 'MERGE';
  loadType?: 'FULL' | 'INCREMENTAL';
  primaryKey?: string[];
  extra?: Record<string, unknown>;
  destinationExtra?: Record<string, unknown>;
}): Record<string, unknown> {
  const [dns, dtable] = opts.destination.split('.');
  return {
    configId: opts.configId,
    parserName: opts.parser,
    loadType: opts.loadType ?? 'FULL',
    source: Object.fromEntries(
      Object.entries(opts.sources).map(([name, s]) => {
        const spec = typeof s === 'string' ? { table: s } : (s as { table: string });
        const [ns, t] = spec.table.split('.');
        const { table: _t, ...rest } = spec as Record<string, unknown>;
        return [name, { glueDatabase: ns, glueTable: t, fetchMode: 'FULL', ...rest }];
      }),
    ),
    destination: {
      glueDatabase: dns,
      glueTable: dtable,
      defaultwriteMode: opts.writeMode ?? 'OVERWRITE',
      // MERGE needs a key in the config itself (the seed's rule); `id` unless given.
      ...(opts.primaryKey || opts.writeMode === 'MERGE' ? { primaryKey: opts.primaryKey ?? ['id'] } : {}),
      dropExtraColumns: false,
      ...opts.destinationExtra,
    },
    notifications: { onFailure: true, onSuccess: true },
    ...opts.extra,
  };
}

export function l2Result(out: JobOutcome, configId: string): L2Result {
  const r = out.results.find((x) => x.configId === configId && x.processType === 'L2');
  if (!r) throw new Error(`no L2 result for ${configId}: ${JSON.stringify(out.results)}`);
  return r as L2Result;
}
