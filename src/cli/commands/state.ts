/**
 * `floe state reset`: start a fresh state database when the old one is lost or damaged (or on
 * purpose). It first says, per L1 config, what the next run will fetch: each table's snapshots
 * record the cursor its newest floe commit reached (`floe.sync-cursor`), and a run with no saved
 * cursor resumes from there; without one the config is fetched in full. It acts only with --yes,
 * and moves the old file aside rather than deleting it.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { FileConfigStore } from '../../config/index.js';
import { errorMessage, FloeError } from '../../errors.js';
import { loadTable, type SqlCatalog } from '../../iceberg/index.js';
import { catalogProblems, gatherFacts, integrityTargetOf, throwProblems } from '../../job/preflight.js';
import { latestFloeCommit } from '../../l1/table-cursor.js';
import { loadProject } from '../../runtime/local/project.js';
import { withProjectLock } from '../../runtime/local/run-lock.js';
import { markStateReset, openStateDb } from '../../runtime/local/state-db.js';
import { printLine } from '../output.js';
import { moveAside } from './catalog.js';
import { openCatalog } from './table.js';

export function registerStateCommands(program: Command): void {
  const state = program
    .command('state')
    .description("the project's state database (cursors, statuses, history)");
  state
    .command('reset')
    .description(
      'start a fresh state database (the old one is moved aside); shows first what each L1 config will fetch next',
    )
    .option('--yes', 'do it (without: only show what the next run would fetch)')
    .option(
      '--config <configId>',
      'reset one config only: forget its cursor and status (history is kept); with its table dropped, the next run fetches everything',
    )
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .action(async (flags: { yes?: boolean; project: string; config?: string }) => {
      const root = flags.yes ? loadProject(flags.project).root : undefined;
      const { lines, statePath, done } = await withProjectLock(root, 'state reset', () =>
        flags.config ? resetConfigState({ ...flags, config: flags.config }) : resetState(flags),
      );
      for (const line of lines) printLine(line);
      if (!done)
        throw new FloeError(
          'config-invalid',
          `nothing changed: pass --yes to move ${statePath} aside and start a fresh state database`,
          { context: { file: statePath } },
        );
    });
}

/**
 * `floe state reset --config <id>`: forgets one config's cursor and status (its history rows
 * stay). The table stays the truth: a run resumes from its newest commit; after dropping the
 * table, the next run fetches everything, which is how a table is rebuilt from scratch on purpose.
 */
export async function resetConfigState(flags: {
  yes?: boolean;
  project?: string;
  config: string;
}): Promise<{ lines: string[]; statePath: string; done: boolean }> {
  const project = loadProject(flags.project ?? '.');
  const statePath = project.state.path;
  const db = openStateDb(statePath, { create: false });
  try {
    const rows = db
      .prepare('SELECT kind, last_sync_time AS cursor FROM floe_state WHERE config_id = ?')
      .all(flags.config) as { kind: string; cursor: string | null }[];
    if (rows.length === 0)
      return {
        lines: [
          `config ${flags.config} has no saved state in ${statePath}: its next run already fetches everything`,
        ],
        statePath,
        done: true,
      };
    const lines = rows.map(
      (r) =>
        `${r.kind} config ${flags.config}: cursor ${r.cursor ?? '(none)'} is forgotten (history is kept); its next run resumes from its table's newest commit if the table still has one, else fetches everything`,
    );
    if (!flags.yes) return { lines, statePath, done: false };
    db.prepare('DELETE FROM floe_state WHERE config_id = ?').run(flags.config);
    lines.push(`reset the state of config ${flags.config}`);
    return { lines, statePath, done: true };
  } finally {
    db.close();
  }
}

/** `floe state reset`: what the next run fetches, and (with `yes`) the reset itself. */
export async function resetState(flags: {
  yes?: boolean;
  project?: string;
}): Promise<{ lines: string[]; statePath: string; done: boolean }> {
  const project = loadProject(flags.project ?? '.');
  const target = integrityTargetOf(project.root);
  const statePath = project.state.path;
  const facts = await gatherFacts(target);
  // The cursors come from the tables, so the catalog must be whole first.
  throwProblems(catalogProblems(target, facts, { warehouseOnly: true }));

  const out: string[] = [];
  const s = facts.state!;
  out.push(
    s.state === 'damaged'
      ? `state database ${statePath}: damaged (${s.error.message.slice(0, 200)})`
      : s.state === 'ok'
        ? `state database ${statePath}: ${s.rows} rows (${s.synced.length} configs with a saved sync, ${s.successfulRuns} successful runs); they will be set aside`
        : `state database ${statePath}: ${s.state === 'missing' ? 'missing' : s.state === 'empty' ? 'empty (0 bytes)' : 'holds no state tables'}`,
  );
  out.push('after the reset, the next run fetches:');
  const configs = await new FileConfigStore(project.root).listL1();
  const catalog = facts.catalog.state === 'ok' ? openCatalog(target) : undefined;
  try {
    for (const config of configs) out.push(`  ${config.configId}: ${await nextFetch(catalog, config)}`);
  } finally {
    await catalog?.close();
  }
  if (configs.length === 0) out.push('  (no L1 configs in this project)');

  if (!flags.yes) return { lines: out, statePath, done: false };
  let size = -1;
  try {
    size = statSync(statePath).size;
  } catch {}
  if (size >= 0) {
    const label = s.state === 'damaged' ? 'damaged' : s.state === 'empty' ? 'empty' : 'old';
    out.push(`moved ${statePath} aside to ${moveAside(statePath, label)}`);
  }
  const db = openStateDb(statePath);
  try {
    markStateReset(db);
  } finally {
    db.close();
  }
  out.push(`created a fresh state database at ${statePath}`);
  return { lines: out, statePath, done: true };
}

async function nextFetch(
  catalog: SqlCatalog | undefined,
  config: { configId: string; destination: { namespace: string; tableName: string; loadType: string } },
): Promise<string> {
  const table = `${config.destination.namespace}.${config.destination.tableName}`;
  if (config.destination.loadType === 'FULL')
    return `full re-fetch into ${table} (loadType FULL: every run fetches everything)`;
  const id = { namespace: [config.destination.namespace], name: config.destination.tableName };
  if (!catalog || !(await catalog.tableExists(id)))
    return `full re-fetch (table ${table} does not exist yet)`;
  try {
    const commit = latestFloeCommit(await loadTable(catalog, id), config.configId);
    if (!commit) return `full re-fetch (no floe commit in table ${table})`;
    if (!commit.cursor)
      return `full re-fetch (the newest floe commit in table ${table}, snapshot ${commit.snapshotId}, has no cursor)`;
    return `resumes from ${commit.cursor} (from table ${table} snapshot ${commit.snapshotId})`;
  } catch (e) {
    return `unknown: ${errorMessage(e)} (the run fails this config until the table is repaired)`;
  }
}
