/**
 * What every catalog shares: reading metadata files, writing the next version
 * (`metadata/NNNNN-<uuid>.metadata.json`, never overwriting one), creating tables and
 * committing new metadata through the catalog's compare-and-swap.
 */
import { randomUUID } from 'node:crypto';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { hasDotSegment, isInside } from '../io/location.js';
import { removeDroppedMetadataFiles } from '../maintenance/old-metadata.js';
import { newTableMetadata, type TableMetadata, withPreviousMetadata } from '../spec/metadata.js';
import { parseTableMetadata, serializeTableMetadata } from '../spec/metadata-json.js';
import { buildPartitionSpec, unpartitionedSpec } from '../spec/partition.js';
import { buildSchema, findField, type Schema } from '../spec/schema.js';
import { sortOrderFor } from '../spec/sort-order.js';
import { failpoint } from '../util/failpoint.js';
import { type Catalog, type CreateTableOptions, identifierString, type TableIdentifier } from './catalog.js';
import { metadataVersion, parentOf, readableMetadataFiles } from './metadata-files.js';

export { metadataVersion } from './metadata-files.js';

export async function readMetadata(io: FileIO, location: string, table?: string): Promise<TableMetadata> {
  let text: string;
  try {
    text = (await io.read(location)).toString('utf8');
  } catch (e) {
    if (isFloeError(e)) throw table ? await damagedTableError(io, e, location, table, 'is missing') : e;
    throw e;
  }
  try {
    return parseTableMetadata(text, location);
  } catch (e) {
    if (isFloeError(e))
      throw table ? await damagedTableError(io, e, location, table, `cannot be read (${e.message})`) : e;
    throw e;
  }
}

/**
 * The error for a table whose current metadata file is gone or unreadable. It names the table and
 * the file and, because only the catalog's pointer is broken, lists the earlier metadata files
 * that still parse (newest first) with the command that rolls the table back to one of them.
 */
async function damagedTableError(
  io: FileIO,
  e: FloeError,
  location: string,
  table: string,
  what: string,
): Promise<FloeError> {
  const dir = parentOf(location);
  let fix: string;
  try {
    const { readable } = await readableMetadataFiles(io, dir, { limit: 5, exclude: location });
    fix = readable.length
      ? `Earlier metadata files in ${dir} that still parse, newest first: ${readable
          .map(
            (c) =>
              `${c.location} (${c.metadata.snapshots.length} snapshots, last updated ${new Date(c.metadata['last-updated-ms']).toISOString()})`,
          )
          .join(
            '; ',
          )}. Roll the table back to the newest with \`floe table register ${table} ${readable[0]!.location} --force\` (commits after that file drop out of the table; their data files stay on disk), or restore ${location} from a backup.`
      : `No other readable metadata file is left in ${dir}: restore ${location} from a backup.`;
  } catch {
    fix = `Restore ${location} from a backup, or register an earlier metadata file of the table with \`floe table register ${table} <file> --force\`.`;
  }
  return new FloeError(
    e.kind,
    `table ${table}: its current metadata file ${location} ${what}; the catalog points at it, so the table cannot be read. ${fix}`,
    { context: { ...e.context, table, file: location }, cause: e },
  );
}

export function nextMetadataLocation(metadata: TableMetadata, base: string | undefined): string {
  const version = String(metadataVersion(base) + 1).padStart(5, '0');
  return `${metadata.location}/metadata/${version}-${randomUUID()}.metadata.json`;
}

/** Writes `metadata` as the next version after `base` (exclusive create). */
export async function writeMetadata(
  io: FileIO,
  metadata: TableMetadata,
  base: string | undefined,
): Promise<string> {
  return (await writeMetadataVersion(io, metadata, base)).location;
}

/**
 * Writes `metadata` as the next version after `base` and returns what was written: the metadata
 * with `base` added to its metadata-log. Callers keep that, not their input, so the log of the
 * next version still names `base` (otherwise a handle committing twice loses log entries).
 */
export async function writeMetadataVersion(
  io: FileIO,
  metadata: TableMetadata,
  base: string | undefined,
): Promise<{ location: string; metadata: TableMetadata }> {
  const location = nextMetadataLocation(metadata, base);
  const previousMax = Number(metadata.properties['write.metadata.previous-versions-max'] ?? '100');
  const withLog = withPreviousMetadata(metadata, base, previousMax);
  await io.write(location, serializeTableMetadata(withLog), { exclusive: true });
  return { location, metadata: withLog };
}

export function defaultTableLocation(catalog: Catalog, id: TableIdentifier): string {
  return `${catalog.warehouse.replace(/\/+$/, '')}/${id.namespace.join('/')}/${id.name}`;
}

/**
 * The location a new table gets. The default one is built from the namespace and the table
 * name, each a folder: a part that is empty, `.`, `..` or holds a `/` would put the table
 * somewhere else (`../../x` outside the warehouse), so such names get no default location. A
 * given location may be anywhere, but not with `.`/`..` segments, which readers resolve
 * differently (two tables behind one location).
 */
function checkedTableLocation(catalog: Catalog, id: TableIdentifier, given: string | undefined): string {
  const table = identifierString(id);
  if (given !== undefined) {
    if (hasDotSegment(given)) {
      throw new FloeError(
        'config-invalid',
        `table ${table}: location ${given} has a '.' or '..' segment; give the location without them`,
        { context: { table } },
      );
    }
    return given;
  }
  const location = defaultTableLocation(catalog, id);
  const badPart = [...id.namespace, id.name].find(
    (p) => p === '' || p === '.' || p === '..' || p.includes('/') || p.includes('\\') || p.includes('\0'),
  );
  if (badPart !== undefined || !isInside(location, catalog.warehouse)) {
    throw new FloeError(
      'config-invalid',
      `table ${table}: its default location ${location} is not a folder inside the warehouse ${catalog.warehouse}` +
        `${badPart === undefined ? '' : ` (the name part ${JSON.stringify(badPart)} is not a single folder name)`}. ` +
        "Namespace and table names become folders: they cannot be empty, '.' or '..', or hold '/' or '\\'; rename the table",
      { context: { table } },
    );
  }
  return location;
}

export async function createTableMetadata(
  catalog: Catalog,
  id: TableIdentifier,
  opts: CreateTableOptions,
): Promise<LoadedTableResult> {
  if (!(await catalog.namespaceExists(id.namespace))) {
    throw new FloeError(
      'not-found',
      `namespace "${id.namespace.join('.')}" does not exist; create it first`,
      {
        context: { table: identifierString(id) },
      },
    );
  }
  if (await catalog.tableExists(id)) {
    throw new FloeError('already-exists', `table ${identifierString(id)} already exists`, {
      context: { table: identifierString(id) },
    });
  }
  let schema: Schema;
  try {
    schema = Array.isArray(opts.schema) ? buildSchema(opts.schema as never) : (opts.schema as Schema);
  } catch (e) {
    if (isFloeError(e)) throw e.withContext({ table: identifierString(id) });
    throw e;
  }
  const spec = opts.partitionBy?.length
    ? buildPartitionSpec((nameOrId: string | number) => {
        const f = typeof nameOrId === 'number' ? undefined : findField(schema, nameOrId);
        return f ? { id: f.id, type: f.type } : undefined;
      }, opts.partitionBy)
    : unpartitionedSpec();
  const sortOrder = opts.sortBy?.length ? sortOrderFor(schema, opts.sortBy) : undefined;
  const metadata = newTableMetadata({
    location: checkedTableLocation(catalog, id, opts.location ?? (await catalog.tableLocation?.(id))),
    schema,
    spec,
    properties: opts.properties,
    ...(sortOrder ? { sortOrder } : {}),
  });
  const location = await writeMetadata(catalog.io, metadata, undefined);
  try {
    await catalog.registerTable(id, location, metadata);
  } catch (e) {
    await catalog.io.delete(location);
    throw e;
  }
  return { metadata: await readMetadata(catalog.io, location), metadataLocation: location };
}

interface LoadedTableResult {
  metadata: TableMetadata;
  metadataLocation: string;
}

/**
 * Writes the new metadata and swaps it in. On a lost race the written file is deleted and the
 * retryable conflict propagates, so the caller can rebase onto the fresh metadata and retry.
 */
export async function commitMetadata(
  catalog: Catalog,
  id: TableIdentifier,
  baseLocation: string,
  metadata: TableMetadata,
): Promise<{ location: string; metadata: TableMetadata }> {
  const written = await writeMetadataVersion(catalog.io, metadata, baseLocation);
  const location = written.location;
  failpoint('iceberg.before-swap');
  try {
    await catalog.swapMetadataLocation(id, baseLocation, location, written.metadata);
  } catch (e) {
    if (isFloeError(e, 'commit-conflict')) await catalog.io.delete(location);
    throw e;
  }
  failpoint('iceberg.after-swap');
  await removeDroppedMetadataFiles(catalog.io, metadata, baseLocation, written.metadata, location);
  return written;
}
