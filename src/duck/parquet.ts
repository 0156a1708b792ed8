/**
 * Parquet through DuckDB: COPY with explicit field ids on every node and RETURN_STATS, and the
 * footer facts (row group offsets, column sizes) that Iceberg manifests need. Generic: knows
 * nothing of Iceberg types, only of a field-id tree keyed by column name.
 */
import { type Duck, sqlIdent, sqlString } from './session.js';

/** DuckDB's FIELD_IDS option: `{col: id}` or `{col: {__duckdb_field_id: id, child: …}}`. */
export type FieldIdTree = { [name: string]: number | FieldIdNode };
export interface FieldIdNode {
  __duckdb_field_id: number;
  [child: string]: number | FieldIdNode;
}

function fieldIdsSql(tree: FieldIdTree): string {
  const render = (node: number | FieldIdNode | FieldIdTree): string => {
    if (typeof node === 'number') return String(node);
    return `{${Object.entries(node)
      .map(([k, v]) => `${k === '__duckdb_field_id' ? k : sqlIdent(k)}: ${render(v)}`)
      .join(', ')}}`;
  };
  return render(tree);
}

export interface ColumnStats {
  min?: string;
  max?: string;
  nullCount?: bigint;
  numValues?: bigint;
  sizeBytes?: bigint;
  hasNan?: boolean;
}

export interface WrittenParquet {
  readonly path: string;
  readonly rowCount: bigint;
  readonly fileSize: bigint;
  /** Bytes of the Parquet footer (the file's fixed overhead: schema, row group metadata). */
  readonly footerSize: bigint;
  /** Keyed by column path, parts joined by U+001F (`s\u001Fx`, `l\u001Felement`, `m\u001Fkey`). */
  readonly columns: Map<string, ColumnStats>;
  /** First byte of each row group (dictionary page, else data page), ascending. */
  readonly splitOffsets: bigint[];
}

export const PATH_SEP = '\u001f';

/** `"a"."b"` (RETURN_STATS key) → ['a', 'b']. */
function parseQuotedPath(key: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"]|"")*)"/g;
  for (let m = re.exec(key); m; m = re.exec(key)) out.push(m[1]!.replace(/""/g, '"'));
  return out.length ? out : [key];
}

type CopyOptions = { compression?: string; rowGroupSize?: number; rowGroupBytes?: string };

function copyOptions(fieldIds: FieldIdTree, opts: CopyOptions): string[] {
  return [
    'FORMAT parquet',
    `COMPRESSION ${opts.compression ?? 'zstd'}`,
    `FIELD_IDS ${fieldIdsSql(fieldIds)}`,
    'RETURN_STATS',
    ...(opts.rowGroupSize ? [`ROW_GROUP_SIZE ${opts.rowGroupSize}`] : []),
    ...(opts.rowGroupBytes ? [`ROW_GROUP_SIZE_BYTES '${opts.rowGroupBytes}'`] : []),
  ];
}

interface StatsRow {
  filename?: string;
  count: string;
  file_size_bytes: string;
  footer_size_bytes?: string;
  column_statistics: { key: string; value: { key: string; value: string }[] }[];
}

/** One RETURN_STATS row (one file) → WrittenParquet, with its row groups' offsets. */
async function writtenFile(duck: Duck, path: string, r: StatsRow): Promise<WrittenParquet> {
  const columns = new Map<string, ColumnStats>();
  for (const c of r.column_statistics ?? []) {
    const s: ColumnStats = {};
    for (const { key, value } of c.value) {
      if (key === 'min') s.min = value;
      else if (key === 'max') s.max = value;
      else if (key === 'null_count') s.nullCount = BigInt(value);
      else if (key === 'num_values') s.numValues = BigInt(value);
      else if (key === 'column_size_bytes') s.sizeBytes = BigInt(value);
      else if (key === 'has_nan') s.hasNan = value === 'true';
    }
    columns.set(parseQuotedPath(c.key).join(PATH_SEP), s);
  }
  const groups = await duck.json(
    `SELECT row_group_id, min(coalesce(dictionary_page_offset, data_page_offset)) AS off
     FROM parquet_metadata(${sqlString(path)}) GROUP BY row_group_id ORDER BY off`,
  );
  return {
    path,
    rowCount: BigInt(r.count),
    fileSize: BigInt(r.file_size_bytes),
    footerSize: BigInt(r.footer_size_bytes ?? 0),
    columns,
    splitOffsets: groups.map((g) => BigInt(g.off as string)),
  };
}

export async function copyToParquet(
  duck: Duck,
  selectSql: string,
  path: string,
  fieldIds: FieldIdTree,
  opts: CopyOptions = {},
): Promise<WrittenParquet> {
  const rows = await duck.json(
    `COPY (${selectSql}) TO ${sqlString(path)} (${copyOptions(fieldIds, opts).join(', ')})`,
  );
  return writtenFile(duck, path, rows[0] as unknown as StatsRow);
}

/**
 * One COPY into a folder, DuckDB starting a new file whenever the current one reaches
 * `fileSizeBytes` (checked per row group, so a file may end up to a row group past it). Rows go
 * to files as the threads produce them, so this is for writes whose files need no order.
 * Returns every file written (empty ones included), in no particular order.
 */
export async function copyToParquetFiles(
  duck: Duck,
  selectSql: string,
  dir: string,
  fieldIds: FieldIdTree,
  opts: CopyOptions & { fileSizeBytes: number },
): Promise<WrittenParquet[]> {
  const options = [
    ...copyOptions(fieldIds, opts),
    `FILE_SIZE_BYTES ${Math.max(1, Math.floor(opts.fileSizeBytes))}`,
    "FILENAME_PATTERN 'part_{i}'",
  ];
  const rows = (await duck.json(
    `COPY (${selectSql}) TO ${sqlString(dir)} (${options.join(', ')})`,
  )) as unknown as StatsRow[];
  const out: WrittenParquet[] = [];
  for (const r of rows) out.push(await writtenFile(duck, r.filename!, r));
  return out;
}
