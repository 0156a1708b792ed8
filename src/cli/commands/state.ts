/**
 * `floe state show|set|reset`: a config's sync state (cursor, status, last run, last error), and
 * moving it on purpose. `reset` without a config id starts a fresh state database when the old
 * one is lost or damaged (or on purpose). Each change first says what the next run will fetch:
 * each table's snapshots record the cursor its newest floe commit reached (`floe.sync-cursor`),
 * a run with no saved cursor resumes from there, and without one the config is fetched in full.
 * Changes ask for confirmation on a terminal and act only with --yes otherwise; a reset moves
 * the old file aside rather than deleting it.
 */
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { FileConfigStore } from '../../config/index.js';
import type { L1Config } from '../../config/l1-schema.js';
import { errorMessage, FloeError } from '../../errors.js';
import { loadTable, type SqlCatalog } from '../../iceberg/index.js';
import { catalogProblems, gatherFacts, integrityTargetOf, throwProblems } from '../../job/preflight.js';
import { cursorAfter, latestFloeCommit } from '../../l1/table-cursor.js';
import { loadProject } from '../../runtime/local/project.js';
import { withProjectLock } from '../../runtime/local/run-lock.js';
import { SqliteHistoryStore } from '../../runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../runtime/local/sqlite-state.js';
import { markStateReset, openStateDb } from '../../runtime/local/state-db.js';
import { printLine } from '../output.js';
import { moveAside } from './catalog.js';
import { openCatalog } from './table.js';

interface ChangeFlags {
  yes?: boolean;
  project: string;
}

/**
 * Whether to go ahead: `--yes`, or a "y" typed at a terminal. Without a terminal (scripts, CI)
 * nothing is asked and nothing changes unless `--yes` was given.
 */
export async function confirmed(
  flags: { yes?: boolean },
  question: string,
  io: {
    input: NodeJS.ReadableStream & { isTTY?: boolean };
    output: NodeJS.WritableStream & { isTTY?: boolean };
  } = {
    input: process.stdin,
    output: process.stdout,
  },
): Promise<boolean> {
  if (flags.yes) return true;
  if (!io.input.isTTY || !io.output.isTTY) return false;
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function nothingChanged(what: string, file: string): FloeError {
  return new FloeError('config-invalid', `nothing changed: pass --yes to ${what}`, { context: { file } });
}

export function registerStateCommands(program: Command): void {
  const state = program
    .command('state')
    .description("a config's sync state (cursor, status, last run) and the project's state database");
  state
    .command('show <configId>')
    .description("a config's cursor, status, last run, last error, and what its next run will fetch")
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .action(async (configId: string, flags: { project: string }) => {
      for (const line of await showState(configId, flags)) printLine(line);
    });
  state
    .command('set <configId>')
    .description(
      "set an L1 config's cursor (e.g. back, to re-read a period); says what the next run will re-fetch and asks first",
    )
    .requiredOption('--cursor <value>', 'the new cursor: an ISO-8601 time (or a number, for NUMBER cursors)')
    .option('--yes', 'do it without asking')
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .action(async (configId: string, flags: ChangeFlags & { cursor: string }) => {
      const plan = await planSetCursor(configId, flags);
      for (const line of plan.lines) printLine(line);
      if (!(await confirmed(flags, `set the cursor of ${configId} to ${flags.cursor}?`)))
        throw nothingChanged(`set the cursor of ${configId}`, plan.statePath);
      const root = loadProject(flags.project).root;
      await withProjectLock(root, 'state set', () => plan.apply());
      printLine(`set the cursor of ${configId} to ${flags.cursor}`);
    });
  state
    .command('reset [configId]')
    .description(
      "forget one config's cursor and status (history is kept), or, without a config id, start a fresh state database (the old one is moved aside); shows first what the next run will fetch, and asks",
    )
    .option('--yes', 'do it without asking')
    .option('--config <configId>', 'the config to reset (the same as giving it as the argument)')
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .action(async (configArg: string | undefined, flags: ChangeFlags & { config?: string }) => {
      const config = configArg ?? flags.config;
      const preview = config
        ? await resetConfigState({ ...flags, yes: false, config })
        : await resetState({ ...flags, yes: false });
      for (const line of preview.lines) printLine(line);
      if (preview.done) return;
      const question = config
        ? `forget the state of ${config}?`
        : `move ${preview.statePath} aside and start a fresh state database?`;
      if (!(await confirmed(flags, question)))
        throw nothingChanged(
          config
            ? `reset the state of config ${config}`
            : `move ${preview.statePath} aside and start a fresh state database`,
          preview.statePath,
        );
      const root = loadProject(flags.project).root;
      const { lines } = await withProjectLock(root, 'state reset', () =>
        config ? resetConfigState({ ...flags, yes: true, config }) : resetState({ ...flags, yes: true }),
      );
      // The preview already printed what the next run fetches; print only what was done.
      for (const line of lines.slice(preview.lines.length)) printLine(line);
    });
}

/** The L1 config, or undefined when the project has none by that id (or it is invalid). */
async function l1Config(projectDir: string, configId: string): Promise<L1Config | undefined> {
  try {
    return await new FileConfigStore(loadProject(projectDir).root).getL1(configId);
  } catch {
    return undefined;
  }
}

/** Runs `fn` with the project's catalog when it exists (no catalog yet: undefined). */
async function withCatalog<T>(projectDir: string, fn: (c: SqlCatalog | undefined) => Promise<T>): Promise<T> {
  const target = integrityTargetOf(loadProject(projectDir).root);
  const catalog = existsSync(target.catalogPath) ? openCatalog(target) : undefined;
  try {
    return await fn(catalog);
  } finally {
    await catalog?.close();
  }
}

/** `floe state show <configId>`: every state row of the id (L1 and/or L2), its last run, its next fetch. */
export async function showState(configId: string, flags: { project?: string }): Promise<string[]> {
  const project = loadProject(flags.project ?? '.');
  const config = await l1Config(project.root, configId);
  const out: string[] = [];
  const hasDb = existsSync(project.state.path);
  const db = hasDb ? openStateDb(project.state.path, { readonly: true }) : undefined;
  try {
    const store = db ? new SqliteStateStore(db) : undefined;
    const states = store
      ? (await Promise.all([store.get('L1', configId), store.get('L2', configId)])).filter(
          (x) => x !== undefined,
        )
      : [];
    const last = db ? (await new SqliteHistoryStore(db).list({ configId, limit: 1 }))[0] : undefined;
    if (states.length === 0 && last === undefined && config === undefined) {
      // Not an L1 config, no state: an L2 config that never ran, or a wrong id (getL1 names the
      // configs there are, with "did you mean").
      const l2 = await new FileConfigStore(project.root).getL2(configId).catch(() => undefined);
      if (l2 === undefined) await new FileConfigStore(project.root).getL1(configId);
    }
    if (config)
      out.push(
        `config ${configId} (L1, loadType ${config.destination.loadType}) → table ${config.destination.namespace}.${config.destination.tableName}`,
      );
    if (states.length === 0) out.push(`  state:       none (never run, or reset)`);
    for (const s of states) {
      out.push(`  ${s.kind} state:`);
      if (s.kind === 'L1') out.push(`    cursor:          ${s.lastSyncTime ?? '(none)'}`);
      for (const [name, src] of Object.entries(s.sources))
        out.push(
          `    source ${name}: ${src.lastSuccessfulFetchTime ?? ''}${src.lastSnapshotId ? ` (snapshot ${src.lastSnapshotId})` : ''}`,
        );
      out.push(
        `    status:          ${s.status ?? '(none)'}${s.statusUpdatedAt ? ` at ${s.statusUpdatedAt}` : ''}`,
      );
      out.push(`    last success:    ${s.lastSuccessfulRun ?? '(never)'}`);
      out.push(
        `    last run:        ${s.lastRunId ?? '(none)'}${s.lastRunStartedAt ? `, started ${s.lastRunStartedAt}` : ''}`,
      );
      out.push(`    last error:      ${s.lastError ?? '(none)'}`);
    }
    if (last)
      out.push(
        `  last history row: ${last.processType} ${last.lastRunStatus} at ${last.loadTimestamp}, ${last.totalRecordsProcessed} records, snapshot ${last.snapshot_id || '(none)'}${last.error ? `, error: ${last.error}` : ''}`,
      );
    if (config) {
      const cursor = states.find((s) => s.kind === 'L1')?.lastSyncTime;
      const next = await withCatalog(project.root, (c) => nextFetch(c, config, cursor));
      out.push(`  next run:    ${next}`);
    }
    return out;
  } finally {
    db?.close();
  }
}

/**
 * `floe state set <configId> --cursor <value>`: what the next run will re-fetch from that cursor,
 * and the change itself (`apply`). A cursor past the table's newest commit is refused: the next
 * run would pull it back to the table's (the table is the truth), so it could only mislead.
 */
export async function planSetCursor(
  configId: string,
  flags: { project?: string; cursor: string },
): Promise<{ lines: string[]; statePath: string; apply: () => Promise<void> }> {
  const project = loadProject(flags.project ?? '.');
  const config = await new FileConfigStore(project.root).getL1(configId);
  const cursor = flags.cursor.trim();
  const cursorType = config.source.incremental?.cursorType ?? 'TIMESTAMP';
  const bad =
    cursor === '' ||
    (cursorType === 'TIMESTAMP' && Number.isNaN(Date.parse(cursor)) && !/^\d+$/.test(cursor)) ||
    (cursorType === 'NUMBER' && !Number.isFinite(Number(cursor)));
  if (bad)
    throw new FloeError(
      'config-invalid',
      `--cursor ${JSON.stringify(flags.cursor)} is not a ${cursorType === 'NUMBER' ? 'number' : 'date-time'} (fix: e.g. --cursor 2024-01-15T00:00:00Z)`,
      { context: { configId } },
    );
  const table = `${config.destination.namespace}.${config.destination.tableName}`;
  const commit = await withCatalog(project.root, async (c) => {
    const id = { namespace: [config.destination.namespace], name: config.destination.tableName };
    if (!c || !(await c.tableExists(id))) return undefined;
    return latestFloeCommit(await loadTable(c, id), configId);
  });
  if (commit?.cursor && cursorAfter(cursor, commit.cursor))
    throw new FloeError(
      'config-invalid',
      `--cursor ${cursor} is past the newest commit of ${configId} in ${table} (cursor ${commit.cursor}, snapshot ${commit.snapshotId}): the next run would pull it back to ${commit.cursor}, because the table is the truth about how far a sync got. Nothing changed (fix: choose a cursor at or before ${commit.cursor})`,
      { context: { configId } },
    );
  // A missing state database is never created here: while tables exist, its absence is what
  // preflight reports as lost state. Before a first run, the config's lastSyncTime says it.
  if (!existsSync(project.state.path))
    throw new FloeError(
      'not-found',
      `no state database at ${project.state.path}: ${configId} has not run in this project yet (fix: set the first cursor in the config as destination.lastSyncTime, or run it first)`,
      { context: { configId, file: project.state.path } },
    );
  const db = openStateDb(project.state.path, { create: false });
  const prior = await new SqliteStateStore(db).get('L1', configId);
  db.close();
  const d = config.destination;
  const lookback = d.lookbackSeconds > 0 ? ` minus lookbackSeconds ${d.lookbackSeconds}` : '';
  const lines = [
    `config ${configId}: cursor ${prior?.lastSyncTime ?? '(none)'} → ${cursor}`,
    d.loadType === 'FULL'
      ? `  next run: loadType FULL fetches everything whatever the cursor; the cursor is used by INCREMENTAL runs (LOAD_TYPE INCREMENTAL)`
      : `  next run: re-fetches the records updated since ${cursor}${lookback}, up to the run's start, into ${table}; ` +
        (d.defaultwriteMode === 'MERGE'
          ? 'MERGE replaces the rows it already holds by primaryKey'
          : d.defaultwriteMode === 'APPEND'
            ? 'APPEND skips the records the table already holds'
            : 'OVERWRITE replaces the table with what it fetches'),
  ];
  return {
    lines,
    statePath: project.state.path,
    apply: async () => {
      const store = new SqliteStateStore(project.state.path);
      try {
        await store.update('L1', configId, { lastSyncTime: cursor });
      } finally {
        store.close();
      }
    },
  };
}

/**
 * `floe state reset <configId>`: forgets one config's cursor and status (its history rows stay).
 * The table stays the truth: a run resumes from its newest commit; after dropping the table, the
 * next run fetches everything, which is how a table is rebuilt from scratch on purpose.
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
          `config ${flags.config} has no saved state in ${statePath}: its next run already fetches as if reset`,
        ],
        statePath,
        done: true,
      };
    const config = await l1Config(project.root, flags.config);
    const next = config
      ? await withCatalog(project.root, (c) => nextFetch(c, config, undefined))
      : "resumes from its table's newest commit if the table still has one, else fetches everything";
    const lines = rows.map(
      (r) =>
        `${r.kind} config ${flags.config}: cursor ${r.cursor ?? '(none)'} and status are forgotten (history is kept)`,
    );
    lines.push(`  next run: ${next}`);
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
    for (const config of configs)
      out.push(`  ${config.configId}: ${await nextFetch(catalog, config, undefined)}`);
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

/**
 * What the next run of an L1 config fetches, given the cursor its state will hold (undefined:
 * none, so the run resumes from the table's newest floe commit, or fetches everything).
 */
async function nextFetch(
  catalog: SqlCatalog | undefined,
  config: { configId: string; destination: { namespace: string; tableName: string; loadType: string } },
  cursor: string | undefined,
): Promise<string> {
  const table = `${config.destination.namespace}.${config.destination.tableName}`;
  if (config.destination.loadType === 'FULL')
    return `full re-fetch into ${table} (loadType FULL: every run fetches everything)`;
  const id = { namespace: [config.destination.namespace], name: config.destination.tableName };
  if (!catalog || !(await catalog.tableExists(id)))
    return cursor
      ? `fetches the records updated since ${cursor} (table ${table} does not exist yet)`
      : `full re-fetch (table ${table} does not exist yet)`;
  try {
    const commit = latestFloeCommit(await loadTable(catalog, id), config.configId);
    if (cursor && (!commit?.cursor || !cursorAfter(cursor, commit.cursor)))
      return `fetches the records updated since ${cursor} into ${table}`;
    if (!commit) return `full re-fetch (no floe commit in table ${table})`;
    if (!commit.cursor)
      return `full re-fetch (the newest floe commit in table ${table}, snapshot ${commit.snapshotId}, has no cursor)`;
    return `resumes from ${commit.cursor} (from table ${table} snapshot ${commit.snapshotId})`;
  } catch (e) {
    return `unknown: ${errorMessage(e)} (the run fails this config until the table is repaired)`;
  }
}
