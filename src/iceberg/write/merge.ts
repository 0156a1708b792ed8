/**
 * MERGE (upsert by key), copy-on-write: input rows are deduplicated by key (the last by the
 * order column wins), written as new data files, and every live file that holds one of the
 * input keys is rewritten without those rows. Files are pruned by the first key column's
 * bounds first, so only files whose key range can match are even opened. One snapshot
 * replaces the touched files and adds the new ones; readers never see a half-applied merge.
 * No equality deletes: PyIceberg and (possibly) Athena cannot read them.
 */
import { randomUUID } from 'node:crypto';
import { copyToParquet } from '../../duck/parquet.js';
import { type Duck, sqlIdent, sqlString } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { deserializeBound } from '../spec/bounds.js';
import { type DataFile, EntryStatus } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import { isPrimitive, type PrimitiveType } from '../spec/types.js';
import { failpoint } from '../util/failpoint.js';
import { dataFileOf, fieldIdTree, type RowInput, writeRows } from './data-writer.js';
import { castFromStaging, duckType } from './duck-types.js';
import { readManifestEntries, readManifestList } from './manifest-io.js';
import { compare } from './partition-summary.js';
import { parseDuckValue } from './stats.js';

export interface MergeOptions {
  /** Key columns (top-level, primitive). */
  readonly keys: readonly string[];
  /** Among input rows with the same key, the one with the greatest value here wins. */
  readonly orderBy?: string;
  readonly table?: string;
  /** Rows in an NDJSON input, if known (sizes row groups). */
  readonly expectedRows?: number;
}

export interface MergePlan {
  readonly added: DataFile[];
  readonly removed: Set<string>;
  readonly rewrittenFiles: number;
  readonly matchedRows: bigint;
}

/** Writes the merge's files against `metadata`; the caller commits them (or deletes them). */
export async function writeMerge(
  io: FileIO,
  metadata: TableMetadata,
  rows: RowInput,
  opts: MergeOptions,
): Promise<MergePlan> {
  const schema = currentSchema(metadata);
  const keyFields = opts.keys.map((k) => {
    const f = schema.fields.find((x) => x.name === k);
    if (!f || !isPrimitive(f.type) || f.type === 'binary') {
      throw new FloeError(
        'config-invalid',
        `merge key "${k}" is not a primitive column of the table; columns are ${schema.fields.map((x) => x.name).join(', ')}`,
        {
          context: { table: opts.table, column: k },
        },
      );
    }
    return { name: f.name, id: f.id, type: f.type as PrimitiveType };
  });
  if (keyFields.length === 0)
    throw new FloeError('config-invalid', 'merge needs at least one key column', {
      context: { table: opts.table },
    });
  if (opts.orderBy && !schema.fields.some((f) => f.name === opts.orderBy)) {
    throw new FloeError('config-invalid', `merge order column "${opts.orderBy}" does not exist`, {
      context: { table: opts.table },
    });
  }

  // Live data files of the current snapshot (with their partition tuples) are the candidates.
  const live: DataFile[] = [];
  const snap = currentSnapshot(metadata);
  if (snap) {
    for (const m of await readManifestList(io, snap['manifest-list'])) {
      if (m.content !== 0) {
        throw new FloeError(
          'feature-unsupported',
          'MERGE into a table with delete files is not supported yet; compact it first',
          {
            context: { table: opts.table, file: m.manifest_path },
          },
        );
      }
      for (const e of await readManifestEntries(io, metadata, m))
        if (e.status !== EntryStatus.DELETED) live.push(e.data_file);
    }
  }

  const removed = new Set<string>();
  const rewritten: DataFile[] = [];
  let matchedRows = 0n;
  const added = await writeRows(io, metadata, rows, {
    table: opts.table,
    ...(opts.expectedRows ? { expectedRows: opts.expectedRows } : {}),
    dedupe: { keys: opts.keys, ...(opts.orderBy ? { orderBy: opts.orderBy } : {}) },
    onStaged: async (duck, staged) => {
      if (live.length === 0) return;
      const first = keyFields[0]!;
      const keyExpr = (k: (typeof keyFields)[number]) => castFromStaging(k.type, sqlIdent(k.name));
      const keysTable = `keys_${randomUUID().replace(/-/g, '')}`;
      await duck.run(
        `CREATE TEMP TABLE ${keysTable} AS SELECT DISTINCT ${keyFields.map((k) => `${keyExpr(k)} AS ${sqlIdent(k.name)}`).join(', ')} FROM ${staged}`,
      );
      try {
        const [range] = await duck.json(
          `SELECT min(${sqlIdent(first.name)})::VARCHAR AS lo, max(${sqlIdent(first.name)})::VARCHAR AS hi FROM ${keysTable}`,
        );
        const lo =
          range?.lo === null || range?.lo === undefined
            ? undefined
            : parseDuckValue(first.type, String(range.lo));
        const hi =
          range?.hi === null || range?.hi === undefined
            ? undefined
            : parseDuckValue(first.type, String(range.hi));
        for (const f of live) {
          if (!keyRangeMayOverlap(f, first.id, first.type, lo, hi)) continue;
          const result = await rewriteWithoutKeys(
            io,
            duck,
            metadata,
            schema,
            f,
            keysTable,
            keyFields.map((k) => k.name),
          );
          if (result.matched === 0n) continue;
          matchedRows += result.matched;
          removed.add(f.file_path);
          if (result.file) rewritten.push(result.file);
        }
      } finally {
        await duck.run(`DROP TABLE IF EXISTS ${keysTable}`);
      }
    },
  });
  return { added: [...added, ...rewritten], removed, rewrittenFiles: rewritten.length, matchedRows };
}

export function keyRangeMayOverlap(
  f: DataFile,
  id: number,
  type: PrimitiveType,
  lo: unknown,
  hi: unknown,
): boolean {
  if (lo === undefined || hi === undefined) return true;
  const lower = f.lower_bounds?.find((kv) => kv.key === id)?.value;
  const upper = f.upper_bounds?.find((kv) => kv.key === id)?.value;
  if (lower && compare(deserializeBound(type, lower), hi) > 0) return false;
  // Upper bounds of truncated strings are still upper bounds, so this holds for strings too.
  if (upper && compare(deserializeBound(type, upper), lo) < 0) return false;
  return true;
}

/** Rewrites `f` without the rows whose key is in `keysTable`; no file when nothing remains. */
export async function rewriteWithoutKeys(
  io: FileIO,
  duck: Duck,
  metadata: TableMetadata,
  schema: Schema,
  f: DataFile,
  keysTable: string,
  keys: string[],
): Promise<{ matched: bigint; file?: DataFile }> {
  const local = await io.localCopy(f.file_path);
  try {
    const schemaMap = `MAP {${schema.fields
      .map(
        (c) =>
          `${c.id}: {name: ${sqlString(c.name)}, type: ${sqlString(duckType(c.type))}, default_value: NULL}`,
      )
      .join(', ')}}`;
    const src = `read_parquet(${sqlString(local.path)}, schema = ${schemaMap})`;
    const match = `EXISTS (SELECT 1 FROM ${keysTable} k WHERE ${keys.map((k) => `k.${sqlIdent(k)} = d.${sqlIdent(k)}`).join(' AND ')})`;
    const [c] = await duck.json(`SELECT count(*)::BIGINT AS n FROM ${src} d WHERE ${match}`);
    const matched = BigInt(String(c?.n ?? 0));
    if (matched === 0n) return { matched };
    if (matched === f.record_count) return { matched };
    const dir = f.file_path.slice(0, f.file_path.lastIndexOf('/'));
    const uri = `${dir}/${randomUUID()}.parquet`;
    const staged = await io.stageWrite(uri);
    try {
      const cols = schema.fields.map((x) => `d.${sqlIdent(x.name)}`).join(', ');
      const written = await copyToParquet(
        duck,
        `SELECT ${cols} FROM ${src} d WHERE NOT ${match}`,
        staged.localPath,
        fieldIdTree(schema),
      );
      const size = await staged.publish();
      failpoint('iceberg.merge-rewrite');
      return { matched, file: dataFileOf(uri, size, f.partition, written, schema, metadata) };
    } catch (e) {
      await staged.discard();
      throw e;
    }
  } finally {
    await local.release();
  }
}
