/**
 * MERGE (upsert by key) of rows (JS objects or an NDJSON file): input rows are deduplicated by
 * key (the last by the order column wins) and written as new data files; the current versions of
 * their keys are retired by the table's merge mode (replace-rows.ts: position deletes by default,
 * or copy-on-write rewrites). One snapshot adds the new rows and retires the old ones; readers
 * never see a half-applied merge. No equality deletes: PyIceberg and Athena cannot read them.
 */
import { randomUUID } from 'node:crypto';
import { sqlIdent } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSchema, type TableMetadata } from '../spec/metadata.js';
import { isPrimitive, type PrimitiveType } from '../spec/types.js';
import { isNdjsonInput, type RowInput, writeRows } from './data-writer.js';
import { emptyReplaced, liveTasks, type ReplacedRows, replaceKeyedRows } from './replace-rows.js';
import { finalValue } from './staged-conversions.js';

export interface MergeOptions {
  /** Key columns (top-level, primitive). */
  readonly keys: readonly string[];
  /** Among input rows with the same key, the one with the greatest value here wins. */
  readonly orderBy?: string;
  readonly table?: string;
  /** Rows in an NDJSON input, if known (sizes row groups). */
  readonly expectedRows?: number;
  /** See WriteOptions.stageToDedupeBytes. */
  readonly stageToDedupeBytes?: number;
  /** See WriteOptions.keyCheckSliceRows. */
  readonly keyCheckSliceRows?: number;
}

export interface MergePlan {
  readonly added: DataFile[];
  /** Position delete files (merge-on-read) marking the replaced rows. */
  readonly addedDeletes: DataFile[];
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

  const tasks = await liveTasks(io, metadata, opts.table);
  let replaced: ReplacedRows = emptyReplaced();
  const added = await writeRows(io, metadata, rows, {
    table: opts.table,
    ...(opts.expectedRows ? { expectedRows: opts.expectedRows } : {}),
    ...(opts.stageToDedupeBytes !== undefined ? { stageToDedupeBytes: opts.stageToDedupeBytes } : {}),
    ...(opts.keyCheckSliceRows !== undefined ? { keyCheckSliceRows: opts.keyCheckSliceRows } : {}),
    dedupe: { keys: opts.keys, ...(opts.orderBy ? { orderBy: opts.orderBy } : {}) },
    onStaged: async (duck, staged) => {
      if (tasks.length === 0) return;
      const convert = isNdjsonInput(rows) ? rows.convert : undefined;
      const keyExpr = (k: (typeof keyFields)[number]) =>
        finalValue(schema.fields.find((f) => f.id === k.id)!, sqlIdent(k.name), convert);
      const keysTable = `keys_${randomUUID().replace(/-/g, '')}`;
      await duck.run(
        `CREATE TEMP TABLE ${keysTable} AS SELECT DISTINCT ${keyFields.map((k) => `${keyExpr(k)} AS ${sqlIdent(k.name)}`).join(', ')} FROM ${staged}`,
      );
      try {
        replaced = await replaceKeyedRows(io, duck, metadata, tasks, keysTable, keyFields);
      } finally {
        await duck.run(`DROP TABLE IF EXISTS ${keysTable}`);
      }
    },
  });
  return {
    added: [...added, ...replaced.rewritten],
    addedDeletes: replaced.deleteFiles,
    removed: replaced.removed,
    rewrittenFiles: replaced.rewritten.length,
    matchedRows: replaced.matchedRows,
  };
}
