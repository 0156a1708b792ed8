/**
 * Reading data files by column name instead of by field id, when that is provably the same.
 * Projecting by field id (read_parquet's `schema` option) is always right, but DuckDB then plans
 * without knowing how many rows the files hold, which can turn a join around and hash the big
 * side. Reading by name is equivalent when no column of the table was ever renamed, retyped or
 * dropped and re-added (every field id keeps one name and type in every schema the table had),
 * and every file holds exactly the current schema's columns, ids included (checked from the
 * files' own Parquet schemas). Otherwise floe reads by field id.
 */
import { type Duck, sqlString } from '../../duck/session.js';
import type { TableMetadata } from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import type { IcebergType } from '../spec/types.js';

/** Every field id of every schema the table had keeps one name path and one type, and vice versa. */
export function namesStable(metadata: TableMetadata): boolean {
  const byId = new Map<number, string>();
  const byPath = new Map<string, number>();
  for (const s of metadata.schemas) {
    for (const [id, path, type] of nodes(s)) {
      const sig = `${path}\u0000${type}`;
      if ((byId.get(id) ?? sig) !== sig) return false;
      if ((byPath.get(path) ?? id) !== id) return false;
      byId.set(id, sig);
      byPath.set(path, id);
    }
  }
  return true;
}

/** Do all `files` hold exactly `schema`'s columns (names and field ids, nested ones too)? */
export async function filesMatchSchema(
  duck: Duck,
  files: readonly string[],
  schema: Schema,
): Promise<boolean> {
  if (files.length === 0) return true;
  const expected = [...nodes(schema)].map(([id, path]) => `${path.split('.').pop()}#${id}`).sort();
  const rows = await duck.json(
    `SELECT file_name, list(name || '#' || field_id ORDER BY name, field_id) FILTER (WHERE field_id IS NOT NULL) AS ids
     FROM parquet_schema([${files.map(sqlString).join(', ')}]) GROUP BY file_name`,
  );
  if (rows.length !== new Set(files).size) return false;
  const want = JSON.stringify(expected);
  return rows.every((r) => JSON.stringify([...((r.ids as string[]) ?? [])].sort()) === want);
}

/** [field id, dotted name path, type text] of every node with an id (list elements, map keys and values too). */
function* nodes(schema: { fields: Schema['fields'] }): Generator<[number, string, string]> {
  function* walk(id: number, path: string, t: IcebergType): Generator<[number, string, string]> {
    yield [id, path, typeof t === 'string' ? t : t.type];
    if (typeof t === 'string') return;
    if (t.type === 'struct') for (const f of t.fields) yield* walk(f.id, `${path}.${f.name}`, f.type);
    else if (t.type === 'list') yield* walk(t['element-id'], `${path}.element`, t.element);
    else {
      yield* walk(t['key-id'], `${path}.key`, t.key);
      yield* walk(t['value-id'], `${path}.value`, t.value);
    }
  }
  for (const f of schema.fields) yield* walk(f.id, f.name, f.type);
}
