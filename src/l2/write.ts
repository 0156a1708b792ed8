/**
 * Writing a validated parser output into the destination, columnar: one SELECT over the
 * materialised output shaped exactly like the table (L2's columns filled in, kept extra columns
 * null) goes to the Iceberg writer, which has DuckDB write the Parquet files. One commit:
 *
 *  - APPEND adds the rows;
 *  - OVERWRITE replaces every row;
 *  - MERGE upserts by the primary key and leaves rows equal to their current version alone
 *    (compared without L2's own columns), so a recomputation touches only what changed, and a
 *    row keeps the time and run of its last real change.
 */
import type { WriteMode } from '../config/index.js';
import { sqlIdent, sqlString } from '../duck/session.js';
import { type CommitOptions, duckType, type Table, type WriteResult } from '../iceberg/index.js';
import { L2_COLUMNS, type ParserOutput } from './output.js';

export interface WriteOutcome {
  readonly result: WriteResult;
  /** Rows added to the table (new keys and changed rows for MERGE). */
  readonly written: number;
  /** MERGE: rows equal to their current version, left alone. */
  readonly unchanged: number;
  /** MERGE: current rows replaced by a new version. */
  readonly replaced: number;
}

export async function writeOutput(
  table: Table,
  output: ParserOutput,
  opts: {
    readonly mode: WriteMode;
    readonly keys: readonly string[];
    readonly runId: string;
    readonly startedAt: Date;
    readonly commit: CommitOptions;
  },
): Promise<WriteOutcome> {
  const produced = new Set(output.columns.map((c) => c.name));
  const own: Record<string, string> = {
    ingest_timestamp: `CAST(${sqlString(opts.startedAt.toISOString())} AS TIMESTAMPTZ)`,
    ingest_run_id: sqlString(opts.runId),
  };
  const cols = table.schema().fields.map((f) => {
    const value = produced.has(f.name)
      ? `o.${sqlIdent(f.name)}`
      : (own[f.name] ?? `CAST(NULL AS ${duckType(f.type)})`);
    return `${value} AS ${sqlIdent(f.name)}`;
  });
  const select = `SELECT ${cols.join(', ')} FROM ${output.relation} o`;
  switch (opts.mode) {
    case 'APPEND': {
      const result = await table.appendQuery(select, opts.commit);
      return { result, written: Number(result.records), unchanged: 0, replaced: 0 };
    }
    case 'OVERWRITE': {
      const result = await table.overwriteQuery(select, opts.commit);
      return { result, written: Number(result.records), unchanged: 0, replaced: 0 };
    }
    case 'MERGE': {
      const r = await table.mergeQuery(select, {
        keys: opts.keys,
        skipUnchanged: { ignore: L2_COLUMNS.map((c) => c.name) },
        assumeUniqueKeys: true,
        ...opts.commit,
      });
      return {
        result: r,
        written: Number(r.plan.writtenRows),
        unchanged: Number(r.plan.unchangedRows),
        replaced: Number(r.plan.matchedRows),
      };
    }
  }
}
