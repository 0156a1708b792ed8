/**
 * Manifests and manifest lists (spec §Manifests, §Manifest Lists) in their Avro shape. The
 * in-memory form is the Avro record itself (snake_case, bigint longs), so reading another
 * engine's manifest and rewriting an entry as EXISTING/DELETED never loses a field.
 */
import { readAvroContainer, writeAvroContainer } from './avro.js';
import { serializeBound } from './bounds.js';
import type { PartitionSpec } from './partition.js';
import type { Schema } from './schema.js';
import { type IcebergType, isPrimitive, type PrimitiveType } from './types.js';

export enum EntryStatus {
  EXISTING = 0,
  ADDED = 1,
  DELETED = 2,
}
export enum FileContent {
  DATA = 0,
  POSITION_DELETES = 1,
  EQUALITY_DELETES = 2,
}

export interface KV<V> {
  key: number;
  value: V;
}

export interface DataFile {
  content: number;
  file_path: string;
  file_format: string;
  /** Partition tuple keyed by partition field name, physical values (see values.ts). */
  partition: Record<string, unknown>;
  record_count: bigint;
  file_size_in_bytes: bigint;
  column_sizes?: KV<bigint>[] | null;
  value_counts?: KV<bigint>[] | null;
  null_value_counts?: KV<bigint>[] | null;
  nan_value_counts?: KV<bigint>[] | null;
  lower_bounds?: KV<Buffer>[] | null;
  upper_bounds?: KV<Buffer>[] | null;
  key_metadata?: Buffer | null;
  split_offsets?: bigint[] | null;
  equality_ids?: number[] | null;
  sort_order_id?: number | null;
  referenced_data_file?: string | null;
}

export interface ManifestEntry {
  status: EntryStatus;
  snapshot_id: bigint | null;
  sequence_number: bigint | null;
  file_sequence_number: bigint | null;
  data_file: DataFile;
}

export interface FieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Buffer | null;
  upper_bound: Buffer | null;
}

export interface ManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  partition_spec_id: number;
  content: number;
  sequence_number: bigint;
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: bigint;
  existing_rows_count: bigint;
  deleted_rows_count: bigint;
  partitions: FieldSummary[] | null;
  key_metadata: Buffer | null;
}

// ---------- Avro schemas (ids from spec §Manifests; V2Metadata.java) ----------

const opt = (type: unknown) => ['null', type];
const kvMap = (id: number, k: number, v: number, valueType: string) => ({
  type: 'array',
  logicalType: 'map',
  items: {
    type: 'record',
    name: `k${k}_v${v}`,
    fields: [
      { name: 'key', type: 'int', 'field-id': k },
      { name: 'value', type: valueType, 'field-id': v },
    ],
  },
  _id: id,
});

/** Avro type of a partition value / Iceberg primitive (App. A). */
function avroPrimitive(t: PrimitiveType): unknown {
  switch (t) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return t;
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'uuid':
      return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
    case 'binary':
      return 'bytes';
    default: {
      const d = /^decimal\((\d+), (\d+)\)$/.exec(t);
      if (d) {
        return { type: 'bytes', logicalType: 'decimal', precision: Number(d[1]), scale: Number(d[2]) };
      }
      const f = /^fixed\[(\d+)\]$/.exec(t);
      if (f) return { type: 'fixed', name: `fixed_${f[1]}`, size: Number(f[1]) };
      throw new Error(`no Avro mapping for partition type ${t}`);
    }
  }
}

/** Java's Avro name sanitizer (AvroSchemaUtil.makeCompatibleName): `_x2E` for '.', `_` before a digit. */
export function avroSafeName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const ok = /[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c));
    if (ok) out += c;
    else if (i === 0 && /[0-9]/.test(c)) out += `_${c}`;
    else out += `_x${c.charCodeAt(0).toString(16).toUpperCase()}`;
  }
  return out || '_';
}

export interface PartitionFieldType {
  readonly name: string;
  readonly fieldId: number;
  readonly type: PrimitiveType;
}

function partitionRecordSchema(fields: readonly PartitionFieldType[]) {
  return {
    type: 'record',
    name: 'r102',
    fields: fields.map((f) => ({
      name: avroSafeName(f.name),
      type: opt(avroPrimitive(f.type)),
      default: null,
      'field-id': f.fieldId,
    })),
  };
}

function stripIds<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === '_id' ? undefined : v))) as T;
}

export function manifestEntrySchema(partition: readonly PartitionFieldType[]): object {
  return stripIds({
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      { name: 'snapshot_id', type: opt('long'), default: null, 'field-id': 1 },
      { name: 'sequence_number', type: opt('long'), default: null, 'field-id': 3 },
      { name: 'file_sequence_number', type: opt('long'), default: null, 'field-id': 4 },
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            {
              name: 'content',
              type: 'int',
              doc: 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes',
              'field-id': 134,
            },
            { name: 'file_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 100 },
            {
              name: 'file_format',
              type: 'string',
              doc: 'File format name: avro, orc, or parquet',
              'field-id': 101,
            },
            {
              name: 'partition',
              type: partitionRecordSchema(partition),
              doc: 'Partition data tuple, schema based on the partition spec',
              'field-id': 102,
            },
            { name: 'record_count', type: 'long', doc: 'Number of records in the file', 'field-id': 103 },
            { name: 'file_size_in_bytes', type: 'long', doc: 'Total file size in bytes', 'field-id': 104 },
            { name: 'column_sizes', type: opt(kvMap(108, 117, 118, 'long')), default: null, 'field-id': 108 },
            { name: 'value_counts', type: opt(kvMap(109, 119, 120, 'long')), default: null, 'field-id': 109 },
            {
              name: 'null_value_counts',
              type: opt(kvMap(110, 121, 122, 'long')),
              default: null,
              'field-id': 110,
            },
            {
              name: 'nan_value_counts',
              type: opt(kvMap(137, 138, 139, 'long')),
              default: null,
              'field-id': 137,
            },
            {
              name: 'lower_bounds',
              type: opt(kvMap(125, 126, 127, 'bytes')),
              default: null,
              'field-id': 125,
            },
            {
              name: 'upper_bounds',
              type: opt(kvMap(128, 129, 130, 'bytes')),
              default: null,
              'field-id': 128,
            },
            { name: 'key_metadata', type: opt('bytes'), default: null, 'field-id': 131 },
            {
              name: 'split_offsets',
              type: opt({ type: 'array', items: 'long', 'element-id': 133 }),
              default: null,
              'field-id': 132,
            },
            {
              name: 'equality_ids',
              type: opt({ type: 'array', items: 'int', 'element-id': 136 }),
              default: null,
              'field-id': 135,
            },
            { name: 'sort_order_id', type: opt('int'), default: null, 'field-id': 140 },
            { name: 'referenced_data_file', type: opt('string'), default: null, 'field-id': 143 },
          ],
        },
      },
    ],
  });
}

export const MANIFEST_LIST_SCHEMA = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    {
      name: 'partitions',
      type: opt({
        type: 'array',
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            { name: 'contains_null', type: 'boolean', 'field-id': 509 },
            { name: 'contains_nan', type: opt('boolean'), default: null, 'field-id': 518 },
            { name: 'lower_bound', type: opt('bytes'), default: null, 'field-id': 510 },
            { name: 'upper_bound', type: opt('bytes'), default: null, 'field-id': 511 },
          ],
        },
        'element-id': 508,
      }),
      default: null,
      'field-id': 507,
    },
    { name: 'key_metadata', type: opt('bytes'), default: null, 'field-id': 519 },
  ],
};

// ---------- partition values: physical ⇄ Avro ----------

function toAvroPartitionValue(t: PrimitiveType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (t.startsWith('decimal') || t === 'uuid' || t.startsWith('fixed'))
    return Buffer.from(serializeBound(t, v));
  if (t === 'binary') return Buffer.from(v as Uint8Array);
  if (t === 'long' || t === 'time' || t === 'timestamp' || t === 'timestamptz') return BigInt(v as bigint);
  return v;
}

function fromAvroPartitionValue(t: PrimitiveType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (t.startsWith('decimal')) {
    const b = v as Buffer;
    if (b.length === 0) return 0n;
    let n = 0n;
    for (const byte of b) n = (n << 8n) | BigInt(byte);
    if (b[0]! & 0x80) n -= 1n << BigInt(8 * b.length);
    return n;
  }
  if (t === 'uuid') {
    const h = (v as Buffer).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  if (t === 'binary' || t.startsWith('fixed')) return new Uint8Array(v as Buffer);
  if (t === 'long' || t === 'time' || t === 'timestamp' || t === 'timestamptz') return BigInt(v as bigint);
  return v;
}

// ---------- write / read ----------

export interface ManifestWriteArgs {
  schema: Schema;
  spec: PartitionSpec;
  partitionType: readonly PartitionFieldType[];
  content: 'data' | 'deletes';
  entries: readonly ManifestEntry[];
}

export function encodeManifest(args: ManifestWriteArgs): Buffer {
  const schema = manifestEntrySchema(args.partitionType);
  const records = args.entries.map((e) => {
    const partition: Record<string, unknown> = {};
    for (const f of args.partitionType) {
      partition[avroSafeName(f.name)] = toAvroPartitionValue(f.type, e.data_file.partition[f.name]);
    }
    return {
      ...e,
      data_file: {
        referenced_data_file: null,
        sort_order_id: null,
        equality_ids: null,
        key_metadata: null,
        nan_value_counts: null,
        ...e.data_file,
        partition,
      },
    };
  });
  return writeAvroContainer(schema, records, {
    schema: JSON.stringify(args.schema),
    'schema-id': String(args.schema['schema-id']),
    'partition-spec': JSON.stringify(args.spec.fields),
    'partition-spec-id': String(args.spec['spec-id']),
    'format-version': '2',
    content: args.content,
  });
}

export interface DecodedManifest {
  readonly entries: ManifestEntry[];
  readonly specId: number | undefined;
  readonly content: string;
}

/**
 * Reads a manifest written by any engine. The partition record is mapped back to partition
 * field *names of the given spec* by field id, so sanitized Avro names never leak out.
 */
export function decodeManifest(
  buf: Buffer,
  spec: PartitionSpec | undefined,
  partitionType: readonly PartitionFieldType[],
): DecodedManifest {
  const c = readAvroContainer(buf);
  const byId = new Map(partitionType.map((f) => [f.fieldId, f]));
  const writerPartition = findPartitionFields(c.schema);
  const entries = (c.records as ManifestEntry[]).map((e) => {
    const raw = e.data_file.partition as Record<string, unknown>;
    const partition: Record<string, unknown> = {};
    for (const wf of writerPartition) {
      const pf = byId.get(wf.fieldId);
      const name = pf?.name ?? wf.name;
      partition[name] = pf ? fromAvroPartitionValue(pf.type, raw[wf.name]) : raw[wf.name];
    }
    return { ...e, data_file: { ...e.data_file, partition } };
  });
  const specId = c.metadata['partition-spec-id'] ?? (spec ? String(spec['spec-id']) : undefined);
  return {
    entries,
    specId: specId === undefined ? undefined : Number(specId),
    content: c.metadata.content ?? 'data',
  };
}

function findPartitionFields(schema: unknown): { name: string; fieldId: number }[] {
  const root = schema as { fields: { name: string; type: unknown }[] };
  const df = root.fields.find((f) => f.name === 'data_file')?.type as
    | { fields: { name: string; type: unknown }[] }
    | undefined;
  const part = df?.fields.find((f) => f.name === 'partition')?.type as
    | { fields?: { name: string; 'field-id'?: number }[] }
    | undefined;
  return (part?.fields ?? []).map((f, i) => ({ name: f.name, fieldId: f['field-id'] ?? 1000 + i }));
}

export function encodeManifestList(
  manifests: readonly ManifestFile[],
  meta: { snapshotId: bigint; parentSnapshotId: bigint | undefined; sequenceNumber: bigint },
): Buffer {
  return writeAvroContainer(MANIFEST_LIST_SCHEMA, manifests, {
    'snapshot-id': String(meta.snapshotId),
    'parent-snapshot-id': meta.parentSnapshotId === undefined ? 'null' : String(meta.parentSnapshotId),
    'sequence-number': String(meta.sequenceNumber),
    'format-version': '2',
  });
}

/** Reads a manifest list; v1 lists (no sequence numbers / content) get v2 defaults. */
export function decodeManifestList(buf: Buffer): ManifestFile[] {
  const c = readAvroContainer(buf);
  return (c.records as Partial<ManifestFile>[]).map((m) => ({
    manifest_path: m.manifest_path!,
    manifest_length: BigInt(m.manifest_length ?? 0n),
    partition_spec_id: m.partition_spec_id ?? 0,
    content: m.content ?? 0,
    sequence_number: BigInt(m.sequence_number ?? 0n),
    min_sequence_number: BigInt(m.min_sequence_number ?? 0n),
    added_snapshot_id: BigInt(m.added_snapshot_id ?? 0n),
    added_files_count: m.added_files_count ?? 0,
    existing_files_count: m.existing_files_count ?? 0,
    deleted_files_count: m.deleted_files_count ?? 0,
    added_rows_count: BigInt(m.added_rows_count ?? 0n),
    existing_rows_count: BigInt(m.existing_rows_count ?? 0n),
    deleted_rows_count: BigInt(m.deleted_rows_count ?? 0n),
    partitions: m.partitions ?? null,
    key_metadata: m.key_metadata ?? null,
  }));
}

/** The `partition` struct type of a spec against a schema (result types of the transforms). */
export function partitionFieldTypes(
  spec: PartitionSpec,
  resultType: (transform: string, source: IcebergType) => IcebergType,
  lookup: (id: number) => IcebergType | undefined,
): PartitionFieldType[] {
  return spec.fields.map((f) => {
    const source = lookup(f['source-id']);
    const t = source === undefined ? 'int' : resultType(f.transform, source);
    if (!isPrimitive(t)) throw new Error(`partition field ${f.name} has a non-primitive result type`);
    return { name: f.name, fieldId: f['field-id'], type: t };
  });
}
