/**
 * Every file a table's metadata refers to: its metadata files (current and logged), each
 * snapshot's manifest list, the manifests in them and the data and delete files in those. A file
 * under the table's location that is not in this set belongs to no snapshot, not even an old
 * one that time travel could read.
 */
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import { readManifestEntries, readManifestList } from '../write/manifest-io.js';

export async function referencedFiles(
  io: FileIO,
  metadata: TableMetadata,
  metadataLocation: string,
): Promise<Set<string>> {
  const out = new Set<string>([metadataLocation]);
  for (const e of metadata['metadata-log']) out.add(e['metadata-file']);
  const manifests = new Map<string, Awaited<ReturnType<typeof readManifestList>>[number]>();
  for (const s of metadata.snapshots) {
    out.add(s['manifest-list']);
    for (const m of await readManifestList(io, s['manifest-list'])) manifests.set(m.manifest_path, m);
  }
  for (const [path, m] of manifests) {
    out.add(path);
    for (const e of await readManifestEntries(io, metadata, m)) out.add(e.data_file.file_path);
  }
  for (const f of (metadata as { statistics?: { 'statistics-path': string }[] }).statistics ?? [])
    out.add(f['statistics-path']);
  return out;
}
