/**
 * One L1 config, end to end: reconcile state with the table → fetch pages → rows (column names,
 * ingest columns) → spool while inferring the schema → create or evolve the table → one commit
 * (APPEND, OVERWRITE or MERGE) whose snapshot summary carries the run id and the cursor → only
 * then advance lastSyncTime, record history and status.
 *
 * Exactly once per table and cursor:
 *  - The table is the truth about how far a sync got. On start, its newest commit of this
 *    config is compared with the state: a commit whose run never recorded it (killed between
 *    commit and state update, or a state database that was reset) is adopted, cursor and
 *    history row included, so the next fetch starts after it and nothing is appended twice.
 *  - A run that died before committing is recorded as INTERRUPTED on the next start.
 *  - At commit, a commit of this config by another run since this one started (two hosts on one
 *    catalog) refuses the commit; the sync starts over from that run's cursor (see
 *    `noConcurrentSync`). MERGE also re-plans over any data added meanwhile (iceberg validate.ts).
 *  - A stop signal before the commit abandons the sync (no partial data), recorded as
 *    INTERRUPTED; after the commit, the run completes its bookkeeping.
 */
import { type L1Config, resolveKeyColumns } from '../config/index.js';
import { createWithLayout, tableLayout } from '../config/table-layout.js';
import { errorMessage, FloeError, isFloeError } from '../errors.js';
import {
  type Catalog,
  type Expr,
  type FieldInput,
  identifierString,
  loadOrCreateTable,
  loadTable,
  type NestedField,
  type Table,
  type TableIdentifier,
  type TableMetadata,
  type WriteResult,
  where,
} from '../iceberg/index.js';
import { failpoint } from '../iceberg/util/failpoint.js';
import type { SkipExisting } from '../iceberg/write/skip-existing.js';
import { snapshotsSince } from '../iceberg/write/validate.js';
import type { HistoryEntry, HistoryStore } from '../runtime/ports/history-store.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { ConfigRunResult } from '../runtime/ports/notifier.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import type { ConfigState, StateStore } from '../runtime/ports/state-store.js';
import { buildSource, type SourceEvent, type TokenCache } from '../source/index.js';
import { collectGarbage } from '../util/memory.js';
import { redact } from '../util/redact.js';
import { CheckpointPolicy, checkpointToResume, ownCheckpoint } from './checkpoints.js';
import { COLUMN_SOURCES_PROPERTY, parseColumnSources } from './column-names.js';
import {
  type ColumnTypePlan,
  checkDeclaredValues,
  DETECT_TIMESTAMPS_PROPERTY,
  planColumnTypes,
  quoteExamples,
  stagedConversions,
  typedFields,
  type ValueCheck,
} from './column-types.js';
import { maintainAfterRun } from './maintain-after-run.js';
import { reconcile } from './reconcile-schema.js';
import { INGEST_COLUMNS } from './records.js';
import { RowLineEncoder, type SchemaNote } from './row-line.js';
import { RecordSpool } from './spool.js';
import {
  cursorAfter,
  type FloeCommit,
  latestFloeCommit,
  recordsCommittedBy,
  SUMMARY_CHECKPOINT,
  SUMMARY_CONFIG_ID,
  SUMMARY_RECORDS,
  SUMMARY_RUN_ID,
  SUMMARY_SYNC_CURSOR,
} from './table-cursor.js';

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
  /** Aborted when the run is asked to stop (SIGTERM/SIGINT): no commit after that. */
  readonly signal?: AbortSignal;
  /** Where record spools go (the run's scratch folder; default the OS temp folder). */
  readonly scratchDir?: string;
  /**
   * Takes a config's lock for the length of its sync, when the profile serialises configs rather
   * than whole runs (see job/profile.ts).
   */
  readonly lockConfig?: (kind: 'L1' | 'L2', configId: string) => Promise<{ release(): Promise<void> }>;
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
  readonly phase: 'fetching' | 'writing' | 'done' | 'failed' | 'interrupted';
  readonly pages: number;
  readonly records: number;
  readonly elapsedMs: number;
}

export interface L1Result extends ConfigRunResult {
  readonly cursor?: string;
}

/** Context reason of the conflict raised when another run of the same config committed first. */
export const CONCURRENT_SYNC = 'concurrent-sync';
/** Syncs started over after another run of the config committed first. */
const MAX_SYNC_ATTEMPTS = 4;

interface Counters {
  pages: number;
  /** Records fetched. */
  records: number;
  /** Records committed to the table (checkpoints included). */
  committed: number;
  checkpoints: number;
}

export async function syncL1Config(config: L1Config, ctx: L1RunContext, deps: L1Deps): Promise<L1Result> {
  const configId = config.configId;
  const dest = config.destination;
  const table = `${dest.namespace}.${dest.tableName}`;
  const loadType = ctx.loadType ?? dest.loadType;
  const log = deps.logger.child({ configId });
  const started = Date.now();
  const n: Counters = { pages: 0, records: 0, committed: 0, checkpoints: 0 };
  const progress = (phase: L1Progress['phase']) =>
    deps.onProgress?.({
      configId,
      phase,
      pages: n.pages,
      records: n.records,
      elapsedMs: Date.now() - started,
    });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptSync(config, ctx, deps, log, n, progress, started);
      } catch (e) {
        if (!isConcurrentSync(e) || attempt >= MAX_SYNC_ATTEMPTS || deps.signal?.aborted) throw e;
        log.warn(`${errorMessage(e)}; starting over (attempt ${attempt + 1} of ${MAX_SYNC_ATTEMPTS})`);
        // Fetch counts restart; commits already made (checkpoints) stay counted.
        n.pages = 0;
        n.records = n.committed;
      }
    }
  } catch (e) {
    const interrupted = deps.signal?.aborted === true || isFloeError(e, 'interrupted');
    const status = interrupted ? 'INTERRUPTED' : 'FAILED';
    const message = interrupted
      ? n.checkpoints > 0
        ? `interrupted: ${stopReason(deps.signal)} after ${n.checkpoints} checkpoint(s); ${n.committed} records are in ${table} and the cursor is at the last checkpoint, so the next run resumes there`
        : `interrupted: ${stopReason(deps.signal)} before this config's commit; nothing of this run was written to ${table}, and its cursor did not move`
      : redact(errorMessage(e));
    if (interrupted) log.warn(message);
    else log.error(`failed: ${message}`, { kind: isFloeError(e) ? e.kind : 'internal' });
    progress(interrupted ? 'interrupted' : 'failed');
    await deps.state.update('L1', configId, { status, lastError: message }).catch(() => {});
    // One duration for the history row and the result (the report), so they never disagree.
    const durationMs = Date.now() - started;
    await deps.history
      .record({
        configId,
        'job-id': ctx.jobId,
        load_type: loadType,
        loadTimestamp: new Date().toISOString(),
        snapshot_id: '',
        error: message,
        lastRunStatus: status,
        // What is in the table (checkpoints), not what was fetched and then lost with the run.
        totalRecordsProcessed: n.committed,
        ...(n.records !== n.committed ? { recordsFetched: n.records } : {}),
        ...(n.checkpoints ? { checkpoints: n.checkpoints } : {}),
        runId: ctx.runId,
        processType: 'L1',
        durationMs,
        table,
      })
      .catch(() => {});
    return {
      configId,
      processType: 'L1',
      status,
      records: n.committed,
      error: message,
      durationMs,
      table,
      loadType,
    };
  }
}

async function attemptSync(
  config: L1Config,
  ctx: L1RunContext,
  deps: L1Deps,
  log: Logger,
  n: Counters,
  progress: (phase: L1Progress['phase']) => void,
  started: number,
): Promise<L1Result> {
  const configId = config.configId;
  const dest = config.destination;
  const id: TableIdentifier = { namespace: [dest.namespace], name: dest.tableName };
  const table = identifierString(id);
  const loadType = ctx.loadType ?? dest.loadType;
  const signal = deps.signal;

  // 0. What the table says, before anything else: the state follows it.
  let tbl = await loadIfExists(deps.catalog, id);
  const startSnapshot = tbl?.currentSnapshot()?.['snapshot-id'];
  const prior = await reconcileWithTable(config, tbl, table, ctx, deps, log);
  const cursor = prior?.lastSyncTime ?? (dest.lastSyncTime || undefined);
  const checkpoints = CheckpointPolicy.for(config);
  // Starting over after another run of the config committed: this run's own checkpoints stay
  // committed, so it goes on after the last of them rather than fetching those windows again.
  const resume = checkpoints.enabled
    ? ((n.checkpoints > 0 ? ownCheckpoint(tbl, configId, ctx.runId) : undefined) ??
      checkpointToResume(tbl, configId, ctx.runId))
    : undefined;
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
    // A FULL sync that stopped after a checkpoint goes on from it rather than starting over.
    const resumeFull = loadType === 'FULL' && resume?.loadType === 'FULL';
    if (resume)
      log.info(
        `resuming from the last checkpoint of run ${resume.runId} (snapshot ${resume.snapshotId}, cursor ${resume.cursor})${resumeFull ? ': only the windows after it are fetched' : ''}`,
      );
    const sourceCursor = resumeFull
      ? resume.cursor
      : loadType === 'INCREMENTAL' && cursor
        ? lookBack(cursor, dest.lookbackSeconds)
        : undefined;
    const source = buildSource(config as unknown as Record<string, unknown>, {
      secrets: deps.secrets,
      loadType: resumeFull ? 'INCREMENTAL' : loadType,
      ...(sourceCursor ? { cursor: sourceCursor } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.tokenCache ? { tokenCache: deps.tokenCache } : {}),
      onEvent: (e) => onSourceEvent(e, log),
    });

    // Rows → spool, inferring the schema over every record. Column names follow the owners the
    // table recorded, so a field keeps its column across runs.
    const types = planColumnTypes(configId, dest, tbl?.metadata.properties);
    const encoder = new RowLineEncoder(
      dest.columnNaming,
      { timestamp: ctx.startedAt.toISOString(), runId: ctx.runId },
      {
        columnSources: parseColumnSources(tbl?.metadata.properties[COLUMN_SOURCES_PROPERTY]),
        declared: types.declared,
        detectTimestamps: types.detectTimestamps,
      },
    );
    const keys = resolveKeyColumns(dest);

    /**
     * Creates or evolves the table for the rows spooled so far and commits them in one snapshot
     * (APPEND, OVERWRITE or MERGE). A checkpoint commit carries `floe.checkpoint`.
     */
    const commitSpool = async (
      rowsFile: string,
      records: number,
      commitCursor: string | undefined,
      checkpoint: boolean,
    ): Promise<{ written?: WriteResult; warnings: number }> => {
      const keyColumns = {
        primaryKey: dest.primaryKey.map((k) => encoder.rootColumnFor(k)),
        lastUpdatedColumn:
          dest.lastUpdatedColumn === undefined ? undefined : encoder.rootColumnFor(dest.lastUpdatedColumn),
      };
      // Declared types: values that do not convert are counted before anything is written.
      const checks = records > 0 ? await checkDeclaredValues(rowsFile, types.declared) : new Map();
      const typeWarnings = judgeDeclaredValues(configId, types.declared, checks, tbl, log);
      const dateTimes = encoder.maybeDateTimes();
      const fields = withIngestColumns(
        typedFields(withTableDateTimes(encoder.fields(), dateTimes, tbl), types.declared, checks, new Set()),
      );
      const layout = tableLayout(dest);
      tbl ??= await createWithLayout(layout, configId, (sortBy) =>
        loadOrCreateTable(deps.catalog, id, {
          schema: fields,
          partitionBy: (dest.partitionBy ?? []).map((p, i) => ({ ...p, source: keys.partitionSources[i]! })),
          sortBy,
          properties: {
            ...layout.properties,
            [DETECT_TIMESTAMPS_PROPERTY]: String(types.detectTimestamps),
          },
        }),
      );
      const target = tbl;
      await evolveSchema(target, fields, config, log, JSON.stringify(encoder.columnSources()), (column) =>
        dateTimeHint(encoder, types, column),
      );
      const warnings =
        typeWarnings +
        (checkpoint ? 0 : reportSchemaNotes(encoder.schemaNotes(), target, configId, log)) +
        (checkpoint ? 0 : reportTextColumns(target, types.declared, configId, log));
      failpoint('l1.table-ready');
      throwIfStopped(signal);
      if (records === 0) return { warnings };
      const summary: Record<string, string> = {
        [SUMMARY_RUN_ID]: ctx.runId,
        [SUMMARY_CONFIG_ID]: configId,
        [SUMMARY_RECORDS]: String(records),
      };
      if (commitCursor) summary[SUMMARY_SYNC_CURSOR] = commitCursor;
      if (checkpoint) summary[SUMMARY_CHECKPOINT] = resumeFull ? 'FULL' : loadType;
      const commit = {
        summary,
        validate: (base: TableMetadata) => noConcurrentSync(base, startSnapshot, configId, ctx.runId, table),
        ...(signal ? { signal } : {}),
      };
      // The spool goes to DuckDB as is: no JavaScript per row on the write side.
      const rows = {
        ndjson: rowsFile,
        convert: stagedConversions(target.schema().fields, types.declared, dateTimes),
      };
      const sizing = { expectedRows: records };
      switch (dest.defaultwriteMode) {
        case 'APPEND': {
          const skipExisting = sourceCursor
            ? windowRows(target, keyColumns.lastUpdatedColumn, sourceCursor)
            : undefined;
          const r = await target.append(rows, {
            ...commit,
            ...sizing,
            ...(skipExisting ? { skipExisting } : {}),
          });
          if (r.skippedRows)
            log.info(
              `skipped ${r.skippedRows} record(s) the table already holds (the API re-sends the records at the window's start)`,
            );
          return { written: r, warnings };
        }
        case 'OVERWRITE':
          return { written: await target.overwrite(rows, { ...commit, ...sizing }), warnings };
        case 'MERGE':
          return {
            written: await target.merge(rows, {
              keys: keyColumns.primaryKey,
              ...(keyColumns.lastUpdatedColumn &&
              target.schema().fields.some((f) => f.name === keyColumns.lastUpdatedColumn)
                ? { orderBy: keyColumns.lastUpdatedColumn }
                : {}),
              ...commit,
              ...sizing,
            }),
            warnings,
          };
      }
    };

    // 1. Fetch → spool; at window ends, a checkpoint commit when one is due.
    let checkpointCursor: string | undefined;
    spool = await RecordSpool.open(deps.scratchDir);
    progress('fetching');
    for await (const page of source.pages({
      ...(signal ? { signal } : {}),
      checkpoints: checkpoints.enabled,
    })) {
      if (page.checkpoint !== undefined) {
        if (!checkpoints.due()) continue;
        const records = spool.count;
        await spool.finish();
        collectGarbage();
        throwIfStopped(signal);
        progress('writing');
        const { written } = await commitSpool(spool.file, records, page.checkpoint, true);
        await spool.dispose();
        spool = undefined;
        n.committed += records;
        n.checkpoints++;
        checkpointCursor = page.checkpoint;
        checkpoints.committed();
        failpoint('l1.checkpoint');
        await deps.state.update('L1', configId, { lastSyncTime: page.checkpoint });
        log.info(
          `checkpoint ${n.checkpoints}: committed ${records} records to ${table} up to ${page.checkpoint} (${n.committed} so far)`,
          { snapshotId: written ? String(written.snapshot['snapshot-id']) : '', cursor: page.checkpoint },
        );
        spool = await RecordSpool.open(deps.scratchDir);
        progress('fetching');
        continue;
      }
      const lines = (page.records as Record<string, unknown>[]).map((r) => encoder.encode(r));
      await spool.writeOpenLines(lines);
      checkpoints.fetched(lines.length);
      n.pages++;
      n.records += lines.length;
      failpoint('l1.page');
      progress('fetching');
    }
    await spool.finish();
    failpoint('l1.fetched');
    const fetchedAt = Date.now();
    log.info(`fetched ${n.records} records in ${n.pages} pages (${fetchedAt - started} ms)`);
    // Drop the fetch phase's dead pages before DuckDB's write phase allocates (see memory.ts).
    collectGarbage();
    throwIfStopped(signal);

    // 2. The last commit: the rest of the rows, and the cursor over the whole run.
    progress('writing');
    const nextCursor = laterCursor(laterCursor(source.cursorMax(), checkpointCursor), cursor);
    const rest = spool.count;
    const { written, warnings: schemaWarnings } = await commitSpool(spool.file, rest, nextCursor, false);
    n.committed += rest;
    if (!written && n.checkpoints === 0)
      log.info(
        n.records === 0
          ? `no records${sourceCursor ? ` changed since ${sourceCursor}` : ''}: nothing to write to ${table}`
          : `nothing to write to ${table}`,
      );

    // 3. Only now, with the data committed, move the cursor and record the run.
    failpoint('l1.after-commit');
    const finishedAt = new Date();
    await deps.state.update('L1', configId, {
      status: 'COMPLETED',
      lastSuccessfulRun: finishedAt.toISOString(),
      lastError: null,
      ...(nextCursor ? { lastSyncTime: nextCursor } : {}),
    });
    failpoint('l1.after-state');
    const maintenanceWarnings =
      tbl && (written || n.checkpoints > 0) ? await maintainAfterRun(tbl, dest.maintenance, log) : 0;
    const warnings = schemaWarnings + maintenanceWarnings;
    const snapshotId = written ? String(written.snapshot['snapshot-id']) : '';
    // One duration for the history row and the result (the report), so they never disagree.
    const durationMs = Date.now() - started;
    await deps.history.record({
      configId,
      'job-id': ctx.jobId,
      load_type: loadType,
      loadTimestamp: finishedAt.toISOString(),
      snapshot_id: snapshotId,
      error: '',
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: n.committed,
      runId: ctx.runId,
      processType: 'L1',
      durationMs,
      table,
      ...(nextCursor ? { cursor: nextCursor } : {}),
      ...(warnings ? { warnings } : {}),
      ...(n.checkpoints ? { checkpoints: n.checkpoints } : {}),
    });
    failpoint('l1.after-history');
    if (written || n.checkpoints > 0)
      log.info(
        `committed ${n.committed} records to ${table}${n.checkpoints ? ` (${n.checkpoints} checkpoint(s) and a last commit)` : ''}`,
        {
          snapshotId,
          pages: n.pages,
          cursor: nextCursor ?? null,
          // Time after the fetch: the table work (schema, write, commit) and the state update.
          writeMs: Date.now() - fetchedAt,
        },
      );
    progress('done');
    return {
      configId,
      processType: 'L1',
      status: 'SUCCESS',
      records: n.committed,
      ...(snapshotId ? { snapshotId } : {}),
      durationMs,
      table,
      loadType,
      ...(nextCursor ? { cursor: nextCursor } : {}),
      ...(warnings ? { warnings } : {}),
    };
  } finally {
    await spool?.dispose();
  }
}

/** The later of two cursors (either may be missing). */
function laterCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return cursorAfter(b, a) ? b : a;
}

/**
 * Brings the state in line with the table before a sync (see the file comment): records a dead
 * run as INTERRUPTED, adopts a commit whose run never recorded it, follows the table when the
 * state's cursor disagrees with its newest commit, and refuses to start when the table is gone
 * although this config committed to it (a fresh, empty table would take only the new tail).
 */
async function reconcileWithTable(
  config: L1Config,
  tbl: Table | undefined,
  table: string,
  ctx: L1RunContext,
  deps: L1Deps,
  log: Logger,
): Promise<ConfigState | undefined> {
  const configId = config.configId;
  const prior = await deps.state.get('L1', configId);
  const commit = tbl ? latestFloeCommit(tbl, configId) : undefined;

  const dead = prior?.status === 'RUNNING' && prior.lastRunId && prior.lastRunId !== ctx.runId;
  if (dead && prior.lastRunId !== commit?.runId) {
    const deadRun = prior.lastRunId!;
    const note = `found by run ${ctx.runId}: run ${deadRun} (started ${prior.lastRunStartedAt ?? '?'}) stopped without finishing (killed, or its machine went down); nothing of it was committed to ${table}`;
    if (!(await deps.history.find(deadRun, 'L1', configId))) {
      await deps.history.record({
        configId,
        'job-id': deadRun,
        load_type: config.destination.loadType,
        loadTimestamp: new Date().toISOString(),
        snapshot_id: '',
        error: note,
        lastRunStatus: 'INTERRUPTED',
        totalRecordsProcessed: 0,
        runId: deadRun,
        processType: 'L1',
        durationMs: 0,
        table,
        note,
      });
    }
    await deps.state.update('L1', configId, { status: 'INTERRUPTED', lastError: note });
    log.warn(note);
  }

  if (commit?.runId === ctx.runId) {
    // This run's own checkpoint, before a restart (another run committed meanwhile): the
    // state already follows it.
  } else if (commit) {
    const recorded = await deps.history.find(commit.runId, 'L1', configId);
    if (commit.checkpoint && tbl) {
      await adoptCheckpoint(config, commit, recorded, tbl, table, ctx, deps, log);
    } else if (recorded?.lastRunStatus !== 'SUCCESS') {
      await adoptCommit(config, commit, table, ctx, deps, log);
    } else if (commit.cursor && prior?.lastSyncTime && cursorAfter(prior.lastSyncTime, commit.cursor)) {
      // The state claims more than the table holds (the table was rolled back or restored):
      // re-fetch from what the table has. A state cursor *behind* the table's is kept: that is
      // someone rewinding a sync on purpose, and re-reading is safe (MERGE replaces, APPEND
      // skips the rows it already holds).
      await deps.state.update('L1', configId, { lastSyncTime: commit.cursor });
      log.warn(
        `the state's cursor (${prior.lastSyncTime}) is past the newest commit of this config in ${table} (cursor ${commit.cursor}, snapshot ${commit.snapshotId}); the table is the truth, so this sync resumes from ${commit.cursor}`,
      );
    }
  } else if (!tbl && (prior?.lastSyncTime || prior?.lastSuccessfulRun)) {
    const committed = (await deps.history.list({ configId, processType: 'L1', limit: 50 })).find(
      (h) => h.lastRunStatus === 'SUCCESS' && h.snapshot_id !== '' && (h.table ?? table) === table,
    );
    if (committed) {
      throw new FloeError(
        'not-found',
        `table ${table} does not exist in the catalog, but run ${committed.runId} of this config committed snapshot ${committed.snapshot_id} to it (${committed.loadTimestamp}). ` +
          `Recreating it now would hold only the changes after the stored cursor. Fix: if the catalog lost the table, \`floe catalog recover\` registers it again from its metadata files; ` +
          `to rebuild the table from scratch on purpose, clear this config's state (\`floe state reset --config ${configId} --yes\`) so the next run fetches everything`,
        { context: { configId, table } },
      );
    }
  }
  return deps.state.get('L1', configId);
}

/** Records a commit whose run died before recording it: cursor, status and its history row. */
async function adoptCommit(
  config: L1Config,
  commit: FloeCommit,
  table: string,
  ctx: L1RunContext,
  deps: L1Deps,
  log: Logger,
): Promise<void> {
  const at = new Date(commit.committedAtMs).toISOString();
  const note = `recovered by run ${ctx.runId} from ${table}: run ${commit.runId} committed snapshot ${commit.snapshotId} at ${at} but stopped before recording it`;
  await deps.state.update('L1', config.configId, {
    status: 'COMPLETED',
    lastSuccessfulRun: at,
    lastError: null,
    ...(commit.cursor ? { lastSyncTime: commit.cursor } : {}),
  });
  const entry: HistoryEntry = {
    configId: config.configId,
    'job-id': commit.runId,
    load_type: config.destination.loadType,
    loadTimestamp: at,
    snapshot_id: String(commit.snapshotId),
    error: '',
    lastRunStatus: 'SUCCESS',
    totalRecordsProcessed: commit.records,
    runId: commit.runId,
    processType: 'L1',
    durationMs: 0,
    table,
    ...(commit.cursor ? { cursor: commit.cursor } : {}),
    note,
  };
  await deps.history.record(entry);
  log.warn(
    `${note}; its cursor ${commit.cursor ?? '(none)'} is adopted, so nothing is fetched or written twice`,
  );
}

/**
 * The newest commit of this config is a checkpoint of a run that never made its last commit
 * (killed, or failed after the checkpoint). Its data is in the table: the state's cursor moves
 * to the checkpoint if the run died before moving it, and the run gets an INTERRUPTED history
 * row saying how far it got, unless it recorded its own failure.
 */
async function adoptCheckpoint(
  config: L1Config,
  commit: FloeCommit,
  recorded: HistoryEntry | undefined,
  tbl: Table,
  table: string,
  ctx: L1RunContext,
  deps: L1Deps,
  log: Logger,
): Promise<void> {
  const state = await deps.state.get('L1', config.configId);
  if (commit.cursor && (!state?.lastSyncTime || cursorAfter(commit.cursor, state.lastSyncTime)))
    await deps.state.update('L1', config.configId, { lastSyncTime: commit.cursor });
  if (recorded) return;
  const records = recordsCommittedBy(tbl, config.configId, commit.runId);
  const at = new Date(commit.committedAtMs).toISOString();
  const note = `found by run ${ctx.runId}: run ${commit.runId} stopped after a checkpoint; its checkpoints committed ${records} records to ${table} up to cursor ${commit.cursor} (snapshot ${commit.snapshotId}, ${at}), and the next run resumes from there`;
  await deps.history.record({
    configId: config.configId,
    'job-id': commit.runId,
    load_type: commit.checkpoint ?? config.destination.loadType,
    loadTimestamp: at,
    snapshot_id: String(commit.snapshotId),
    error: note,
    lastRunStatus: 'INTERRUPTED',
    totalRecordsProcessed: records,
    runId: commit.runId,
    processType: 'L1',
    durationMs: 0,
    table,
    ...(commit.cursor ? { cursor: commit.cursor } : {}),
    note,
  });
  await deps.state.update('L1', config.configId, { status: 'INTERRUPTED', lastError: note });
  log.warn(note);
}

/**
 * Commit validation: refuses a table state in which another run of the same config committed
 * after this sync started. Its data and this sync's overlap; committing both would duplicate
 * (APPEND) or apply changes out of order. The sync starts over from that run's cursor instead.
 */
function noConcurrentSync(
  base: TableMetadata,
  since: bigint | undefined,
  configId: string,
  runId: string,
  table: string,
): void {
  for (const s of snapshotsSince(base, since)) {
    const summary = s.summary as Record<string, string | undefined>;
    if (summary[SUMMARY_CONFIG_ID] !== configId || summary[SUMMARY_RUN_ID] === runId) continue;
    throw new FloeError(
      'commit-conflict',
      `run ${summary[SUMMARY_RUN_ID]} of config ${configId} committed to ${table} (snapshot ${s['snapshot-id']}) while this run was fetching`,
      { context: { configId, table, reason: CONCURRENT_SYNC } },
    );
  }
}

function isConcurrentSync(e: unknown): boolean {
  return isFloeError(e, 'commit-conflict') && e.context.reason === CONCURRENT_SYNC;
}

async function loadIfExists(catalog: Catalog, id: TableIdentifier): Promise<Table | undefined> {
  if (!(await catalog.tableExists(id))) return undefined;
  return loadTable(catalog, id);
}

/**
 * For an incremental APPEND: which current rows the new ones may repeat (those at or after the
 * window's start), so they are not appended again. The filter only limits what is read (equality
 * of whole rows decides), so it is kept coarse and format-proof: the window start's date for
 * text cursors, the value itself for numeric ones.
 */
function windowRows(tbl: Table, column: string | undefined, start: string): SkipExisting | undefined {
  if (!column || tbl.currentSnapshot() === undefined) return undefined;
  const field = tbl.schema().fields.find((f) => f.name === column);
  if (!field) return undefined;
  const ignore = INGEST_COLUMNS.map((c) => c.name);
  let filter: Expr | undefined;
  if (field.type === 'string' && /^\d{4}-\d{2}-\d{2}/.test(start))
    filter = where.gte(column, start.slice(0, 10));
  else if ((field.type === 'long' || field.type === 'double') && Number.isFinite(Number(start)))
    filter = where.gte(column, field.type === 'long' ? BigInt(Math.floor(Number(start))) : Number(start));
  return { ignore, ...(filter ? { filter } : {}) };
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason instanceof FloeError
      ? signal.reason
      : new FloeError('interrupted', 'the run was stopped before this config finished');
}

function stopReason(signal: AbortSignal | undefined): string {
  const sig = signal?.reason instanceof FloeError ? signal.reason.context.signal : undefined;
  return sig ? `the run was stopped by ${String(sig)}` : 'the run was stopped';
}

/** Logs each schema note once (config, column, why) and returns how many there were. */
function reportSchemaNotes(notes: readonly SchemaNote[], tbl: Table, configId: string, log: Logger): number {
  const columns = columnPaths(tbl.schema().fields);
  let count = 0;
  for (const note of notes) {
    // An all-null field that is already a column is just a null value, not a left-out field.
    if (note.kind === 'all-null' && columns.has(note.column)) continue;
    count++;
    log.warn(`schema: column ${note.column}: ${note.message}`, {
      configId,
      table: tbl.name,
      column: note.column,
      reason: note.kind,
    });
  }
  return count;
}

/** Column paths as schema notes name them: `a`, `a.b`, list elements `a[]`, `a[].b`. */
function columnPaths(fields: readonly NestedField[], parent = '', out = new Set<string>()): Set<string> {
  const visit = (path: string, t: NestedField['type']) => {
    out.add(path);
    if (typeof t === 'string') return;
    if (t.type === 'struct') columnPaths(t.fields, path, out);
    else if (t.type === 'list') visit(`${path}[]`, t.element);
  };
  for (const f of fields) visit(parent ? `${parent}.${f.name}` : f.name, f.type);
  return out;
}

/** The cursor a sync starts from: the saved one, minus `destination.lookbackSeconds`. */
export function lookBack(cursor: string, seconds: number): string {
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

async function evolveSchema(
  tbl: Table,
  fields: FieldInput[],
  config: L1Config,
  log: Logger,
  columnSources: string,
  /** More to say about a conflicting column (a date-time column sent other text). */
  hint: (column: string) => string | undefined = () => undefined,
): Promise<void> {
  const r = reconcile(tbl.schema(), fields);
  if (r.conflicts.length) {
    const hints = r.conflicts.map((c) => hint(c.column)).filter((h): h is string => h !== undefined);
    throw new FloeError(
      'data-invalid',
      `the API's data no longer fits table ${tbl.name}: ${r.conflicts.map((c) => c.message).join('; ')}. ${hints.length ? hints.join(' ') : "Fix: rename or drop the table to rebuild it, or change the column's type with Spark (ALTER TABLE … ALTER COLUMN)"}`,
      { context: { configId: config.configId, table: tbl.name, column: r.conflicts[0]!.column } },
    );
  }
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
  // The column owners go in with the schema change, so the next run maps fields the same way.
  // The configured target file size is kept current on an existing table too.
  await tbl.updateSchema({
    ...r.update,
    setProperties: {
      [COLUMN_SOURCES_PROPERTY]: columnSources,
      ...tableLayout(config.destination).properties,
    },
  });
  if (r.newColumns.length) log.info(`schema evolved: added ${r.newColumns.join(', ')}`, { table: tbl.name });
}

/**
 * Inferred fields, with text columns of date-times typed timestamptz where the table already has
 * them so (a run whose values were all blank still writes into a date-time column).
 */
function withTableDateTimes(
  fields: FieldInput[],
  dateTimes: ReadonlySet<string>,
  tbl: Table | undefined,
): FieldInput[] {
  if (!tbl || dateTimes.size === 0) return fields;
  const existing = tbl.schema().fields;
  return fields.map((f) =>
    dateTimes.has(f.name) && existing.some((e) => e.name === f.name && e.type === 'timestamptz')
      ? { ...f, type: 'timestamptz' }
      : f,
  );
}

/** The fix for a date-time column that received text which is not a date-time. */
function dateTimeHint(encoder: RowLineEncoder, types: ColumnTypePlan, column: string): string | undefined {
  const example = encoder.notDateTime(column);
  if (example === undefined || types.declared.has(column)) return undefined;
  return `Column "${column}" holds date-times, and this run has ${JSON.stringify(example.length > 60 ? `${example.slice(0, 57)}...` : example)}, which is not an ISO-8601 date-time. Fix: declare destination.columns.${column}: {type: timestamptz, onError: null} to write such values as null (counted and logged), or fix them at the source.`;
}

/**
 * Acts on the declared columns' values that do not convert: `reject` fails the config before
 * this commit (naming the column, the count and examples), `null` logs them, `string` keeps a
 * new column as text (an existing typed column cannot take text, so it fails like `reject`).
 * Returns the warnings logged.
 */
function judgeDeclaredValues(
  configId: string,
  declared: ColumnTypePlan['declared'],
  checks: ReadonlyMap<string, ValueCheck>,
  tbl: Table | undefined,
  log: Logger,
): number {
  let warnings = 0;
  for (const [column, check] of checks) {
    if (check.bad === 0) continue;
    const d = declared.get(column)!;
    const field = `destination.columns.${d.key}`;
    const what = `column "${column}" is declared ${d.type}${d.format !== 'iso8601' ? ` (${d.format})` : ''}, and ${check.bad} of its values are not (e.g. ${quoteExamples(check)})`;
    const existing = tbl?.schema().fields.find((f) => f.name === column);
    if (d.onError === 'reject' || (d.onError === 'string' && existing && existing.type !== 'string')) {
      throw new FloeError(
        'data-invalid',
        `${configId}: ${what}; nothing of this sync was written${d.onError === 'string' ? `, and the table already has it as ${String(existing!.type)}, so it cannot become text` : ''}. Fix: set ${field}.onError to null (write them as null)${d.onError === 'reject' ? ' or string (keep the column as text)' : ''}, declare another type in ${field}.type, or fix the values at the source`,
        { context: { configId, field, column } },
      );
    }
    log.warn(
      d.onError === 'null'
        ? `${what}: written as null (onError: null)`
        : `${what}: the column is stored as text (onError: string)`,
      { column, invalid: check.bad },
    );
    warnings++;
  }
  return warnings;
}

/** Declared columns the table has as text (made before the declaration): said once per run. */
function reportTextColumns(
  tbl: Table,
  declared: ColumnTypePlan['declared'],
  configId: string,
  log: Logger,
): number {
  let n = 0;
  for (const [column, d] of declared) {
    if (d.type === 'string') continue;
    const f = tbl.schema().fields.find((x) => x.name === column);
    if (f?.type !== 'string') continue;
    log.warn(
      `${configId}: column "${column}" is declared ${d.type}, but table ${tbl.name} has it as string (made before the declaration, or kept as text by onError: string); its values are written as text. Iceberg cannot change a string column's type: rebuild the table to apply the declaration`,
      { column },
    );
    n++;
  }
  return n;
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
