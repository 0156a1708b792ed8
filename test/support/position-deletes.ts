/**
 * Position delete files written by hand (spec §Position Delete Files), for tests: one Parquet
 * file of (file_path 2147483546, pos 2147483545) rows per call, with exact file_path bounds when
 * it names one data file (file-scoped, as Iceberg Java writes them), committed as a `delete`
 * snapshot through the shared snapshot producer.
 */
import { randomUUID } from 'node:crypto';
import { copyToParquet } from '../../src/duck/parquet.js';
import { withDuck } from '../../src/duck/session.js';
import type { Table } from '../../src/iceberg/index.js';
import { serializeBound } from '../../src/iceberg/spec/bounds.js';
import type { DataFile } from '../../src/iceberg/spec/manifest.js';
import { commitSnapshot } from '../../src/iceberg/write/commit.js';

const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

/** Writes and commits one position delete file deleting `positions` of each named data file. */
export async function commitPositionDeletes(
  table: Table,
  targets: readonly { readonly file: DataFile; readonly positions: readonly number[] }[],
): Promise<DataFile> {
  const io = table.catalog.io;
  const rows = targets.flatMap((t) => t.positions.map((p) => ({ path: t.file.file_path, pos: p })));
  rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.pos - b.pos));
  const values = rows.map((r) => `('${r.path.replace(/'/g, "''")}', ${r.pos}::BIGINT)`).join(', ');
  const uri = `${table.metadata.location}/data/delete-${randomUUID()}.parquet`;
  const staged = await io.stageWrite(uri);
  const written = await withDuck((duck) =>
    copyToParquet(
      duck,
      `SELECT file_path, pos FROM (VALUES ${values}) AS v(file_path, pos)`,
      staged.localPath,
      { file_path: FILE_PATH_ID, pos: POS_ID },
    ),
  );
  const size = await staged.publish();
  const paths = [...new Set(rows.map((r) => r.path))].sort();
  const bound = (p: string) => Buffer.from(serializeBound('string', p));
  const deleteFile: DataFile = {
    content: 1,
    file_path: uri,
    file_format: 'PARQUET',
    partition: targets[0]!.file.partition,
    record_count: written.rowCount,
    file_size_in_bytes: BigInt(size),
    lower_bounds: [
      { key: FILE_PATH_ID, value: bound(paths[0]!) },
      {
        key: POS_ID,
        value: Buffer.from(serializeBound('long', BigInt(Math.min(...rows.map((r) => r.pos))))),
      },
    ],
    upper_bounds: [
      { key: FILE_PATH_ID, value: bound(paths[paths.length - 1]!) },
      {
        key: POS_ID,
        value: Buffer.from(serializeBound('long', BigInt(Math.max(...rows.map((r) => r.pos))))),
      },
    ],
    referenced_data_file: null,
  };
  await commitSnapshot(
    table.catalog,
    table.identifier,
    { metadata: table.metadata, metadataLocation: table.metadataLocation },
    () => ({ operation: 'delete', addedDataFiles: [], addedDeleteFiles: [deleteFile] }),
  );
  await table.refresh();
  return deleteFile;
}

/** The live data files of the table's current snapshot, with the rows each holds, by file. */
export async function liveDataFiles(table: Table): Promise<DataFile[]> {
  const plan = await table.scan().plan();
  return plan.tasks.map((t) => t.file);
}

/** Row positions in `file` whose `column` (a top-level long/int column) is one of `values`. */
export async function positionsOf(
  table: Table,
  file: DataFile,
  column: string,
  values: readonly number[],
): Promise<number[]> {
  const copy = await table.catalog.io.localCopy(file.file_path);
  try {
    const rows = await withDuck((duck) =>
      duck.json(
        `SELECT file_row_number::BIGINT AS pos, "${column}"::BIGINT AS v FROM read_parquet('${copy.path.replace(/'/g, "''")}', file_row_number = true)`,
      ),
    );
    const want = new Set(values);
    return rows.filter((r) => want.has(Number(r.v))).map((r) => Number(r.pos));
  } finally {
    await copy.release();
  }
}
