/**
 * One L1 config, end to end: fetch pages → rows (names normalised, ingest columns) → spool while
 * inferring the schema → create or evolve the table → one commit (APPEND, OVERWRITE or MERGE)
 * whose snapshot summary carries the run id and the cursor → only then advance lastSyncTime,
 * record history and status. A failure at any step leaves the table at its last snapshot and
 * the cursor where it was; the run's result says what failed.
 */
import { type L1Config, resolveKeyColumns } from '../config/index.js';
import { errorMessage, FloeError, isFloeError } from '../errors.js';
import {
  type Catalog,
  type FieldInput,
  loadOrCreateTable,
  type Table,
  type WriteResult,
} from '../iceberg/index.js';
import type { HistoryStore } from '../runtime/ports/history-store.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { ConfigRunResult } from '../runtime/ports/notifier.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import type { StateStore } from '../runtime/ports/state-store.js';
import { buildSource, type SourceEvent, type TokenCache } from '../source/index.js';
import { collectGarbage } from '../util/memory.js';
import { redact } from '../util/redact.js';
import { reconcile } from './reconcile-schema.js';
import { INGEST_COLUMNS } from './records.js';
import { RowLineEncoder } from './row-line.js';
import { RecordSpool } from './spool.js';

export interface L1Deps {
  readonly catalog: Catalog;
  readonly secrets: SecretStore;
  readonly state: StateStore;
  readonly history: HistoryStore;
  readonly logger: Logger;
  readonly onProgress?: (p: L1Progress) => void;
  readonly tokenCache?: TokenCache;
  /** Clock for incremental windows (tests pass a simulator's clock). */
  readonly now?: () => Date;
}

export interface L1RunContext {
  readonly runId: string;
  /** The seed's `job-id` (Glue job run id; locally the run id). */
  readonly jobId: string;
  /** LOAD_TYPE override. */
  readonly loadType?: 'FULL' | 'INCREMENTAL';
  /** One timestamp for every row's ingest columns. */
  readonly startedAt: Date;
}

export interface L1Progress {
  readonly configId: string;
  readonly phase: 'fetching' | 'writing' | 'done' | 'failed';
  readonly pages: number;
  readonly records: number;
  readonly elapsedMs: number;
}

export interface L1Result extends ConfigRunResult {
  readonly cursor?: string;
}

export async function syncL1Config(config: L1Config, ctx: L1RunContext, deps: L1Deps): Promise<L1Result> {
  const configId = config.configId;
  const dest = config.destination;
  const table = `${dest.namespace}.${dest.tableName}`;
  const loadType = ctx.loadType ?? dest.loadType;
  const log = deps.logger.child({ configId });
  const started = Date.now();
  let pages = 0;
  let records = 0;
  const progress = (phase: L1Progress['phase']) =>
    deps.onProgress?.({ configId, phase, pages, records, elapsedMs: Date.now() - started });

  const prior = await deps.state.get('L1', configId);
  const cursor = prior?.lastSyncTime ?? (dest.lastSyncTime || undefined);
  await deps.state.update('L1', configId, {
    status: 'RUNNING',
    lastRunId: ctx.runId,
    lastRunStartedAt: ctx.startedAt.toISOString(),
  });
  log.info(`starting ${loadType} sync into ${table}`, {
    loadType,
    cursor: cursor ?? null,
    writeMode: dest.defaultwriteMode,
  });

  let spool: RecordSpool | undefined;
  try {
    const sourceCursor =
      loadType === 'INCREMENTAL' && cursor ? lookBack(cursor, dest.lookbackSeconds) : undefined;
    const source = buildSource(config as unknown as Record<string, unknown>, {
      secrets: deps.secrets,
      loadType,
      ...(sourceCursor ? { cursor: sourceCursor } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.tokenCache ? { tokenCache: deps.tokenCache } : {}),
      onEvent: (e) => onSourceEvent(e, log),
    });

    // 1. Fetch → rows → spool, inferring the schema over every record.
    const keys = resolveKeyColumns(dest);
    const encoder = new RowLineEncoder(dest.columnNaming, {
      timestamp: ctx.startedAt.toISOString(),
      runId: ctx.runId,
    });
    spool = await RecordSpool.open();
    progress('fetching');
    for await (const page of source.pages()) {
      const lines = (page.records as Record<string, unknown>[]).map((r) => encoder.encode(r));
      await spool.writeOpenLines(lines);
      pages++;
      records += lines.length;
      progress('fetching');
    }
    await spool.finish();
    // Drop the fetch phase's dead pages before DuckDB's write phase allocates (see memory.ts).
    collectGarbage();
    const cursorMax = source.cursorMax();

    // 2. Table: create with the inferred schema, or evolve the existing one.
    const fields = withIngestColumns(encoder.fields());
    const tbl = await loadOrCreateTable(
      deps.catalog,
      { namespace: [dest.namespace], name: dest.tableName },
      {
        schema: fields,
        partitionBy: (dest.partitionBy ?? []).map((p, i) => ({ ...p, source: keys.partitionSources[i]! })),
      },
    );
    await evolveSchema(tbl, fields, config, log);

    // 3. Write and commit, one snapshot.
    progress('writing');
    const summary: Record<string, string> = { 'floe.run-id': ctx.runId, 'floe.config-id': configId };
    const nextCursor = cursorMax ?? cursor;
    if (nextCursor) summary['floe.sync-cursor'] = nextCursor;
    let written: WriteResult | undefined;
    if (records > 0) {
      // The spool goes to DuckDB as is: no JavaScript per row on the write side.
      const rows = { ndjson: spool.file };
      const sizing = { expectedRows: records };
      switch (dest.defaultwriteMode) {
        case 'APPEND':
          written = await tbl.append(rows, { summary, ...sizing });
          break;
        case 'OVERWRITE':
          written = await tbl.overwrite(rows, { summary, ...sizing });
          break;
        case 'MERGE':
          written = await tbl.merge(rows, {
            keys: keys.primaryKey,
            ...(keys.lastUpdatedColumn && tbl.schema().fields.some((f) => f.name === keys.lastUpdatedColumn)
              ? { orderBy: keys.lastUpdatedColumn }
              : {}),
            summary,
            ...sizing,
          });
          break;
      }
    } else {
      log.info('no records: nothing to commit');
    }

    // 4. Only now, with the data committed, move the cursor and record the run.
    const finishedAt = new Date();
    await deps.state.update('L1', configId, {
      status: 'COMPLETED',
      lastSuccessfulRun: finishedAt.toISOString(),
      lastError: null,
      ...(nextCursor ? { lastSyncTime: nextCursor } : {}),
    });
    const snapshotId = written ? String(written.snapshot['snapshot-id']) : '';
    await deps.history.record({
      configId,
      'job-id': ctx.jobId,
      load_type: loadType,
      loadTimestamp: finishedAt.toISOString(),
      snapshot_id: snapshotId,
      error: '',
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: records,
      runId: ctx.runId,
      processType: 'L1',
      durationMs: Date.now() - started,
      table,
      ...(nextCursor ? { cursor: nextCursor } : {}),
    });
    log.info(`committed ${records} records to ${table}`, { snapshotId, pages, cursor: nextCursor ?? null });
    progress('done');
    return {
      configId,
      processType: 'L1',
      status: 'SUCCESS',
      records,
      ...(snapshotId ? { snapshotId } : {}),
      durationMs: Date.now() - started,
      table,
      loadType,
      ...(nextCursor ? { cursor: nextCursor } : {}),
    };
  } catch (e) {
    const message = redact(errorMessage(e));
    log.error(`failed: ${message}`, { kind: isFloeError(e) ? e.kind : 'internal' });
    progress('failed');
    const finishedAt = new Date();
    await deps.state.update('L1', configId, { status: 'FAILED', lastError: message }).catch(() => {});
    await deps.history
      .record({
        configId,
        'job-id': ctx.jobId,
        load_type: loadType,
        loadTimestamp: finishedAt.toISOString(),
        snapshot_id: '',
        error: message,
        lastRunStatus: 'FAILED',
        totalRecordsProcessed: records,
        runId: ctx.runId,
        processType: 'L1',
        durationMs: Date.now() - started,
        table,
      })
      .catch(() => {});
    return {
      configId,
      processType: 'L1',
      status: 'FAILED',
      records,
      error: message,
      durationMs: Date.now() - started,
      table,
      loadType,
    };
  } finally {
    await spool?.dispose();
  }
}

function lookBack(cursor: string, seconds: number): string {
  if (!seconds) return cursor;
  const t = Date.parse(cursor);
  if (Number.isNaN(t)) return cursor;
  // Keep Wrike's second-precision `Z` form.
  return new Date(t - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withIngestColumns(fields: FieldInput[]): FieldInput[] {
  const ingest = new Set<string>(INGEST_COLUMNS.map((c) => c.name));
  return [
    ...fields.filter((f) => !ingest.has(f.name)),
    ...INGEST_COLUMNS.map((c) => ({ name: c.name, type: c.type, required: false })),
  ];
}

async function evolveSchema(tbl: Table, fields: FieldInput[], config: L1Config, log: Logger): Promise<void> {
  const r = reconcile(tbl.schema(), fields);
  if (r.conflicts.length) {
    throw new FloeError(
      'data-invalid',
      `the API's data no longer fits table ${tbl.name}: ${r.conflicts.map((c) => c.message).join('; ')}. Fix: rename or drop the table to rebuild it, or change the column's type with Spark (ALTER TABLE … ALTER COLUMN)`,
      { context: { configId: config.configId, table: tbl.name, column: r.conflicts[0]!.column } },
    );
  }
  if (r.newColumns.length === 0) return;
  const evolution = config.destination.icebergOptimizations.schemaEvolution;
  const allowed =
    evolution === true
      ? r.newColumns
      : evolution === false
        ? []
        : r.newColumns.filter((c) => evolution.includes(c));
  const refused = r.newColumns.filter((c) => !allowed.includes(c));
  if (refused.length) {
    throw new FloeError(
      'data-invalid',
      `the API now sends new field(s) ${refused.join(', ')} that table ${tbl.name} lacks, and schema evolution is off. Fix: set destination.icebergOptimizations.schemaEvolution to true (new fields become optional columns)`,
      { context: { configId: config.configId, table: tbl.name } },
    );
  }
  await tbl.updateSchema(r.update);
  log.info(`schema evolved: added ${r.newColumns.join(', ')}`, { table: tbl.name });
}

function onSourceEvent(e: SourceEvent, log: Logger): void {
  const ev = e as unknown as { type: string; [k: string]: unknown };
  switch (ev.type) {
    case 'page':
      log.debug('page', ev);
      break;
    case 'retry':
    case 'throttle':
    case 'rate-limited':
    case 'warning':
    case 'token-refresh':
      log.warn(ev.type, ev);
      break;
    default:
      log.debug(ev.type, ev);
  }
}
