/**
 * Relocating tables whose files were copied or moved. Iceberg locations are absolute: the table
 * metadata names its `location`, every snapshot its manifest list, every manifest list its
 * manifests and every manifest its data files, all by full path. A copied project's files still
 * name the original's, so the copy would read (and write next to) the original's files.
 *
 * Relocation rewrites those references to the table's folder in this catalog's warehouse, as NEW
 * files: rewritten manifests and manifest lists beside the old ones, then a new metadata version,
 * then a compare-and-swap of the catalog pointer. Position delete files, whose rows name data
 * files by path, are written again with the paths mapped. No existing file is modified, and every file is
 * written under this warehouse, so the original project is never touched. Before anything is
 * written, every referenced file is checked to exist in its new place.
 */
import { randomBytes } from 'node:crypto';
import { copyToParquet } from '../../duck/parquet.js';
import { sqlString, withDuck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import { readAvroContainer, writeAvroContainer } from '../spec/avro.js';
import type { TableMetadata } from '../spec/metadata.js';
import { parseTableMetadata } from '../spec/metadata-json.js';
import { DELETE_FILE_PATH_ID, DELETE_POS_ID } from '../write/position-deletes.js';
import { type Catalog, identifierString, type TableIdentifier } from './catalog.js';
import { writeMetadata } from './metastore.js';
import { canonicalUri, isUnder } from './recover.js';
import type { CatalogEntry } from './sql.js';

/** A catalog that relocation can work with (SqlCatalog is one). */
export type RelocatableCatalog = Pick<Catalog, 'io' | 'warehouse' | 'swapMetadataLocation'> & {
  entries(): Promise<CatalogEntry[]>;
};

export interface RelocationItem {
  readonly id: TableIdentifier;
  /** What the catalog pointed at. */
  readonly from: string;
  /** `relocate`: rewritten (or, in a dry run, would be); `unchanged`: already in place. */
  readonly action: 'relocate' | 'unchanged';
  readonly oldLocation: string;
  readonly newLocation: string;
  /** The new metadata file (not set in a dry run or when unchanged). */
  readonly metadataLocation?: string;
  readonly manifestLists: number;
  readonly manifests: number;
  readonly dataFiles: number;
  /** References outside both the old table folder and the old warehouse, left as they are. */
  readonly untouched: readonly string[];
}

export interface RelocateOptions {
  /**
   * The warehouse the files were copied from. Default: inferred per table from its metadata
   * path, which ends in `/<namespace…>/<table>/metadata/<file>` in both places.
   */
  readonly from?: string;
  /** Check everything, write nothing. */
  readonly dryRun?: boolean;
}

/** The table's folder in this catalog's warehouse (where floe creates it). */
function homeOf(catalog: RelocatableCatalog, id: TableIdentifier): string {
  return `${canonicalUri(catalog.warehouse).replace(/\/+$/, '')}/${[...id.namespace, id.name].join('/')}`;
}

/** A rewrite of path prefixes, longest first. */
class PathMap {
  private readonly pairs: [string, string][] = [];
  readonly untouched = new Set<string>();
  add(from: string, to: string): void {
    const f = canonicalUri(from).replace(/\/+$/, '');
    const t = canonicalUri(to).replace(/\/+$/, '');
    if (f !== t && !this.pairs.some(([x]) => x === f)) this.pairs.push([f, t]);
    this.pairs.sort((a, b) => b[0].length - a[0].length);
  }
  map(uri: string): string {
    const u = canonicalUri(uri);
    for (const [f, t] of this.pairs) if (u === f || u.startsWith(`${f}/`)) return t + u.slice(f.length);
    if (this.pairs.length) this.untouched.add(uri);
    return uri;
  }
}

interface RelocatedFile {
  content?: number;
  file_path: string;
  file_size_in_bytes: bigint;
  lower_bounds?: { key: number; value: Buffer }[] | null;
  upper_bounds?: { key: number; value: Buffer }[] | null;
  referenced_data_file?: string | null;
}

/** The file_path bounds and referenced data file of a delete file, mapped like its rows. */
function relocateDeleteBounds(f: RelocatedFile, paths: PathMap): void {
  const map = (kvs: RelocatedFile['lower_bounds']) => {
    for (const kv of kvs ?? [])
      if (kv.key === DELETE_FILE_PATH_ID)
        kv.value = Buffer.from(paths.map(Buffer.from(kv.value).toString('utf8')), 'utf8');
  };
  // Bounds another engine truncated no longer bound the mapped paths exactly: drop them (a
  // reader then reads the file's rows instead of skipping it).
  const lower = f.lower_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  const upper = f.upper_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  if (lower && upper && Buffer.compare(Buffer.from(lower), Buffer.from(upper)) === 0) {
    map(f.lower_bounds);
    map(f.upper_bounds);
  } else {
    f.lower_bounds = f.lower_bounds?.filter((kv) => kv.key !== DELETE_FILE_PATH_ID) ?? null;
    f.upper_bounds = f.upper_bounds?.filter((kv) => kv.key !== DELETE_FILE_PATH_ID) ?? null;
  }
  if (f.referenced_data_file != null) f.referenced_data_file = paths.map(f.referenced_data_file);
}

/** Writes delete file `from` again at `to` with every data file path mapped; returns its size. */
async function relocatePositionDeletes(
  io: RelocatableCatalog['io'],
  from: string,
  to: string,
  paths: PathMap,
): Promise<bigint> {
  const local = await io.localCopy(from);
  try {
    return await withDuck(async (duck) => {
      const src = `read_parquet(${sqlString(local.path)})`;
      const names = await duck.json(`SELECT DISTINCT file_path FROM ${src}`);
      const mapping = names.map(
        (r) => `(${sqlString(String(r.file_path))}, ${sqlString(paths.map(String(r.file_path)))})`,
      );
      const staged = await io.stageWrite(to);
      try {
        const select = mapping.length
          ? `SELECT m.new_path AS file_path, d.pos FROM ${src} d JOIN (VALUES ${mapping.join(', ')}) m(old_path, new_path) ON m.old_path = d.file_path ORDER BY file_path, pos`
          : `SELECT file_path, pos FROM ${src} d`;
        await copyToParquet(duck, select, staged.localPath, {
          file_path: DELETE_FILE_PATH_ID,
          pos: DELETE_POS_ID,
        });
        return BigInt(await staged.publish());
      } catch (e) {
        await staged.discard().catch(() => {});
        throw e;
      }
    });
  } finally {
    await local.release();
  }
}

function relocationError(id: TableIdentifier, message: string): FloeError {
  return new FloeError('not-found', `cannot relocate ${identifierString(id)}: ${message}`, {
    context: { table: identifierString(id) },
  });
}

/**
 * Relocates every table of the catalog whose metadata file or metadata `location` lies outside the
 * catalog's warehouse. Tables already in place are reported `unchanged`. Stops at the first table
 * that cannot be relocated (tables before it stay relocated: each one is complete on its own).
 */
export async function relocateTables(
  catalog: RelocatableCatalog,
  opts: RelocateOptions = {},
): Promise<RelocationItem[]> {
  const out: RelocationItem[] = [];
  for (const entry of await catalog.entries()) out.push(await relocateTable(catalog, entry, opts));
  return out;
}

export async function relocateTable(
  catalog: RelocatableCatalog,
  entry: CatalogEntry,
  opts: RelocateOptions = {},
): Promise<RelocationItem> {
  const { id } = entry;
  const io = catalog.io;
  const home = homeOf(catalog, id);
  const warehouse = canonicalUri(catalog.warehouse).replace(/\/+$/, '');
  const tail = `/${[...id.namespace, id.name].join('/')}`;

  // 1. The metadata file, in this warehouse.
  const pointer = canonicalUri(entry.metadataLocation);
  let local = pointer;
  let oldWarehouse = opts.from === undefined ? undefined : canonicalUri(opts.from).replace(/\/+$/, '');
  if (!isUnder(pointer, warehouse)) {
    if (oldWarehouse !== undefined) {
      if (!isUnder(pointer, oldWarehouse))
        throw relocationError(
          id,
          `the catalog points it at ${pointer}, which is not under --from ${oldWarehouse}`,
        );
      local = warehouse + pointer.slice(oldWarehouse.length);
    } else {
      const dir = pointer.slice(0, pointer.lastIndexOf('/'));
      if (!dir.endsWith(`${tail}/metadata`))
        throw relocationError(
          id,
          `the catalog points it at ${pointer}, which is not in a <warehouse>${tail}/metadata folder; pass the warehouse it was copied from with --from`,
        );
      oldWarehouse = dir.slice(0, dir.length - `${tail}/metadata`.length);
      local = `${home}/metadata/${pointer.slice(pointer.lastIndexOf('/') + 1)}`;
    }
  }
  let metadata: TableMetadata;
  try {
    metadata = parseTableMetadata((await io.read(local)).toString('utf8'), local);
  } catch (e) {
    throw relocationError(
      id,
      `its metadata file is not in this project's warehouse as ${local} (${(e as Error).message}); relocation rewrites the project's own copy of the table's files, so copy the whole project folder (e.g. \`cp -a\`) first, or pass the warehouse it was copied from with --from`,
    );
  }

  // 2. What maps where: the old warehouse to this one, and the table's old folder to its new one.
  const oldLocation = canonicalUri(metadata.location).replace(/\/+$/, '');
  if (local === pointer && isUnder(oldLocation, warehouse)) {
    return {
      id,
      from: entry.metadataLocation,
      action: 'unchanged',
      oldLocation,
      newLocation: oldLocation,
      manifestLists: 0,
      manifests: 0,
      dataFiles: 0,
      untouched: [],
    };
  }
  if (oldWarehouse === undefined && oldLocation.endsWith(tail))
    oldWarehouse = oldLocation.slice(0, oldLocation.length - tail.length);
  const newLocation =
    oldWarehouse !== undefined && isUnder(oldLocation, oldWarehouse)
      ? warehouse + oldLocation.slice(oldWarehouse.length)
      : home;
  const paths = new PathMap();
  paths.add(oldLocation, newLocation);
  if (oldWarehouse !== undefined) paths.add(oldWarehouse, warehouse);

  // 3. Read and rewrite (in memory) every manifest list and manifest, checking every file exists.
  const tag = randomBytes(4).toString('hex');
  const renamed = (uri: string) => {
    const base = uri.slice(uri.lastIndexOf('/') + 1).replace(/\.avro$/, '');
    return `${newLocation}/metadata/${base}-relocated-${tag}.avro`;
  };
  /** A rewritten delete file: beside its mapped copy, under this warehouse. */
  const renamedData = (uri: string) => {
    const dir = uri.slice(0, uri.lastIndexOf('/'));
    const base = uri.slice(uri.lastIndexOf('/') + 1).replace(/\.parquet$/, '');
    return `${isUnder(dir, warehouse) ? dir : `${newLocation}/data`}/${base}-relocated-${tag}.parquet`;
  };
  const newManifests = new Map<string, { path: string; bytes: Buffer }>();
  const newLists: { path: string; bytes: Buffer }[] = [];
  const listOf = new Map<string, string>();
  let dataFiles = 0;
  const must = async (uri: string, what: string) => {
    if (!(await io.exists(uri)))
      throw relocationError(
        id,
        `${what} ${uri} does not exist in this project's warehouse; copy the whole project folder (e.g. \`cp -a\`) and relocate the copy`,
      );
  };
  for (const snap of metadata.snapshots) {
    const listPath = paths.map(snap['manifest-list']);
    if (listOf.has(snap['manifest-list'])) continue;
    await must(listPath, `the manifest list of snapshot ${snap['snapshot-id']}`);
    const list = readAvroContainer(await io.read(listPath));
    for (const m of list.records as { manifest_path: string; manifest_length: bigint; content?: number }[]) {
      const manifestPath = paths.map(m.manifest_path);
      let rewritten = newManifests.get(manifestPath);
      if (!rewritten) {
        await must(manifestPath, 'the manifest');
        const manifest = readAvroContainer(await io.read(manifestPath));
        const deletes = (m.content ?? 0) !== 0 || manifest.metadata.content === 'deletes';
        for (const e of manifest.records as { status: number; data_file: RelocatedFile }[]) {
          const file = paths.map(e.data_file.file_path);
          // Deleted entries name files a later snapshot removed: they need not exist.
          if (e.status !== 2) {
            await must(file, deletes ? 'the delete file' : 'the data file');
            dataFiles++;
          }
          if (deletes) {
            // Position delete files name data files by path inside their rows: a live one is
            // written again with the paths mapped (a new file; the copied one is left as it is).
            if (e.status !== 2 && (e.data_file.content ?? 1) === 1) {
              const moved = renamedData(file);
              if (!opts.dryRun) {
                e.data_file.file_size_in_bytes = await relocatePositionDeletes(io, file, moved, paths);
              }
              e.data_file.file_path = moved;
            } else e.data_file.file_path = file;
            relocateDeleteBounds(e.data_file, paths);
            continue;
          }
          e.data_file.file_path = file;
        }
        const bytes = rewriteContainer(manifest);
        rewritten = { path: renamed(manifestPath), bytes };
        newManifests.set(manifestPath, rewritten);
      }
      m.manifest_path = rewritten.path;
      m.manifest_length = BigInt(rewritten.bytes.length);
    }
    const bytes = rewriteContainer(list);
    const path = renamed(listPath);
    newLists.push({ path, bytes });
    listOf.set(snap['manifest-list'], path);
  }

  // 4. The new metadata: same table, every reference pointing into this warehouse.
  const mapProps = (props: Readonly<Record<string, string>>) =>
    Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, /^write\..*path$/.test(k) ? paths.map(v) : v]),
    );
  const next: TableMetadata = {
    ...metadata,
    location: newLocation,
    'last-updated-ms': Math.max(Date.now(), metadata['last-updated-ms']),
    properties: mapProps(metadata.properties),
    snapshots: metadata.snapshots.map((s) => ({ ...s, 'manifest-list': listOf.get(s['manifest-list'])! })),
    'metadata-log': metadata['metadata-log'].map((e) => ({
      ...e,
      'metadata-file': paths.map(e['metadata-file']),
    })),
    ...(metadata.statistics
      ? {
          statistics: metadata.statistics.map((s) =>
            s &&
            typeof s === 'object' &&
            typeof (s as Record<string, unknown>)['statistics-path'] === 'string'
              ? {
                  ...(s as Record<string, unknown>),
                  'statistics-path': paths.map((s as Record<string, string>)['statistics-path']!),
                }
              : s,
          ),
        }
      : {}),
  };
  const result = {
    id,
    from: entry.metadataLocation,
    action: 'relocate' as const,
    oldLocation,
    newLocation,
    manifestLists: newLists.length,
    manifests: newManifests.size,
    dataFiles,
    untouched: [...paths.untouched],
  };
  if (opts.dryRun) return result;

  // 5. Write (new files only, all under this warehouse), then swap the catalog pointer.
  for (const f of [...newManifests.values(), ...newLists]) {
    if (!isUnder(f.path, warehouse))
      throw new Error(`relocation would write outside the warehouse: ${f.path}`);
    await io.write(f.path, f.bytes, { exclusive: true });
  }
  const metadataLocation = await writeMetadata(io, next, local);
  await catalog.swapMetadataLocation(id, entry.metadataLocation, metadataLocation);
  return { ...result, metadataLocation };
}

/**
 * Re-encodes a decoded Avro container with its own writer schema and header properties, so
 * nothing but the changed values differs (other engines' extra fields and properties survive).
 */
function rewriteContainer(c: ReturnType<typeof readAvroContainer>): Buffer {
  const meta = Object.fromEntries(Object.entries(c.metadata).filter(([k]) => !k.startsWith('avro.')));
  return writeAvroContainer(c.schema as object, c.records, meta);
}
