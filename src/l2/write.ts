/**
 * Committing a validated, staged parser output (output.ts `stageOutput`) into the destination in
 * one snapshot. The staged Parquet files become the table's data files as they are when they
 * can (see iceberg write/staged-query.ts):
 *
 *  - APPEND adds the rows;
 *  - OVERWRITE replaces every row;
 *  - MERGE upserts by the primary key and leaves rows equal to their current version alone
 *    (compared without L2's own columns), so a recomputation touches only what changed, and a
 *    row keeps the time and run of its last real change. Into a table without data, the rows are
 *    simply added.
 */
import type { WriteMode } from '../config/index.js';
import type { Duck } from '../duck/session.js';
import type { CommitOptions, StagedRows, Table, WriteResult } from '../iceberg/index.js';
import { L2_COLUMNS } from './output.js';

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
  staged: StagedRows,
  opts: {
    readonly mode: WriteMode;
    readonly keys: readonly string[];
    readonly commit: CommitOptions;
    readonly duck: Duck;
  },
): Promise<WriteOutcome> {
  const commit = { ...opts.commit, duck: opts.duck };
  switch (opts.mode) {
    case 'APPEND': {
      const result = await table.appendStaged(staged, commit);
      return { result, written: Number(result.records), unchanged: 0, replaced: 0 };
    }
    case 'OVERWRITE': {
      const result = await table.overwriteStaged(staged, commit);
      return { result, written: Number(result.records), unchanged: 0, replaced: 0 };
    }
    case 'MERGE': {
      const r = await table.mergeStaged(staged, {
        keys: opts.keys,
        skipUnchanged: { ignore: L2_COLUMNS.map((c) => c.name) },
        assumeUniqueKeys: true,
        ...commit,
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
