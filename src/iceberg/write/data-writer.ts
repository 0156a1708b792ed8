/**
 * Rows → Parquet data files → DataFile records. Rows are encoded to NDJSON on local disk (so
 * memory stays flat however many rows come; each row of a partitioned table tagged with its
 * partition's number, computed here because DuckDB has no Iceberg bucket hash), DuckDB parses
 * the file in bulk and writes Parquet with Iceberg field ids on every node, zstd, and the
 * statistics manifests need: per partition (partitioned-write.ts), in the table's sort order, in
 * files of about the target size (see file-layout.ts), every step bounded in memory.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FieldIdNode, FieldIdTree, WrittenParquet } from '../../duck/parquet.js';
import {
  type Duck,
  releaseFreedMemory,
  scratchDir,
  sqlIdent,
  sqlString,
  withDuck,
} from '../../duck/session.js';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, defaultSpec, type TableMetadata } from '../spec/metadata.js';
import { indexSchema, type Schema } from '../spec/schema.js';
import { applyTransform, partitionPath } from '../spec/transforms.js';
import { type IcebergType, isList, isMap, isPrimitive, isStruct, type PrimitiveType } from '../spec/types.js';
import { toPhysical } from '../spec/values.js';
import { assertWritable, duckType } from './duck-types.js';
import { writeLaidOut } from './file-layout.js';
import { partitionTypeFor } from './manifest-io.js';
import { writePartitioned } from './partitioned-write.js';
import { compileLineEncoder } from './row-encoder.js';
import { finalValue, type StagedConversions, stagedColumnTypes } from './staged-conversions.js';
import { fileMetrics } from './stats.js';
import { writeOrder } from './write-order.js';

export type RowSource = Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;
/**
 * Rows to write: JS objects, or a newline-delimited JSON file whose lines already have the
 * table's staging form (JSON values; objects in string columns are stored as JSON text). The
 * file path lets DuckDB parse in bulk with no JavaScript per row.
 */
export type RowInput = RowSource | NdjsonInput;

export interface NdjsonInput {
  readonly ndjson: string;
  /** Columns the file holds as text or raw JSON, converted while writing (staged-conversions.ts). */
  readonly convert?: StagedConversions;
}

export function isNdjsonInput(x: RowInput): x is NdjsonInput {
  return (
    typeof x === 'object' &&
    x !== null &&
    'ndjson' in x &&
    typeof (x as { ndjson: unknown }).ndjson === 'string'
  );
}

/** Reads an NDJSON file back as row objects (the fallback when a file cannot go to DuckDB as is). */
export async function* ndjsonRows(path: string): AsyncGenerator<Record<string, unknown>> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const lines = createInterface({
    input: createReadStream(path, { highWaterMark: 1 << 20 }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line) yield JSON.parse(line) as Record<string, unknown>;
}

/**
 * Writes an NDJSON file (see RowInput). Unpartitioned tables: DuckDB reads the file directly
 * (a `__floe_seq` number per line, when present, orders duplicates for dedupe). Partitioned
 * tables: rows stream through the row writer, which computes the partition tuples.
 */
export async function writeDataFilesFromNdjson(
  io: FileIO,
  metadata: TableMetadata,
  path: string,
  opts: WriteOptions = {},
): Promise<DataFile[]> {
  const schema = currentSchema(metadata);
  for (const f of schema.fields) assertWritable(f.type, f.name);
  if (defaultSpec(metadata).fields.length > 0) return writeDataFiles(io, metadata, ndjsonRows(path), opts);
  try {
    return await writeChunk(io, metadata, schema, path, [], false, opts);
  } catch (e) {
    if (isFloeError(e)) throw e.withContext({ table: opts.table });
    throw e;
  }
}

/** Dispatches a RowInput to the right writer. */
export function writeRows(
  io: FileIO,
  metadata: TableMetadata,
  rows: RowInput,
  opts: WriteOptions = {},
): Promise<DataFile[]> {
  return isNdjsonInput(rows)
    ? writeDataFilesFromNdjson(io, metadata, rows.ndjson, {
        ...opts,
        ...(rows.convert?.size ? { convert: rows.convert } : {}),
      })
    : writeDataFiles(io, metadata, rows, opts);
}

export interface WriteOptions {
  /**
   * Rows per staged chunk; default: all rows in one. Each chunk is written on its own, so the
   * files of two chunks overlap in key ranges; chunks bound nothing else (every writer below is
   * bounded in memory whatever a chunk's size).
   */
  readonly rowsPerChunk?: number;
  /** Table identifier for error messages. */
  readonly table?: string;
  /**
   * Keep one row per key (the last by `orderBy`, then by input order). Forces a single staged
   * chunk, so duplicates are found across the whole input.
   */
  readonly dedupe?: { readonly keys: readonly string[]; readonly orderBy?: string };
  /**
   * Runs inside the DuckDB connection while the staged rows are a table (staging types; see
   * duck-types.ts), after the data files are written: MERGE finds the files its keys touch.
   */
  readonly onStaged?: (duck: Duck, stagedTable: string) => Promise<void>;
  /** Rows in an NDJSON input, if known: sizes Parquet row groups to the row width. */
  readonly expectedRows?: number;
  /** NDJSON input only: columns converted while writing (see NdjsonInput). */
  readonly convert?: StagedConversions;
  /**
   * NDJSON input with `dedupe`: files up to this size are staged whole and deduplicated on the
   * way in; larger ones get a key-only pass first (default STAGE_TO_DEDUPE_BYTES, 64 MiB).
   */
  readonly stageToDedupeBytes?: number;
  /** Hashes per grouping of the duplicate-key check (default KEY_CHECK_SLICE_ROWS). */
  readonly keyCheckSliceRows?: number;
}

/**
 * Rows files up to this size are staged in DuckDB whole when they need deduplicating (see
 * writeChunk); larger ones first check for repeated keys with a key-only pass, so a first load of
 * millions of rows without repeats is not materialized. Upserting 50k rows (25 MB of NDJSON) into
 * 2M took 0.29 s with the key pass and 0.22 s staged (the file read once instead of three times).
 */
const STAGE_TO_DEDUPE_BYTES = 64 * 1024 * 1024;

const PART_COL = '__floe_partition';
const SEQ_COL = '__floe_seq';

/** The manifest's DataFile for a Parquet file DuckDB wrote: counts, metrics, split offsets. */
export function dataFileOf(
  uri: string,
  size: number,
  partition: Record<string, unknown>,
  written: WrittenParquet,
  schema: Schema,
  metadata: TableMetadata,
  /** The table sort order the file's rows follow; 0: unsorted. */
  sortOrderId = 0,
): DataFile {
  return {
    content: 0,
    file_path: uri,
    file_format: 'PARQUET',
    partition,
    record_count: written.rowCount,
    file_size_in_bytes: BigInt(size),
    ...fileMetrics(schema, written, metadata.properties),
    split_offsets: written.splitOffsets,
    sort_order_id: sortOrderId,
  };
}

export function fieldIdTree(schema: Schema): FieldIdTree {
  const node = (id: number, t: IcebergType): number | FieldIdNode => {
    if (isStruct(t)) {
      const n: FieldIdNode = { __duckdb_field_id: id };
      for (const f of t.fields) n[f.name] = node(f.id, f.type);
      return n;
    }
    if (isList(t)) return { __duckdb_field_id: id, element: node(t['element-id'], t.element) };
    if (isMap(t))
      return { __duckdb_field_id: id, key: node(t['key-id'], t.key), value: node(t['value-id'], t.value) };
    return id;
  };
  const tree: FieldIdTree = {};
  for (const f of schema.fields) tree[f.name] = node(f.id, f.type);
  return tree;
}

/** Writes rows as data files of `metadata`'s current schema and default spec; commits nothing. */
export async function writeDataFiles(
  io: FileIO,
  metadata: TableMetadata,
  rows: RowSource,
  opts: WriteOptions = {},
): Promise<DataFile[]> {
  const schema = currentSchema(metadata);
  const spec = defaultSpec(metadata);
  const index = indexSchema(schema);
  const partitionType = partitionTypeFor(metadata, spec['spec-id'], schema);
  for (const f of schema.fields) assertWritable(f.type, f.name);
  const convert = opts.convert;
  const encodeLine = compileLineEncoder(schema, convert ? new Set(convert.keys()) : undefined);
  const rowsPerChunk = opts.dedupe
    ? Number.POSITIVE_INFINITY
    : (opts.rowsPerChunk ?? Number.POSITIVE_INFINITY);
  let seq = 0;

  // Partition routing: source value → transform → tuple; tuples numbered as first seen.
  const routers = spec.fields.map((pf, i) => {
    const src = index.get(pf['source-id']);
    if (!src || !isPrimitive(src.type) || src.repeated) {
      throw new FloeError('data-invalid', `partition field ${pf.name} has no primitive source column`, {
        context: { table: opts.table },
      });
    }
    const path = src.path;
    const type = src.type as PrimitiveType;
    const converted = path.length === 1 ? convert?.get(path[0]!) : undefined;
    if (converted && !converted.rawParses) {
      throw new FloeError(
        'feature-unsupported',
        `partition field ${pf.name} is computed from column "${path[0]}", whose values are converted while writing (a declared format or onError: null); partition by another column, or declare it without them`,
        { context: { table: opts.table, column: path[0] } },
      );
    }
    return {
      name: pf.name,
      transform: pf.transform,
      type,
      path,
      resultType: partitionType[i]!.type,
      blankIsNull: converted !== undefined,
    };
  });
  const tmp = await mkdtemp(join(scratchDir(), 'floe-stage-'));
  const files: DataFile[] = [];
  try {
    let chunk = 0;
    let out: WriteStream | undefined;
    let chunkPath = '';
    let count = 0;
    let tuples = new Map<string, { key: number; values: Record<string, unknown> }>();
    const open = () => {
      chunkPath = join(tmp, `chunk-${chunk++}.ndjson`);
      out = createWriteStream(chunkPath, { highWaterMark: 1 << 20 });
      count = 0;
      tuples = new Map();
    };
    const flush = async () => {
      if (!out) return;
      const stream = out;
      out = undefined;
      await new Promise<void>((resolve, reject) =>
        stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
      if (count > 0)
        files.push(
          ...(await writeChunk(io, metadata, schema, chunkPath, [...tuples.values()], routers.length > 0, {
            ...opts,
            expectedRows: count,
          })),
        );
      await rm(chunkPath, { force: true });
    };
    let buf = '';
    for await (const batch of inBatches(rows, 2048)) {
      for (const row of batch) {
        if (!out) open();
        let extra = '';
        if (routers.length) {
          const values: Record<string, unknown> = {};
          for (const r of routers) {
            let v: unknown = row;
            for (const p of r.path)
              v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[p];
            if (r.blankIsNull && typeof v === 'string' && v.trim() === '') v = null;
            values[r.name] =
              v === null || v === undefined
                ? null
                : applyTransform(r.transform, r.type, toPhysical(r.type, v));
          }
          const key = JSON.stringify(values, (_k, x) =>
            typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
          );
          let t = tuples.get(key);
          if (!t) {
            t = { key: tuples.size, values };
            tuples.set(key, t);
          }
          extra = `"${PART_COL}":${t.key}`;
        }
        if (opts.dedupe) extra += `${extra ? ',' : ''}"${SEQ_COL}":${seq++}`;
        buf += encodeLine(row, extra);
        count++;
        if (buf.length > 1 << 20) {
          if (!out!.write(buf)) await new Promise<void>((r) => out!.once('drain', () => r()));
          buf = '';
        }
        if (count >= rowsPerChunk) {
          out!.write(buf);
          buf = '';
          await flush();
        }
      }
    }
    if (out) {
      out.write(buf);
      buf = '';
      await flush();
    }
  } catch (e) {
    // Nothing is committed yet; remove what this write produced.
    await Promise.all(files.map((f) => io.delete(f.file_path).catch(() => {})));
    if (isFloeError(e)) throw e.withContext({ table: opts.table });
    throw e;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return files;
}

/**
 * Groups rows into arrays so a synchronous source (an array, a generator) costs one await per
 * batch instead of one per row: `for await` over a sync iterable allocates a promise per value.
 */
async function* inBatches<T>(rows: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (Symbol.asyncIterator in rows) {
    let batch: T[] = [];
    for await (const r of rows as AsyncIterable<T>) {
      batch.push(r);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    return;
  }
  if (Array.isArray(rows)) {
    yield rows as T[];
    return;
  }
  let batch: T[] = [];
  for (const r of rows as Iterable<T>) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Rows per Parquet row group. DuckDB buffers a whole row group per writer thread, so wide API
 * records (Wrike tasks: ~600 bytes of JSON each) at its default 122,880 rows cost hundreds of MB;
 * ~8 MB of input JSON per row group keeps a writer's memory small, and narrow rows keep the
 * default. Measured on 1M Wrike tasks: peak +360 MB at the default, +180 MB at 30k rows.
 */
export function rowGroupRows(fileBytes: number, rows: number | undefined): number | undefined {
  if (!rows || rows <= 0) return undefined;
  const perRow = fileBytes / rows;
  return Math.max(4096, Math.min(122_880, Math.floor((8 * 1024 * 1024) / Math.max(1, perRow))));
}

/**
 * Hashes one grouping of the duplicate-key check takes at most. The hash table of a grouping
 * grows with its rows (5M hashes: +230 MB resident in one grouping, +80 MB in five), so the
 * check groups the hashes in as many slices (by hash modulo) as keep each this small.
 */
const KEY_CHECK_SLICE_ROWS = 1_000_000;

/** How many hashes in column `h` of `table` repeat, counted slice by slice (see above). */
async function repeatedHashes(duck: Duck, table: string, sliceRows = KEY_CHECK_SLICE_ROWS): Promise<number> {
  const [c] = await duck.json(`SELECT count(*)::BIGINT AS n FROM ${table}`);
  const slices = Math.max(1, Math.ceil(Number(c?.n ?? 0) / Math.max(1, sliceRows)));
  for (let i = 0; i < slices; i++) {
    const slice = slices > 1 ? ` WHERE h % ${slices} = ${i}` : '';
    const [r] = await duck.json(
      `SELECT count(*)::BIGINT AS n FROM (SELECT h FROM ${table}${slice} GROUP BY h HAVING count(*) > 1)`,
    );
    await releaseFreedMemory(duck);
    // One repeat is enough to send the write down the exact path.
    if (Number(r?.n ?? 0) > 0) return Number(r?.n);
  }
  return 0;
}

async function writeChunk(
  io: FileIO,
  metadata: TableMetadata,
  schema: Schema,
  chunkPath: string,
  tuples: { key: number; values: Record<string, unknown> }[],
  partitioned: boolean,
  opts: WriteOptions,
): Promise<DataFile[]> {
  const spec = defaultSpec(metadata);
  const partitionType = partitionTypeFor(metadata, spec['spec-id'], schema);
  const chunkBytes = (await stat(chunkPath)).size;
  const rowGroupSize = rowGroupRows(chunkBytes, opts.expectedRows);
  const convert = opts.convert;
  const columns = stagedColumnTypes(schema.fields, convert);
  if (partitioned) columns.push(`${sqlIdent(PART_COL)}: 'INTEGER'`);
  if (opts.dedupe) columns.push(`${sqlIdent(SEQ_COL)}: 'BIGINT'`);
  const reader = `read_json(${sqlString(chunkPath)}, format = 'newline_delimited', columns = {${columns.join(', ')}})`;
  const order = writeOrder(metadata, schema);
  // Materializing the staged rows costs memory in proportion to the input (DuckDB spills it), so
  // only dedupe does it, and only when keys actually repeat, which a cheap key-only pass finds
  // out; MERGE's key lookups can read the file again instead. Otherwise the JSON is read once:
  // unpartitioned, by writeLaidOut (unsorted, one rolling COPY; sorted, one unsorted copy to
  // Parquet that is then sorted range by range); partitioned, by the pass that routes each row to
  // its partition's scratch folder (partitioned-write.ts).
  let materialize = false;
  let dedupe = opts.dedupe;
  // Keys and the order column compared as the table's values, not as staged text.
  const tableValue = (name: string) => {
    const f = schema.fields.find((x) => x.name === name);
    return f ? finalValue(f, sqlIdent(name), convert) : sqlIdent(name);
  };
  if (dedupe && chunkBytes <= (opts.stageToDedupeBytes ?? STAGE_TO_DEDUPE_BYTES)) {
    // Small inputs (a nightly MERGE's changes) are staged once, deduplicated on the way in: one
    // read of the file serves the write and MERGE's key lookup, where the key pass below and the
    // lookup would each read it again.
    materialize = true;
  } else if (dedupe) {
    const keyColumns = columns.filter((c) => dedupe!.keys.some((k) => c.startsWith(`${sqlIdent(k)}:`)));
    const keyReader = `read_json(${sqlString(chunkPath)}, format = 'newline_delimited', columns = {${keyColumns.join(', ')}})`;
    // Keys first into a table (DuckDB spills it), then grouped: grouping straight off the JSON
    // reader holds its per-thread buffers and the hash table at once, which overruns the memory
    // limit on wide records (2M Wrike tasks, 3 GB of JSON, at 256 MB).
    const keyTable = `keys_${randomUUID().replace(/-/g, '')}`;
    const dup = await withDuck(async (duck) => {
      try {
        // A 64-bit hash of the key, not the key: equal keys have equal hashes, so no repeated
        // hash means no repeated key, and a repeated one (a real repeat, or a rare collision)
        // only sends the write down the exact QUALIFY path below. 8 bytes a row instead of the
        // key's text: on 2M string keys, a 150 MB pass instead of 300 MB.
        await duck.run(
          `CREATE TEMP TABLE ${keyTable} AS SELECT hash(${dedupe!.keys.map(tableValue).join(', ')}) AS h FROM ${keyReader}`,
        );
        // What the JSON reader freed goes back before the grouping allocates (releaseFreedMemory).
        await releaseFreedMemory(duck);
        return await repeatedHashes(duck, keyTable, opts.keyCheckSliceRows);
      } finally {
        await duck.run(`DROP TABLE IF EXISTS ${keyTable}`);
        await releaseFreedMemory(duck);
      }
    });
    if (dup === 0) dedupe = undefined;
    else materialize = true;
  }
  const select = schema.fields
    .map((f) => `${finalValue(f, sqlIdent(f.name), convert)} AS ${sqlIdent(f.name)}`)
    .join(', ');
  const ids = fieldIdTree(schema);
  const dataFile = (uri: string, size: number, partition: Record<string, unknown>, w: WrittenParquet) =>
    dataFileOf(uri, size, partition, w, schema, metadata, order.sortOrderId);
  const out: DataFile[] = [];
  const partitionOf = (key: number) => {
    const g = tuples[key];
    if (!g) throw new Error(`staged rows name partition ${key}, which this chunk never saw`);
    const dir = `${partitionType.map((p, i) => partitionPath(spec.fields[i]!.transform, p.type, spec.fields[i]!.name, g.values[p.name])).join('/')}/`;
    return { partition: g.values, dir };
  };
  /** Lays out the rows of `source` (the JSON reader or the staged table) in data files. */
  const write = async (duck: Duck, source: string) => {
    const common = {
      duck,
      io,
      metadata,
      order,
      fieldIds: ids,
      ...(rowGroupSize ? { rowGroupSize } : {}),
      dataFile,
    };
    out.push(
      ...(partitioned
        ? await writePartitioned({
            ...common,
            sql: `SELECT ${select}, ${sqlIdent(PART_COL)} FROM ${source}`,
            column: PART_COL,
            partitions: tuples.length,
            partitionOf,
          })
        : await writeLaidOut({ ...common, sql: `SELECT ${select} FROM ${source}` })),
    );
    if (opts.onStaged) await opts.onStaged(duck, source);
  };
  await withDuck(async (duck: Duck) => {
    // Straight from the JSON reader (no duplicate keys).
    if (!materialize) return write(duck, reader);
    const staged = `stage_${randomUUID().replace(/-/g, '')}`;
    try {
      await duck.run(`CREATE TEMP TABLE ${staged} AS SELECT * FROM ${reader}`);
      if (dedupe) {
        // Dedupe picks the winning row ids by a window over the keys, then keeps those rows. The
        // rows themselves never pass through the window: DuckDB 1.5 stores a window's filtered
        // output with -0.0 turned into 0.0 (`CREATE TABLE … QUALIFY` does it), which would
        // change values.
        const winners = `SELECT rowid FROM ${staged} QUALIFY row_number() OVER (PARTITION BY ${dedupe.keys
          .map(tableValue)
          .join(', ')} ORDER BY ${
          dedupe.orderBy ? `${tableValue(dedupe.orderBy)} DESC NULLS LAST, ` : ''
        }${sqlIdent(SEQ_COL)} DESC NULLS LAST, rowid DESC) = 1`;
        await duck.run(`DELETE FROM ${staged} WHERE rowid NOT IN (${winners})`);
        await releaseFreedMemory(duck);
      }
      await write(duck, staged);
    } finally {
      await duck.run(`DROP TABLE IF EXISTS ${staged}`);
    }
  }).catch(async (e) => {
    await Promise.all(out.map((f) => io.delete(f.file_path).catch(() => {})));
    if (isFloeError(e)) throw e;
    throw new FloeError('data-invalid', `cannot write rows: ${(e as Error).message}`, {
      context: { table: opts.table },
      cause: e,
    });
  });
  return out;
}

/**
 * Writes the rows of a DuckDB query (columns named like the table's) as data files: the
 * columnar path for data already in DuckDB (L2 results, Parquet, bulk loads), with no
 * JavaScript per row. Unpartitioned tables: files rolled at the target size, sorted by the
 * table's sort order when it has one (writeLaidOut); partitioned ones stream the rows
 * through the row writer, which computes every partition transform.
 */
export async function writeDataFilesFromQuery(
  io: FileIO,
  metadata: TableMetadata,
  selectSql: string,
  opts: WriteOptions & {
    readonly rowGroupSize?: number;
    /** Run on this connection (the query reads its TEMP tables) instead of a new one. */
    readonly duck?: Duck;
  } = {},
): Promise<DataFile[]> {
  const onDuck = <T>(fn: (duck: Duck) => Promise<T>): Promise<T> =>
    opts.duck ? fn(opts.duck) : withDuck(fn);
  const schema = currentSchema(metadata);
  for (const f of schema.fields) assertWritable(f.type, f.name);
  const cast = schema.fields
    .map((f) => `CAST(q.${sqlIdent(f.name)} AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`)
    .join(', ');
  const sql = `SELECT ${cast} FROM (${selectSql}) q`;
  if (defaultSpec(metadata).fields.length > 0) {
    // Streamed, a DuckDB chunk at a time, into the row writer's NDJSON file on disk (the rows
    // are never all in JavaScript); the connection stays open until the writer has read them.
    // Values come back as DuckDB's JSON text forms, which the row encoder accepts.
    return onDuck((duck) =>
      writeDataFiles(io, metadata, jsonRowsForWriter(schema, streamed(duck, sql)), opts),
    );
  }
  const order = writeOrder(metadata, schema);
  try {
    return await onDuck(async (duck) => {
      return writeLaidOut({
        duck,
        io,
        metadata,
        sql,
        order,
        fieldIds: fieldIdTree(schema),
        ...(opts.rowGroupSize ? { rowGroupSize: opts.rowGroupSize } : {}),
        dataFile: (uri, size, partition, w) =>
          dataFileOf(uri, size, partition, w, schema, metadata, order.sortOrderId),
      });
    });
  } catch (e) {
    if (isFloeError(e)) throw e.withContext({ table: opts.table });
    throw new FloeError('data-invalid', `cannot write query results: ${(e as Error).message}`, {
      context: { table: opts.table },
      cause: e,
    });
  }
}

async function* streamed(duck: Duck, sql: string): AsyncGenerator<Record<string, unknown>> {
  for await (const chunk of duck.stream(sql)) yield* chunk;
}

/** DuckDB JSON rows → writer input (binary comes back hex-less as text; keep what the encoder takes). */
async function* jsonRowsForWriter(
  schema: Schema,
  rows: AsyncIterable<Record<string, unknown>>,
): AsyncGenerator<Record<string, unknown>> {
  const longs = schema.fields.filter((f) => f.type === 'long').map((f) => f.name);
  for await (const r of rows) {
    for (const n of longs) if (typeof r[n] === 'string') r[n] = BigInt(r[n] as string);
    yield r;
  }
}
