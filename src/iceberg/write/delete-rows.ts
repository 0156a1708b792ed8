/**
 * Row-level DELETE by filter: the live rows for which a filter is true leave the table in one
 * snapshot. Files are pruned by partition and column statistics first; a file whose every live
 * row matches is removed whole (with the delete files scoped to it); otherwise the matching rows
 * get a position delete file (`write.delete.mode` merge-on-read, floe's default) or the file is
 * rewritten without them (copy-on-write). A row for which the filter is NULL is kept, as in SQL.
 */
import { type Duck, sqlString, withDuck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { type Expr, exprToSql } from '../read/expr.js';
import { parquetSource } from '../read/nested-ids.js';
import { planTasks } from '../read/scan.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import { fieldIdSchemaMap } from './duck-types.js';
import { readManifestList } from './manifest-io.js';
import { deleteMode, deleteTarget, withLiveRows, writePositionDeletes } from './position-deletes.js';
import { rewriteWithout } from './replace-rows.js';

export interface DeletePlan {
  /** Position delete files to add (merge-on-read). */
  readonly deleteFiles: DataFile[];
  /** Rewritten data files to add (copy-on-write). */
  readonly rewritten: DataFile[];
  /** Live files the snapshot removes (whole data files, and delete files scoped to them). */
  readonly removed: Set<string>;
  /** Live rows deleted. */
  readonly deletedRows: bigint;
}

/** Writes the files of a DELETE WHERE `filter` against `metadata`; the caller commits them. */
export async function writeDeleteWhere(
  io: FileIO,
  metadata: TableMetadata,
  filter: Expr,
  table: string,
): Promise<DeletePlan> {
  const schema = currentSchema(metadata);
  const cond = exprToSql(schema, filter); // refuses unknown columns, naming them
  const out: DeletePlan = { deleteFiles: [], rewritten: [], removed: new Set(), deletedRows: 0n };
  const snap = currentSnapshot(metadata);
  if (!snap) return out;
  const tasks = await planTasks(
    io,
    metadata,
    schema,
    await readManifestList(io, snap['manifest-list']),
    filter,
    table,
  );
  const mode = deleteMode(metadata.properties);
  let deletedRows = 0n;
  try {
    await withDuck(async (duck) => {
      for (const t of tasks) {
        if (mode === 'copy-on-write') {
          const r = await rewriteWithout(io, duck, metadata, schema, t, cond);
          if (r.matched === 0n) continue;
          deletedRows += r.matched;
          removeWhole(out, t.file, t.deletes);
          if (r.file) out.rewritten.push(r.file);
          continue;
        }
        const { matched, live } = await countMatches(io, duck, schema, t.file, t.deletes, cond);
        if (matched === 0n) continue;
        deletedRows += matched;
        if (matched === live) {
          removeWhole(out, t.file, t.deletes);
          continue;
        }
        const r = await writePositionDeletes(io, duck, t.file, t.deletes, async (data, exclude) => {
          return `SELECT d.file_row_number AS pos FROM ${await fullSource(duck, schema, data)} d WHERE coalesce((${cond}), false)${exclude ? ` AND ${exclude}` : ''}`;
        });
        if (r.file) out.deleteFiles.push(r.file);
      }
    });
  } catch (e) {
    await Promise.all(
      [...out.deleteFiles, ...out.rewritten].map((f) => io.delete(f.file_path).catch(() => {})),
    );
    throw e;
  }
  return { ...out, deletedRows };
}

function removeWhole(out: DeletePlan, f: DataFile, deletes: readonly DataFile[]): void {
  out.removed.add(f.file_path);
  for (const d of deletes) if (deleteTarget(d) === f.file_path) out.removed.add(d.file_path);
}

function fullSource(duck: Duck, schema: Schema, path: string): Promise<string> {
  return parquetSource(duck, [path], schema.fields, ', file_row_number = true');
}

/** Live rows of `f` (its deletes applied) and how many of them `cond` matches. */
function countMatches(
  io: FileIO,
  duck: Duck,
  schema: Schema,
  f: DataFile,
  deletes: readonly DataFile[],
  cond: string,
): Promise<{ matched: bigint; live: bigint }> {
  return withLiveRows(io, f, deletes, async (data, exclude) => {
    const [r] = await duck.json(
      `SELECT count(*) FILTER (WHERE coalesce((${cond}), false))::VARCHAR AS n, count(*)::VARCHAR AS live FROM ${await fullSource(duck, schema, data)} d${exclude ? ` WHERE ${exclude}` : ''}`,
    );
    return { matched: BigInt(String(r?.n ?? 0)), live: BigInt(String(r?.live ?? 0)) };
  });
}

/** Refuses data files holding a row for which `filter` is not true (overwrite by filter). */
export async function refuseRowsOutside(
  io: FileIO,
  schema: Schema,
  files: readonly DataFile[],
  filter: Expr,
  table: string,
): Promise<void> {
  if (files.length === 0) return;
  const cond = exprToSql(schema, filter);
  const copies: { path: string; release(): Promise<void> }[] = [];
  try {
    for (const f of files) copies.push(await io.localCopy(f.file_path));
    const src = `read_parquet([${copies.map((c) => sqlString(c.path)).join(', ')}], schema = ${fieldIdSchemaMap(schema.fields)})`;
    const [r] = await withDuck((duck) =>
      duck.json(`SELECT count(*)::VARCHAR AS n FROM ${src} d WHERE NOT coalesce((${cond}), false)`),
    );
    const n = Number(r?.n ?? 0);
    if (n > 0)
      throw new FloeError(
        'data-invalid',
        `${n} of the rows to write into ${table} do not match the overwrite filter, so they would land outside the rows it replaces; filter the rows first, or widen the filter`,
        { context: { table } },
      );
  } finally {
    await Promise.all(copies.map((c) => c.release()));
  }
}
