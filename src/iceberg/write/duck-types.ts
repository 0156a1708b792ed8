/**
 * Iceberg types ⇄ DuckDB types, and the staging form rows take on their way into DuckDB.
 * Rows are staged as NDJSON that DuckDB's JSON reader parses in bulk; JSON cannot carry bytes
 * or non-string map keys, so binary is staged as hex and maps as lists of {key, value} structs,
 * and `castFromStaging` turns them back into BLOB and MAP inside the COPY's SELECT.
 */
import { sqlIdent, sqlString } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import { decimalParts, fixedLength, type IcebergType, isList, isMap, isStruct } from '../spec/types.js';

export function duckType(t: IcebergType): string {
  return render(t, false);
}

export function stagingType(t: IcebergType): string {
  return render(t, true);
}

function render(t: IcebergType, staging: boolean): string {
  if (isStruct(t))
    return `STRUCT(${t.fields.map((f) => `${sqlIdent(f.name)} ${render(f.type, staging)}`).join(', ')})`;
  if (isList(t)) return `${render(t.element, staging)}[]`;
  if (isMap(t)) {
    const k = render(t.key, staging);
    const v = render(t.value, staging);
    return staging ? `STRUCT("key" ${k}, "value" ${v})[]` : `MAP(${k}, ${v})`;
  }
  switch (t) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'string':
      return 'VARCHAR';
    case 'uuid':
      return staging ? 'VARCHAR' : 'UUID';
    case 'binary':
      return staging ? 'VARCHAR' : 'BLOB';
  }
  const d = decimalParts(t);
  if (d) return `DECIMAL(${d.precision}, ${d.scale})`;
  // Readable as BLOB; writing fixed is refused up front (assertWritable), as DuckDB writes
  // no FIXED_LEN_BYTE_ARRAY for bytes.
  if (fixedLength(t) !== undefined) return staging ? 'VARCHAR' : 'BLOB';
  throw new FloeError('data-invalid', `unknown Iceberg type ${JSON.stringify(t)}`);
}

/** Throws for types floe can read but not write. */
export function assertWritable(t: IcebergType, where: string): void {
  if (isStruct(t)) for (const f of t.fields) assertWritable(f.type, `${where}.${f.name}`);
  else if (isList(t)) assertWritable(t.element, `${where}.element`);
  else if (isMap(t)) {
    assertWritable(t.key, `${where}.key`);
    assertWritable(t.value, `${where}.value`);
  } else if (fixedLength(t) !== undefined) {
    throw new FloeError(
      'feature-unsupported',
      `cannot write ${t} column "${where}" yet (DuckDB writes no FIXED_LEN_BYTE_ARRAY for bytes); declare it as binary`,
    );
  }
}

/** True if the staged form differs from the final form somewhere inside `t`. */
function needsCast(t: IcebergType): boolean {
  if (isStruct(t)) return t.fields.some((f) => needsCast(f.type));
  if (isList(t)) return needsCast(t.element);
  if (isMap(t)) return true;
  return t === 'binary' || t === 'uuid';
}

/** SQL turning a staged expression into the final DuckDB type. */
export function castFromStaging(t: IcebergType, expr: string, depth = 0): string {
  if (!needsCast(t)) return expr;
  const v = `x${depth}`;
  if (isStruct(t)) {
    const parts = t.fields.map(
      (f) => `${sqlIdent(f.name)} := ${castFromStaging(f.type, `${expr}.${sqlIdent(f.name)}`, depth + 1)}`,
    );
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
  }
  if (isList(t)) return `list_transform(${expr}, ${v} -> ${castFromStaging(t.element, v, depth + 1)})`;
  if (isMap(t)) {
    const k = castFromStaging(t.key, `${v}."key"`, depth + 1);
    const val = castFromStaging(t.value, `${v}."value"`, depth + 1);
    return `CASE WHEN ${expr} IS NULL THEN NULL ELSE map_from_entries(list_transform(${expr}, ${v} -> struct_pack("key" := ${k}, "value" := ${val}))) END`;
  }
  if (t === 'binary') return `from_hex(${expr})`;
  if (t === 'uuid') return `CAST(${expr} AS UUID)`;
  return expr;
}

/**
 * read_parquet's `schema` argument: columns by Iceberg field id, so files written under other
 * names (renamed columns) or without a column (added later: NULL) read as the current schema.
 */
export function fieldIdSchemaMap(
  fields: readonly { id: number; name: string; type: IcebergType }[],
  /** DuckDB types to read some columns as instead (by field id; see read/nested-ids.ts). */
  readTypes?: ReadonlyMap<number, string>,
): string {
  return `MAP {${fields
    .map(
      (f) =>
        `${f.id}: {name: ${sqlString(f.name)}, type: ${sqlString(readTypes?.get(f.id) ?? duckType(f.type))}, default_value: NULL}`,
    )
    .join(', ')}}`;
}
