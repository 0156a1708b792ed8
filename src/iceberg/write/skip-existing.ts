/**
 * Appending only rows the table does not already hold. An incremental API read re-sends the
 * records at its window's start (the boundary is inclusive, and lookback windows re-read on
 * purpose), so a plain append would store those record versions again on every run. Here the
 * new rows are anti-joined, in DuckDB and with exact types, against the table's current rows that
 * match a filter (the window: only the newest files are read, pruned by column bounds): a row
 * equal in every column but the ignored ones (ingest columns) is already there and is skipped.
 * Equality, not a key, decides: two different versions of a record are both kept, as APPEND means.
 */

import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { sqlIdent, sqlString, withDuck } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { Expr } from '../read/expr.js';
import { scanQuery } from '../read/reader.js';
import { planTasks } from '../read/scan.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import { mappingOf } from '../spec/schema.js';
import { readManifestList } from './manifest-io.js';
import { finalValue, type StagedConversions, stagedColumnTypes } from './staged-conversions.js';

export interface SkipExisting {
  /** Which current rows may equal new ones (the incremental window); default every row. */
  readonly filter?: Expr;
  /** Columns that differ between copies of one record version (ingest time, run id). */
  readonly ignore?: readonly string[];
}

/**
 * Writes the NDJSON rows at `path` that are not already in the table (see SkipExisting) through
 * `write`, which receives a SELECT of the remaining rows in the table's types. Returns the data
 * files, and whether any current rows were compared (the caller counts skipped rows as its input
 * rows minus the rows written).
 */
export async function writeSkippingExisting(
  io: FileIO,
  metadata: TableMetadata,
  path: string,
  skip: SkipExisting,
  write: (selectSql: string, rowGroupSize: number | undefined) => Promise<DataFile[]>,
  rowGroupSize: (fileBytes: number) => number | undefined,
  /** Columns the file holds as text, converted while writing (staged-conversions.ts). */
  convert?: StagedConversions,
): Promise<{ files: DataFile[]; skipped: boolean }> {
  const schema = currentSchema(metadata);
  const snap = currentSnapshot(metadata);
  const tasks = snap
    ? await planTasks(
        io,
        metadata,
        schema,
        await readManifestList(io, snap['manifest-list']),
        skip.filter,
        '',
      )
    : [];
  const columns = stagedColumnTypes(schema.fields, convert);
  const reader = `read_json(${sqlString(path)}, format = 'newline_delimited', columns = {${columns.join(', ')}})`;
  const select = (from: string) =>
    `SELECT ${schema.fields.map((f) => `${finalValue(f, `s.${sqlIdent(f.name)}`, convert)} AS ${sqlIdent(f.name)}`).join(', ')} FROM ${from}`;
  const groups = rowGroupSize((await stat(path)).size);
  if (tasks.length === 0) return { files: await write(select(`${reader} s`), groups), skipped: false };

  const copies: { release(): Promise<void> }[] = [];
  const local = new Map<string, string>();
  const existing = `floe_existing_${randomUUID().replace(/-/g, '')}`;
  try {
    for (const t of tasks)
      for (const f of [t.file, ...t.deletes]) {
        if (local.has(f.file_path)) continue;
        const c = await io.localCopy(f.file_path);
        copies.push(c);
        local.set(f.file_path, c.path);
      }
    const ignore = new Set(skip.ignore ?? []);
    const compared = schema.fields.filter((f) => !ignore.has(f.name));
    // A plain table (not TEMP): the writer below runs on its own connection.
    await withDuck(async (duck) => {
      const plan = { snapshot: snap, schema, tasks, ...mappingOf(metadata) };
      await duck.run(`CREATE TABLE ${existing} AS ${await scanQuery(duck, plan, local, skip.filter)}`);
    });
    const same = compared
      .map(
        (f) =>
          `e.${sqlIdent(f.name)} IS NOT DISTINCT FROM ${finalValue(f, `s.${sqlIdent(f.name)}`, convert)}`,
      )
      .join(' AND ');
    const from = `${reader} s WHERE NOT EXISTS (SELECT 1 FROM ${existing} e WHERE ${same || 'TRUE'})`;
    return { files: await write(select(from), groups), skipped: true };
  } finally {
    await withDuck((duck) => duck.run(`DROP TABLE IF EXISTS ${existing}`)).catch(() => {});
    await Promise.all(copies.map((c) => c.release()));
  }
}
