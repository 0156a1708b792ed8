/**
 * A table's metadata folder as evidence: which `*.metadata.json` versions it holds, which of them
 * still parse, and which one is the newest. Used to roll a table back past a damaged file and
 * to rebuild a lost catalog from the warehouse.
 */
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import { parseTableMetadata } from '../spec/metadata-json.js';

export const METADATA_SUFFIX = '.metadata.json';

/** Version number of `.../00012-<uuid>.metadata.json` (or `v12.metadata.json`); -1 if none. */
export function metadataVersion(location: string | undefined): number {
  if (!location) return -1;
  const name = location.slice(location.lastIndexOf('/') + 1);
  const m = /^(\d+)-.*\.metadata\.json$/.exec(name) ?? /^v(\d+)\.metadata\.json$/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** Folder of a file URI (without the trailing slash). */
export function parentOf(location: string): string {
  return location.slice(0, location.lastIndexOf('/'));
}

/** The metadata files directly in `dir`, newest version first (equal versions by name). */
export async function listMetadataFiles(io: FileIO, dir: string): Promise<string[]> {
  const files = (await io.list(dir)).filter(
    (f) => parentOf(f) === dir.replace(/\/+$/, '') && f.endsWith(METADATA_SUFFIX),
  );
  return files.sort((a, b) => metadataVersion(b) - metadataVersion(a) || a.localeCompare(b));
}

export type MetadataCandidate =
  | { readonly location: string; readonly version: number; readonly metadata: TableMetadata }
  | { readonly location: string; readonly version: number; readonly error: string };

export async function readCandidate(io: FileIO, location: string): Promise<MetadataCandidate> {
  const version = metadataVersion(location);
  try {
    const metadata = parseTableMetadata((await io.read(location)).toString('utf8'), location);
    return { location, version, metadata };
  } catch (e) {
    return { location, version, error: (e as Error).message };
  }
}

/**
 * The metadata files of `dir` that parse, newest first, reading no more than needed to find
 * `limit` of them. Files that do not parse are returned separately, so callers can say so.
 */
export async function readableMetadataFiles(
  io: FileIO,
  dir: string,
  opts: { limit?: number; exclude?: string } = {},
): Promise<{
  readable: (MetadataCandidate & { metadata: TableMetadata })[];
  unreadable: (MetadataCandidate & { error: string })[];
}> {
  const readable: (MetadataCandidate & { metadata: TableMetadata })[] = [];
  const unreadable: (MetadataCandidate & { error: string })[] = [];
  const files = (await listMetadataFiles(io, dir)).filter((f) => f !== opts.exclude);
  for (let i = 0; i < files.length; ) {
    // Files of one version are compared with each other, so read a whole version at a time.
    const version = metadataVersion(files[i]);
    const same: MetadataCandidate[] = [];
    while (i < files.length && metadataVersion(files[i]) === version)
      same.push(await readCandidate(io, files[i++]!));
    const good = same.filter((c): c is MetadataCandidate & { metadata: TableMetadata } => 'metadata' in c);
    readable.push(...good.sort(newerFirst));
    unreadable.push(...same.filter((c): c is MetadataCandidate & { error: string } => 'error' in c));
    if (opts.limit !== undefined && readable.length >= opts.limit) break;
  }
  return { readable, unreadable };
}

/**
 * Orders two metadata files of the same version: a commit race leaves at most one winner (losers
 * delete their file), but a crash between write and delete, or a hand copy, can leave several.
 * The one whose snapshot log contains the other's is newer; failing that, the later
 * last-updated-ms, then the one with more snapshots.
 */
export function newerFirst(a: { metadata: TableMetadata }, b: { metadata: TableMetadata }): number {
  const ids = (m: TableMetadata) => new Set(m['snapshot-log'].map((e) => e['snapshot-id']));
  const sa = ids(a.metadata);
  const sb = ids(b.metadata);
  const aHasB = [...sb].every((id) => sa.has(id));
  const bHasA = [...sa].every((id) => sb.has(id));
  if (aHasB && !bHasA) return -1;
  if (bHasA && !aHasB) return 1;
  return (
    b.metadata['last-updated-ms'] - a.metadata['last-updated-ms'] ||
    b.metadata.snapshots.length - a.metadata.snapshots.length
  );
}
