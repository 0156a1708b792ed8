/**
 * What a table's metadata says about its need for maintenance, without reading a manifest: the
 * current snapshot's summary totals (data files, delete files, bytes, position deletes) and the
 * snapshot log. Cheap enough to check every table of a catalog on each look (`floe ui` health);
 * `planCompaction` (compact.ts) is the exact answer for one table, this is the screening.
 */
import { currentSnapshot, type TableMetadata } from '../spec/metadata.js';
import { targetFileSize } from '../write/file-layout.js';
import { DEFAULT_MIN_INPUT_FILES } from './compact.js';

/** Thresholds of the signals; each is exported so docs and callers name the same numbers. */
export const SMALL_FILES_MIN_COUNT = 2 * DEFAULT_MIN_INPUT_FILES;
/** A data file smaller than this share of the target size is small (compaction's own default). */
export const SMALL_FILE_SHARE = 0.75;
export const DELETE_FILES_MIN_COUNT = DEFAULT_MIN_INPUT_FILES;
/** Position deletes over this share of the rows make every read filter them. */
export const DELETED_ROWS_SHARE = 0.1;
export const SNAPSHOTS_MIN_COUNT = 100;

export type MaintenanceSignalKind = 'small-files' | 'delete-files' | 'snapshots';

export interface MaintenanceSignal {
  kind: MaintenanceSignalKind;
  /** Why, in numbers: `24 data files averaging 1.2 MB (target 64 MB)`. */
  message: string;
  /** The command that fixes it. */
  fix: string;
}

export interface TableFootprint {
  /** Live rows (total records minus position deletes). */
  records: bigint;
  dataFiles: number;
  deleteFiles: number;
  positionDeletes: bigint;
  /** Bytes of the current snapshot's data and delete files. */
  sizeBytes: bigint;
  snapshots: number;
  targetFileSizeBytes: number;
}

export function tableFootprint(m: TableMetadata): TableFootprint {
  const s: Readonly<Record<string, string>> = currentSnapshot(m)?.summary ?? {};
  const big = (k: string) => {
    const v = s[k];
    return v !== undefined && /^\d+$/.test(v) ? BigInt(v) : 0n;
  };
  const positionDeletes = big('total-position-deletes');
  return {
    records: big('total-records') - positionDeletes,
    dataFiles: Number(big('total-data-files')),
    deleteFiles: Number(big('total-delete-files')),
    positionDeletes,
    sizeBytes: big('total-files-size'),
    snapshots: m.snapshots.length,
    targetFileSizeBytes: targetFileSize(m),
  };
}

/** The signals that fire for this table (empty: nothing to do). */
export function maintenanceSignals(name: string, m: TableMetadata): MaintenanceSignal[] {
  const f = tableFootprint(m);
  const out: MaintenanceSignal[] = [];
  const maintain = `floe table maintain ${name}`;
  if (f.dataFiles >= SMALL_FILES_MIN_COUNT) {
    // Delete files are few and small next to data files; the average over all bytes is close.
    const average = Number(f.sizeBytes) / f.dataFiles;
    if (average < SMALL_FILE_SHARE * f.targetFileSizeBytes)
      out.push({
        kind: 'small-files',
        message: `${f.dataFiles} data files averaging ${formatBytes(average)} (target ${formatBytes(f.targetFileSizeBytes)})`,
        fix: `${maintain} (compacts small files)`,
      });
  }
  const rows = f.records + f.positionDeletes;
  const deletedShare = rows > 0n ? Number(f.positionDeletes) / Number(rows) : 0;
  if (f.deleteFiles >= DELETE_FILES_MIN_COUNT || (f.deleteFiles > 0 && deletedShare >= DELETED_ROWS_SHARE))
    out.push({
      kind: 'delete-files',
      message: `${f.deleteFiles} delete files marking ${f.positionDeletes} of ${rows} rows deleted`,
      fix: `${maintain} (applies the deletes and drops the delete files)`,
    });
  if (f.snapshots >= SNAPSHOTS_MIN_COUNT)
    out.push({
      kind: 'snapshots',
      message: `${f.snapshots} snapshots in the table's metadata`,
      fix: `${maintain} (expires old snapshots and the files only they reach)`,
    });
  return out;
}

/** `1.2 MB`: bytes in the largest unit that keeps the number at or above 1 (1024-based). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
