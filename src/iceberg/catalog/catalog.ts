/**
 * The Catalog port. Catalogs differ only in where the pointer to the current metadata file
 * lives and how it is swapped atomically; everything else (writing metadata files, naming
 * them, keeping the metadata-log) is shared in metastore.ts.
 */
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import type { PartitionFieldInput } from '../spec/partition.js';
import type { FieldInput, Schema } from '../spec/schema.js';
import type { SortFieldInput } from '../spec/sort-order.js';

export type Namespace = readonly string[];

export interface TableIdentifier {
  readonly namespace: Namespace;
  readonly name: string;
}

export function parseIdentifier(id: string | TableIdentifier): TableIdentifier {
  if (typeof id !== 'string') return id;
  const parts = id.split('.');
  if (parts.length < 2 || parts.some((p) => p.length === 0)) {
    throw new TypeError(`table identifier "${id}" must look like "namespace.table"`);
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! };
}

export function identifierString(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

export interface CreateTableOptions {
  /** A schema with ids, or fields to which fresh ids are assigned. */
  readonly schema: Schema | readonly FieldInput[];
  readonly partitionBy?: readonly PartitionFieldInput[];
  /** The default sort order writers follow (spec §Sort Orders); none: unsorted. */
  readonly sortBy?: readonly SortFieldInput[];
  readonly properties?: Record<string, string>;
  readonly location?: string;
}

export interface LoadedTable {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}

export interface Catalog {
  readonly name: string;
  readonly io: FileIO;
  readonly warehouse: string;

  createNamespace(ns: Namespace, properties?: Record<string, string>): Promise<void>;
  namespaceExists(ns: Namespace): Promise<boolean>;
  listNamespaces(parent?: Namespace): Promise<Namespace[]>;
  dropNamespace(ns: Namespace): Promise<void>;
  namespaceProperties(ns: Namespace): Promise<Record<string, string>>;
  updateNamespaceProperties(
    ns: Namespace,
    updates: Record<string, string>,
    removals?: string[],
  ): Promise<void>;

  /**
   * Registers a table whose first metadata file is already written. `metadata` is that file's
   * content when the caller has it (catalogs that mirror the schema, like Glue, then need not
   * read the file back).
   */
  registerTable(id: TableIdentifier, metadataLocation: string, metadata?: TableMetadata): Promise<void>;
  /** Reads the current metadata pointer. */
  loadTableMetadata(id: TableIdentifier): Promise<LoadedTable>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  listTables(ns: Namespace): Promise<TableIdentifier[]>;
  dropTable(id: TableIdentifier, opts?: { purge?: boolean }): Promise<void>;
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /**
   * Compare-and-swap: points the table at `newLocation` if it still points at `baseLocation`.
   * Throws a retryable FloeError('commit-conflict') if another writer got there first.
   */
  swapMetadataLocation(
    id: TableIdentifier,
    baseLocation: string,
    newLocation: string,
    metadata?: TableMetadata,
  ): Promise<void>;
  /**
   * Where a table created without a location goes, when the catalog knows better than
   * `<warehouse>/<namespace>/<table>` (Glue: the config's s3Location). Optional.
   */
  tableLocation?(id: TableIdentifier): Promise<string | undefined>;
  close(): Promise<void>;
}
