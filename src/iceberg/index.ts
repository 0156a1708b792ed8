/**
 * floe's native Apache Iceberg v2 implementation. Knows nothing of SaaS, configs or runs.
 *
 * @example
 * const catalog = new SqlCatalog({ name: 'floe', path: 'catalog.db', warehouse: 'warehouse' });
 * await catalog.createNamespace(['staging']);
 * const t = await createTable(catalog, 'staging.events', {
 *   schema: [{ name: 'id', type: 'long' }, { name: 'ts', type: 'timestamptz' }],
 *   partitionBy: [{ source: 'ts', transform: 'day' }],
 * });
 * await t.append([{ id: 1n, ts: '2024-01-01T00:00:00Z' }]);
 * const rows = await t.scan({ filter: where.gte('id', 1) }).toRows();
 */
export type { Catalog, CreateTableOptions, Namespace, TableIdentifier } from './catalog/catalog.js';
export { identifierString, parseIdentifier } from './catalog/catalog.js';
export { SqlCatalog, type SqlCatalogOptions } from './catalog/sql.js';
export type { FileIO } from './io/file-io.js';
export { LocalFileIO, pathToUri, uriToPath } from './io/local.js';
export {
  type CompactOptions,
  type CompactResult,
  compactTable,
  planCompaction,
} from './maintenance/compact.js';
export { type ExpireOptions, type ExpireResult, expireSnapshots } from './maintenance/expire-snapshots.js';
export { type MaintainOptions, type MaintainResult, maintainTable } from './maintenance/maintain.js';
export { type OrphanOptions, type OrphanResult, removeOrphanFiles } from './maintenance/remove-orphans.js';
export {
  type RewriteManifestsOptions,
  type RewriteManifestsResult,
  rewriteManifests,
} from './maintenance/rewrite-manifests.js';
export {
  IcebergReader,
  type IncrementalOptions,
  type ReadOptions,
  readTable,
  readTableIncremental,
  type TableRead,
} from './read/api.js';
export { type ChangePlan, planChanges, RANGE_UNAVAILABLE } from './read/changes.js';
export type { DuckRelation } from './read/duck-relation.js';
export { type Expr, where } from './read/expr.js';
export { parseFilter } from './read/parse-filter.js';
export type { ReadRow } from './read/reader.js';
export type { ScanOptions } from './read/scan.js';
export type { Snapshot, SnapshotId, TableMetadata } from './spec/metadata.js';
export { buildSchema, type FieldInput, type Schema, type TypeInput } from './spec/schema.js';
export {
  parseSortField,
  parseTermExpression,
  type SortFieldInput,
  type SortOrder,
} from './spec/sort-order.js';
export { type IcebergType, isKnownPrimitive, type NestedField, type PrimitiveType } from './spec/types.js';
export { type CommitOptions, Table, type WriteResult } from './table.js';
export { createTable, loadOrCreateTable, loadTable } from './tables.js';
export { duckType } from './write/duck-types.js';
export { TARGET_FILE_SIZE_PROPERTY, targetFileSize } from './write/file-layout.js';
export type { QueryMergeOptions, QueryMergePlan } from './write/query-merge.js';
export { icebergTypeOf, queryFields } from './write/query-schema.js';
export type { StagedConversion, StagedConversions } from './write/staged-conversions.js';
export { type StagedRows, stageQuery } from './write/staged-query.js';
export { canPromote, type SchemaUpdate } from './write/update-schema.js';
