/**
 * Partition specs in the spec's JSON shape (spec §Partition Specs), a builder that names and
 * validates fields as Java's `PartitionSpec.Builder` does, partition tuples, and the `partition`
 * struct type that manifests carry (spec §Manifests: data_file.partition, field 102).
 */
import { FloeError, isFloeError } from '../../errors.js';
import {
  applyTransform,
  canTransform,
  parseTransform,
  type Transform,
  transformResultType,
  transformToString,
} from './transforms.js';
import { type IcebergType, isPrimitive, type NestedField, type StructType } from './types.js';
import type { PhysicalValue } from './values.js';

export interface PartitionField {
  readonly 'source-id': number;
  readonly 'field-id': number;
  readonly name: string;
  readonly transform: string;
}

export interface PartitionSpec {
  readonly 'spec-id': number;
  readonly fields: readonly PartitionField[];
}

/** Partition field ids start at 1000 (spec §Partition Specs; `last-partition-id` 999 when none). */
export const PARTITION_DATA_ID_START = 1000;

/** One requested partition field: a column name or dotted path, a transform, an optional name. */
export interface PartitionFieldInput {
  readonly source: string;
  readonly transform: string;
  readonly name?: string;
}

/**
 * How the builder sees a schema, so this module needs no schema implementation: look a field up
 * by name/dotted path or by id. `name` (optional) is the field's full dotted name, used for default
 * partition names; `repeated` marks fields inside a list or map, which cannot be partition sources.
 */
export type SchemaLookup = (
  nameOrId: string | number,
) =>
  | { readonly id: number; readonly type: IcebergType; readonly name?: string; readonly repeated?: boolean }
  | undefined;

export function unpartitionedSpec(specId = 0): PartitionSpec {
  return { 'spec-id': specId, fields: [] };
}

export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => parseTransform(f.transform).kind === 'void');
}

/** Highest partition field id of some specs, or 999: the table's `last-partition-id`. */
export function lastPartitionId(specs: readonly PartitionSpec[]): number {
  let max = PARTITION_DATA_ID_START - 1;
  for (const s of specs) for (const f of s.fields) max = Math.max(max, f['field-id']);
  return max;
}

/** Java `PartitionSpec.Builder` default names: `ts_day`, `id_bucket`, `name_trunc`, `x_null`; identity keeps the name. */
export function defaultPartitionName(sourceName: string, t: Transform): string {
  switch (t.kind) {
    case 'identity':
      return sourceName;
    case 'bucket':
      return `${sourceName}_bucket`;
    case 'truncate':
      return `${sourceName}_trunc`;
    case 'void':
      return `${sourceName}_null`;
    default:
      return `${sourceName}_${t.kind}`;
  }
}

/** Java's `Transform.dedupName()`: all time transforms are one family, so `day(ts)` + `hour(ts)` is redundant. */
function dedupName(t: Transform): string {
  return t.kind === 'year' || t.kind === 'month' || t.kind === 'day' || t.kind === 'hour'
    ? 'time'
    : transformToString(t);
}

function configError(message: string, field: string): FloeError {
  return new FloeError('config-invalid', message, { context: { field } });
}

/**
 * Builds a spec from requested fields, assigning field ids from `startFieldId` and validating as
 * Java does: the source exists and is a primitive outside lists/maps, the transform accepts its
 * type, names are unique and do not shadow another schema column, and no source gets the same
 * transform (family) twice.
 */
export function buildPartitionSpec(
  lookup: SchemaLookup,
  fields: readonly PartitionFieldInput[],
  startFieldId = PARTITION_DATA_ID_START,
  specId = 0,
): PartitionSpec {
  const out: PartitionField[] = [];
  const names = new Set<string>();
  const dedup = new Map<string, string>();
  fields.forEach((input, i) => {
    const where = `partitionBy[${i}]`;
    let t: Transform;
    try {
      t = parseTransform(input.transform);
    } catch (e) {
      if (isFloeError(e)) throw configError(`${where}: ${e.message}`, where);
      throw e;
    }
    const src = lookup(input.source);
    if (!src)
      throw configError(`${where}: partition source column "${input.source}" is not in the schema`, where);
    const transform = transformToString(t);
    if (!isPrimitive(src.type) || src.repeated) {
      throw configError(
        `${where}: partition source "${input.source}" must be a primitive column outside lists and maps`,
        where,
      );
    }
    if (!canTransform(t, src.type)) {
      throw configError(
        `${where}: transform ${transform} cannot be applied to column "${input.source}" of type ${src.type}`,
        where,
      );
    }
    const name = input.name ?? defaultPartitionName(src.name ?? input.source, t);
    if (name === '') throw configError(`${where}: partition field name cannot be empty`, where);
    if (names.has(name)) throw configError(`${where}: duplicate partition field name "${name}"`, where);
    const shadowed = lookup(name);
    // A partition name may equal a schema column only for identity on that same column (Java checkAndAddPartitionName).
    if (shadowed && !(t.kind === 'identity' && shadowed.id === src.id)) {
      throw configError(
        `${where}: partition field name "${name}" is also a schema column; give it another name`,
        where,
      );
    }
    const key = `${src.id}:${dedupName(t)}`;
    const previous = dedup.get(key);
    if (previous !== undefined) {
      throw configError(
        `${where}: partition field "${name}" is redundant with "${previous}" (same source, same transform family)`,
        where,
      );
    }
    names.add(name);
    dedup.set(key, name);
    out.push({ 'source-id': src.id, 'field-id': startFieldId + i, name, transform });
  });
  return { 'spec-id': specId, fields: out };
}

/**
 * The partition tuple of one row: each field's transform applied to its source's physical value,
 * keyed by partition field name (the shape of `data_file.partition`). `row` gives the physical
 * value of a source field id.
 */
export function partitionTuple(
  spec: PartitionSpec,
  schema: SchemaLookup,
  row: ReadonlyMap<number, unknown> | ((sourceId: number) => unknown),
): Record<string, PhysicalValue | null> {
  const get = typeof row === 'function' ? row : (id: number) => row.get(id);
  const out: Record<string, PhysicalValue | null> = {};
  for (const f of spec.fields) {
    const src = schema(f['source-id']);
    if (!src || !isPrimitive(src.type)) {
      throw new FloeError(
        'metadata-corrupt',
        `partition field ${f.name}: source field ${f['source-id']} is not a primitive column`,
        {
          context: { field: f.name },
        },
      );
    }
    out[f.name] = applyTransform(f.transform, src.type, get(f['source-id']));
  }
  return out;
}

/** The manifest `partition` struct: one optional field per partition field, id = partition field-id. */
export function partitionStructType(spec: PartitionSpec, schema: SchemaLookup): StructType {
  const fields: NestedField[] = spec.fields.map((f) => {
    const src = schema(f['source-id']);
    if (!src) {
      throw new FloeError(
        'metadata-corrupt',
        `partition field ${f.name}: source field ${f['source-id']} is not in the schema`,
        {
          context: { field: f.name },
        },
      );
    }
    return {
      id: f['field-id'],
      name: f.name,
      required: false,
      type: transformResultType(f.transform, src.type),
    };
  });
  return { type: 'struct', fields };
}
