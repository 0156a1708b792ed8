/**
 * Data files written ahead of the table state they are committed to. A query's rows are written
 * once, as Parquet with the field ids and statistics of the schema the table *will* have, into a
 * scratch folder; the caller checks them (keys, counts) while nothing about the table has
 * changed, then makes the table ready and adopts the files: they move into the table's data
 * folder as they are (linked), with no second pass over the rows. If the table's schema turned out
 * different from the one the files were written for (a concurrent schema change), or the table is
 * partitioned, sorted, or has a smaller target file size, the rows are written again from the staged files instead, by name, so the result
 * is right either way.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyToParquet, type WrittenParquet } from '../../duck/parquet.js';
import { type Duck, scratchDir, sqlIdent, sqlString } from '../../duck/session.js';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, defaultSpec, type TableMetadata } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import { dataFileOf, fieldIdTree, writeDataFilesFromQuery } from './data-writer.js';
import { assertWritable, duckType } from './duck-types.js';
import { targetFileSize } from './file-layout.js';
import { writeOrder } from './write-order.js';

/** Rows per Parquet row group the writer buffers (per thread), as bytes of input. */
const ROW_GROUP_BYTES = '8MB';

export interface StagedRows {
  /** The schema the files were written with (field ids included). */
  readonly schema: Schema;
  readonly files: readonly { readonly path: string; readonly written: WrittenParquet }[];
  readonly rows: bigint;
  /** A SELECT of the staged rows (columns by name), for checks and for writing them again. */
  readonly sql: string;
  /** Removes the staged files (adopted ones have moved away already). */
  release(): Promise<void>;
}

/**
 * Writes `selectSql`'s rows (columns named like `schema`'s, cast to its types) as Parquet in a
 * new scratch folder, on `duck` (the query may read that connection's TEMP tables).
 */
export async function stageQuery(
  duck: Duck,
  schema: Schema,
  selectSql: string,
  table?: string,
): Promise<StagedRows> {
  for (const f of schema.fields) assertWritable(f.type, f.name);
  const dir = join(scratchDir(), `floe-staged-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, `${randomUUID()}.parquet`);
    const cast = schema.fields
      .map((f) => `CAST(q.${sqlIdent(f.name)} AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`)
      .join(', ');
    const written = await copyToParquet(
      duck,
      `SELECT ${cast} FROM (${selectSql}) q`,
      path,
      fieldIdTree(schema),
      {
        rowGroupBytes: ROW_GROUP_BYTES,
      },
    );
    return {
      schema,
      files: [{ path, written }],
      rows: written.rowCount,
      sql: `SELECT * FROM read_parquet([${sqlString(path)}])`,
      release,
    };
  } catch (e) {
    await release();
    if (isFloeError(e)) throw e.withContext({ table });
    throw new FloeError('data-invalid', `cannot write query results: ${(e as Error).message}`, {
      context: { table },
      cause: e,
    });
  }
}

/**
 * The staged rows as data files of `metadata`: adopted as they are when the table is
 * unpartitioned and its schema is the one they were written with (linked into its data folder,
 * so the staged files stay readable), else written again from them.
 */
export async function stagedDataFiles(
  io: FileIO,
  metadata: TableMetadata,
  staged: StagedRows,
  opts: { table?: string; duck?: Duck } = {},
): Promise<DataFile[]> {
  const schema = currentSchema(metadata);
  const same = JSON.stringify(schema.fields) === JSON.stringify(staged.schema.fields);
  // Adopted files must already have the table's layout: no sort order to follow, no file
  // larger than the target size (file-layout.ts); otherwise they are written again.
  const laidOut =
    writeOrder(metadata, schema).terms.length === 0 &&
    staged.files.every((f) => Number(f.written.fileSize) <= targetFileSize(metadata));
  if (!same || !laidOut || defaultSpec(metadata).fields.length > 0) {
    // By name: a column the staged rows lack (added since) is null; one they have that the
    // table dropped is left out; the writer casts the rest to the table's types.
    const have = new Set(staged.schema.fields.map((f) => f.name));
    const cols = schema.fields.map(
      (f) => `${have.has(f.name) ? `s.${sqlIdent(f.name)}` : 'NULL'} AS ${sqlIdent(f.name)}`,
    );
    return writeDataFilesFromQuery(io, metadata, `SELECT ${cols.join(', ')} FROM (${staged.sql}) s`, {
      ...(opts.table ? { table: opts.table } : {}),
      ...(opts.duck ? { duck: opts.duck } : {}),
    });
  }
  const out: DataFile[] = [];
  try {
    for (const f of staged.files) {
      if (f.written.rowCount === 0n) continue;
      const uri = `${metadata.location}/data/${randomUUID()}.parquet`;
      const target = await io.stageWrite(uri);
      try {
        await linkFile(f.path, target.localPath);
        const size = await target.publish();
        out.push(dataFileOf(uri, size, {}, f.written, schema, metadata));
      } catch (e) {
        await target.discard();
        throw e;
      }
    }
  } catch (e) {
    await Promise.all(out.map((d) => io.delete(d.file_path).catch(() => {})));
    throw e;
  }
  return out;
}

/**
 * The staged file at the table's path without copying its bytes (a hard link), so the staged
 * rows stay readable until released: a MERGE that must be planned again reads them once more.
 */
async function linkFile(from: string, to: string): Promise<void> {
  try {
    await rm(to, { force: true });
    await link(from, to);
  } catch (e) {
    // Another file system (a scratch folder elsewhere, an upload staging area): copy instead.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw e;
    await copyFile(from, to);
  }
}
