/**
 * Dynamic partition overwrite (Iceberg's ReplacePartitions, Spark's `INSERT OVERWRITE` with
 * `partitionOverwriteMode=dynamic`): the new data files replace every live file of the
 * partitions they fall in, in one `overwrite` snapshot; other partitions are untouched. Files are
 * matched by partition tuple under the table's current spec (as Iceberg does: files written
 * under an older spec are not replaced). Position delete files of a replaced partition go too:
 * they can only point at data files of their own partition, which all leave.
 */
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import { currentSnapshot, defaultSpec, type TableMetadata } from '../spec/metadata.js';
import { readManifestEntries, readManifestList } from './manifest-io.js';

/** A partition tuple as a comparable key (physical values: numbers and bigints alike, bytes as hex). */
export function partitionKey(partition: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(partition)
      .sort()
      .map((k) => {
        const v = partition[k];
        if (v === null || v === undefined) return null;
        if (typeof v === 'bigint' || typeof v === 'number') return `n:${String(v)}`;
        if (Buffer.isBuffer(v)) return `b:${v.toString('hex')}`;
        return `s:${String(v)}`;
      }),
  );
}

/** The live data and delete files of `metadata` (current spec) in the partitions the `added` files fall in. */
export async function filesInPartitionsOf(
  io: FileIO,
  metadata: TableMetadata,
  added: readonly DataFile[],
): Promise<Set<string>> {
  const out = new Set<string>();
  const snap = currentSnapshot(metadata);
  if (!snap || added.length === 0) return out;
  const specId = defaultSpec(metadata)['spec-id'];
  const keys = new Set(added.map((f) => partitionKey(f.partition)));
  for (const manifest of await readManifestList(io, snap['manifest-list'])) {
    if (manifest.partition_spec_id !== specId) continue;
    for (const e of await readManifestEntries(io, metadata, manifest)) {
      if (e.status === 2) continue; // DELETED entries are not live
      if (keys.has(partitionKey(e.data_file.partition))) out.add(e.data_file.file_path);
    }
  }
  return out;
}
