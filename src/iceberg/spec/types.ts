/**
 * Iceberg types as plain data, in the spec's JSON shape (spec §Schemas, App. C), so the
 * in-memory form and the metadata JSON are the same thing and need no mapping layer.
 */
export type FieldId = number;

export type PrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'string'
  | 'uuid'
  | 'binary'
  | `decimal(${number}, ${number})`
  | `fixed[${number}]`;

export interface NestedField {
  readonly id: FieldId;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly NestedField[];
}

export interface ListType {
  readonly type: 'list';
  readonly 'element-id': FieldId;
  readonly element: IcebergType;
  readonly 'element-required': boolean;
}

export interface MapType {
  readonly type: 'map';
  readonly 'key-id': FieldId;
  readonly key: IcebergType;
  readonly 'value-id': FieldId;
  readonly value: IcebergType;
  readonly 'value-required': boolean;
}

export type NestedType = StructType | ListType | MapType;
export type IcebergType = PrimitiveType | NestedType;

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;
const SIMPLE = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'string',
  'uuid',
  'binary',
]);

export function isPrimitive(t: IcebergType): t is PrimitiveType {
  return typeof t === 'string';
}

export function isStruct(t: IcebergType): t is StructType {
  return typeof t === 'object' && t.type === 'struct';
}

export function isList(t: IcebergType): t is ListType {
  return typeof t === 'object' && t.type === 'list';
}

export function isMap(t: IcebergType): t is MapType {
  return typeof t === 'object' && t.type === 'map';
}

/** Precision and scale of a `decimal(P, S)` type, or undefined for any other type. */
export function decimalParts(t: IcebergType): { precision: number; scale: number } | undefined {
  if (typeof t !== 'string') return undefined;
  const m = DECIMAL.exec(t);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/** Length of a `fixed[L]` type, or undefined. */
export function fixedLength(t: IcebergType): number | undefined {
  if (typeof t !== 'string') return undefined;
  const m = FIXED.exec(t);
  return m ? Number(m[1]) : undefined;
}

/** True for a primitive type name this implementation knows (used to validate parsed schemas). */
export function isKnownPrimitive(name: string): name is PrimitiveType {
  if (SIMPLE.has(name)) return true;
  const d = DECIMAL.exec(name);
  if (d) {
    const p = Number(d[1]);
    const s = Number(d[2]);
    return p >= 1 && p <= 38 && s >= 0 && s <= p;
  }
  return FIXED.test(name);
}

/** Canonical spelling, `decimal(10, 2)` with the space, as Java and PyIceberg write it. */
export function decimalType(precision: number, scale: number): PrimitiveType {
  return `decimal(${precision}, ${scale})`;
}
