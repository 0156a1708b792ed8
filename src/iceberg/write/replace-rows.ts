/**
 * The half of a MERGE that retires the current versions of the keys it writes, shared by the
 * row path (merge.ts) and the query path (query-merge.ts). The candidates are the live data files
 * of the current snapshot whose first-key bounds can hold one of the keys; each is handled alone,
 * so memory does not grow with the table.
 *
 * - merge-on-read (floe's default, `write.merge.mode`): the key columns and row positions of a
 *   candidate are read and the matched rows get a position delete file (position-deletes.ts).
 *   The data files stay; the cost follows the change.
 * - copy-on-write: a candidate holding a matched row is rewritten without it (and without the
 *   rows its delete files already delete); the old file and the delete files scoped to it go.
 */
import { randomUUID } from 'node:crypto';
import { copyToParquet } from '../../duck/parquet.js';
import { type Duck, sqlIdent, withSessionSettings } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import { parquetSource } from '../read/nested-ids.js';
import { type FileScanTask, planTasks } from '../read/scan.js';
import { deserializeBound } from '../spec/bounds.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import { parseNameMapping, type Schema } from '../spec/schema.js';
import type { PrimitiveType } from '../spec/types.js';
import { failpoint } from '../util/failpoint.js';
import { dataFileOf, fieldIdTree } from './data-writer.js';
import { readManifestList } from './manifest-io.js';
import { compare } from './partition-summary.js';
import {
  deleteTarget,
  type KeyColumn,
  mergeMode,
  withLiveRows,
  writeKeyDeletes,
} from './position-deletes.js';
import { parseDuckValue } from './stats.js';

/** The live data files of the current snapshot, each with the position deletes that apply to it. */
export async function liveTasks(
  io: FileIO,
  metadata: TableMetadata,
  table: string | undefined,
): Promise<FileScanTask[]> {
  const snap = currentSnapshot(metadata);
  if (!snap) return [];
  const manifests = await readManifestList(io, snap['manifest-list']);
  return planTasks(io, metadata, currentSchema(metadata), manifests, undefined, table ?? '');
}

export interface ReplacedRows {
  /** Data files (copy-on-write rewrites) to add. */
  readonly rewritten: DataFile[];
  /** Position delete files (merge-on-read) to add. */
  readonly deleteFiles: DataFile[];
  /** Live files (data, and delete files scoped to them) the snapshot removes. */
  readonly removed: Set<string>;
  /** Current rows replaced. */
  readonly matchedRows: bigint;
}

export function emptyReplaced(): ReplacedRows {
  return { rewritten: [], deleteFiles: [], removed: new Set(), matchedRows: 0n };
}

/**
 * Retires every live row of `tasks` whose key is in `keysTable` (columns named like the keys), by
 * the table's merge mode. Files written are deleted again if this fails part way.
 */
export async function replaceKeyedRows(
  io: FileIO,
  duck: Duck,
  metadata: TableMetadata,
  tasks: readonly FileScanTask[],
  keysTable: string,
  keys: readonly KeyColumn[],
): Promise<ReplacedRows> {
  const out = { rewritten: [] as DataFile[], deleteFiles: [] as DataFile[], removed: new Set<string>() };
  let matchedRows = 0n;
  if (tasks.length === 0) return { ...out, matchedRows };
  const first = keys[0]!;
  const range = await keyRange(duck, keysTable, first);
  const mode = mergeMode(metadata.properties);
  const schema = currentSchema(metadata);
  try {
    for (const t of tasks) {
      if (!keyRangeMayOverlap(t.file, first.id, first.type, range.lo, range.hi)) continue;
      if (mode === 'merge-on-read') {
        const r = await writeKeyDeletes(
          io,
          duck,
          t.file,
          t.deletes,
          keysTable,
          keys,
          parseNameMapping(metadata.properties),
        );
        matchedRows += r.matched;
        if (r.file) out.deleteFiles.push(r.file);
        continue;
      }
      const r = await rewriteWithoutKeys(io, duck, metadata, schema, t, keysTable, keys);
      if (r.matched === 0n) continue;
      matchedRows += r.matched;
      out.removed.add(t.file.file_path);
      // Delete files scoped to the old file only mark rows of it: they go with it.
      for (const d of t.deletes) if (deleteTarget(d) === t.file.file_path) out.removed.add(d.file_path);
      if (r.file) out.rewritten.push(r.file);
    }
  } catch (e) {
    await Promise.all(
      [...out.rewritten, ...out.deleteFiles].map((f) => io.delete(f.file_path).catch(() => {})),
    );
    throw e;
  }
  return { ...out, matchedRows };
}

/** The least and greatest value of key `k` in `from` (a table or parenthesised query). */
export async function keyRange(
  duck: Duck,
  from: string,
  k: KeyColumn,
): Promise<{ lo: unknown; hi: unknown }> {
  const [r] = await duck.json(
    `SELECT min(${sqlIdent(k.name)})::VARCHAR AS lo, max(${sqlIdent(k.name)})::VARCHAR AS hi FROM ${from} q`,
  );
  const parse = (v: unknown) =>
    v === null || v === undefined ? undefined : parseDuckValue(k.type, String(v));
  return { lo: parse(r?.lo), hi: parse(r?.hi) };
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

/**
 * Rewrites the data file of `task` without the rows whose key is in `keysTable` and without the
 * rows its delete files delete; no file when nothing remains. `matched` counts live rows only.
 */
export function rewriteWithoutKeys(
  io: FileIO,
  duck: Duck,
  metadata: TableMetadata,
  schema: Schema,
  task: FileScanTask,
  keysTable: string,
  keys: readonly { name: string }[],
): Promise<{ matched: bigint; file?: DataFile }> {
  const match = `EXISTS (SELECT 1 FROM ${keysTable} k WHERE ${keys.map((k) => `k.${sqlIdent(k.name)} = d.${sqlIdent(k.name)}`).join(' AND ')})`;
  return rewriteWithout(io, duck, metadata, schema, task, match);
}

/**
 * Rewrites the data file of `task` without the live rows for which `match` (SQL over the row as
 * `d`) is true, and without the rows its delete files delete; no file when nothing remains (or
 * nothing matched: then nothing is written). `matched` counts live rows only.
 */
export async function rewriteWithout(
  io: FileIO,
  duck: Duck,
  metadata: TableMetadata,
  schema: Schema,
  task: FileScanTask,
  match: string,
): Promise<{ matched: bigint; file?: DataFile }> {
  const f = task.file;
  return withLiveRows(io, f, task.deletes, async (local, deleted) => {
    const src = await parquetSource(
      duck,
      [local],
      schema.fields,
      deleted ? ', file_row_number = true' : '',
      parseNameMapping(metadata.properties),
    );
    const live = deleted ? ` AND ${deleted}` : '';
    // A condition that is NULL for a row does not match it (and must not drop it below).
    const hit = `coalesce((${match}), false)`;
    const [c] = await duck.json(
      `SELECT count(*) FILTER (WHERE ${hit})::BIGINT AS n, count(*)::BIGINT AS live FROM ${src} d WHERE TRUE${live}`,
    );
    const matched = BigInt(String(c?.n ?? 0));
    if (matched === 0n) return { matched };
    if (matched === BigInt(String(c?.live ?? 0))) return { matched };
    const dir = f.file_path.slice(0, f.file_path.lastIndexOf('/'));
    const uri = `${dir}/${randomUUID()}.parquet`;
    const staged = await io.stageWrite(uri);
    try {
      const cols = schema.fields.map((x) => `d.${sqlIdent(x.name)}`).join(', ');
      const copy = () =>
        copyToParquet(
          duck,
          `SELECT ${cols} FROM ${src} d WHERE NOT ${hit}${live}`,
          staged.localPath,
          fieldIdTree(schema),
        );
      // A file written in a sort order stays in it: the rows that remain are copied in file
      // order (the instance leaves insertion order unpreserved so unordered writes stream, which
      // would shuffle them), and the rewrite records the same order. Dropping rows keeps a
      // sorted sequence sorted, so no sort is needed.
      const sortOrderId = f.sort_order_id ?? 0;
      const written = sortOrderId
        ? await withSessionSettings(duck, { preserve_insertion_order: 'true' }, copy)
        : await copy();
      const size = await staged.publish();
      failpoint('iceberg.merge-rewrite');
      return { matched, file: dataFileOf(uri, size, f.partition, written, schema, metadata, sortOrderId) };
    } catch (e) {
      await staged.discard();
      throw e;
    }
  });
}
