/**
 * Table metadata v2 (spec §Table Metadata) as plain data with bigint for every 64-bit value,
 * and the few pure functions that derive a new version from an old one. Catalogs and
 * transactions change metadata only through these functions, so every commit keeps the
 * logs, refs and sequence numbers consistent.
 */
import { randomUUID } from 'node:crypto';
import type { PartitionSpec } from './partition.js';
import { maxFieldId, nameMapping, type Schema, validateSchema } from './schema.js';
import { type SortOrder, withDefaultSortOrder } from './sort-order.js';

export type SnapshotId = bigint;

export interface Snapshot {
  readonly 'snapshot-id': SnapshotId;
  readonly 'parent-snapshot-id'?: SnapshotId;
  readonly 'sequence-number': bigint;
  readonly 'timestamp-ms': number;
  readonly 'manifest-list': string;
  readonly summary: Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };
  readonly 'schema-id'?: number;
}
export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

export interface SnapshotRef {
  readonly 'snapshot-id': SnapshotId;
  readonly type: 'branch' | 'tag';
  readonly 'max-ref-age-ms'?: number;
  readonly 'max-snapshot-age-ms'?: number;
  readonly 'min-snapshots-to-keep'?: number;
}

export type { SortOrder } from './sort-order.js';

export interface TableMetadata {
  readonly 'format-version': 2;
  readonly 'table-uuid': string;
  readonly location: string;
  readonly 'last-sequence-number': bigint;
  readonly 'last-updated-ms': number;
  readonly 'last-column-id': number;
  readonly schemas: readonly Schema[];
  readonly 'current-schema-id': number;
  readonly 'partition-specs': readonly PartitionSpec[];
  readonly 'default-spec-id': number;
  readonly 'last-partition-id': number;
  readonly properties: Readonly<Record<string, string>>;
  readonly 'current-snapshot-id'?: SnapshotId;
  readonly snapshots: readonly Snapshot[];
  readonly 'snapshot-log': readonly { 'timestamp-ms': number; 'snapshot-id': SnapshotId }[];
  readonly 'metadata-log': readonly { 'timestamp-ms': number; 'metadata-file': string }[];
  readonly 'sort-orders': readonly SortOrder[];
  readonly 'default-sort-order-id': number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  readonly statistics?: readonly unknown[];
}

export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

export function newTableMetadata(args: {
  location: string;
  schema: Schema;
  spec: PartitionSpec;
  properties?: Record<string, string>;
  /** The default sort order (its id is assigned here); none or no fields: unsorted. */
  sortOrder?: SortOrder;
  now?: number;
}): TableMetadata {
  validateSchema(args.schema);
  const schema: Schema = { ...args.schema, 'schema-id': 0 };
  const spec = { ...args.spec, 'spec-id': 0 };
  const lastPartitionId = spec.fields.reduce((m, f) => Math.max(m, f['field-id']), 999);
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location: args.location.replace(/\/+$/, ''),
    'last-sequence-number': 0n,
    'last-updated-ms': args.now ?? Date.now(),
    'last-column-id': maxFieldId(schema),
    schemas: [schema],
    'current-schema-id': 0,
    'partition-specs': [spec],
    'default-spec-id': 0,
    'last-partition-id': lastPartitionId,
    properties: {
      'write.parquet.compression-codec': 'zstd',
      'write.format.default': 'parquet',
      ...args.properties,
      [NAME_MAPPING_PROPERTY]: JSON.stringify(nameMapping(schema)),
    },
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    ...withDefaultSortOrder([], args.sortOrder ?? { 'order-id': 0, fields: [] }),
    refs: {},
  };
}

export function currentSchema(m: TableMetadata): Schema {
  const s = m.schemas.find((x) => x['schema-id'] === m['current-schema-id']);
  if (!s) throw new Error(`current-schema-id ${m['current-schema-id']} is not among the schemas`);
  return s;
}

export function schemaById(m: TableMetadata, id: number | undefined): Schema {
  if (id === undefined) return currentSchema(m);
  return m.schemas.find((x) => x['schema-id'] === id) ?? currentSchema(m);
}

export function defaultSpec(m: TableMetadata): PartitionSpec {
  const s = m['partition-specs'].find((x) => x['spec-id'] === m['default-spec-id']);
  if (!s) throw new Error(`default-spec-id ${m['default-spec-id']} is not among the partition specs`);
  return s;
}

export function specById(m: TableMetadata, id: number): PartitionSpec | undefined {
  return m['partition-specs'].find((x) => x['spec-id'] === id);
}

export function currentSnapshot(m: TableMetadata): Snapshot | undefined {
  const id = m.refs.main?.['snapshot-id'] ?? m['current-snapshot-id'];
  return id === undefined ? undefined : m.snapshots.find((s) => s['snapshot-id'] === id);
}

export function snapshotById(m: TableMetadata, id: SnapshotId): Snapshot | undefined {
  return m.snapshots.find((s) => s['snapshot-id'] === id);
}

/** Positive random 63-bit id (spec: snapshot ids are unique longs; Java uses positive ones). */
export function newSnapshotId(): SnapshotId {
  const bytes = new BigUint64Array(1);
  crypto.getRandomValues(bytes);
  const id = bytes[0]! & 0x7fff_ffff_ffff_ffffn;
  return id === 0n ? 1n : id;
}

/** Adds a snapshot and makes it the head of `main`, updating sequence number and logs. */
export function withSnapshot(m: TableMetadata, snapshot: Snapshot): TableMetadata {
  if (snapshot['sequence-number'] <= m['last-sequence-number']) {
    throw new Error(
      `snapshot sequence number ${snapshot['sequence-number']} must exceed last-sequence-number ${m['last-sequence-number']}`,
    );
  }
  return {
    ...m,
    'last-sequence-number': snapshot['sequence-number'],
    'last-updated-ms': Math.max(snapshot['timestamp-ms'], m['last-updated-ms']),
    snapshots: [...m.snapshots, snapshot],
    'current-snapshot-id': snapshot['snapshot-id'],
    'snapshot-log': [
      ...m['snapshot-log'],
      { 'timestamp-ms': snapshot['timestamp-ms'], 'snapshot-id': snapshot['snapshot-id'] },
    ],
    refs: { ...m.refs, main: { 'snapshot-id': snapshot['snapshot-id'], type: 'branch' } },
  };
}

/** Adds a schema (with the next schema id) and makes it current; keeps the name mapping current. */
export function withSchema(m: TableMetadata, schema: Omit<Schema, 'schema-id'>): TableMetadata {
  const id = Math.max(...m.schemas.map((s) => s['schema-id'])) + 1;
  const next: Schema = { ...schema, 'schema-id': id } as Schema;
  validateSchema(next);
  return {
    ...m,
    schemas: [...m.schemas, next],
    'current-schema-id': id,
    'last-column-id': Math.max(m['last-column-id'], maxFieldId(next)),
    'last-updated-ms': Date.now(),
    properties: {
      ...m.properties,
      [NAME_MAPPING_PROPERTY]: JSON.stringify(
        keepOldNames(nameMapping(next), m.properties[NAME_MAPPING_PROPERTY]),
      ),
    },
  };
}

type MappingEntry = ReturnType<typeof nameMapping>[number];

/**
 * A renamed column keeps its old names in the name mapping (spec §Column Projection): files
 * written without field ids (imported Parquet) still map by the names they were written with.
 */
function keepOldNames(next: MappingEntry[], previous: string | undefined): MappingEntry[] {
  if (!previous) return next;
  let old: MappingEntry[];
  try {
    old = JSON.parse(previous) as MappingEntry[];
  } catch {
    return next;
  }
  const names = new Map<number, string[]>();
  const collect = (es: MappingEntry[] | undefined) => {
    for (const e of es ?? []) {
      names.set(e['field-id'], e.names ?? []);
      collect(e.fields);
    }
  };
  collect(old);
  // An old name now worn by another column of the same level is that column's alone.
  const merge = (es: MappingEntry[]): MappingEntry[] => {
    const current = new Set(es.flatMap((e) => e.names));
    return es.map((e) => {
      const old = (names.get(e['field-id']) ?? []).filter((n) => !current.has(n));
      return { ...e, names: [...e.names, ...old], ...(e.fields ? { fields: merge(e.fields) } : {}) };
    });
  };
  return merge(next);
}

export function withProperties(
  m: TableMetadata,
  updates: Record<string, string>,
  removals: string[] = [],
): TableMetadata {
  const properties = { ...m.properties, ...updates };
  for (const k of removals) delete properties[k];
  return { ...m, properties, 'last-updated-ms': Date.now() };
}

/** Makes `order` the default sort order (reusing an equal existing one); data files are untouched. */
export function withSortOrder(m: TableMetadata, order: SortOrder): TableMetadata {
  return { ...m, ...withDefaultSortOrder(m['sort-orders'], order), 'last-updated-ms': Date.now() };
}

/** Called by catalogs when writing a new version: records the previous file in metadata-log. */
export function withPreviousMetadata(
  m: TableMetadata,
  previousFile: string | undefined,
  maxEntries = 100,
): TableMetadata {
  if (!previousFile) return m;
  const log = [...m['metadata-log'], { 'timestamp-ms': m['last-updated-ms'], 'metadata-file': previousFile }];
  return { ...m, 'metadata-log': log.slice(Math.max(0, log.length - maxEntries)) };
}

/** The snapshot that was current at `timestampMs` (time travel by timestamp), per the snapshot-log. */
export function snapshotAsOf(m: TableMetadata, timestampMs: number): Snapshot | undefined {
  let found: SnapshotId | undefined;
  for (const e of m['snapshot-log']) {
    if (e['timestamp-ms'] <= timestampMs) found = e['snapshot-id'];
  }
  return found === undefined ? undefined : snapshotById(m, found);
}

/** Snapshots from `id` back to the root, newest first. */
export function ancestors(m: TableMetadata, id: SnapshotId | undefined): Snapshot[] {
  const out: Snapshot[] = [];
  let cur = id === undefined ? undefined : snapshotById(m, id);
  while (cur) {
    out.push(cur);
    const parent = cur['parent-snapshot-id'];
    cur = parent === undefined ? undefined : snapshotById(m, parent);
  }
  return out;
}

/**
 * Rows a reader sees: the data files' rows less the rows position deletes remove. Exact for
 * floe's merges (a row is never deleted twice); '?' when the summary lacks the totals.
 */
export function liveRecords(summary: Record<string, string | undefined>): string {
  const total = summary['total-records'];
  if (total === undefined) return '?';
  return String(BigInt(total) - BigInt(summary['total-position-deletes'] ?? '0'));
}
