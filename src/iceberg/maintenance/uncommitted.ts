/**
 * Removes files a writer created but never committed (a process killed between writing data
 * files and swapping the metadata pointer leaves them behind, unreferenced). The caller names
 * the files, from a write journal (io/journal.ts), so nothing is removed on a guess: a file is
 * removed only if it is in the list AND no snapshot or metadata file of its table refers to it.
 */
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { referencedFiles } from './referenced.js';

export interface UncommittedCleanup {
  readonly removed: string[];
  /** Files in the list that a table still refers to (they were committed). */
  readonly kept: string[];
}

export async function removeUncommittedFiles(
  catalog: Catalog,
  candidates: readonly string[],
): Promise<UncommittedCleanup> {
  const removed: string[] = [];
  const kept: string[] = [];
  if (candidates.length === 0) return { removed, kept };
  // Which table (by location) each candidate lies in; files of no registered table are removed.
  const tables: { location: string; id: TableIdentifier }[] = [];
  const walk = async (parent: readonly string[]) => {
    for (const ns of await catalog.listNamespaces(parent)) {
      for (const id of await catalog.listTables(ns)) {
        try {
          const { metadata } = await catalog.loadTableMetadata(id);
          tables.push({ location: `${metadata.location.replace(/\/+$/, '')}/`, id });
        } catch {
          // A table that cannot be read is not touched (its files are not candidates here).
        }
      }
      await walk(ns);
    }
  };
  await walk([]);
  const referenced = new Map<string, Set<string> | undefined>();
  for (const uri of new Set(candidates)) {
    const t = tables.find((x) => uri.startsWith(x.location));
    let refs: Set<string> | undefined;
    if (t) {
      const key = t.location;
      if (!referenced.has(key)) {
        try {
          const loaded = await catalog.loadTableMetadata(t.id);
          referenced.set(key, await referencedFiles(catalog.io, loaded.metadata, loaded.metadataLocation));
        } catch {
          referenced.set(key, undefined);
        }
      }
      refs = referenced.get(key);
      // If the table's files cannot all be read, keep everything rather than guess.
      if (refs === undefined) {
        kept.push(uri);
        continue;
      }
    }
    if (refs?.has(uri)) kept.push(uri);
    else {
      if (await catalog.io.exists(uri)) {
        await catalog.io.delete(uri);
        removed.push(uri);
      }
    }
  }
  return { removed, kept };
}
