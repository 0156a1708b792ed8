/**
 * The job: parameters → runtime (the embedded local profile; AWS comes with its issue) → L1
 * and/or L2 per PROCESS_TYPE → report → exit status. Adapters are chosen here, once; the
 * layers receive ports.
 *
 * A run holds the project's run lock from start to end (one run per project at a time), works in
 * its own scratch folder `.floe/tmp/<runId>`, and journals every warehouse file it creates there.
 * Holding the lock, it first cleans up after runs that died: their uncommitted files (from their
 * journals), their scratch folders and DuckDB spill folders. Configs those runs left RUNNING are
 * reconciled per config (see l1/sync-config.ts).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileConfigStore, type JobParams } from '../config/index.js';
import { setScratchDir } from '../duck/session.js';
import { LocalFileIO, SqlCatalog } from '../iceberg/index.js';
import { JournalingFileIO } from '../iceberg/io/journal.js';
import { ScopedFileIO } from '../iceberg/io/scoped.js';
import { removeUncommittedFiles } from '../iceberg/maintenance/uncommitted.js';
import { runL1 } from '../l1/handler.js';
import type { L1Progress, L1Result } from '../l1/sync-config.js';
import type { TextStream } from '../runtime/local/console-logger.js';
import { openLocalRuntime } from '../runtime/local/open-local-runtime.js';
import { RunLock } from '../runtime/local/run-lock.js';
import { deadRuns, removeDeadSpillDirs, runScratch } from '../runtime/local/run-scratch.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { ConfigRunResult, RunReport } from '../runtime/ports/notifier.js';
import { checkProjectIntegrity, integrityTargetOf } from './preflight.js';

/** A config's result; L1 results also carry the cursor the run reached. */
export type JobResult = ConfigRunResult & { readonly cursor?: string };

export interface JobOutcome {
  readonly runId: string;
  readonly results: JobResult[];
  /** Set when the run was stopped by its signal (SIGTERM/SIGINT) before it finished. */
  readonly interrupted?: boolean;
  /** Layers that were asked for but do not exist yet (L2 until its issue lands). */
  readonly unavailable: string[];
  readonly reportPath?: string;
  readonly ok: boolean;
}

export interface JobOptions {
  readonly onProgress?: (p: L1Progress) => void;
  readonly logStream?: TextStream;
  readonly env?: NodeJS.ProcessEnv;
  /** Clock for source windows (the demo and tests pass the simulator's). */
  readonly now?: () => Date;
  /** Aborted to stop the run (see shutdown.ts): nothing is committed after it fires. */
  readonly signal?: AbortSignal;
  /** Wait this long for another run of the project to finish (default: fail at once). */
  readonly waitForLockMs?: number;
}

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function runJob(params: JobParams, opts: JobOptions = {}): Promise<JobOutcome> {
  const projectDir = resolve(params.project ?? '.');
  // Before anything opens, and so creates, the catalog or state database: a lost one stops here.
  const target = integrityTargetOf(projectDir, params);
  await checkProjectIntegrity(target);
  const runtime = await openLocalRuntime(projectDir, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const jobId = params.raw.JOB_RUN_ID ?? runId;
  const project = runtime.project;
  const floeDir = join(project.root, '.floe');
  let lock: RunLock;
  try {
    lock = await RunLock.acquire(join(floeDir, 'run.lock'), runId, {
      ...(opts.waitForLockMs ? { waitMs: opts.waitForLockMs } : {}),
    });
  } catch (e) {
    await runtime.close();
    throw e;
  }
  const log = runtime.logger(runId);
  const scratchRoot = join(floeDir, 'tmp');
  const scratch = runScratch(scratchRoot, runId);
  setScratchDir(scratch.dir);
  const catalog = new SqlCatalog({
    name: target.catalogName,
    path: target.catalogPath,
    warehouse: target.warehouse,
    // Every file this run creates is journaled first, so a killed run's leftovers can be found;
    // and nothing is written outside the warehouse, whatever a name or a metadata file says.
    io: new ScopedFileIO(new JournalingFileIO(new LocalFileIO(), scratch.journal), target.warehouse),
  });
  for (const w of params.warnings) log.warn(w);
  const results: JobResult[] = [];
  const unavailable: string[] = [];
  try {
    await cleanUpAfterDeadRuns(catalog, scratchRoot, runId, log);
    if (params.processTypes.includes('L1')) {
      const configs = new FileConfigStore(projectDir);
      const l1: L1Result[] = await runL1(
        configs,
        { platform: params.platform, configId: params.configId, parallelism: project.parallelism },
        { runId, jobId, loadType: params.loadType, startedAt },
        {
          catalog,
          secrets: runtime.secrets,
          state: runtime.state,
          history: runtime.history,
          logger: log,
          scratchDir: scratch.dir,
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.now ? { now: opts.now } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
      results.push(...l1);
    }
    if (params.processTypes.includes('L2')) {
      unavailable.push('L2');
      log.warn('L2 (processing) is not available yet in this version of floe; skipped');
    }
    const report: RunReport = {
      runId,
      ...(params.platform ? { platform: params.platform } : {}),
      environment: params.customerEnvironment ?? runtime.environment,
      recipients: params.notificationTo.length ? params.notificationTo : runtime.recipients,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      results,
    };
    await runtime.notifier.notify(report);
    const interrupted = opts.signal?.aborted === true;
    if (interrupted) log.warn('the run was stopped; configs in flight are recorded as INTERRUPTED');
    return {
      runId,
      results,
      unavailable,
      ...(interrupted ? { interrupted } : {}),
      reportPath: resolve(project.notifications.reportDir, `${runId}.html`),
      ok: !interrupted && results.every((r) => r.status === 'SUCCESS'),
    };
  } finally {
    await catalog.close();
    await scratch.dispose().catch(() => {});
    setScratchDir(undefined);
    lock.release();
    await runtime.close();
  }
}

/**
 * Runs that died left their scratch folders: remove the warehouse files they wrote but never
 * committed (their journals list them), then the folders; and dead processes' DuckDB spill
 * folders. Safe because this run holds the project lock: no other run of the project is alive.
 */
async function cleanUpAfterDeadRuns(catalog: SqlCatalog, scratchRoot: string, runId: string, log: Logger) {
  const dead = deadRuns(scratchRoot, runId);
  for (const d of dead) {
    const { removed } = await removeUncommittedFiles(catalog, d.written);
    if (removed.length)
      log.info(
        `removed ${removed.length} file(s) that run ${d.runId} wrote but never committed (it was stopped)`,
        {
          run: d.runId,
          files: removed.length,
        },
      );
    await rm(d.dir, { recursive: true, force: true });
  }
  const spills = await removeDeadSpillDirs();
  if (spills.length) log.info(`removed ${spills.length} DuckDB spill folder(s) of stopped processes`);
}
