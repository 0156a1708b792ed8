/**
 * Reading an L2 config's sources into its workspace, columnar: floe plans each L1 table's scan
 * (pruning, delete files) and DuckDB reads the planned Parquet files; no row passes through
 * JavaScript. Per source, as the config and the run say:
 *
 *  - FULL (the run's load type, or the source's fetchMode): every current row.
 *  - INCREMENTAL by COLUMN: rows whose incrementalColumn is greater than the greatest value the
 *    last run read (the seed's lastSuccessfulFetchTime).
 *  - INCREMENTAL by SNAPSHOT: the rows the table gained since the snapshot the last run read up
 *    to, as net changes (iceberg/read/changes.ts) with the L1 ingest columns left out of the
 *    comparison: a record an L1 OVERWRITE or MERGE wrote again unchanged is not new, a record
 *    committed late is never missed. When that range cannot be read any more (snapshots expired,
 *    table rolled back), the source is read in full and the run says so.
 *
 * Every source is pinned to the snapshot current when it was planned, and the run records that
 * snapshot and the column's greatest value read as the source's new position.
 */
import { resolveColumnName } from '../config/index.js';
import type { L2Config, L2SourceTable } from '../config/l2-schema.js';
import { sqlIdent, sqlString } from '../duck/session.js';
import { FloeError, isFloeError } from '../errors.js';
import {
  type Catalog,
  type DuckRelation,
  loadTable,
  RANGE_UNAVAILABLE,
  readTable,
  readTableIncremental,
  type Table,
  type TableIdentifier,
} from '../iceberg/index.js';
import { INGEST_COLUMNS } from '../l1/records.js';
import type { SourcePosition, SourcePositions } from './summary.js';
import { ALL_ROWS_SCHEMA, type Workspace } from './workspace.js';

export type SourceMode = 'FULL' | 'COLUMN' | 'SNAPSHOT';

export interface SourceRead {
  readonly name: string;
  readonly table: string;
  /** How the rows were read (SNAPSHOT/COLUMN that fell back to FULL say FULL, with `note`). */
  readonly mode: SourceMode;
  /** Rows this run reads from the source. */
  readonly rows: number;
  /** The position this run reads up to. */
  readonly position: SourcePosition;
  /** Why the read differs from what the config asked for. */
  readonly note?: string;
}

/** What the run knows before reading: the config, whether it is incremental, the last positions. */
export interface SourcePlan {
  readonly config: L2Config;
  /** The run's load type (LOAD_TYPE override, else the config's). */
  readonly loadType: 'FULL' | 'INCREMENTAL';
  /** Positions the last committed run read up to (from the destination table). */
  readonly positions: SourcePositions;
}

/** The mode a source is read in this run. */
export function sourceMode(s: L2SourceTable, loadType: 'FULL' | 'INCREMENTAL'): SourceMode {
  if (loadType === 'FULL' || s.fetchMode !== 'INCREMENTAL') return 'FULL';
  return s.incrementalBy ?? (s.incrementalColumn ? 'COLUMN' : 'SNAPSHOT');
}

/** Loads each source table (a missing one fails the config, naming source, table and fix). */
export async function loadSources(catalog: Catalog, config: L2Config): Promise<Map<string, Table>> {
  const out = new Map<string, Table>();
  for (const [name, s] of Object.entries(config.source)) {
    const id: TableIdentifier = { namespace: [s.namespace], name: s.tableName };
    if (!(await catalog.tableExists(id)))
      throw new FloeError(
        'not-found',
        `config ${config.configId}: source "${name}" reads table ${s.namespace}.${s.tableName}, which does not exist. ` +
          'Fix: run the L1 config that writes it first (floe run --PROCESS_TYPE L1, or both), or correct ' +
          `source.${name}.glueDatabase / glueTable`,
        {
          context: {
            configId: config.configId,
            field: `source.${name}`,
            table: `${s.namespace}.${s.tableName}`,
          },
        },
      );
    out.set(name, await loadTable(catalog, id));
  }
  return out;
}

/**
 * Creates `<name>` and `all_rows.<name>` in the workspace for every source and measures what
 * was read. The returned release frees the files the relations read.
 */
export async function registerSources(
  ws: Workspace,
  plan: SourcePlan,
  tables: ReadonlyMap<string, Table>,
  warn: (message: string, fields: Record<string, unknown>) => void,
): Promise<{ reads: SourceRead[]; release(): Promise<void> }> {
  const relations: DuckRelation[] = [];
  const release = async () => {
    for (const r of relations.splice(0)) await r.release();
  };
  const reads: SourceRead[] = [];
  try {
    for (const [name, s] of Object.entries(plan.config.source)) {
      const tbl = tables.get(name)!;
      const read = await registerSource(ws, plan, name, s, tbl, relations, warn);
      reads.push(read);
    }
    return { reads, release };
  } catch (e) {
    await release();
    throw e;
  }
}

async function registerSource(
  ws: Workspace,
  plan: SourcePlan,
  name: string,
  s: L2SourceTable,
  tbl: Table,
  relations: DuckRelation[],
  warn: (message: string, fields: Record<string, unknown>) => void,
): Promise<SourceRead> {
  const configId = plan.config.configId;
  const duck = ws.duck;
  const helpers = ws.schema();
  const snapshot = tbl.currentSnapshot();
  const snapshotId = snapshot?.['snapshot-id'];
  const column = s.incrementalColumn ? tableColumn(tbl, s.incrementalColumn, plan.config, name) : undefined;
  const last = plan.positions[name];
  const lastCursor = last?.cursor ?? (s.lastSuccessfulFetchTime || undefined);
  let mode = sourceMode(s, plan.loadType);
  let note: string | undefined;
  if (mode === 'COLUMN' && !column) mode = 'SNAPSHOT';
  // Both relations read the snapshot planned here, whatever commits land meanwhile.
  const pinned = snapshotId === undefined ? {} : { snapshotId };
  const whole = await readTable(tbl, pinned).toDuck(duck, { helpers });
  relations.push(whole);
  const view = ws.qualified(name);
  await duck.run(`CREATE VIEW ${ws.qualified(name, ALL_ROWS_SCHEMA)} AS ${whole.sql}`);
  if (mode === 'SNAPSHOT') {
    const from = last?.snapshotId === undefined ? undefined : BigInt(last.snapshotId);
    const ignore = INGEST_COLUMNS.map((c) => c.name).filter((c) =>
      tbl.schema().fields.some((f) => f.name === c),
    );
    try {
      const changes = await readTableIncremental(tbl, {
        fromSnapshotId: from,
        ...(snapshotId !== undefined ? { toSnapshotId: snapshotId } : {}),
        ignore,
      }).toDuck(duck, { helpers });
      relations.push(changes);
      if (changes.compares) {
        // Materialised: the parser may read it several times, the comparison runs once (and
        // what survives it, the changed rows, is usually small).
        await duck.run(`CREATE TABLE ${view} AS ${changes.sql}`);
        await changes.release();
      } else {
        // Nothing to compare with (a first run, appends only): the rows are files to read.
        await duck.run(`CREATE VIEW ${view} AS ${changes.sql}`);
      }
    } catch (e) {
      if (!isFloeError(e, 'not-found') || e.context.reason !== RANGE_UNAVAILABLE) throw e;
      mode = 'FULL';
      note = `${e.message}; read in full instead (the output is complete, only not minimal)`;
      warn(`source ${name}: ${note}`, { configId, source: name });
    }
  } else if (mode === 'COLUMN') {
    const delta = await readTableIncremental(tbl, { column: column!, after: lastCursor, ...pinned }).toDuck(
      duck,
      {
        helpers,
      },
    );
    relations.push(delta);
    await duck.run(`CREATE VIEW ${view} AS ${delta.sql}`);
  }
  if (mode === 'FULL')
    await duck.run(`CREATE VIEW ${view} AS SELECT * FROM ${ws.qualified(name, ALL_ROWS_SCHEMA)}`);
  const [c] = await duck.json(`SELECT count(*)::BIGINT::VARCHAR AS n FROM ${view}`);
  const rows = Number(c?.n ?? 0);
  const cursor = column ? await greatest(ws, view, column, lastCursor) : lastCursor;
  return {
    name,
    table: tbl.name,
    mode,
    rows,
    position: {
      table: tbl.name,
      ...(snapshotId !== undefined ? { snapshotId: String(snapshotId) } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    },
    ...(note ? { note } : {}),
  };
}

/**
 * The source column an incrementalColumn names: the column itself, or its name under the
 * config's column naming (`ingestTimestamp` → `ingest_timestamp`), as L1 resolves its columns.
 */
function tableColumn(tbl: Table, ref: string, config: L2Config, source: string): string {
  const names = tbl.schema().fields.map((f) => f.name);
  if (names.includes(ref)) return ref;
  const resolved = resolveColumnName(ref, config.destination.columnNaming);
  if (names.includes(resolved)) return resolved;
  throw new FloeError(
    'config-invalid',
    `config ${config.configId}: source.${source}.incrementalColumn "${ref}" is not a column of ${tbl.name}; its columns are ${names.join(', ')}. Fix: name one of them (e.g. ingest_timestamp), or remove incrementalColumn to read by snapshot`,
    { context: { configId: config.configId, field: `source.${source}.incrementalColumn` } },
  );
}

/** The greater of the column's greatest value in `view` and `previous`, as text. */
async function greatest(
  ws: Workspace,
  view: string,
  column: string,
  previous: string | undefined,
): Promise<string | undefined> {
  const c = sqlIdent(column);
  const [r] = await ws.duck.json(`SELECT max(${c}) AS m, typeof(max(${c})) AS t FROM ${view}`);
  if (r?.m === null || r?.m === undefined) return previous;
  const type = String(r.t);
  let value: string;
  if (type === 'TIMESTAMP WITH TIME ZONE' || type === 'TIMESTAMP') {
    const fmt = type === 'TIMESTAMP' ? '%Y-%m-%dT%H:%M:%S.%f' : '%Y-%m-%dT%H:%M:%S.%fZ';
    const [x] = await ws.duck.json(`SELECT strftime(max(${c}), '${fmt}') AS v FROM ${view}`);
    value = String(x?.v);
  } else value = typeof r.m === 'object' ? JSON.stringify(r.m) : String(r.m);
  if (previous === undefined) return value;
  // Compare as the column's type: a late row's value below the last cursor must not move it back.
  const [cmp] = await ws.duck
    .json(`SELECT CAST(${sqlString(value)} AS ${type}) >= CAST(${sqlString(previous)} AS ${type}) AS later`)
    .catch(() => [{ later: true }]);
  return cmp?.later === false ? previous : value;
}
