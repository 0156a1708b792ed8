/**
 * The files a set of snapshots can reach, as readers would: each snapshot's manifest list, the
 * manifests in it and the data and delete files those manifests hold LIVE (ADDED or EXISTING). A
 * file a manifest only records as DELETED was removed by that snapshot and is live only in its
 * ancestors, which reach it themselves if they are kept. Paths are keyed in one canonical form
 * (`file:/x`, `file:///x` and `/x` are the same local file), so files written by other engines
 * compare equal to listed ones.
 */
import { canonicalUri } from '../catalog/recover.js';
import type { FileIO } from '../io/file-io.js';
import { type DataFile, EntryStatus, type ManifestFile } from '../spec/manifest.js';
import type { Snapshot, TableMetadata } from '../spec/metadata.js';
import { readManifestEntries, readManifestList } from '../write/manifest-io.js';

export interface Reachable {
  /** Canonical path → path as written, for manifest lists. */
  readonly manifestLists: Map<string, string>;
  /** Canonical path → manifest. */
  readonly manifests: Map<string, ManifestFile>;
  /** Canonical path → data or delete file. */
  readonly files: Map<string, DataFile>;
}

export function canonicalPath(uri: string): string {
  try {
    return canonicalUri(uri);
  } catch {
    return uri;
  }
}

/**
 * Walks `snapshots`; a manifest already in `skip` (reached by another walk) is not read again
 * and its files are not listed here.
 */
export async function reachableFrom(
  io: FileIO,
  metadata: TableMetadata,
  snapshots: readonly Snapshot[],
  skip?: ReadonlyMap<string, ManifestFile>,
): Promise<Reachable> {
  const manifestLists = new Map<string, string>();
  const manifests = new Map<string, ManifestFile>();
  const files = new Map<string, DataFile>();
  for (const s of snapshots) {
    manifestLists.set(canonicalPath(s['manifest-list']), s['manifest-list']);
    for (const m of await readManifestList(io, s['manifest-list'])) {
      const key = canonicalPath(m.manifest_path);
      if (skip?.has(key) || manifests.has(key)) continue;
      manifests.set(key, m);
    }
  }
  for (const m of manifests.values()) {
    for (const e of await readManifestEntries(io, metadata, m)) {
      if (e.status === EntryStatus.DELETED) continue;
      files.set(canonicalPath(e.data_file.file_path), e.data_file);
    }
  }
  return { manifestLists, manifests, files };
}
