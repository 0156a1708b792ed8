/**
 * The Glue table's StorageDescriptor as Iceberg's own Glue catalogs write it (Java
 * `IcebergToGlueConverter`, PyIceberg `_to_columns`): one column per field of the current schema
 * with its Hive type name and `iceberg.field.{id,optional,current}` parameters, then the fields of
 * older schemas that the current one dropped, marked `current=false`. Athena and Glue's console
 * show these columns; readers that speak Iceberg use the metadata file instead.
 */
import type { Column } from '@aws-sdk/client-glue';
import { currentSchema, type TableMetadata } from '../spec/metadata.js';
import type { IcebergType } from '../spec/types.js';

/** Hive/Glue type name of an Iceberg type, as Athena expects it. */
export function glueType(t: IcebergType): string {
  if (typeof t === 'string') {
    if (t === 'long') return 'bigint';
    if (t === 'time' || t === 'uuid' || t === 'string') return 'string';
    if (t === 'timestamp' || t === 'timestamptz') return 'timestamp';
    if (t === 'binary' || t.startsWith('fixed[')) return 'binary';
    if (t.startsWith('decimal(')) return t.replace(/\s+/g, '');
    return t; // boolean, int, float, double, date
  }
  switch (t.type) {
    case 'list':
      return `array<${glueType(t.element)}>`;
    case 'map':
      return `map<${glueType(t.key)},${glueType(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`;
  }
}

export function glueColumns(metadata: TableMetadata): Column[] {
  const current = currentSchema(metadata);
  const seen = new Set<number>();
  const out: Column[] = [];
  const add = (f: (typeof current.fields)[number], isCurrent: boolean) => {
    seen.add(f.id);
    out.push({
      Name: f.name,
      Type: glueType(f.type),
      ...(f.doc ? { Comment: f.doc } : {}),
      Parameters: {
        'iceberg.field.id': String(f.id),
        'iceberg.field.optional': String(!f.required),
        'iceberg.field.current': String(isCurrent),
      },
    });
  };
  for (const f of current.fields) add(f, true);
  for (const s of [...metadata.schemas].reverse()) {
    if (s['schema-id'] === current['schema-id']) continue;
    for (const f of s.fields) if (!seen.has(f.id)) add(f, false);
  }
  return out;
}
