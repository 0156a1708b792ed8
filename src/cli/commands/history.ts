/** `floe history`: the run history of a local project (table on a terminal, JSON lines otherwise). */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { FloeError } from '../../errors.js';
import { loadProject } from '../../runtime/local/project.js';
import { SqliteHistoryStore } from '../../runtime/local/sqlite-history.js';
import { openStateDb } from '../../runtime/local/state-db.js';
import type { HistoryEntry } from '../../runtime/ports/history-store.js';
import { printRows } from '../output.js';

interface HistoryFlags {
  config?: string;
  limit: string;
  since?: string;
  layer?: string;
  failed?: boolean;
  project: string;
}

export const HISTORY_COLUMNS = [
  'loadTimestamp',
  'configId',
  'processType',
  'load_type',
  'lastRunStatus',
  'totalRecordsProcessed',
  'snapshot_id',
  'duration',
  'error',
  'runId',
] as const;

export function registerHistoryCommands(program: Command): void {
  program
    .command('history')
    .description('show past runs, newest first (the seed history table: one row per config per run)')
    .option('--config <id>', 'only this config id')
    .option('--limit <n>', 'at most this many rows', '20')
    .option('--since <time>', 'only runs that finished at or after this ISO-8601 time')
    .option('--layer <L1|L2>', 'only L1 or only L2 runs')
    .option('--failed', 'only runs that did not succeed (FAILED, INTERRUPTED, …), with their errors')
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .action(async (flags: HistoryFlags) => {
      const rows = await readHistory(flags);
      printRows(rows.map(historyRow), HISTORY_COLUMNS);
    });
}

/** The entries `floe history` prints, for the given flags. */
export async function readHistory(flags: HistoryFlags): Promise<HistoryEntry[]> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new FloeError('config-invalid', `--limit must be a positive whole number, got '${flags.limit}'`);
  }
  const layer = flags.layer?.toUpperCase();
  if (layer !== undefined && layer !== 'L1' && layer !== 'L2') {
    throw new FloeError('config-invalid', `--layer must be L1 or L2, got '${flags.layer}'`);
  }
  const project = loadProject(flags.project);
  // No state database yet means no run yet; do not create one just to say so.
  if (!existsSync(project.state.path)) return [];
  // Read only: a 0-byte or damaged file is reported (state-db.ts), never turned into a new one.
  const db = openStateDb(project.state.path, { readonly: true });
  const store = new SqliteHistoryStore(db);
  try {
    return await store.list({
      limit,
      ...(flags.config !== undefined ? { configId: flags.config } : {}),
      ...(flags.since !== undefined ? { since: flags.since } : {}),
      ...(layer !== undefined ? { processType: layer } : {}),
      ...(flags.failed ? { failedOnly: true } : {}),
    });
  } finally {
    db.close();
  }
}

/** One printed row: the seed's fields plus run id and a readable duration. */
export function historyRow(e: HistoryEntry): Record<string, unknown> {
  return {
    ...e,
    duration: e.durationMs < 1000 ? `${e.durationMs} ms` : `${(e.durationMs / 1000).toFixed(1)} s`,
  };
}
