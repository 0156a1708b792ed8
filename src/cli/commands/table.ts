/** `floe table list|show|snapshots|read`: look at the Iceberg tables of a local catalog. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FloeError } from '../../errors.js';
import { identifierString, loadTable, SqlCatalog } from '../../iceberg/index.js';
import { currentSchema } from '../../iceberg/spec/metadata.js';
import { formatTable, isTerminal, printJsonLine, printLine, printRows } from '../output.js';

interface CatalogFlags {
  catalog?: string;
  warehouse?: string;
  catalogName?: string;
  project?: string;
}

function addCatalogFlags(cmd: Command): Command {
  return cmd
    .option('--project <dir>', 'floe project folder (catalog in .floe/catalog.db, tables in warehouse/)', '.')
    .option('--catalog <file>', 'SQLite catalog file (default: <project>/.floe/catalog.db)')
    .option('--warehouse <dir>', 'warehouse folder (default: <project>/warehouse)')
    .option('--catalog-name <name>', 'catalog name, as PyIceberg/Spark see it', 'floe');
}

export function openCatalog(flags: CatalogFlags): SqlCatalog {
  const project = resolve(flags.project ?? '.');
  return new SqlCatalog({
    name: flags.catalogName ?? 'floe',
    path: resolve(flags.catalog ?? `${project}/.floe/catalog.db`),
    warehouse: resolve(flags.warehouse ?? `${project}/warehouse`),
  });
}

async function withCatalog<T>(flags: CatalogFlags, fn: (c: SqlCatalog) => Promise<T>): Promise<T> {
  const c = openCatalog(flags);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

export function registerTableCommands(program: Command): void {
  const table = program.command('table').description('inspect Iceberg tables in the local catalog');

  addCatalogFlags(table.command('list').description('list namespaces and their tables')).action(
    async (flags: CatalogFlags) =>
      withCatalog(flags, async (c) => {
        const rows: Record<string, unknown>[] = [];
        for (const ns of await c.listNamespaces()) {
          for (const t of await c.listTables(ns)) {
            const tbl = await loadTable(c, t);
            const s = tbl.currentSnapshot();
            rows.push({
              table: identifierString(t),
              records: s?.summary['total-records'] ?? '0',
              files: s?.summary['total-data-files'] ?? '0',
              snapshots: tbl.snapshots().length,
              updated: new Date(tbl.metadata['last-updated-ms']).toISOString(),
            });
          }
        }
        printRows(rows, ['table', 'records', 'files', 'snapshots', 'updated']);
      }),
  );

  addCatalogFlags(
    table.command('show <table>').description('schema, partitioning, properties and current snapshot'),
  ).action(async (name: string, flags: CatalogFlags) =>
    withCatalog(flags, async (c) => {
      const t = await loadTable(c, name);
      const m = t.metadata;
      if (!isTerminal()) {
        printJsonLine({
          table: t.name,
          metadataLocation: t.metadataLocation,
          schema: currentSchema(m),
          spec: t.spec(),
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
      const s = t.currentSnapshot();
      printLine(
        s
          ? `current snapshot: ${s['snapshot-id']} (${s.summary.operation}, ${s.summary['total-records'] ?? '?'} records)`
          : 'current snapshot: none',
      );
      printLine();
      for (const [k, v] of Object.entries(m.properties))
        if (k !== 'schema.name-mapping.default') printLine(`${k} = ${v}`);
    }),
  );

  addCatalogFlags(table.command('snapshots <table>').description('snapshot history with summaries')).action(
    async (name: string, flags: CatalogFlags) =>
      withCatalog(flags, async (c) => {
        const t = await loadTable(c, name);
        printRows(
          t.snapshots().map((s) => ({
            snapshot_id: s['snapshot-id'],
            parent_id: s['parent-snapshot-id'] ?? null,
            committed_at: new Date(s['timestamp-ms']).toISOString(),
            operation: s.summary.operation,
            added_records: s.summary['added-records'] ?? '0',
            deleted_records: s.summary['deleted-records'] ?? '0',
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
      .option('--columns <list>', 'comma-separated columns to print'),
  ).action(
    async (
      name: string,
      flags: CatalogFlags & { limit?: number; snapshot?: string; asOf?: string; columns?: string },
    ) =>
      withCatalog(flags, async (c) => {
        const t = await loadTable(c, name);
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
            ...(flags.columns ? { select: flags.columns.split(',').map((s) => s.trim()) } : {}),
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
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new FloeError('config-invalid', `${flag} must be a non-negative integer, got "${v}"`);
  return n;
}
