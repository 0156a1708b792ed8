/**
 * Old metadata files, removed as commits go (Iceberg's `write.metadata.delete-after-commit.enabled`,
 * default false): each commit keeps at most `write.metadata.previous-versions-max` (default 100)
 * earlier metadata files in its metadata-log, and with the property on, the files that fall out of
 * the log are deleted once the commit has landed. Only files the previous version logged and the
 * new one no longer does are touched; the current file never is.
 */
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import { canonicalPath } from './reachable.js';

export const DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';
export const PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
export const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;

/** The metadata files `before`'s log names (plus `beforeLocation`) that `after`'s log dropped. */
export function droppedMetadataFiles(
  before: TableMetadata,
  beforeLocation: string | undefined,
  after: TableMetadata,
  afterLocation: string,
): string[] {
  const kept = new Set(
    [afterLocation, ...after['metadata-log'].map((e) => e['metadata-file'])].map(canonicalPath),
  );
  const was = [
    ...before['metadata-log'].map((e) => e['metadata-file']),
    ...(beforeLocation ? [beforeLocation] : []),
  ];
  return [...new Set(was)].filter((f) => !kept.has(canonicalPath(f)));
}

/** After a commit landed: deletes the dropped files if the table asks for it (best effort). */
export async function removeDroppedMetadataFiles(
  io: FileIO,
  before: TableMetadata,
  beforeLocation: string,
  after: TableMetadata,
  afterLocation: string,
): Promise<string[]> {
  if ((after.properties[DELETE_AFTER_COMMIT] ?? 'false').toLowerCase() !== 'true') return [];
  const dropped = droppedMetadataFiles(before, beforeLocation, after, afterLocation);
  const removed: string[] = [];
  for (const f of dropped) {
    try {
      await io.delete(f);
      removed.push(f);
    } catch {
      // Best effort, as Iceberg: a file left behind is an orphan that orphan removal finds.
    }
  }
  return removed;
}
