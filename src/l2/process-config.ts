/**
 * One L2 config, end to end (the seed's ETLProcessor): reconcile the state with the destination
 * table → read the sources into a DuckDB workspace → transform with the named parser → check the
 * output against the parser's schema → validate the primary key → create or evolve the table →
 * write (APPEND / OVERWRITE / MERGE) in one commit whose snapshot summary records the run, the
 * config and how far each source was read → only then advance the state (lastSuccessfulRun, each
 * source's lastSuccessfulFetchTime and lastSnapshotId) and record history. Each step is logged
 * with its counts and time.
 *
 * The reliability contract is L1's: the table is the truth about how far the config got (a run
 * killed after its commit is adopted on the next start, one killed before it left nothing); a
 * commit is refused when another run of the config committed since this one started, which then
 * starts over from that run's positions; a stop signal before the commit abandons the run
 * (INTERRUPTED), after it the bookkeeping completes. A failing run writes nothing (schema
 * included), records FAILED with the reason, and leaves every position where it was.
 */

import { resolveColumnName } from '../config/index.js';
import type { L2Config } from '../config/l2-schema.js';
import { sqlIdent, sqlString, withDuck } from '../duck/session.js';
import { errorMessage, FloeError, isFloeError } from '../errors.js';
import {
  type Catalog,
  identifierString,
  loadTable,
  type StagedRows,
  stageQuery,
  type Table,
  type TableMetadata,
} from '../iceberg/index.js';
import { failpoint } from '../iceberg/util/failpoint.js';
import { snapshotsSince } from '../iceberg/write/validate.js';
import { maintainAfterRun } from '../l1/maintain-after-run.js';
import type { HistoryStore } from '../runtime/ports/history-store.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { ConfigRunResult } from '../runtime/ports/notifier.js';
import type { StateStore } from '../runtime/ports/state-store.js';
import { redact } from '../util/redact.js';
import { applyDestination, destinationId, planDestination } from './destination.js';
import { validateKeys } from './keys.js';
import { declaredColumns, type ParserOutput, runParser, stageOutput } from './output.js';
import type { ParserRegistry } from './parsers/registry.js';
import type { ParserContext, RegisteredParser } from './parsers/types.js';
import { reconcileL2, statePositions } from './reconcile.js';
import { loadSources, registerSources, type SourceRead, sourceMode } from './sources.js';
import {
  encodePositions,
  type SourcePositions,
  SUMMARY_CONFIG_ID,
  SUMMARY_RECORDS,
  SUMMARY_RUN_ID,
  SUMMARY_SOURCES,
} from './summary.js';
import { ALL_ROWS_SCHEMA, Workspace } from './workspace.js';
import { writeOutput } from './write.js';

export interface L2Deps {
  readonly catalog: Catalog;
  readonly state: StateStore;
  /** The L2 history store (the seed's L2_HISTORY_TABLE). */
  readonly history: HistoryStore;
  readonly logger: Logger;
  readonly parsers: ParserRegistry;
  /** The run's clock: what parsers see as "now" (floe_as_of); tests pass a simulator's. */
  readonly now?: () => Date;
  /** Aborted when the run is asked to stop: no commit after that. */
  readonly signal?: AbortSignal;
  /** Takes a config's lock for the length of its run (profiles that serialise configs). */
  readonly lockConfig?: (kind: 'L1' | 'L2', configId: string) => Promise<{ release(): Promise<void> }>;
}

export interface L2RunContext {
  readonly runId: string;
  /** The seed's `job-id`. */
  readonly jobId: string;
  /** LOAD_TYPE override. */
  readonly loadType?: 'FULL' | 'INCREMENTAL';
  readonly startedAt: Date;
}

export interface L2SourceSummary {
  readonly name: string;
  readonly table: string;
  readonly mode: string;
  readonly rows: number;
}

export interface L2Result extends ConfigRunResult {
  /** Whether this result goes into the run's notification (the config's onSuccess/onFailure). */
  readonly notify: boolean;
  /** What was read from each source (absent when nothing was read). */
  readonly sources?: L2SourceSummary[];
  /** MERGE: rows left alone because they did not change. */
  readonly unchanged?: number;
  /** Rows added to the table by the commit. */
  readonly written?: number;
}

/** Context reason of the conflict raised when another run of the same config committed first. */
const CONCURRENT_RUN = 'concurrent-l2-run';
const MAX_ATTEMPTS = 4;

export async function processL2Config(config: L2Config, ctx: L2RunContext, deps: L2Deps): Promise<L2Result> {
  const configId = config.configId;
  const table = `${config.destination.namespace}.${config.destination.tableName}`;
  const loadType = ctx.loadType ?? config.loadType;
  const log = deps.logger.child({ configId, layer: 'L2' });
  const started = Date.now();
  const seen = { records: 0 };
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptRun(config, ctx, deps, log, started, seen);
      } catch (e) {
        if (!isConcurrentRun(e) || attempt >= MAX_ATTEMPTS || deps.signal?.aborted) throw e;
        log.warn(`${errorMessage(e)}; starting over (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`);
      }
    }
  } catch (e) {
    const interrupted = deps.signal?.aborted === true || isFloeError(e, 'interrupted');
    const status = interrupted ? 'INTERRUPTED' : 'FAILED';
    const message = interrupted
      ? `interrupted: the run was stopped before this config's commit; nothing of this run was written to ${table}, and no source position moved`
      : redact(errorMessage(e));
    if (interrupted) log.warn(message);
    else log.error(`failed: ${message}`, { kind: isFloeError(e) ? e.kind : 'internal' });
    await deps.state.update('L2', configId, { status, lastError: message }).catch(() => {});
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
        totalRecordsProcessed: seen.records,
        runId: ctx.runId,
        processType: 'L2',
        durationMs,
        table,
      })
      .catch(() => {});
    return {
      configId,
      processType: 'L2',
      status,
      records: seen.records,
      error: message,
      durationMs,
      table,
      loadType,
      notify: config.notifications.onFailure,
    };
  }
}

async function attemptRun(
  config: L2Config,
  ctx: L2RunContext,
  deps: L2Deps,
  log: Logger,
  started: number,
  seen: { records: number },
): Promise<L2Result> {
  const configId = config.configId;
  const id = destinationId(config);
  const table = identifierString(id);
  const loadType = ctx.loadType ?? config.loadType;
  const parser = deps.parsers.get(config.parserName, configId);
  checkSources(parser, config);
  const keys = primaryKey(parser, config);
  if (config.destination.defaultwriteMode === 'MERGE' && keys.length === 0)
    throw new FloeError(
      'config-invalid',
      `config ${configId}: MERGE needs a primary key, and neither destination.primaryKey nor parser ${parser.name} declares one. Fix: set destination.primaryKey`,
      { context: { configId, field: 'destination.primaryKey' } },
    );

  // 0. What the table says, before anything else: the positions are read from it.
  let tbl = (await deps.catalog.tableExists(id)) ? await loadTable(deps.catalog, id) : undefined;
  const startSnapshot = tbl?.currentSnapshot()?.['snapshot-id'];
  const { positions, commit: lastCommit } = await reconcileL2(config, tbl, table, ctx, deps, log);
  const sourceTables = await loadSources(deps.catalog, config);
  const anyIncremental = Object.values(config.source).some((s) => sourceMode(s, loadType) !== 'FULL');

  // An incremental run with no new source snapshot since the last commit has nothing to read
  // (unless the parser's output depends on the clock, which has moved).
  if (
    loadType === 'INCREMENTAL' &&
    lastCommit &&
    !parser.usesClock &&
    unchangedSources(sourceTables, positions)
  ) {
    const note = `no source table changed since run ${lastCommit.runId} (snapshot ${lastCommit.snapshotId}); nothing to do`;
    log.info(note);
    const finishedAt = new Date();
    await deps.state.update('L2', configId, {
      status: 'COMPLETED',
      lastRunId: ctx.runId,
      lastSuccessfulRun: finishedAt.toISOString(),
      lastError: null,
    });
    const durationMs = Date.now() - started;
    await deps.history.record({
      ...historyBase(config, ctx, loadType, table, durationMs),
      loadTimestamp: finishedAt.toISOString(),
      lastRunStatus: 'SUCCESS',
      note,
    });
    return {
      configId,
      processType: 'L2',
      status: 'SUCCESS',
      records: 0,
      durationMs,
      table,
      loadType,
      notify: config.notifications.onSuccess,
    };
  }

  await deps.state.update('L2', configId, {
    status: 'RUNNING',
    lastRunId: ctx.runId,
    lastRunStartedAt: ctx.startedAt.toISOString(),
  });
  log.info(`starting ${loadType} run of parser ${parser.name} into ${table}`, {
    loadType,
    writeMode: config.destination.defaultwriteMode,
    parser: parser.name,
  });
  const asOf = deps.now?.() ?? ctx.startedAt;

  return withDuck<L2Result>(async (duck) => {
    const ws = await Workspace.open(duck, { asOf, incremental: anyIncremental });
    let sources: { reads: SourceRead[]; release(): Promise<void> } | undefined;
    let staged: StagedRows | undefined;
    try {
      // 1. Read the sources.
      let t = Date.now();
      sources = await registerSources(ws, { config, loadType, positions }, sourceTables, (m, f) =>
        log.warn(m, f),
      );
      for (const r of sources.reads)
        log.info(`read source ${r.name} (${r.table}): ${r.rows} row(s), ${r.mode}`, {
          source: r.name,
          rows: r.rows,
          mode: r.mode,
          ms: Date.now() - t,
        });
      log.info(`sources read in ${Date.now() - t} ms`, { ms: Date.now() - t });
      failpoint('l2.sources-read');
      throwIfStopped(deps.signal);

      // 2. Transform, checked against the parser's schema and written once, staged for the table.
      t = Date.now();
      const output = await runParser(
        ws,
        parser,
        config,
        parserContext(ws, config, sources.reads, asOf, anyIncremental),
      );
      const plan = planDestination(config, output.columns, tbl);
      staged = await stageOutput(ws, output, plan.schema, ctx, parser, config);
      seen.records = Number(staged.rows);
      log.info(`parser ${parser.name} produced ${staged.rows} row(s) in ${Date.now() - t} ms`, {
        rows: Number(staged.rows),
        ms: Date.now() - t,
      });
      throwIfStopped(deps.signal);

      // 3. Primary key.
      t = Date.now();
      const orderBy = config.destination.duplicateKeys
        ? outputColumn(
            output,
            config.destination.duplicateKeys.orderBy,
            config,
            'destination.duplicateKeys.orderBy',
          )
        : undefined;
      const checked = keys.length
        ? await validateKeys(duck, staged.sql, keys, config, parser.name, orderBy)
        : {};
      if (checked.resolved) {
        const resolved = await stageQuery(duck, plan.schema, checked.resolved.sql, table);
        await staged.release();
        staged = resolved;
        seen.records = Number(staged.rows);
        log.warn(
          `${checked.resolved.dropped} duplicate row(s) dropped by destination.duplicateKeys (keep ${config.destination.duplicateKeys?.keep} by ${orderBy})`,
        );
      }
      const rows = Number(staged.rows);
      log.info(`primary key [${keys.join(', ')}] valid in ${Date.now() - t} ms`, { ms: Date.now() - t });
      failpoint('l2.validated');
      throwIfStopped(deps.signal);

      // 4. The table, now that the output is known to be good.
      tbl = await applyDestination(deps.catalog, config, output.columns, plan);
      if (!plan.existing) log.info(`created table ${table}`);
      if (plan.added.length) log.info(`schema evolved: added ${plan.added.join(', ')}`, { table });
      if (plan.widened.length) log.info(`schema evolved: widened ${plan.widened.join(', ')}`, { table });
      if (plan.dropped.length)
        log.info(`dropped column(s) ${plan.dropped.join(', ')} (dropExtraColumns)`, { table });
      if (plan.kept.length)
        log.info(
          `kept column(s) ${plan.kept.join(', ')} the parser no longer produces (null in new rows; dropExtraColumns is false)`,
          { table },
        );
      failpoint('l2.table-ready');
      throwIfStopped(deps.signal);

      // 5. Write and commit, one snapshot carrying how far each source was read.
      t = Date.now();
      const reached: SourcePositions = Object.fromEntries(sources.reads.map((r) => [r.name, r.position]));
      const written = await writeOutput(tbl, staged, {
        mode: config.destination.defaultwriteMode,
        keys,
        duck,
        commit: {
          summary: {
            [SUMMARY_RUN_ID]: ctx.runId,
            [SUMMARY_CONFIG_ID]: configId,
            [SUMMARY_RECORDS]: String(rows),
            [SUMMARY_SOURCES]: encodePositions(reached),
          },
          validate: (base: TableMetadata) => noConcurrentRun(base, startSnapshot, configId, ctx.runId, table),
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
      });
      const snapshotId = String(written.result.snapshot['snapshot-id']);
      log.info(
        `committed snapshot ${snapshotId} to ${table} (${config.destination.defaultwriteMode}): ${written.written} row(s) written` +
          (config.destination.defaultwriteMode === 'MERGE'
            ? `, ${written.replaced} replaced, ${written.unchanged} unchanged left alone`
            : '') +
          ` in ${Date.now() - t} ms`,
        { snapshotId, written: written.written, unchanged: written.unchanged, ms: Date.now() - t },
      );

      // 6. Only now, with the data committed, move the positions and record the run.
      failpoint('l2.after-commit');
      const finishedAt = new Date();
      await deps.state.update('L2', configId, {
        status: 'COMPLETED',
        lastSuccessfulRun: finishedAt.toISOString(),
        lastError: null,
        sources: statePositions(reached),
      });
      failpoint('l2.after-state');
      // As for L1: maintain the table right after the run when the config asks (a failure is a
      // logged warning, never a failed run: the data is committed).
      if (written.written > 0 || (written.replaced ?? 0) > 0)
        await maintainAfterRun(tbl, config.destination.maintenance, log);
      const durationMs = Date.now() - started;
      await deps.history.record({
        ...historyBase(config, ctx, loadType, table, durationMs),
        loadTimestamp: finishedAt.toISOString(),
        snapshot_id: snapshotId,
        lastRunStatus: 'SUCCESS',
        totalRecordsProcessed: rows,
      });
      failpoint('l2.after-history');
      return {
        configId,
        processType: 'L2',
        status: 'SUCCESS',
        records: rows,
        snapshotId,
        durationMs,
        table,
        loadType,
        notify: config.notifications.onSuccess,
        sources: sources.reads.map((r) => ({ name: r.name, table: r.table, mode: r.mode, rows: r.rows })),
        written: written.written,
        unchanged: written.unchanged,
      };
    } finally {
      await staged?.release();
      await sources?.release();
      await ws.close();
    }
  }).catch((e) => {
    // DuckDB work interrupted by a stop signal surfaces as a DuckDB error: report the stop.
    if (deps.signal?.aborted && !isFloeError(e, 'interrupted'))
      throw new FloeError('interrupted', 'the run was stopped before this config finished', { cause: e });
    throw e;
  });
}

/** The context a parser's transform receives (see parsers/types.ts). */
export function parserContext(
  ws: Workspace,
  config: L2Config,
  reads: readonly SourceRead[],
  asOf: Date,
  incremental: boolean,
): ParserContext {
  const names = reads.map((r) => r.name);
  const known = (name: string) => {
    if (!names.includes(name))
      throw new FloeError(
        'config-invalid',
        `config ${config.configId} has no source "${name}" (its sources: ${names.join(', ')}); add source.${name}`,
        { context: { configId: config.configId, field: `source.${name}` } },
      );
  };
  return {
    configId: config.configId,
    incremental,
    asOf,
    sources: names,
    has: (name) => names.includes(name),
    isIncremental: (name) => {
      known(name);
      return reads.find((r) => r.name === name)!.mode !== 'FULL';
    },
    source: (name) => {
      known(name);
      return sqlIdent(name);
    },
    all: (name) => {
      known(name);
      return `${sqlIdent(ALL_ROWS_SCHEMA)}.${sqlIdent(name)}`;
    },
    ident: sqlIdent,
    literal: sqlString,
    run: (sql) => ws.duck.run(sql),
    query: (sql) => ws.duck.json(sql),
  };
}

/** Every source the parser needs must be in the config. */
function checkSources(parser: RegisteredParser, config: L2Config): void {
  const missing = parser.sources.filter((s) => !(s in config.source));
  if (missing.length)
    throw new FloeError(
      'config-invalid',
      `config ${config.configId}: parser ${parser.name} reads source(s) ${missing.join(', ')}, which the config's source section lacks (it has ${Object.keys(config.source).join(', ')}). ` +
        `Fix: add source.${missing[0]} with the L1 table's glueDatabase and glueTable`,
      { context: { configId: config.configId, field: `source.${missing[0]}` } },
    );
}

/** The key columns: the config's destination.primaryKey, else the parser's, resolved by naming. */
function primaryKey(parser: RegisteredParser, config: L2Config): string[] {
  const declared = declaredColumns(parser, config).map((c) => c.name);
  const naming = config.destination.columnNaming;
  const fromConfig = config.destination.primaryKey.length > 0;
  const keys = (fromConfig ? config.destination.primaryKey : parser.primaryKey).map((k) =>
    resolveColumnName(k, naming),
  );
  const unknown = keys.filter((k) => !declared.includes(k));
  if (unknown.length)
    throw new FloeError(
      'config-invalid',
      `config ${config.configId}: ${fromConfig ? 'destination.primaryKey' : `parser ${parser.name}'s primaryKey`} names ${unknown.map((k) => `"${k}"`).join(', ')}, which parser ${parser.name} does not produce (its columns: ${declared.join(', ')}). Fix: name output columns`,
      { context: { configId: config.configId, field: 'destination.primaryKey' } },
    );
  return keys;
}

function outputColumn(output: ParserOutput, ref: string, config: L2Config, field: string): string {
  const names = output.columns.map((c) => c.name);
  const resolved = names.includes(ref) ? ref : resolveColumnName(ref, config.destination.columnNaming);
  if (!names.includes(resolved))
    throw new FloeError(
      'config-invalid',
      `config ${config.configId}: ${field} "${ref}" is not an output column (${names.join(', ')})`,
      { context: { configId: config.configId, field } },
    );
  return resolved;
}

function unchangedSources(tables: ReadonlyMap<string, Table>, positions: SourcePositions): boolean {
  for (const [name, t] of tables) {
    const p = positions[name];
    const current = t.currentSnapshot()?.['snapshot-id'];
    if (!p || p.table !== t.name || p.snapshotId !== (current === undefined ? undefined : String(current)))
      return false;
  }
  return true;
}

/** The history row's common fields; `durationMs` is the one the result reports too. */
function historyBase(
  config: L2Config,
  ctx: L2RunContext,
  loadType: string,
  table: string,
  durationMs: number,
) {
  return {
    configId: config.configId,
    'job-id': ctx.jobId,
    load_type: loadType,
    snapshot_id: '',
    error: '',
    totalRecordsProcessed: 0,
    runId: ctx.runId,
    processType: 'L2' as const,
    durationMs,
    table,
  };
}

/** Refuses a commit on a table state in which another run of this config committed after this run started. */
function noConcurrentRun(
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
      `run ${summary[SUMMARY_RUN_ID]} of config ${configId} committed to ${table} (snapshot ${s['snapshot-id']}) while this run was working`,
      { context: { configId, table, reason: CONCURRENT_RUN } },
    );
  }
}

function isConcurrentRun(e: unknown): boolean {
  return isFloeError(e, 'commit-conflict') && e.context.reason === CONCURRENT_RUN;
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason instanceof FloeError
      ? signal.reason
      : new FloeError('interrupted', 'the run was stopped before this config finished');
}
