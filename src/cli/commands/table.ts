/**
 * `floe table list|show|snapshots|read|delete|write|alter|register|maintain`: look at the Iceberg
 * tables of a project's catalog, change their rows and schemas, and point one at a given metadata
 * file. A damaged or lost catalog is an error here, never an empty listing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { sqlString } from '../../duck/session.js';
import { errorMessage, FloeError } from '../../errors.js';
import { readCandidate } from '../../iceberg/catalog/metadata-files.js';
import { canonicalUri, isUnder } from '../../iceberg/catalog/recover.js';
import {
  identifierString,
  LocalFileIO,
  loadTable,
  parseFilter,
  parseIdentifier,
  parseSortField,
  pathToUri,
  readTableIncremental,
  type SortFieldInput,
  SqlCatalog,
  TARGET_FILE_SIZE_PROPERTY,
  type Table,
} from '../../iceberg/index.js';
import { currentSchema, currentSnapshot, liveRecords } from '../../iceberg/spec/metadata.js';
import type { FieldInput } from '../../iceberg/spec/schema.js';
import type { PrimitiveType } from '../../iceberg/spec/types.js';
import type { SchemaUpdate } from '../../iceberg/write/update-schema.js';
import {
  catalogProblems,
  gatherFacts,
  type IntegrityTarget,
  locationProblems,
  type ProjectFacts,
  throwProblems,
  unregisteredProblems,
} from '../../job/preflight.js';
import { findProjectRoot, loadProject } from '../../runtime/local/project.js';
import { withProjectLock } from '../../runtime/local/run-lock.js';
import { redact } from '../../util/redact.js';
import { formatTable, isTerminal, printJsonLine, printLine, printRows } from '../output.js';
import { parseSize, registerMaintainCommand } from './table-maintain.js';

export interface CatalogFlags {
  catalog?: string;
  warehouse?: string;
  catalogName?: string;
  project?: string;
}

export function addCatalogFlags(cmd: Command): Command {
  return cmd
    .option(
      '--project <dir>',
      'floe project folder (its floe.yaml says where catalog and warehouse are)',
      '.',
    )
    .option('--catalog <file>', "SQLite catalog file (default: the project's, .floe/catalog.db)")
    .option('--warehouse <dir>', "warehouse folder (default: the project's, warehouse/)")
    .option(
      '--catalog-name <name>',
      "catalog name, as PyIceberg/Spark see it (default: the project's, floe)",
    );
}

/**
 * Where the catalog, warehouse and state are: flags first, then the project's floe.yaml (if the
 * folder or a parent has one), then the defaults. The state database is only the project's when
 * the catalog is too (a catalog named by flag has no known state).
 */
export function catalogTarget(flags: CatalogFlags): IntegrityTarget {
  const dir = resolve(flags.project ?? '.');
  const project = findProjectRoot(dir) ? loadProject(dir) : undefined;
  const catalogPath = resolve(flags.catalog ?? project?.catalog.path ?? `${dir}/.floe/catalog.db`);
  return {
    catalogPath,
    catalogName: flags.catalogName ?? project?.catalog.name ?? 'floe',
    warehouse: resolve(flags.warehouse ?? project?.warehouse ?? `${dir}/warehouse`),
    ...(project && !flags.catalog ? { statePath: project.state.path } : {}),
    ...(project ? { projectRoot: project.root } : {}),
  };
}

export function openCatalog(target: IntegrityTarget, opts: { create?: boolean } = {}): SqlCatalog {
  return new SqlCatalog({
    name: target.catalogName,
    path: target.catalogPath,
    warehouse: target.warehouse,
    create: opts.create ?? false,
  });
}

/**
 * Opens the catalog for reading after checking it is not damaged or lost (a lost catalog must not
 * look like an empty one). A project with no catalog yet has no tables: `fn` gets undefined.
 */
async function withCatalog<T>(
  flags: CatalogFlags,
  fn: (c: SqlCatalog | undefined, project: { target: IntegrityTarget; facts: ProjectFacts }) => Promise<T>,
): Promise<T> {
  const target = catalogTarget(flags);
  const facts = await gatherFacts(target);
  throwProblems(catalogProblems(target, facts));
  if (facts.catalog.state !== 'ok') return fn(undefined, { target, facts });
  const c = openCatalog(target);
  try {
    return await fn(c, { target, facts });
  } finally {
    await c.close();
  }
}

/** A problem that does not stop the command but must not pass unnoticed (stderr, exit code 1). */
export function printWarning(message: string): void {
  process.stderr.write(`floe: warning: ${redact(message)}\n`);
  process.exitCode = 1;
}

async function withTable<T>(flags: CatalogFlags, name: string, fn: (t: Table) => Promise<T>): Promise<T> {
  return withCatalog(flags, async (c) => {
    if (!c)
      throw new FloeError(
        'not-found',
        `table ${name} does not exist: the project has no catalog yet (${catalogTarget(flags).catalogPath})`,
      );
    return fn(await loadTable(c, name));
  });
}

export function registerTableCommands(program: Command): void {
  const table = program
    .command('table')
    .description('inspect and maintain Iceberg tables in the local catalog');
  registerMaintainCommand(table);

  addCatalogFlags(table.command('list').description('list namespaces and their tables')).action(
    async (flags: CatalogFlags) =>
      withCatalog(flags, async (c, { target, facts }) => {
        const rows: Record<string, unknown>[] = [];
        const failed: { table: string; error: string }[] = [];
        for (const { id } of c ? await c.entries() : []) {
          // One damaged table must not hide the others: list it with its error.
          let tbl: Table;
          try {
            tbl = await loadTable(c!, id);
          } catch (e) {
            failed.push({ table: identifierString(id), error: errorMessage(e) });
            continue;
          }
          const s = tbl.currentSnapshot();
          rows.push({
            table: identifierString(id),
            records: s ? liveRecords(s.summary) : '0',
            files: s?.summary['total-data-files'] ?? '0',
            delete_files: s?.summary['total-delete-files'] ?? '0',
            snapshots: tbl.snapshots().length,
            updated: new Date(tbl.metadata['last-updated-ms']).toISOString(),
          });
        }
        if (isTerminal()) {
          printRows(rows, ['table', 'records', 'files', 'delete_files', 'snapshots', 'updated']);
          for (const f of failed) printLine(`✗ ${f.table}: ${f.error}`);
        } else {
          printRows([...rows, ...failed], ['table', 'records', 'files', 'snapshots', 'updated']);
        }
        for (const w of [
          ...(await unregisteredProblems(target, facts)),
          ...(await locationProblems(target, facts)),
        ])
          printWarning(w.message);
        if (failed.length) process.exitCode = 1;
      }),
  );

  addCatalogFlags(
    table.command('show <table>').description('schema, partitioning, properties and current snapshot'),
  ).action(async (name: string, flags: CatalogFlags) =>
    withTable(flags, name, async (t) => {
      const m = t.metadata;
      if (!isTerminal()) {
        printJsonLine({
          table: t.name,
          metadataLocation: t.metadataLocation,
          schema: currentSchema(m),
          spec: t.spec(),
          sortOrder: t.sortOrder(),
          properties: m.properties,
          currentSnapshot: t.currentSnapshot() ?? null,
        });
        return;
      }
      printLine(`table     ${t.name}`);
      printLine(`location  ${m.location}`);
      printLine(`metadata  ${t.metadataLocation}`);
      printLine(`uuid      ${m['table-uuid']}`);
      printLine();
      printLine(
        formatTable(
          t.schema().fields.map((f) => ({
            id: f.id,
            name: f.name,
            type: typeof f.type === 'string' ? f.type : f.type.type,
            required: f.required,
          })),
          undefined,
          60,
        ),
      );
      printLine();
      const spec = t.spec();
      printLine(
        `partitioned by: ${spec.fields.length ? spec.fields.map((f) => `${f.name}=${f.transform}(${f['source-id']})`).join(', ') : '(unpartitioned)'}`,
      );
      printLine(`sorted by: ${describeSortOrder(t)}`);
      const s = t.currentSnapshot();
      printLine(
        s
          ? `current snapshot: ${s['snapshot-id']} (${s.summary.operation}, ${liveRecords(s.summary)} records${deletesNote(s.summary)})`
          : 'current snapshot: none',
      );
      printLine();
      for (const [k, v] of Object.entries(m.properties))
        if (k !== 'schema.name-mapping.default') printLine(`${k} = ${v}`);
    }),
  );

  addCatalogFlags(table.command('snapshots <table>').description('snapshot history with summaries')).action(
    async (name: string, flags: CatalogFlags) =>
      withTable(flags, name, async (t) => {
        printRows(
          t.snapshots().map((s) => ({
            snapshot_id: s['snapshot-id'],
            parent_id: s['parent-snapshot-id'] ?? null,
            committed_at: new Date(s['timestamp-ms']).toISOString(),
            operation: s.summary.operation,
            added_records: s.summary['added-records'] ?? '0',
            deleted_records: s.summary['deleted-records'] ?? '0',
            added_position_deletes: s.summary['added-position-deletes'] ?? '0',
            total_records: s.summary['total-records'] ?? '',
            current: s['snapshot-id'] === t.currentSnapshot()?.['snapshot-id'],
          })),
        );
      }),
  );

  addCatalogFlags(
    table
      .command('read <table>')
      .description('print rows (a table on a terminal, JSON lines otherwise)')
      .option('--limit <n>', 'at most this many rows', (v) => positiveInt(v, '--limit'))
      .option('--snapshot <id>', 'read this snapshot (time travel)')
      .option('--as-of <time>', 'read the snapshot current at this ISO time (time travel)')
      .option('--columns <list>', 'comma-separated columns to print')
      .option(
        '--where <filter>',
        'only rows matching, e.g. "status = \'Active\' AND id >= 10" (=, !=, <, <=, >, >=, IS [NOT] NULL, [NOT] IN (…), AND, OR, NOT)',
      )
      .option(
        '--since-snapshot <id>',
        'only the rows the table gained after this snapshot (new or changed rows; up to --snapshot, default the current one)',
      ),
  ).action(
    async (
      name: string,
      flags: CatalogFlags & {
        limit?: number;
        snapshot?: string;
        asOf?: string;
        columns?: string;
        where?: string;
        sinceSnapshot?: string;
      },
    ) =>
      withTable(flags, name, async (t) => {
        const filter = flags.where ? parseFilter(flags.where) : undefined;
        const columns = flags.columns ? flags.columns.split(',').map((s) => s.trim()) : undefined;
        if (flags.sinceSnapshot !== undefined) {
          for (const [flag, v] of [
            ['--since-snapshot', flags.sinceSnapshot],
            ['--snapshot', flags.snapshot],
          ] as const)
            if (v !== undefined && !/^\d+$/.test(v))
              throw new FloeError(
                'config-invalid',
                `${flag} "${v}" is not a snapshot id; see \`floe table snapshots ${name}\``,
              );
          if (flags.asOf)
            throw new FloeError(
              'config-invalid',
              '--since-snapshot reads up to --snapshot (an id); --as-of cannot end it',
            );
          const read = readTableIncremental(t, {
            fromSnapshotId: BigInt(flags.sinceSnapshot),
            ...(flags.snapshot ? { toSnapshotId: BigInt(flags.snapshot) } : {}),
            ...(filter ? { filter } : {}),
            ...(columns ? { columns } : {}),
            ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
          });
          printRows(
            await read.toRows(),
            read.fields.map((f) => f.name),
          );
          return;
        }
        let asOfMs: number | undefined;
        if (flags.asOf) {
          asOfMs = Date.parse(flags.asOf);
          if (Number.isNaN(asOfMs))
            throw new FloeError(
              'config-invalid',
              `--as-of "${flags.asOf}" is not an ISO date-time (e.g. 2024-05-01T12:00:00Z)`,
            );
        }
        if (flags.snapshot && !/^\d+$/.test(flags.snapshot)) {
          throw new FloeError(
            'config-invalid',
            `--snapshot "${flags.snapshot}" is not a snapshot id; see \`floe table snapshots ${name}\``,
          );
        }
        const rows = await t
          .scan({
            limit: flags.limit,
            ...(flags.snapshot ? { snapshotId: BigInt(flags.snapshot) } : {}),
            ...(asOfMs !== undefined ? { asOfMs } : {}),
            ...(columns ? { select: columns } : {}),
            ...(filter ? { filter } : {}),
          })
          .toRows();
        printRows(
          rows,
          flags.columns
            ? flags.columns.split(',').map((s) => s.trim())
            : t.schema().fields.map((f) => f.name),
        );
      }),
  );

  addCatalogFlags(
    table
      .command('delete <table>')
      .description(
        'delete the rows matching --where, in one snapshot (position deletes, or rewrites with write.delete.mode=copy-on-write)',
      )
      .requiredOption('--where <filter>', 'the rows to delete, e.g. "status = \'Deleted\' AND id < 100"')
      .option('--dry-run', 'count the rows it would delete; change nothing'),
  ).action(async (name: string, flags: CatalogFlags & { where: string; dryRun?: boolean }) => {
    const filter = parseFilter(flags.where);
    if (flags.dryRun) {
      await withTable(flags, name, async (t) => {
        const n = (await t.scan({ filter, select: [t.schema().fields[0]!.name] }).toRows()).length;
        printLine(`would delete ${n} row(s) of ${t.name} (dry run: nothing changed)`);
      });
      return;
    }
    await withProjectLock(catalogTarget(flags).projectRoot, 'table delete', () =>
      withTable(flags, name, async (t) => {
        const r = await t.deleteWhere(filter);
        printLine(
          r.deletedRows === 0n
            ? `no row of ${t.name} matches; nothing changed`
            : `deleted ${r.deletedRows} row(s) of ${t.name} in snapshot ${r.snapshot['snapshot-id']} (${r.snapshot.summary['added-position-delete-files'] ?? '0'} position delete file(s), ${r.snapshot.summary['deleted-data-files'] ?? '0'} data file(s) removed, ${r.snapshot.summary['added-data-files'] ?? '0'} rewritten)`,
        );
      }),
    );
  });

  const collect = (v: string, prev: string[] = []) => [...prev, v];
  const pair = (flag: string, v: string, sep: string): [string, string] => {
    const i = v.indexOf(sep);
    if (i <= 0 || i === v.length - 1)
      throw new FloeError('config-invalid', `${flag} "${v}" must look like <column>${sep}<value>`);
    return [v.slice(0, i).trim(), v.slice(i + 1).trim()];
  };
  addCatalogFlags(
    table
      .command('alter <table>')
      .description(
        'evolve the schema in one commit: add, rename, widen, make optional, drop columns (old data files read by field id)',
      )
      .option(
        '--add-column <name:type>',
        'add an optional column, e.g. note:string or info.zip:string (into a struct)',
        collect,
      )
      .option(
        '--rename <old=new>',
        'rename a column, nested ones by path: label=title, info.zip=postcode, points.x=px (field id kept)',
        collect,
      )
      .option('--widen <column=type>', 'promote a type: int=long, float=double, wider decimal', collect)
      .option(
        '--make-optional <column>',
        "let a required column hold nulls (tags.element, attrs.value: a list's elements, a map's values)",
        collect,
      )
      .option(
        '--drop-column <column>',
        'remove a column (nested ones by path) from the schema (its values stay in old files)',
        collect,
      )
      .option(
        '--union-by-name <schema.json|table>',
        "add what another schema has and this table lacks (nested too), widen, make optional; never drops. A JSON file (an Iceberg schema, or a list of fields) or another table's name",
      )
      .option(
        '--sort-by <fields>',
        'set the default sort order writes follow, comma-separated: "id", "updated_date desc nulls last,id", "day(ts),id"; "none" = unsorted (existing files stay as they are)',
      )
      .option(
        '--target-file-size <size>',
        'set write.target-file-size-bytes, the size writes roll to a new file at, e.g. 128MB',
        (v) => parseSize(v, '--target-file-size'),
      ),
  ).action(
    async (
      name: string,
      flags: CatalogFlags & {
        addColumn?: string[];
        rename?: string[];
        widen?: string[];
        makeOptional?: string[];
        dropColumn?: string[];
        unionByName?: string;
        sortBy?: string;
        targetFileSize?: number;
      },
    ) => {
      const union = flags.unionByName;
      const sortBy = flags.sortBy === undefined ? undefined : parseSortByFlag(flags.sortBy);
      const update: SchemaUpdate = {
        addColumns: (flags.addColumn ?? []).map((v) => {
          const [path, type] = pair('--add-column', v, ':');
          const dot = path.lastIndexOf('.');
          return dot < 0
            ? { name: path, type }
            : { name: path.slice(dot + 1), type, parent: path.slice(0, dot) };
        }),
        renameColumns: (flags.rename ?? []).map((v) => {
          const [from, to] = pair('--rename', v, '=');
          return { name: from, to };
        }),
        widen: (flags.widen ?? []).map((v) => {
          const [column, type] = pair('--widen', v, '=');
          return { name: column, type: type as PrimitiveType };
        }),
        makeOptional: flags.makeOptional ?? [],
        dropColumns: flags.dropColumn ?? [],
        ...(flags.targetFileSize === undefined
          ? {}
          : { setProperties: { [TARGET_FILE_SIZE_PROPERTY]: String(flags.targetFileSize) } }),
      };
      await withProjectLock(catalogTarget(flags).projectRoot, 'table alter', () =>
        withTable(flags, name, async (t) => {
          const before = t.metadataLocation;
          const schemaBefore = t.metadata['current-schema-id'];
          const schema = await t.updateSchema(
            union ? { ...update, unionByName: { fields: await unionSource(t, union) } } : update,
          );
          const lines: string[] = [];
          if (t.metadata['current-schema-id'] !== schemaBefore)
            lines.push(
              `${t.name}: schema ${schema['schema-id']}: ${schema.fields.map((f) => `${f.name} ${typeof f.type === 'string' ? f.type : f.type.type}${f.required ? ' not null' : ''}`).join(', ')}`,
            );
          if (flags.targetFileSize !== undefined)
            lines.push(
              `${t.name}: ${TARGET_FILE_SIZE_PROPERTY} = ${t.metadata.properties[TARGET_FILE_SIZE_PROPERTY]}`,
            );
          if (sortBy !== undefined) {
            const order = await t.replaceSortOrder(sortBy);
            lines.push(`${t.name}: sort order ${order['order-id']}: ${describeSortOrder(t)}`);
          }
          printLine(t.metadataLocation === before ? `${t.name}: nothing to change` : lines.join('\n'));
        }),
      );
    },
  );

  addCatalogFlags(
    table
      .command('write <table>')
      .description(
        'write rows from an NDJSON or Parquet file in one snapshot: append, overwrite (all rows, or those matching --where), or overwrite-partitions (replace the partitions the rows fall in)',
      )
      .requiredOption('--file <rows>', 'rows.ndjson / .jsonl (one JSON object per line) or rows.parquet')
      .option('--mode <mode>', 'append | overwrite | overwrite-partitions', 'append')
      .option('--where <filter>', 'with --mode overwrite: replace only the rows matching it (NDJSON input)'),
  ).action(async (name: string, flags: CatalogFlags & { file: string; mode: string; where?: string }) => {
    const input = rowsFile(flags.file);
    const mode = writeMode(flags.mode);
    if (flags.where && mode !== 'overwrite')
      throw new FloeError('config-invalid', `--where goes with --mode overwrite, not --mode ${mode}`);
    if (flags.where && input.kind === 'parquet')
      throw new FloeError(
        'feature-unsupported',
        '--mode overwrite --where reads NDJSON rows; convert the Parquet file to NDJSON, or overwrite without --where',
      );
    await withProjectLock(catalogTarget(flags).projectRoot, 'table write', () =>
      withTable(flags, name, async (t) => {
        const rows = { ndjson: input.path };
        const query = `SELECT * FROM read_parquet(${sqlString(input.path)})`;
        const parquet = input.kind === 'parquet';
        let r: { snapshot: { 'snapshot-id': bigint; summary: Record<string, string> }; records: bigint };
        if (mode === 'append') r = parquet ? await t.appendQuery(query) : await t.append(rows);
        else if (mode === 'overwrite-partitions')
          r = parquet ? await t.overwritePartitionsQuery(query) : await t.overwritePartitions(rows);
        else if (flags.where) r = await t.overwriteWhere(parseFilter(flags.where), rows);
        else r = parquet ? await t.overwriteQuery(query) : await t.overwrite(rows);
        const removed = r.snapshot.summary['deleted-records'] ?? '0';
        printLine(
          `${mode}: wrote ${r.records} row(s) to ${t.name} in snapshot ${r.snapshot['snapshot-id']}${mode === 'append' ? '' : ` (${removed} row(s) replaced)`}`,
        );
      }),
    );
  });

  addCatalogFlags(
    table
      .command('register <table> <metadata-file>')
      .description(
        'point the catalog at an existing metadata file (Iceberg register_table); --force re-points a table it has',
      )
      .option('--force', 're-point the table if the catalog already has it (rolls it back or forward)')
      .option('--overwrite', 'same as --force'),
  ).action(
    async (name: string, file: string, flags: CatalogFlags & { force?: boolean; overwrite?: boolean }) =>
      printLine(
        await withProjectLock(catalogTarget(flags).projectRoot, 'table register', () =>
          registerTable(name, file, { ...flags, force: flags.force || flags.overwrite }),
        ),
      ),
  );
}

const WRITE_MODES = ['append', 'overwrite', 'overwrite-partitions'] as const;

function writeMode(v: string): (typeof WRITE_MODES)[number] {
  const m = WRITE_MODES.find((x) => x === v);
  if (!m) throw new FloeError('config-invalid', `--mode "${v}" is not one of: ${WRITE_MODES.join(', ')}`);
  return m;
}

/** The rows file of `floe table write`: NDJSON or Parquet, by extension. */
function rowsFile(file: string): { path: string; kind: 'ndjson' | 'parquet' } {
  const path = resolve(file);
  if (!existsSync(path)) throw new FloeError('not-found', `--file ${file}: no such file`);
  if (/\.parquet$/i.test(path)) return { path, kind: 'parquet' };
  if (/\.(ndjson|jsonl|json)$/i.test(path)) return { path, kind: 'ndjson' };
  throw new FloeError(
    'config-invalid',
    `--file ${file}: give a .ndjson/.jsonl file (one JSON object per line) or a .parquet file`,
  );
}

/**
 * The fields `floe table alter --union-by-name` unions in: a JSON file holding an Iceberg schema
 * (`{"type":"struct","fields":[…]}`) or a list of fields, or else the name of another table of
 * the catalog.
 */
async function unionSource(t: Table, source: string): Promise<FieldInput[]> {
  if (/\.json$/i.test(source) || existsSync(source)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(resolve(source), 'utf8'));
    } catch (e) {
      throw new FloeError(
        'config-invalid',
        `--union-by-name ${source}: cannot read it as JSON: ${errorMessage(e)}`,
      );
    }
    const fields = Array.isArray(parsed) ? parsed : (parsed as { fields?: unknown })?.fields;
    if (
      !Array.isArray(fields) ||
      !fields.every((f) => f && typeof f === 'object' && 'name' in f && 'type' in f)
    )
      throw new FloeError(
        'config-invalid',
        `--union-by-name ${source}: expected an Iceberg schema ({"type":"struct","fields":[{"name":…,"type":…}]}) or a list of such fields`,
      );
    return fields as FieldInput[];
  }
  return [...(await loadTable(t.catalog, source)).schema().fields];
}

/**
 * `floe table register <t> <file>`: Iceberg's register_table. Points the catalog at an existing
 * metadata file; with --force, re-points a table the catalog already has (rolling it back or
 * forward), compare-and-swap against what it pointed at.
 */
export async function registerTable(
  name: string,
  file: string,
  flags: CatalogFlags & { force?: boolean },
): Promise<string> {
  const id = parseIdentifier(name);
  const target = catalogTarget(flags);
  const facts = await gatherFacts(target);
  // A damaged file is moved aside by `floe catalog recover`, never written into.
  if (facts.catalog.state === 'damaged') throw facts.catalog.error;
  const location = file.includes('://') ? file : pathToUri(resolve(file));
  const candidate = await readCandidate(new LocalFileIO(), location);
  if (!('metadata' in candidate))
    throw new FloeError('metadata-corrupt', `cannot register ${name}: ${candidate.error}`, {
      context: { file: location },
    });
  const c = openCatalog(target, { create: true });
  try {
    const current = await c.metadataLocation(id);
    if (current !== undefined && canonicalUri(current) === canonicalUri(location))
      return `${name} already points at ${location}`;
    if (current !== undefined) {
      if (!flags.force)
        throw new FloeError(
          'already-exists',
          `table ${name} is already in the catalog, pointing at ${current}; pass --force to re-point it at ${location}`,
          { context: { table: name } },
        );
      await c.swapMetadataLocation(id, current, location);
    } else {
      if (!(await c.namespaceExists(id.namespace))) await c.createNamespace(id.namespace);
      await c.registerTable(id, location);
    }
    const m = candidate.metadata;
    const snap = currentSnapshot(m);
    const records = snap ? liveRecords(snap.summary) : '0';
    const outside = isUnder(m.location, pathToUri(target.warehouse))
      ? ''
      : `\nnote: its metadata places the table at ${m.location}, outside this project's warehouse; run \`floe catalog relocate\` if the project was copied or moved`;
    return `${current ? `re-pointed ${name} from ${current} to` : `registered ${name} at`} ${location} (${m.snapshots.length} snapshots, ${records} records)${outside}`;
  } finally {
    await c.close();
  }
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new FloeError('config-invalid', `${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

function deletesNote(summary: Record<string, string | undefined>): string {
  const files = Number(summary['total-delete-files'] ?? '0');
  if (!files) return '';
  return `; ${summary['total-position-deletes'] ?? '?'} rows deleted by ${files} position delete file(s), \`floe table maintain\` compacts them away`;
}

/**
 * `--sort-by "updated_date desc nulls last, id"`: sort fields split at commas outside
 * parentheses (so `bucket(16, id)` stays whole); "none" or "" is the unsorted order.
 */
export function parseSortByFlag(v: string): SortFieldInput[] {
  if (v.trim() === '' || v.trim().toLowerCase() === 'none') return [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of v) {
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => {
    try {
      return parseSortField(p);
    } catch (e) {
      throw new FloeError(
        'config-invalid',
        `--sort-by: "${p.trim()}" is not a sort field (${errorMessage(e)}); write e.g. "updated_date desc nulls last,id"`,
      );
    }
  });
}

/** `updated_date desc nulls-last, id asc nulls-first`, or `unsorted`. */
function describeSortOrder(t: Table): string {
  const order = t.sortOrder();
  if (order.fields.length === 0) return 'unsorted';
  const names = new Map(t.schema().fields.map((f) => [f.id, f.name]));
  return order.fields
    .map((f) => {
      const col = names.get(f['source-id']) ?? `#${f['source-id']}`;
      const term = f.transform === 'identity' ? col : `${f.transform}(${col})`;
      return `${term} ${f.direction} ${f['null-order']}`;
    })
    .join(', ');
}
