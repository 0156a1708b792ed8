/**
 * MERGE (upsert by key) of a DuckDB query's rows, copy-on-write like merge.ts: the columnar path
 * for rows already in DuckDB (L2 results). The query's rows are written as new data files and
 * every live file holding one of their keys is rewritten without those rows, in one snapshot.
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
import { type Duck, sqlIdent, sqlString, withDuck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { type DataFile, EntryStatus } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import { isPrimitive, type PrimitiveType } from '../spec/types.js';
import { writeDataFilesFromQuery } from './data-writer.js';
import { duckType } from './duck-types.js';
import { readManifestEntries, readManifestList } from './manifest-io.js';
import { keyRangeMayOverlap, rewriteWithoutKeys } from './merge.js';
import { parseDuckValue } from './stats.js';

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
  const live = await liveDataFiles(io, metadata, opts.table);
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
        candidates = live.filter((f) => keyRangeMayOverlap(f, first.id, first.type, range.lo, range.hi));
      }
      let rows = selectSql;
      let unchangedRows = 0n;
      if (opts.skipUnchanged && candidates.length > 0) {
        // The current versions of the input's keys, then the input rows that differ from them.
        await duck.run(`CREATE TEMP TABLE ${keysTable} AS SELECT DISTINCT ${keyList} FROM ${input} q`);
        await createCurrentRows(io, duck, schema, candidates, keysTable, keyFields, existing);
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
      const removed = new Set<string>();
      const rewritten: DataFile[] = [];
      let matchedRows = 0n;
      try {
        if (writtenRows > 0n && candidates.length > 0) {
          const range = await keyRange(duck, keysTable, first);
          for (const f of candidates) {
            if (!keyRangeMayOverlap(f, first.id, first.type, range.lo, range.hi)) continue;
            const r = await rewriteWithoutKeys(
              io,
              duck,
              metadata,
              schema,
              f,
              keysTable,
              keyFields.map((k) => k.name),
            );
            if (r.matched === 0n) continue;
            matchedRows += r.matched;
            removed.add(f.file_path);
            if (r.file) rewritten.push(r.file);
          }
        }
      } catch (e) {
        await Promise.all([...added, ...rewritten].map((f) => io.delete(f.file_path).catch(() => {})));
        throw e;
      }
      return {
        added: [...added, ...rewritten],
        removed,
        inputRows,
        writtenRows,
        matchedRows,
        unchangedRows,
      };
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

async function liveDataFiles(
  io: FileIO,
  metadata: TableMetadata,
  table: string | undefined,
): Promise<DataFile[]> {
  const snap = currentSnapshot(metadata);
  if (!snap) return [];
  const live: DataFile[] = [];
  for (const m of await readManifestList(io, snap['manifest-list'])) {
    if (m.content !== 0) {
      throw new FloeError(
        'feature-unsupported',
        'MERGE into a table with delete files is not supported yet; compact it first',
        { context: { table, file: m.manifest_path } },
      );
    }
    for (const e of await readManifestEntries(io, metadata, m))
      if (e.status !== EntryStatus.DELETED) live.push(e.data_file);
  }
  return live;
}

async function keyRange(duck: Duck, from: string, k: KeyField): Promise<{ lo: unknown; hi: unknown }> {
  const [r] = await duck.json(
    `SELECT min(${sqlIdent(k.name)})::VARCHAR AS lo, max(${sqlIdent(k.name)})::VARCHAR AS hi FROM ${from} q`,
  );
  const parse = (v: unknown) =>
    v === null || v === undefined ? undefined : parseDuckValue(k.type, String(v));
  return { lo: parse(r?.lo), hi: parse(r?.hi) };
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

/** A TEMP table of the current rows (of `files`) whose key is in `keysTable`. */
async function createCurrentRows(
  io: FileIO,
  duck: Duck,
  schema: Schema,
  files: readonly DataFile[],
  keysTable: string,
  keys: KeyField[],
  into: string,
): Promise<void> {
  const copies: { release(): Promise<void> }[] = [];
  try {
    const paths: string[] = [];
    for (const f of files) {
      const c = await io.localCopy(f.file_path);
      copies.push(c);
      paths.push(c.path);
    }
    const schemaMap = `MAP {${schema.fields
      .map(
        (c) =>
          `${c.id}: {name: ${sqlString(c.name)}, type: ${sqlString(duckType(c.type))}, default_value: NULL}`,
      )
      .join(', ')}}`;
    const on = keys.map((k) => `k.${sqlIdent(k.name)} = d.${sqlIdent(k.name)}`).join(' AND ');
    await duck.run(
      `CREATE TEMP TABLE ${into} AS SELECT d.* FROM read_parquet([${paths.map(sqlString).join(', ')}], schema = ${schemaMap}) d SEMI JOIN ${keysTable} k ON ${on}`,
    );
  } finally {
    await Promise.all(copies.map((c) => c.release()));
  }
}
