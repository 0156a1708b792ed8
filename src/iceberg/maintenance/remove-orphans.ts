/**
 * Remove orphan files (after Iceberg Java's DeleteOrphanFiles): files under the table's location
 * that no snapshot, metadata file or metadata-log entry of the table reaches, left by failed
 * writes, aborted commits or cleanups that did not finish. A file is removed only if ALL hold:
 * - no snapshot still in the metadata reaches it (manifest lists, manifests, live data and delete
 *   files), it is not the current metadata file nor one in the metadata-log, nor a statistics file;
 * - it is older than the safety age (default 3 days, as Iceberg): a write in flight creates its
 *   files before it commits them, so a young unreferenced file may be about to become referenced;
 * - no write journal names it (`protect`: the files of writes in flight, whatever their age);
 * - it is not under the location of another table (a table located inside this one's folder).
 * The metadata is read again just before deleting, and anything a commit that landed meanwhile
 * reaches is kept.
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { Catalog, Namespace } from '../catalog/catalog.js';
import { defaultTableLocation } from '../catalog/metastore.js';
import type { ListedFile } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import type { Table } from '../table.js';
import { canonicalPath, reachableFrom } from './reachable.js';

export const DEFAULT_ORPHAN_AGE_MS = 3 * 24 * 3600 * 1000;

export interface OrphanOptions {
  /** Only files last modified before this time (ms since the epoch); default now − 3 days. */
  readonly olderThanMs?: number;
  /** Instead of `olderThanMs`: only files at least this old when the removal runs. */
  readonly minAgeMs?: number;
  /** Files never removed (URIs of writes in flight, from their journals). */
  readonly protect?: Iterable<string>;
  readonly dryRun?: boolean;
  readonly now?: number;
  readonly onDelete?: (uri: string) => void;
}

export interface OrphanResult {
  /** Removed (or, on a dry run, would be). */
  readonly orphans: { readonly uri: string; readonly bytes: bigint; readonly lastModifiedMs: number }[];
  /** Unreferenced files kept because they are younger than the safety age. */
  readonly tooYoung: number;
  /** Unreferenced files kept because a write journal names them. */
  readonly journaled: number;
  readonly dryRun: boolean;
}

/** Every file path the metadata refers to, canonical (see reachable.ts). */
export async function referencedPaths(
  table: Table,
  metadata: TableMetadata,
  metadataLocation: string,
): Promise<Set<string>> {
  const r = await reachableFrom(table.catalog.io, metadata, metadata.snapshots);
  const out = new Set<string>([...r.manifestLists.keys(), ...r.manifests.keys(), ...r.files.keys()]);
  out.add(canonicalPath(metadataLocation));
  for (const e of metadata['metadata-log']) out.add(canonicalPath(e['metadata-file']));
  const stats = [
    ...((metadata.statistics ?? []) as { 'statistics-path'?: string }[]).map((s) => s['statistics-path']),
    ...(
      (metadata as { 'partition-statistics'?: { 'statistics-path'?: string }[] })['partition-statistics'] ??
      []
    ).map((s) => s['statistics-path']),
  ];
  for (const p of stats) if (p) out.add(canonicalPath(p));
  return out;
}

export async function removeOrphanFiles(table: Table, opts: OrphanOptions = {}): Promise<OrphanResult> {
  const io = table.catalog.io;
  const now = opts.now ?? Date.now();
  const olderThan = opts.olderThanMs ?? now - (opts.minAgeMs ?? DEFAULT_ORPHAN_AGE_MS);
  await table.refresh();
  const location = table.metadata.location.replace(/\/+$/, '');
  if (!io.listDetailed)
    throw new FloeError(
      'feature-unsupported',
      `table ${table.name}: its file store cannot list file ages, so orphan files cannot be told from files being written; nothing was removed`,
      { context: { table: table.name } },
    );
  let listed: ListedFile[];
  try {
    listed = await io.listDetailed(`${location}/`);
  } catch (e) {
    throw new FloeError(
      isFloeError(e) ? e.kind : 'io',
      `table ${table.name}: cannot list its files under ${location} (${(e as Error).message}); nothing was removed`,
      { context: { table: table.name }, cause: e },
    );
  }
  let referenced = await referencedPaths(table, table.metadata, table.metadataLocation);
  const seen = table.metadataLocation;
  const nested = (await otherTableLocations(table.catalog, table, location)).map(
    (l) => `${canonicalPath(l)}/`,
  );
  const protect = new Set([...(opts.protect ?? [])].map(canonicalPath));
  let tooYoung = 0;
  let journaled = 0;
  let candidates: ListedFile[] = [];
  for (const f of listed) {
    const key = canonicalPath(f.uri);
    if (referenced.has(key)) continue;
    if (nested.some((n) => key.startsWith(n))) continue;
    if (key.endsWith('/version-hint.text')) continue;
    if (protect.has(key)) {
      journaled++;
      continue;
    }
    if (f.lastModifiedMs >= olderThan) {
      tooYoung++;
      continue;
    }
    candidates.push(f);
  }
  // A commit may have landed while we listed: what it reaches is not an orphan.
  await table.refresh();
  if (table.metadataLocation !== seen) {
    referenced = await referencedPaths(table, table.metadata, table.metadataLocation);
    candidates = candidates.filter((f) => !referenced.has(canonicalPath(f.uri)));
  }
  const orphans = candidates.map((f) => ({
    uri: f.uri,
    bytes: BigInt(f.size),
    lastModifiedMs: f.lastModifiedMs,
  }));
  if (!opts.dryRun) {
    for (const f of orphans) {
      await io.delete(f.uri);
      opts.onDelete?.(f.uri);
    }
  }
  return { orphans, tooYoung, journaled, dryRun: !!opts.dryRun };
}

/** Locations of the catalog's other tables that lie inside `location` (their files are theirs). */
async function otherTableLocations(catalog: Catalog, table: Table, location: string): Promise<string[]> {
  const out: string[] = [];
  const prefix = `${canonicalPath(location)}/`;
  const walk = async (parent: Namespace) => {
    for (const ns of await catalog.listNamespaces(parent)) {
      for (const id of await catalog.listTables(ns)) {
        if (
          id.name === table.identifier.name &&
          id.namespace.join('\u0000') === table.identifier.namespace.join('\u0000')
        )
          continue;
        try {
          const { metadata } = await catalog.loadTableMetadata(id);
          const loc = metadata.location.replace(/\/+$/, '');
          if (`${canonicalPath(loc)}/`.startsWith(prefix)) out.push(loc);
        } catch {
          // A table that cannot be loaded: its location is unknown; keep its default one out of reach.
          const loc = defaultTableLocation(catalog, id);
          if (`${canonicalPath(loc)}/`.startsWith(prefix)) out.push(loc);
        }
      }
      await walk(ns);
    }
  };
  await walk([]);
  return out;
}
