/**
 * Incremental reads: the rows appended between two snapshots of the main branch. Only append
 * snapshots can be read this way (as in Spark's incremental read); an overwrite or delete in
 * the range is an error, because "what was appended" no longer describes what changed; so is a
 * compaction (its rewritten files hold rows appended in the range under its own snapshot id).
 */

import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import {
  ancestors,
  currentSnapshot,
  schemaById,
  snapshotById,
  type TableMetadata,
} from '../spec/metadata.js';
import { parseNameMapping } from '../spec/schema.js';
import { readManifestList } from '../write/manifest-io.js';
import { planTasks, Scan, type ScanOptions } from './scan.js';

export function incrementalScan(
  io: FileIO,
  metadata: TableMetadata,
  from: bigint | undefined,
  to: bigint | undefined,
  opts: ScanOptions,
  table: string,
): Scan {
  const planner = async () => {
    const end = to === undefined ? currentSnapshot(metadata) : snapshotById(metadata, to);
    if (!end) throw new FloeError('not-found', `snapshot ${to} does not exist`, { context: { table } });
    const chain = ancestors(metadata, end['snapshot-id']);
    const stop = from === undefined ? chain.length : chain.findIndex((s) => s['snapshot-id'] === from);
    if (stop < 0) {
      throw new FloeError(
        'data-invalid',
        `snapshot ${from} is not an ancestor of snapshot ${end['snapshot-id']}`,
        { context: { table } },
      );
    }
    const range = chain.slice(0, stop);
    for (const s of range) {
      // A compaction (`replace` that rewrote data files) moved appended rows into files of its
      // own snapshot: reading only the append snapshots' files would miss them.
      if (s.summary.operation === 'replace' && BigInt(s.summary['deleted-data-files'] ?? '0') > 0n) {
        throw new FloeError(
          'feature-unsupported',
          `incremental reads cover append snapshots only; snapshot ${s['snapshot-id']} compacted data files in the range. Read the changes instead (readTableIncremental with fromSnapshotId, or \`floe table read --since-snapshot\`)`,
          { context: { table } },
        );
      }
      if (s.summary.operation === 'overwrite' || s.summary.operation === 'delete') {
        throw new FloeError(
          'feature-unsupported',
          `incremental reads cover append snapshots only; snapshot ${s['snapshot-id']} is a ${s.summary.operation}`,
          {
            context: { table },
          },
        );
      }
    }
    const ids = new Set(range.filter((s) => s.summary.operation === 'append').map((s) => s['snapshot-id']));
    const schema = schemaById(metadata, undefined);
    const manifests = (await readManifestList(io, end['manifest-list'])).filter((m) => m.content === 0);
    const tasks = await planTasks(
      io,
      metadata,
      schema,
      manifests,
      opts.filter,
      table,
      (e) => e.snapshot_id !== null && ids.has(e.snapshot_id),
    );
    const nameMapping = parseNameMapping(metadata.properties);
    return { snapshot: end, schema, tasks, ...(nameMapping ? { nameMapping } : {}) };
  };
  return new Scan(io, metadata, opts, table, planner);
}
