/**
 * Table metadata ⇄ JSON. Parsing validates the v2 required fields and converts every 64-bit
 * value to bigint, so a corrupt or foreign file fails here with a message naming the file,
 * never later with a confusing TypeError. v1 files are read too (upgraded in memory), since
 * Spark and older tools still create them.
 */
import { FloeError } from '../../errors.js';
import { parseJson, stringifyJson, toBigInt } from '../util/json.js';
import type { Snapshot, SnapshotRef, TableMetadata } from './metadata.js';
import type { PartitionSpec } from './partition.js';
import { type Schema, validateSchema } from './schema.js';

type Json = Record<string, unknown>;

export function parseTableMetadata(text: string, file: string): TableMetadata {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (e) {
    throw corrupt(file, `not valid JSON (${(e as Error).message})`, e);
  }
  try {
    return decode(raw as Json, file);
  } catch (e) {
    if (e instanceof FloeError) throw e;
    throw corrupt(file, (e as Error).message, e);
  }
}

function corrupt(file: string, why: string, cause?: unknown): FloeError {
  return new FloeError('metadata-corrupt', `table metadata file is corrupt: ${why}`, {
    context: { file },
    cause,
  });
}

function decode(j: Json, file: string): TableMetadata {
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw corrupt(file, 'not a JSON object');
  const version = Number(j['format-version']);
  if (version !== 1 && version !== 2) {
    throw new FloeError(
      'feature-unsupported',
      `Iceberg format-version ${String(j['format-version'])} is not supported (floe reads v1 and v2)`,
      {
        context: { file },
      },
    );
  }
  const need = (k: string) => {
    if (j[k] === undefined || j[k] === null) throw corrupt(file, `required field "${k}" is missing`);
    return j[k];
  };
  need('location');
  need('last-updated-ms');
  need('last-column-id');

  let schemas = j.schemas as Schema[] | undefined;
  let currentSchemaId = j['current-schema-id'] as number | undefined;
  if (!schemas) {
    if (version === 2) need('schemas');
    const s = need('schema') as Json;
    schemas = [{ ...(s as unknown as Schema), 'schema-id': (s['schema-id'] as number | undefined) ?? 0 }];
    currentSchemaId = schemas[0]!['schema-id'];
  }
  if (currentSchemaId === undefined) need('current-schema-id');
  for (const s of schemas) validateSchema(s, file);
  if (!schemas.some((s) => s['schema-id'] === currentSchemaId)) {
    throw corrupt(file, `current-schema-id ${currentSchemaId} is not among the schemas`);
  }

  let specs = j['partition-specs'] as PartitionSpec[] | undefined;
  let defaultSpecId = j['default-spec-id'] as number | undefined;
  if (!specs) {
    if (version === 2) need('partition-specs');
    specs = [{ 'spec-id': 0, fields: (need('partition-spec') as PartitionSpec['fields']) ?? [] }];
    defaultSpecId = 0;
  }
  const lastPartitionId =
    (j['last-partition-id'] as number | undefined) ??
    specs.flatMap((s) => s.fields.map((f) => f['field-id'])).reduce((a, b) => Math.max(a, b), 999);

  const snapshots = ((j.snapshots as Json[] | undefined) ?? []).map((s, i) => decodeSnapshot(s, i, file));
  const refs: Record<string, SnapshotRef> = {};
  for (const [name, r] of Object.entries((j.refs as Record<string, Json> | undefined) ?? {})) {
    refs[name] = { ...(r as object), 'snapshot-id': toBigInt(r['snapshot-id']) } as SnapshotRef;
  }
  let currentSnapshotId =
    j['current-snapshot-id'] === undefined || j['current-snapshot-id'] === null
      ? undefined
      : toBigInt(j['current-snapshot-id']);
  if (currentSnapshotId === -1n) currentSnapshotId = undefined;
  if (currentSnapshotId !== undefined && !refs.main)
    refs.main = { 'snapshot-id': currentSnapshotId, type: 'branch' };
  if (currentSnapshotId !== undefined && !snapshots.some((s) => s['snapshot-id'] === currentSnapshotId)) {
    throw corrupt(file, `current-snapshot-id ${currentSnapshotId} is not among the snapshots`);
  }

  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries((j.properties as Json | undefined) ?? {})) properties[k] = String(v);

  return {
    'format-version': 2,
    'table-uuid': (j['table-uuid'] as string | undefined) ?? '00000000-0000-0000-0000-000000000000',
    location: String(j.location),
    'last-sequence-number': version === 2 ? toBigInt(need('last-sequence-number')) : 0n,
    'last-updated-ms': Number(j['last-updated-ms']),
    'last-column-id': Number(j['last-column-id']),
    schemas,
    'current-schema-id': currentSchemaId as number,
    'partition-specs': specs,
    'default-spec-id': defaultSpecId ?? 0,
    'last-partition-id': lastPartitionId,
    properties,
    ...(currentSnapshotId === undefined ? {} : { 'current-snapshot-id': currentSnapshotId }),
    snapshots,
    'snapshot-log': ((j['snapshot-log'] as Json[] | undefined) ?? []).map((e) => ({
      'timestamp-ms': Number(e['timestamp-ms']),
      'snapshot-id': toBigInt(e['snapshot-id']),
    })),
    'metadata-log': ((j['metadata-log'] as Json[] | undefined) ?? []).map((e) => ({
      'timestamp-ms': Number(e['timestamp-ms']),
      'metadata-file': String(e['metadata-file']),
    })),
    'sort-orders': (j['sort-orders'] as TableMetadata['sort-orders'] | undefined) ?? [
      { 'order-id': 0, fields: [] },
    ],
    'default-sort-order-id': (j['default-sort-order-id'] as number | undefined) ?? 0,
    refs,
    ...(j.statistics ? { statistics: j.statistics as unknown[] } : {}),
  };
}

function decodeSnapshot(s: Json, i: number, file: string): Snapshot {
  for (const k of ['snapshot-id', 'timestamp-ms']) {
    if (s[k] === undefined) throw corrupt(file, `snapshot #${i} lacks "${k}"`);
  }
  if (!s['manifest-list']) {
    throw new FloeError(
      'feature-unsupported',
      `snapshot ${String(s['snapshot-id'])} has no manifest-list (v1 inline manifests are not supported)`,
      {
        context: { file },
      },
    );
  }
  const summary = (s.summary as Record<string, string> | undefined) ?? { operation: 'append' };
  return {
    'snapshot-id': toBigInt(s['snapshot-id']),
    ...(s['parent-snapshot-id'] === undefined || s['parent-snapshot-id'] === null
      ? {}
      : { 'parent-snapshot-id': toBigInt(s['parent-snapshot-id']) }),
    'sequence-number': s['sequence-number'] === undefined ? 0n : toBigInt(s['sequence-number']),
    'timestamp-ms': Number(s['timestamp-ms']),
    'manifest-list': String(s['manifest-list']),
    summary: summary as Snapshot['summary'],
    ...(s['schema-id'] === undefined ? {} : { 'schema-id': Number(s['schema-id']) }),
  };
}

/** Serializes in the field order Java writes, so files diff cleanly against other engines' output. */
export function serializeTableMetadata(m: TableMetadata): string {
  const out: Json = {
    'format-version': 2,
    'table-uuid': m['table-uuid'],
    location: m.location,
    'last-sequence-number': m['last-sequence-number'],
    'last-updated-ms': m['last-updated-ms'],
    'last-column-id': m['last-column-id'],
    'current-schema-id': m['current-schema-id'],
    schemas: m.schemas,
    'default-spec-id': m['default-spec-id'],
    'partition-specs': m['partition-specs'],
    'last-partition-id': m['last-partition-id'],
    'default-sort-order-id': m['default-sort-order-id'],
    'sort-orders': m['sort-orders'],
    properties: m.properties,
    'current-snapshot-id': m['current-snapshot-id'] ?? -1,
    refs: m.refs,
    snapshots: m.snapshots,
    statistics: m.statistics ?? [],
    'snapshot-log': m['snapshot-log'],
    'metadata-log': m['metadata-log'],
  };
  return stringifyJson(out, 2);
}
