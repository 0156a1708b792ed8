/**
 * Before a run opens (and so creates) anything: is the project whole? The catalog database says
 * which metadata file each table points at; the state database holds cursors and history; the
 * warehouse holds the tables. SQLite would silently start a new, empty database over a missing
 * or 0-byte file, and floe would then create new, empty tables and fetch only what changed since
 * the saved cursors, leaving the existing data unreferenced. So a lost or damaged database stops
 * the run here, with the file, what it held and the fix; a project with nothing anywhere is new
 * and passes.
 *
 * Every check only reads: nothing is created, repaired or moved (that is `floe catalog recover`,
 * `floe catalog relocate` and `floe state reset`, on request).
 */
import { resolve } from 'node:path';
import type { JobParams } from '../config/index.js';
import { FloeError } from '../errors.js';
import { parentOf, readableMetadataFiles, readCandidate } from '../iceberg/catalog/metadata-files.js';
import { canonicalUri, findTableFolders, isUnder, type TableFolder } from '../iceberg/catalog/recover.js';
import { CATALOG_FILE_HOLDS, type CatalogEntry, catalogDamagedError } from '../iceberg/catalog/sql.js';
import { hasTable, probeSqliteFile } from '../iceberg/catalog/sqlite-file.js';
import { identifierString, LocalFileIO, pathToUri } from '../iceberg/index.js';
import { SUMMARY_CONFIG_ID, SUMMARY_RUN_ID } from '../l1/table-cursor.js';
import { loadProject } from '../runtime/local/project.js';
import { STATE_FILE_HOLDS, STATE_RESET_KEY, stateDamagedError } from '../runtime/local/state-db.js';

/** Where a project's catalog, warehouse and state are. */
export interface IntegrityTarget {
  readonly catalogPath: string;
  readonly catalogName: string;
  /** Warehouse folder (path or `file://` URI). */
  readonly warehouse: string;
  /** The state database; omitted when only the catalog is checked. */
  readonly statePath?: string;
  /** The project folder, for the `--project` of suggested commands. */
  readonly projectRoot?: string;
}

/** The paths a job over `projectDir` uses: floe.yaml, overridden by CUSTOM_CONFIGS as runJob does. */
export function integrityTargetOf(
  projectDir: string,
  params?: Pick<JobParams, 'customConfigs'>,
): IntegrityTarget {
  const project = loadProject(projectDir);
  const cc: Partial<JobParams['customConfigs']> = params?.customConfigs ?? {};
  return {
    catalogName: cc.catalogName ?? project.catalog.name,
    catalogPath: cc.uri?.startsWith('jdbc:sqlite:')
      ? cc.uri.slice('jdbc:sqlite:'.length)
      : project.catalog.path,
    warehouse: cc.warehouse ?? project.warehouse,
    statePath: project.state.path,
    projectRoot: project.root,
  };
}

type FileState = 'missing' | 'empty' | 'no-schema' | 'ok';

/** What the project's files say, gathered without writing anything. */
export interface ProjectFacts {
  readonly catalog:
    | { readonly state: 'damaged'; readonly error: FloeError }
    | {
        readonly state: FileState;
        /** This catalog name's tables. */
        readonly entries: CatalogEntry[];
        /** Other catalog names that have tables in the file (a renamed catalog in floe.yaml). */
        readonly otherNames: string[];
      };
  readonly state?:
    | { readonly state: 'damaged'; readonly error: FloeError }
    | {
        readonly state: FileState;
        /** Configs the state says synced successfully (they have a cursor or a successful run). */
        readonly synced: string[];
        readonly successfulRuns: number;
        /** Rows of any kind: a state database with none is as good as new. */
        readonly rows: number;
        readonly resetAt?: string;
      };
  /**
   * Table folders in the warehouse that the catalog does not list (all of them when it lists
   * none), with the snapshot count of their newest readable metadata file (undefined: none
   * parses). A folder with no snapshot holds no data: it is what a create that crashed before
   * its catalog insert leaves, and creating the table again loses nothing.
   */
  readonly unlisted: (TableFolder & { readonly snapshots: number | undefined })[];
}

export async function gatherFacts(t: IntegrityTarget): Promise<ProjectFacts> {
  const catalog = catalogFacts(t);
  const io = new LocalFileIO();
  const entries = catalog.state === 'damaged' ? [] : catalog.entries;
  const known = new Set(entries.map((e) => identifierString(e.id)));
  const knownFolders = new Set(entries.map((e) => canonicalUri(parentOf(parentOf(e.metadataLocation)))));
  const unlisted: ProjectFacts['unlisted'] = [];
  for (const f of (await findTableFolders(io, warehouseUri(t.warehouse))).tables) {
    if (known.has(identifierString(f.id)) || knownFolders.has(canonicalUri(f.location))) continue;
    const { readable } = await readableMetadataFiles(io, f.metadataDir, { limit: 1 });
    unlisted.push({ ...f, snapshots: readable[0]?.metadata.snapshots.length });
  }
  return { catalog, ...(t.statePath ? { state: stateFacts(t.statePath) } : {}), unlisted };
}

/** Unlisted folders that hold (or may hold) committed data. */
function withData(facts: ProjectFacts): ProjectFacts['unlisted'] {
  return facts.unlisted.filter((f) => f.snapshots !== 0);
}

function warehouseUri(w: string): string {
  return w.includes('://') ? w.replace(/\/+$/, '') : pathToUri(resolve(w));
}

function catalogFacts(t: IntegrityTarget): ProjectFacts['catalog'] {
  const probe = probeSqliteFile(t.catalogPath);
  if (probe.state === 'corrupt')
    return { state: 'damaged', error: catalogDamagedError(t.catalogPath, probe.reason) };
  if (probe.state !== 'ok') return { state: probe.state, entries: [], otherNames: [] };
  const db = probe.db;
  try {
    if (!hasTable(db, 'iceberg_tables')) return { state: 'no-schema', entries: [], otherNames: [] };
    const rows = db
      .prepare(
        `SELECT catalog_name c, table_namespace ns, table_name name, metadata_location loc FROM iceberg_tables
         WHERE (iceberg_type = 'TABLE' OR iceberg_type IS NULL) AND metadata_location IS NOT NULL`,
      )
      .all() as { c: string; ns: string; name: string; loc: string }[];
    const entries = rows
      .filter((r) => r.c === t.catalogName)
      .map((r) => ({ id: { namespace: r.ns.split('.'), name: r.name }, metadataLocation: r.loc }));
    const otherNames = [...new Set(rows.filter((r) => r.c !== t.catalogName).map((r) => r.c))].sort();
    return { state: 'ok', entries, otherNames };
  } catch (e) {
    return { state: 'damaged', error: catalogDamagedError(t.catalogPath, (e as Error).message, e) };
  } finally {
    db.close();
  }
}

function stateFacts(path: string): NonNullable<ProjectFacts['state']> {
  const probe = probeSqliteFile(path);
  const none = { synced: [], successfulRuns: 0, rows: 0 };
  if (probe.state === 'corrupt') return { state: 'damaged', error: stateDamagedError(path, probe.reason) };
  if (probe.state !== 'ok') return { state: probe.state, ...none };
  const db = probe.db;
  try {
    if (!hasTable(db, 'floe_state') || !hasTable(db, 'floe_history')) return { state: 'no-schema', ...none };
    const synced = (
      db
        .prepare(
          'SELECT config_id FROM floe_state WHERE last_sync_time IS NOT NULL OR last_successful_run IS NOT NULL ORDER BY config_id',
        )
        .all() as { config_id: string }[]
    ).map((r) => r.config_id);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const successfulRuns = count("SELECT COUNT(*) n FROM floe_history WHERE last_run_status = 'SUCCESS'");
    const rows = count('SELECT (SELECT COUNT(*) FROM floe_state) + (SELECT COUNT(*) FROM floe_history) n');
    const reset = hasTable(db, 'floe_meta')
      ? (db.prepare('SELECT value FROM floe_meta WHERE key = ?').get(STATE_RESET_KEY) as
          | { value: string }
          | undefined)
      : undefined;
    return { state: 'ok', synced, successfulRuns, rows, ...(reset ? { resetAt: reset.value } : {}) };
  } catch (e) {
    return { state: 'damaged', error: stateDamagedError(path, (e as Error).message, e) };
  } finally {
    db.close();
  }
}

export type IntegrityProblemKind =
  | 'catalog-damaged'
  | 'catalog-lost'
  | 'state-damaged'
  | 'state-lost'
  | 'unregistered-tables'
  | 'outside-warehouse';

export interface IntegrityProblem {
  readonly kind: IntegrityProblemKind;
  readonly file: string;
  readonly message: string;
}

/** ` --project <dir>` when the suggested command must be run from elsewhere. */
function projectFlag(t: IntegrityTarget): string {
  return t.projectRoot && resolve(t.projectRoot) !== process.cwd() ? ` --project ${t.projectRoot}` : '';
}

function names(list: readonly string[], max = 5): string {
  return list.length <= max
    ? list.join(', ')
    : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The catalog is damaged, or lost while the project has tables: folders with metadata in the
 * warehouse, or (unless `warehouseOnly`) configs the state says synced.
 */
export function catalogProblems(
  t: IntegrityTarget,
  facts: ProjectFacts,
  opts: { warehouseOnly?: boolean } = {},
): IntegrityProblem[] {
  const c = facts.catalog;
  if (c.state === 'damaged')
    return [{ kind: 'catalog-damaged', file: t.catalogPath, message: c.error.message }];
  if (c.entries.length > 0) return [];
  const s = facts.state && facts.state.state !== 'damaged' && !opts.warehouseOnly ? facts.state : undefined;
  const evidence: string[] = [];
  const folders = withData(facts);
  if (folders.length)
    evidence.push(
      `${plural(folders.length, 'table folder')} with data under ${t.warehouse} (${names(folders.map((f) => identifierString(f.id)))})`,
    );
  if (s?.synced.length)
    evidence.push(
      `${plural(s.synced.length, 'config')} with a saved sync in ${t.statePath} (${names(s.synced)})`,
    );
  if (s?.successfulRuns) evidence.push(`${plural(s.successfulRuns, 'successful run')} in its history`);
  if (evidence.length === 0) return [];
  const what =
    c.state === 'missing'
      ? 'does not exist'
      : c.state === 'empty'
        ? 'is empty (0 bytes)'
        : c.state === 'no-schema'
          ? 'holds no catalog tables'
          : `has no tables for catalog "${t.catalogName}"${c.otherNames.length ? ` (it has tables for catalog ${names(c.otherNames.map((n) => `"${n}"`))}: check catalog.name in floe.yaml)` : ''}`;
  const fix = folders.length
    ? `restore ${t.catalogPath} from a backup, or register the existing tables from their newest metadata files with \`floe catalog recover${projectFlag(t)}\` (add --dry-run to see what it would register first)`
    : `restore ${t.catalogPath} from a backup; or, if the tables were deleted on purpose, start over with \`floe state reset${projectFlag(t)}\` (the next run then fetches everything again)`;
  return [
    {
      kind: 'catalog-lost',
      file: t.catalogPath,
      message: `the catalog database ${t.catalogPath} ${what}, but this project has tables: ${evidence.join('; ')}. ${capitalise(CATALOG_FILE_HOLDS)}; without it floe would create new, empty tables${s?.synced.length ? ' and fetch only what changed since the saved cursors' : ''}, leaving the existing data unreferenced. Nothing was changed. Fix: ${fix}.`,
    },
  ];
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Table folders with committed data that the (otherwise healthy) catalog does not know. */
export async function unregisteredProblems(
  t: IntegrityTarget,
  facts: ProjectFacts,
): Promise<IntegrityProblem[]> {
  const c = facts.catalog;
  if (c.state === 'damaged' || c.entries.length === 0) return [];
  const lost = withData(facts).map(
    (f) =>
      `${identifierString(f.id)} (${f.location}, ${f.snapshots === undefined ? 'no readable metadata file' : plural(f.snapshots, 'snapshot')})`,
  );
  if (lost.length === 0) return [];
  return [
    {
      kind: 'unregistered-tables',
      file: t.catalogPath,
      message: `the catalog database ${t.catalogPath} does not list ${plural(lost.length, 'table')} whose data is in the warehouse: ${names(lost)}. A run would create ${lost.length === 1 ? 'it' : 'them'} again, empty, beside the existing files. Nothing was changed. Fix: restore ${t.catalogPath} from a backup, or register ${lost.length === 1 ? 'it' : 'them'} with \`floe catalog recover${projectFlag(t)}\` (or move a folder out of the warehouse if its table was dropped on purpose).`,
    },
  ];
}

/** The state is damaged, or lost while the catalog's tables carry floe commits. */
export async function stateProblems(t: IntegrityTarget, facts: ProjectFacts): Promise<IntegrityProblem[]> {
  const s = facts.state;
  if (!s || !t.statePath) return [];
  if (s.state === 'damaged') return [{ kind: 'state-damaged', file: t.statePath, message: s.error.message }];
  const lost = s.state !== 'ok' || (s.rows === 0 && s.resetAt === undefined);
  const c = facts.catalog;
  if (!lost || c.state === 'damaged' || c.entries.length === 0) return [];
  const io = new LocalFileIO();
  const written: string[] = [];
  for (const e of c.entries) {
    const m = await readCandidate(io, e.metadataLocation);
    // An unreadable table fails its own config when it runs; it is not a state problem.
    if (!('metadata' in m)) continue;
    const configs = new Set<string>();
    for (const snap of m.metadata.snapshots) {
      const summary = snap.summary as Record<string, string | undefined>;
      if (summary[SUMMARY_RUN_ID]) configs.add(summary[SUMMARY_CONFIG_ID] ?? '?');
    }
    if (configs.size) written.push(`${identifierString(e.id)} (config ${names([...configs].sort())})`);
  }
  if (written.length === 0) return [];
  const what =
    s.state === 'missing'
      ? 'does not exist'
      : s.state === 'empty'
        ? 'is empty (0 bytes)'
        : s.state === 'no-schema'
          ? 'holds no state tables'
          : 'holds no state and no history';
  return [
    {
      kind: 'state-lost',
      file: t.statePath,
      message: `the state database ${t.statePath} ${what}, but floe has written to ${plural(written.length, 'table')} of this project: ${names(written)}. ${capitalise(STATE_FILE_HOLDS)}. Nothing was changed. Fix: restore ${t.statePath} from a backup, or start a fresh one with \`floe state reset${projectFlag(t)}\`, which first shows, per config, the cursor the next run resumes from (the table's newest floe commit) or that it fetches everything again.`,
    },
  ];
}

/**
 * Tables the catalog points outside this project's warehouse: a project copied (`cp -a`) or moved
 * keeps absolute paths, so its runs would read and write the original's files.
 */
export async function locationProblems(t: IntegrityTarget, facts: ProjectFacts): Promise<IntegrityProblem[]> {
  const c = facts.catalog;
  if (c.state === 'damaged') return [];
  const warehouse = warehouseUri(t.warehouse);
  const io = new LocalFileIO();
  const outside: string[] = [];
  for (const e of c.entries) {
    if (!isUnder(e.metadataLocation, warehouse)) {
      outside.push(`${identifierString(e.id)} → ${e.metadataLocation}`);
      continue;
    }
    // A catalog rebuilt by `floe catalog recover` in a copy points inside, at metadata that still
    // names the original's folder.
    const m = await readCandidate(io, e.metadataLocation);
    if ('metadata' in m && !isUnder(m.metadata.location, warehouse))
      outside.push(`${identifierString(e.id)} → ${m.metadata.location} (named by ${e.metadataLocation})`);
  }
  if (outside.length === 0) return [];
  return [
    {
      kind: 'outside-warehouse',
      file: t.catalogPath,
      message: `${plural(outside.length, 'table')} of this project ${outside.length === 1 ? 'points' : 'point'} outside its warehouse ${warehouse}: ${names(outside, 3)}. Iceberg paths are absolute, so a copied or moved project still names the original's files, and a run would write into the original. Nothing was changed. Fix: run \`floe catalog relocate${projectFlag(t)}\`, which rewrites the tables' metadata to this warehouse's own copies of the files (new files only; the original is not touched; --dry-run checks first, --from <old warehouse> if it cannot tell where the files came from).`,
    },
  ];
}

/** Throws one error listing every problem; 'io' when a database is damaged or lost. */
export function throwProblems(problems: readonly IntegrityProblem[]): void {
  if (problems.length === 0) return;
  const kind = problems.some((p) => p.kind !== 'outside-warehouse' && p.kind !== 'unregistered-tables')
    ? 'io'
    : 'config-invalid';
  throw new FloeError(kind, problems.map((p) => p.message).join('\n'), {
    context: { file: problems[0]!.file },
  });
}

/**
 * Everything a run needs to be whole: catalog and state readable and not lost, every table with
 * data registered, every table inside this project's warehouse. Throws FloeError naming the file,
 * what it holds and the fix; passes a project that has nothing yet.
 */
export async function checkProjectIntegrity(t: IntegrityTarget): Promise<void> {
  const facts = await gatherFacts(t);
  const catalog = catalogProblems(t, facts);
  const state = facts.state?.state === 'damaged' ? await stateProblems(t, facts) : [];
  // Table-level checks need a readable catalog; report the file-level problem alone first.
  if (catalog.length || state.length) return throwProblems([...catalog, ...state]);
  throwProblems([
    ...(await stateProblems(t, facts)),
    ...(await unregisteredProblems(t, facts)),
    ...(await locationProblems(t, facts)),
  ]);
}
