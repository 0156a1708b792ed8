/**
 * Rebuilding a catalog from its warehouse: what Iceberg's `register_table` does for one table,
 * for every table folder found. A catalog only points each table at its current metadata file;
 * the tables themselves (metadata JSON, manifests, data files) live in the warehouse, laid out as
 * `<warehouse>/<namespace levels…>/<table>/metadata/`. So a lost catalog is rebuilt by finding
 * each table folder's newest metadata file that parses and registering it.
 *
 * Nothing here deletes or rewrites a file; re-pointing a table the catalog already knows is only
 * done on request (`force`), because it can roll a table back.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileIO } from '../io/file-io.js';
import { pathToUri, uriToPath } from '../io/local.js';
import type { TableMetadata } from '../spec/metadata.js';
import type { Catalog, TableIdentifier } from './catalog.js';
import { METADATA_SUFFIX, readableMetadataFiles } from './metadata-files.js';

/** A folder of the warehouse that holds a table: `<ns…>/<table>/metadata/*.metadata.json`. */
export interface TableFolder {
  readonly id: TableIdentifier;
  /** The table folder (URI), i.e. its default location. */
  readonly location: string;
  readonly metadataDir: string;
}

/** A catalog that recovery can work with (SqlCatalog is one). */
export type RecoverableCatalog = Pick<
  Catalog,
  'io' | 'warehouse' | 'namespaceExists' | 'createNamespace' | 'registerTable' | 'swapMetadataLocation'
> & {
  /** The metadata file the catalog points a table at, without reading it. */
  metadataLocation(id: TableIdentifier): Promise<string | undefined>;
};

/** `file:///x`, `file:/x` and `/x` as one form, so locations written by any engine compare equal. */
export function canonicalUri(uri: string): string {
  return uri.startsWith('/') || uri.startsWith('file:') ? pathToUri(uriToPath(uri)) : uri;
}

/** Whether `uri` is `prefix` itself or lies below it. */
export function isUnder(uri: string, prefix: string): boolean {
  const u = canonicalUri(uri);
  const p = canonicalUri(prefix).replace(/\/+$/, '');
  return u === p || u.startsWith(`${p}/`);
}

function isLocal(uri: string): boolean {
  return uri.startsWith('/') || uri.startsWith('file:');
}

/**
 * Every table folder under the warehouse. A folder is a table when its `metadata/` subfolder holds
 * a `*.metadata.json`; table folders are not searched further (their `data/` trees can be large),
 * any other folder is. A table needs at least one namespace level; folders directly under the
 * warehouse are reported in `skipped`.
 */
export async function findTableFolders(
  io: FileIO,
  warehouse: string,
): Promise<{ tables: TableFolder[]; skipped: { folder: string; reason: string }[] }> {
  const root = canonicalUri(warehouse).replace(/\/+$/, '');
  const found: string[] = [];
  if (isLocal(root)) {
    const walk = (dir: string) => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      const dirs = entries.filter((e) => e.isDirectory());
      const meta = dirs.find((e) => e.name === 'metadata');
      if (meta) {
        let names: string[] = [];
        try {
          names = readdirSync(join(dir, 'metadata'));
        } catch {}
        if (names.some((n) => n.endsWith(METADATA_SUFFIX))) {
          found.push(pathToUri(dir));
          return;
        }
      }
      for (const d of dirs) walk(join(dir, d.name));
    };
    walk(uriToPath(root));
  } else {
    // Object stores list flat: keep the folders that hold `metadata/<file>.metadata.json`.
    const folders = new Set<string>();
    for (const f of await io.list(root)) {
      const m = /^(.*)\/metadata\/[^/]+\.metadata\.json$/.exec(f);
      if (m) folders.add(m[1]!);
    }
    // An outer folder that is itself a table hides nothing, but a table inside a table's data
    // tree is not a table: keep the outermost.
    const sorted = [...folders].sort();
    for (const f of sorted) if (!found.some((t) => f.startsWith(`${t}/`))) found.push(f);
  }
  const tables: TableFolder[] = [];
  const skipped: { folder: string; reason: string }[] = [];
  for (const folder of found.sort()) {
    const parts = folder.slice(root.length + 1).split('/');
    if (parts.length < 2 || parts.some((p) => p.length === 0 || p.includes('.'))) {
      skipped.push({
        folder,
        reason:
          parts.length < 2
            ? 'a table folder must sit in a namespace folder (<warehouse>/<namespace>/<table>/metadata)'
            : 'folder names with "." cannot be namespace levels or table names',
      });
      continue;
    }
    tables.push({
      id: { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! },
      location: folder,
      metadataDir: `${folder}/metadata`,
    });
  }
  return { tables, skipped };
}

export type RecoveryAction =
  /** Not in the catalog: register it. */
  | 'register'
  /** In the catalog, pointing elsewhere, and `force` given: re-point it. */
  | 'repoint'
  /** The catalog already points at the newest file. */
  | 'unchanged'
  /** In the catalog, pointing elsewhere, no `force`: left alone. */
  | 'kept'
  /** No metadata file of the folder parses. */
  | 'unrecoverable';

export interface RecoveryItem {
  readonly id: TableIdentifier;
  readonly folder: string;
  readonly action: RecoveryAction;
  /** The newest metadata file that parses: what gets registered. */
  readonly metadataLocation?: string;
  readonly metadata?: TableMetadata;
  /** What the catalog points at now, if it knows the table. */
  readonly current?: string;
  /** Newer metadata files that do not parse, passed over. */
  readonly passedOver: readonly { location: string; error: string }[];
  /** Set when the metadata's own `location` is not this folder (a copied or moved project). */
  readonly movedFrom?: string;
  readonly note?: string;
}

/**
 * For each table folder: its newest metadata file that parses (highest version; among equal
 * versions the one whose snapshot log contains the others', see `newerFirst`), and what
 * registering it would do. Reads, never writes.
 */
export async function planRecovery(
  catalog: RecoverableCatalog,
  opts: { force?: boolean } = {},
): Promise<{ items: RecoveryItem[]; skipped: { folder: string; reason: string }[] }> {
  const { tables, skipped } = await findTableFolders(catalog.io, catalog.warehouse);
  const items: RecoveryItem[] = [];
  for (const t of tables) {
    const { readable, unreadable } = await readableMetadataFiles(catalog.io, t.metadataDir, { limit: 1 });
    const best = readable[0];
    const passedOver = unreadable
      .filter((u) => !best || u.version >= best.version)
      .map((u) => ({ location: u.location, error: u.error }));
    const current = await catalog.metadataLocation(t.id);
    const base = { id: t.id, folder: t.location, passedOver, ...(current ? { current } : {}) };
    if (!best) {
      items.push({
        ...base,
        action: 'unrecoverable',
        note: `no metadata file in ${t.metadataDir} parses`,
      });
      continue;
    }
    const movedFrom = isUnder(best.metadata.location, t.location) ? undefined : best.metadata.location;
    const found = {
      ...base,
      metadataLocation: best.location,
      metadata: best.metadata,
      ...(movedFrom ? { movedFrom } : {}),
    };
    if (current === undefined) items.push({ ...found, action: 'register' });
    else if (canonicalUri(current) === canonicalUri(best.location))
      items.push({ ...found, action: 'unchanged' });
    else if (opts.force) items.push({ ...found, action: 'repoint' });
    else
      items.push({
        ...found,
        action: 'kept',
        note: `the catalog points it at ${current}; pass --force to re-point it at ${best.location}`,
      });
  }
  return { items, skipped };
}

/** Registers / re-points what the plan says; returns the items it changed. */
export async function applyRecovery(
  catalog: RecoverableCatalog,
  items: readonly RecoveryItem[],
): Promise<RecoveryItem[]> {
  const done: RecoveryItem[] = [];
  for (const item of items) {
    if (item.action === 'register') {
      if (!(await catalog.namespaceExists(item.id.namespace)))
        await catalog.createNamespace(item.id.namespace);
      await catalog.registerTable(item.id, item.metadataLocation!);
    } else if (item.action === 'repoint') {
      // Compare-and-swap against what the plan saw, so a concurrent commit is not overwritten.
      await catalog.swapMetadataLocation(item.id, item.current!, item.metadataLocation!);
    } else continue;
    done.push(item);
  }
  return done;
}
