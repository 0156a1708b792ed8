/**
 * MERGE (upsert by key) of a DuckDB query's rows: the columnar path for rows already in DuckDB
 * (L2 results, staged L1 rows). The query's rows are written as new data files and the current
 * versions of their keys retired by the table's merge mode (replace-rows.ts), in one snapshot.
 *
 * With `skipUnchanged`, a row equal to the table's current row of its key (on every column but
 * the ignored ones, e.g. when and by which run it was written) is left alone: it is neither
 * written again nor removed, so a MERGE of a full recomputation touches only what changed, and
 * the table's snapshot says exactly which rows did.
 *
 * The query's keys must be unique (the caller validates, as L2 does; pass `assumeUniqueKeys`)
 * or are checked here; null keys are refused.
 */
import { randomUUID } from 'node:crypto';
import { type Duck, sqlIdent, withDuck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { scanRelation } from '../read/duck-relation.js';
import type { FileScanTask } from '../read/scan.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import { mappingOf, type Schema } from '../spec/schema.js';
import { isPrimitive, type PrimitiveType } from '../spec/types.js';
import { writeDataFilesFromQuery } from './data-writer.js';
import { keyRange, keyRangeMayOverlap, liveTasks, replaceKeyedRows } from './replace-rows.js';

export interface QueryMergeOptions {
  /** Key columns (top-level, primitive). */
  readonly keys: readonly string[];
  /** Leave rows equal to their current version alone (see the file comment). */
  readonly skipUnchanged?: { readonly ignore?: readonly string[] };
  /** The caller has checked that the query's keys are unique and not null. */
  readonly assumeUniqueKeys?: boolean;
  readonly table?: string;
}

export interface QueryMergePlan {
  readonly added: DataFile[];
  /** Position delete files (merge-on-read) marking the replaced rows. */
  readonly addedDeletes: DataFile[];
  readonly removed: Set<string>;
  /** Rows of the query. */
  readonly inputRows: bigint;
  /** Rows written (new keys and changed rows). */
  readonly writtenRows: bigint;
  /** Current rows replaced by a new version. */
  readonly matchedRows: bigint;
  /** Rows equal to their current version, left alone (skipUnchanged). */
  readonly unchangedRows: bigint;
}

/** Writes the merge's files against `metadata`; the caller commits them (or deletes them). */
export async function writeMergeFromQuery(
  io: FileIO,
  metadata: TableMetadata,
  selectSql: string,
  opts: QueryMergeOptions,
): Promise<QueryMergePlan> {
  const schema = currentSchema(metadata);
  const keyFields = keyColumns(schema, opts);
  const live = await liveTasks(io, metadata, opts.table);
  const tag = randomUUID().replace(/-/g, '');
  const keysTable = `merge_keys_${tag}`;
  const existing = `merge_existing_${tag}`;
  const keyList = keyFields.map((k) => sqlIdent(k.name)).join(', ');
  const input = `(${selectSql})`;
  return withDuck(async (duck) => {
    try {
      const [counts] = await duck.json(`SELECT count(*)::VARCHAR AS n FROM ${input} q`);
      const inputRows = BigInt(String(counts?.n ?? 0));
      if (!opts.assumeUniqueKeys) await refuseBadKeys(duck, input, keyFields, opts.table);
      const first = keyFields[0]!;
      // The current files whose key range can hold one of the input's keys.
      let candidates = live;
      if (live.length > 0) {
        const range = await keyRange(duck, input, first);
        candidates = live.filter((t) => keyRangeMayOverlap(t.file, first.id, first.type, range.lo, range.hi));
      }
      let rows = selectSql;
      let unchangedRows = 0n;
      if (opts.skipUnchanged && candidates.length > 0) {
        // The current versions of the input's keys, then the input rows that differ from them.
        await duck.run(`CREATE TEMP TABLE ${keysTable} AS SELECT DISTINCT ${keyList} FROM ${input} q`);
        await createCurrentRows(
          io,
          duck,
          metadata,
          schema,
          candidates,
          keysTable,
          keyFields,
          existing,
          opts.table,
        );
        const ignore = new Set(opts.skipUnchanged.ignore ?? []);
        const same = schema.fields
          .filter((f) => !ignore.has(f.name))
          .map((f) => `q.${sqlIdent(f.name)} IS NOT DISTINCT FROM e.${sqlIdent(f.name)}`);
        rows = `SELECT q.* FROM ${input} q ANTI JOIN ${existing} e ON ${same.length ? same.join(' AND ') : 'TRUE'}`;
        await duck.run(`DROP TABLE ${keysTable}`);
      }
      // Only the rows to write decide which current rows go; with no current file to look in
      // (a new table, or no key in range), every input row is written as it is.
      let writtenRows = inputRows;
      if (candidates.length > 0) {
        await duck.run(
          `CREATE OR REPLACE TEMP TABLE ${keysTable} AS SELECT DISTINCT ${keyList} FROM (${rows}) q`,
        );
        const [w] = await duck.json(`SELECT count(*)::VARCHAR AS n FROM ${keysTable}`);
        writtenRows = BigInt(String(w?.n ?? 0));
      }
      unchangedRows = inputRows - writtenRows;
      const added =
        writtenRows > 0n
          ? await writeDataFilesFromQuery(io, metadata, rows, { table: opts.table, duck })
          : [];
      try {
        const replaced =
          writtenRows > 0n && candidates.length > 0
            ? await replaceKeyedRows(io, duck, metadata, candidates, keysTable, keyFields)
            : undefined;
        return {
          added: [...added, ...(replaced?.rewritten ?? [])],
          addedDeletes: replaced?.deleteFiles ?? [],
          removed: replaced?.removed ?? new Set<string>(),
          inputRows,
          writtenRows,
          matchedRows: replaced?.matchedRows ?? 0n,
          unchangedRows,
        };
      } catch (e) {
        await Promise.all(added.map((f) => io.delete(f.file_path).catch(() => {})));
        throw e;
      }
    } finally {
      await duck.run(`DROP TABLE IF EXISTS ${keysTable}`).catch(() => {});
      await duck.run(`DROP TABLE IF EXISTS ${existing}`).catch(() => {});
    }
  });
}

type KeyField = { name: string; id: number; type: PrimitiveType };

function keyColumns(schema: Schema, opts: QueryMergeOptions): KeyField[] {
  if (opts.keys.length === 0)
    throw new FloeError('config-invalid', 'merge needs at least one key column', {
      context: { table: opts.table },
    });
  return opts.keys.map((k) => {
    const f = schema.fields.find((x) => x.name === k);
    if (!f || !isPrimitive(f.type) || f.type === 'binary') {
      throw new FloeError(
        'config-invalid',
        `merge key "${k}" is not a primitive column of the table; columns are ${schema.fields.map((x) => x.name).join(', ')}`,
        { context: { table: opts.table, column: k } },
      );
    }
    return { name: f.name, id: f.id, type: f.type as PrimitiveType };
  });
}

async function refuseBadKeys(
  duck: Duck,
  input: string,
  keys: KeyField[],
  table: string | undefined,
): Promise<void> {
  const list = keys.map((k) => sqlIdent(k.name)).join(', ');
  const nulls = keys.map((k) => `${sqlIdent(k.name)} IS NULL`).join(' OR ');
  const [n] = await duck.json(`SELECT count(*)::VARCHAR AS n FROM ${input} q WHERE ${nulls}`);
  if (Number(n?.n ?? 0) > 0)
    throw new FloeError('data-invalid', `merge input has ${n!.n} row(s) with a null key (${list})`, {
      context: { table },
    });
  const dup = await duck.json(
    `SELECT ${keys.map((k) => `${sqlIdent(k.name)}::VARCHAR AS ${sqlIdent(k.name)}`).join(', ')} FROM ${input} q GROUP BY ALL HAVING count(*) > 1 LIMIT 5`,
  );
  if (dup.length)
    throw new FloeError(
      'data-invalid',
      `merge input has duplicate keys (${list}), e.g. ${dup.map((r) => JSON.stringify(r)).join(', ')}`,
      { context: { table } },
    );
}

/** A TEMP table of the current rows (of `tasks`, deletes applied) whose key is in `keysTable`. */
async function createCurrentRows(
  io: FileIO,
  duck: Duck,
  metadata: TableMetadata,
  schema: Schema,
  tasks: readonly FileScanTask[],
  keysTable: string,
  keys: KeyField[],
  into: string,
  table: string | undefined,
): Promise<void> {
  const rel = await scanRelation(
    duck,
    io,
    { snapshot: currentSnapshot(metadata), schema, tasks: [...tasks], ...mappingOf(metadata) },
    table ?? '',
  );
  try {
    const on = keys.map((k) => `k.${sqlIdent(k.name)} = d.${sqlIdent(k.name)}`).join(' AND ');
    await duck.run(
      `CREATE TEMP TABLE ${into} AS SELECT d.* FROM (${rel.sql}) d SEMI JOIN ${keysTable} k ON ${on}`,
    );
  } finally {
    await rel.release();
  }
}
