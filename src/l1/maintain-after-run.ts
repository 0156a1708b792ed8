/**
 * `destination.maintenance.afterRun` (L1 and L2 configs): a nightly MERGE leaves a delete file per data file it
 * touched and a few small files; maintaining the table right after the run keeps reads and the
 * next MERGE fast without a separate schedule. The run's data is already committed, so a failed
 * maintenance step never fails the run: it is logged with the fix and counted as a warning.
 * Orphan-file removal is left to `floe table maintain`, which holds the project lock and reads
 * every run's journal (here another host's write in flight could look orphaned).
 */
import type { MaintenanceConfig } from '../config/common-schema.js';
import { errorMessage } from '../errors.js';
import type { Table } from '../iceberg/index.js';
import { maintainTable } from '../iceberg/maintenance/maintain.js';
import type { Logger } from '../runtime/ports/logger.js';

/** Runs the configured steps; returns the number of warnings (0 or 1). */
export async function maintainAfterRun(table: Table, cfg: MaintenanceConfig, log: Logger): Promise<number> {
  if (!cfg.afterRun) return 0;
  const started = Date.now();
  try {
    const r = await maintainTable(table, {
      compact: cfg.compact ? { minInputFiles: cfg.minInputFiles } : false,
      rewriteManifests: cfg.rewriteManifests ? {} : false,
      expire: cfg.expireSnapshots ? {} : false,
      orphans: false,
    });
    log.info(`maintained ${table.name} after the run`, {
      compactedFiles: r.compact?.plan.rewrittenFiles ?? 0,
      removedDeleteFiles: r.compact?.plan.removedDeleteFiles.length ?? 0,
      addedFiles: r.compact?.addedFiles ?? 0,
      expiredSnapshots: r.expire?.expiredSnapshots.length ?? 0,
      deletedFiles: r.expire?.files.length ?? 0,
      ms: Date.now() - started,
    });
    return 0;
  } catch (e) {
    log.warn(
      `maintenance of ${table.name} after the run failed: ${errorMessage(e)}. The run's data is committed; run \`floe table maintain ${table.name}\` to retry, or set destination.maintenance.afterRun to false`,
    );
    return 1;
  }
}
