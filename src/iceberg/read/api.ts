/**
 * Reading tables, the small public API (after the seed's IcebergReader: read a table, read it
 * incrementally, get its schema, check it exists). Every read is planned by floe (partition and
 * statistics pruning, delete files) and executed by DuckDB over the planned Parquet files; a read
 * can come back as rows (`toRows`, `stream`) or stay in DuckDB as SQL (`toDuck`) for callers
 * that join and aggregate it there, as L2 parsers do.
 *
 * Incremental reads come in two kinds:
 *  - by column: rows whose `column` is greater than `after` (pruned by the column's bounds);
 *  - by snapshot range: the rows added after snapshot `from` up to `to`, as net changes (see
 *    changes.ts): exact whatever wrote the table (appends, MERGE rewrites, overwrites), so a row
 *    committed late, whatever its column values, is never missed.
 */
import { type Duck, sqlIdent, withDuck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import { type Catalog, parseIdentifier, type TableIdentifier } from '../catalog/catalog.js';
import type { Snapshot } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import type { NestedField } from '../spec/types.js';
import type { Table } from '../table.js';
import { loadTable } from '../tables.js';
import { namesStable } from './by-name.js';
import { type ChangePlan, planChanges } from './changes.js';
import { changesRelation, type DuckRelation, scanRelation } from './duck-relation.js';
import { type Expr, where } from './expr.js';
import { type ReadRow, rowConverter, selectFields } from './reader.js';
import type { ScanPlan } from './scan.js';

export interface ReadOptions {
  /** Top-level columns to return; default all. */
  readonly columns?: readonly string[];
  /** Row filter; also prunes files by partition and column statistics. */
  readonly filter?: Expr;
  /** Read this snapshot (time travel); default the current one. */
  readonly snapshotId?: bigint;
  readonly limit?: number;
}

export type IncrementalOptions =
  | (ReadOptions & {
      /** Rows whose `column` is greater than `after` (exclusive); `after` undefined = every row. */
      readonly column: string;
      readonly after: unknown;
    })
  | (Omit<ReadOptions, 'snapshotId'> & {
      /** Start of the range, exclusive; undefined = from the table's first snapshot. */
      readonly fromSnapshotId: bigint | undefined;
      /** End of the range, inclusive; default the current snapshot. */
      readonly toSnapshotId?: bigint;
      /** Columns that differ between copies of an unchanged row (e.g. ingest time), left out of the comparison. */
      readonly ignore?: readonly string[];
    });

/** One planned read (see the file comment). */
export interface TableRead {
  readonly table: string;
  /** The columns returned. */
  readonly fields: readonly NestedField[];
  /** The snapshot read (for a range: its end); undefined for a table without snapshots. */
  readonly snapshot: Snapshot | undefined;
  toRows(): Promise<ReadRow[]>;
  stream(): AsyncGenerator<ReadRow[]>;
  /** The rows as SQL for `duck`, valid until `release()` (`helpers`: see duck-relation.ts). */
  toDuck(duck: Duck, opts?: { helpers?: string }): Promise<DuckRelation>;
}

export class IcebergReader {
  constructor(readonly catalog: Catalog) {}

  tableExists(id: string | TableIdentifier): Promise<boolean> {
    return this.catalog.tableExists(parseIdentifier(id));
  }

  async schema(id: string | TableIdentifier): Promise<Schema> {
    return (await this.load(id)).schema();
  }

  /** The table's rows (optionally some columns, a filter, a snapshot). */
  async read(id: string | TableIdentifier, opts: ReadOptions = {}): Promise<TableRead> {
    return readTable(await this.load(id), opts);
  }

  /** The rows added since a column value or a snapshot (see the file comment). */
  async readIncremental(id: string | TableIdentifier, opts: IncrementalOptions): Promise<TableRead> {
    return readTableIncremental(await this.load(id), opts);
  }

  private load(id: string | TableIdentifier): Promise<Table> {
    return loadTable(this.catalog, id);
  }
}

/** `IcebergReader.read` for a loaded table. */
export function readTable(table: Table, opts: ReadOptions = {}): TableRead {
  const scan = table.scan({
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.snapshotId !== undefined ? { snapshotId: opts.snapshotId } : {}),
  });
  const schema = scan.schema();
  let planned: Promise<ScanPlan> | undefined;
  const plan = () => {
    planned ??= scan.plan();
    return planned;
  };
  return new PlannedRead(table.name, schema, scan.snapshot(), opts, (duck, helpers) =>
    plan().then((p) =>
      scanRelation(duck, table.catalog.io, p, table.name, {
        ...(helpers ? { helpers } : {}),
        ...(opts.filter ? { filter: opts.filter } : {}),
        byName: namesStable(table.metadata),
      }),
    ),
  );
}

/** `IcebergReader.readIncremental` for a loaded table. */
export function readTableIncremental(table: Table, opts: IncrementalOptions): TableRead {
  if ('column' in opts) {
    const f = table.schema().fields.find((x) => x.name === opts.column);
    if (!f)
      throw new FloeError(
        'not-found',
        `column "${opts.column}" does not exist in ${table.name}; columns are: ${table
          .schema()
          .fields.map((x) => x.name)
          .join(', ')}`,
        { context: { table: table.name, column: opts.column } },
      );
    const since =
      opts.after === undefined || opts.after === '' ? undefined : where.gt(opts.column, opts.after);
    const filter = since && opts.filter ? where.and(since, opts.filter) : (since ?? opts.filter);
    const { column: _c, after: _a, ...rest } = opts;
    return readTable(table, { ...rest, ...(filter ? { filter } : {}) });
  }
  const metadata = table.metadata;
  let planned: Promise<ChangePlan> | undefined;
  const plan = () => {
    planned ??= planChanges(table.catalog.io, metadata, opts.fromSnapshotId, opts.toSnapshotId, table.name);
    return planned;
  };
  const end =
    opts.toSnapshotId === undefined
      ? table.currentSnapshot()
      : table.snapshots().find((s) => s['snapshot-id'] === opts.toSnapshotId);
  return new PlannedRead(table.name, table.schema(), end, opts, (duck, helpers) =>
    plan().then((p) =>
      changesRelation(duck, table.catalog.io, p, table.name, {
        ...(helpers ? { helpers } : {}),
        ...(opts.ignore ? { ignore: opts.ignore } : {}),
        ...(opts.filter ? { filter: opts.filter } : {}),
        byName: namesStable(table.metadata),
      }),
    ),
  );
}

class PlannedRead implements TableRead {
  readonly fields: readonly NestedField[];

  constructor(
    readonly table: string,
    schema: Schema,
    readonly snapshot: Snapshot | undefined,
    private readonly opts: { readonly columns?: readonly string[]; readonly limit?: number },
    private readonly relation: (duck: Duck, helpers: string | undefined) => Promise<DuckRelation>,
  ) {
    this.fields = selectFields(schema, opts.columns, table);
  }

  async toDuck(duck: Duck, opts: { helpers?: string } = {}): Promise<DuckRelation> {
    const r = await this.relation(duck, opts.helpers);
    return { ...r, sql: this.project(r.sql, false), release: () => r.release() };
  }

  async toRows(): Promise<ReadRow[]> {
    const out: ReadRow[] = [];
    for await (const chunk of this.stream()) out.push(...chunk);
    return out;
  }

  stream(): AsyncGenerator<ReadRow[]> {
    return (async function* (self: PlannedRead) {
      const convert = rowConverter(self.fields);
      const chunks: ReadRow[][] = [];
      // DuckDB connections are scoped; collect chunks inside, yield outside (as reader.ts does).
      await withDuck(async (duck) => {
        const r = await self.relation(duck, undefined);
        try {
          for await (const rows of duck.stream(self.project(r.sql, true))) chunks.push(rows.map(convert));
        } finally {
          await r.release();
        }
      });
      yield* chunks;
    })(this);
  }

  /** The selected columns and the limit; for JSON rows, binary as hex (as reader.ts reads it). */
  private project(sql: string, forRows: boolean): string {
    const cols = this.fields.map((f) => {
      const c = `q.${sqlIdent(f.name)}`;
      const bytes =
        forRows && (f.type === 'binary' || (typeof f.type === 'string' && f.type.startsWith('fixed')));
      return `${bytes ? `lower(hex(${c}))` : c} AS ${sqlIdent(f.name)}`;
    });
    const limit = this.opts.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(this.opts.limit))}` : '';
    return `SELECT ${cols.join(', ')} FROM (${sql}) q${limit}`;
  }
}
