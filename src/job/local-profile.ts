/**
 * The embedded local profile: a project folder. Before anything is opened the project is checked
 * (preflight.ts: a lost catalog or state database stops here). A run holds the project's run lock
 * from start to end (one run per project at a time), works in its own scratch folder
 * `.floe/tmp/<runId>`, and journals every warehouse file it creates there. Holding the lock, it
 * first cleans up after runs that died: their uncommitted files (from their journals), their
 * scratch folders and DuckDB spill folders. (Configs those runs left RUNNING are reconciled per
 * config, see l1/sync-config.ts.)
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileConfigStore, type JobParams } from '../config/index.js';
import { releaseSpillParent, setScratchDir, setSpillParent, spillDir } from '../duck/session.js';
import { LocalFileIO, SqlCatalog } from '../iceberg/index.js';
import { JournalingFileIO } from '../iceberg/io/journal.js';
import { ScopedFileIO } from '../iceberg/io/scoped.js';
import { removeUncommittedFiles } from '../iceberg/maintenance/uncommitted.js';
import type { TextStream } from '../runtime/local/console-logger.js';
import { openLocalRuntime } from '../runtime/local/open-local-runtime.js';
import { RunLock } from '../runtime/local/run-lock.js';
import { deadRuns, removeDeadSpillDirs, runScratch } from '../runtime/local/run-scratch.js';
import type { Logger } from '../runtime/ports/logger.js';
import { checkProjectIntegrity, integrityTargetOf } from './preflight.js';
import type { JobProfile } from './profile.js';

export interface LocalProfileOptions {
  readonly logStream?: TextStream;
  readonly env?: NodeJS.ProcessEnv;
  /** Wait this long for another run of the project to finish (default: fail at once). */
  readonly waitForLockMs?: number;
}

export async function openLocalProfile(
  params: JobParams,
  runId: string,
  opts: LocalProfileOptions = {},
): Promise<JobProfile> {
  const projectDir = resolve(params.project ?? '.');
  // Before anything opens, and so creates, the catalog or state database: a lost one stops here.
  const target = integrityTargetOf(projectDir, params);
  await checkProjectIntegrity(target);
  const runtime = await openLocalRuntime(projectDir, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
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
  const logger = runtime.logger(runId);
  const scratchRoot = join(floeDir, 'tmp');
  const scratch = runScratch(scratchRoot, runId);
  setScratchDir(scratch.dir);
  // DuckDB spills into the project too (before its instance starts; the spill folder is per pid).
  if (!(await setSpillParent(scratchRoot)))
    runtime.logger(runId).debug(`DuckDB already runs; it keeps spilling to ${spillDir()}`);
  const catalog = new SqlCatalog({
    name: target.catalogName,
    path: target.catalogPath,
    warehouse: target.warehouse,
    // Every file this run creates is journaled first, so a killed run's leftovers can be found;
    // and nothing is written outside the warehouse, whatever a name or a metadata file says.
    io: new ScopedFileIO(new JournalingFileIO(new LocalFileIO(), scratch.journal), target.warehouse),
  });
  const close = async () => {
    await catalog.close();
    await scratch.dispose().catch(() => {});
    setScratchDir(undefined);
    await releaseSpillParent(scratchRoot).catch(() => {});
    lock.release();
    await runtime.close();
  };
  try {
    await cleanUpAfterDeadRuns(catalog, scratchRoot, runId, logger);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    name: 'local',
    configs: new FileConfigStore(projectDir),
    state: runtime.state,
    history: runtime.history,
    l2History: runtime.history,
    secrets: runtime.secrets,
    catalog,
    logger,
    notifier: runtime.notifier,
    environment: runtime.environment,
    recipients: runtime.recipients,
    parallelism: project.parallelism,
    scratchDir: scratch.dir,
    reportPath: resolve(project.notifications.reportDir, `${runId}.html`),
    close,
  };
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
  const spills = [...(await removeDeadSpillDirs(scratchRoot)), ...(await removeDeadSpillDirs())];
  if (spills.length) log.info(`removed ${spills.length} DuckDB spill folder(s) of stopped processes`);
}
