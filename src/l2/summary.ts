/**
 * What an L2 table says about the runs that wrote it. Each L2 commit's snapshot summary carries,
 * beside floe's run and config ids, how far the run read each source (`floe.sources`: per source
 * the table, the snapshot read up to and the incremental column's greatest value read). The next
 * run of the config reads on from there: the table, not the state store, is the truth, so a run
 * killed between its commit and its state update neither reads a change twice nor skips one.
 */

import type { Table } from '../iceberg/index.js';
import { SUMMARY_CONFIG_ID, SUMMARY_RECORDS, SUMMARY_RUN_ID } from '../l1/table-cursor.js';

export { SUMMARY_CONFIG_ID, SUMMARY_RECORDS, SUMMARY_RUN_ID };
export const SUMMARY_SOURCES = 'floe.sources';

/** How far a run read one source. */
export interface SourcePosition {
  /** `namespace.table` the source named at the time. */
  readonly table: string;
  /** Snapshot id read up to (decimal); absent when the table had no snapshot. */
  readonly snapshotId?: string;
  /** Greatest incrementalColumn value read so far, as text. */
  readonly cursor?: string;
}

export type SourcePositions = Readonly<Record<string, SourcePosition>>;

export interface L2Commit {
  readonly snapshotId: bigint;
  readonly runId: string;
  readonly committedAtMs: number;
  readonly records: number;
  readonly sources: SourcePositions;
}

export function encodePositions(p: SourcePositions): string {
  return JSON.stringify(p);
}

function decodePositions(text: string | undefined): SourcePositions {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return {};
    const out: Record<string, SourcePosition> = {};
    for (const [name, p] of Object.entries(v as Record<string, unknown>)) {
      if (typeof p !== 'object' || p === null) continue;
      const q = p as Record<string, unknown>;
      out[name] = {
        table: typeof q.table === 'string' ? q.table : '',
        ...(typeof q.snapshotId === 'string' ? { snapshotId: q.snapshotId } : {}),
        ...(typeof q.cursor === 'string' ? { cursor: q.cursor } : {}),
      };
    }
    return out;
  } catch {
    return {};
  }
}

/** The newest commit of `configId` on the table's main branch, or undefined. */
export function latestL2Commit(table: Table, configId: string): L2Commit | undefined {
  const history = table.history();
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!;
    const summary = s.summary as Record<string, string | undefined>;
    if (summary[SUMMARY_CONFIG_ID] !== configId) continue;
    const runId = summary[SUMMARY_RUN_ID];
    if (!runId) continue;
    return {
      snapshotId: s['snapshot-id'],
      runId,
      committedAtMs: s['timestamp-ms'],
      records: Number(summary[SUMMARY_RECORDS] ?? summary['added-records'] ?? 0),
      sources: decodePositions(summary[SUMMARY_SOURCES]),
    };
  }
  return undefined;
}
