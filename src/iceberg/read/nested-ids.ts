/**
 * Struct members projected by field id, at every nesting level. read_parquet's `schema` option
 * maps top-level columns by field id, but DuckDB casts a struct column to the requested STRUCT
 * type by member name: a member renamed since the file was written would read as NULL, and a
 * member dropped and re-added under its old name would show the file's old values. So for each
 * file whose struct members (inside lists and maps too) differ from the current schema by name
 * for the same id, floe reads the column in the file's own member names (only the members the
 * current schema still has) and rebuilds it under the current names with struct_pack. Members
 * added later read as NULL, dropped ones are not read. Files that agree with the current schema
 * (the usual case) are read as before, all in one read_parquet.
 */
import { type Duck, sqlIdent, sqlString } from '../../duck/session.js';
import type { NameMappingEntry } from '../spec/schema.js';
import {
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type ListType,
  type MapType,
  type NestedField,
  type StructType,
} from '../spec/types.js';
import { duckType, fieldIdSchemaMap } from '../write/duck-types.js';

/** A node of a Parquet file's schema tree. */
interface FileNode {
  readonly name: string;
  readonly fieldId: number | undefined;
  readonly duckType: string | undefined;
  readonly children: FileNode[];
}

/** How one file's column is read and turned into the current schema's column. */
interface Projection {
  readonly readType: string;
  readonly expr: (input: string) => string;
}

/**
 * A FROM item reading `paths` as `fields` (by field id at every level), with `options` appended
 * to read_parquet's arguments (e.g. `, filename = true`). Either one read_parquet call or a
 * parenthesized UNION ALL BY NAME of one per group of files sharing a layout.
 */
export async function parquetSource(
  duck: Duck,
  paths: readonly string[],
  fields: readonly ReadField[],
  options = '',
  /** The table's name mapping, for files written without field ids (see byMappedNames). */
  mapping?: readonly NameMappingEntry[],
): Promise<string> {
  const plain = (files: readonly string[], types?: ReadonlyMap<number, string>) =>
    `read_parquet([${files.map(sqlString).join(', ')}], schema = ${fieldIdSchemaMap(fields, types)}${options})`;
  if (paths.length === 0) return plain(paths);
  const trees = await fileTrees(duck, paths);
  // Files without field ids (added by other tools from plain Parquet): read by mapped names.
  const noIds = paths.filter((p) => (trees.get(p) ?? []).every((n) => n.fieldId === undefined));
  if (noIds.length > 0) {
    const withIds = paths.filter((p) => !noIds.includes(p));
    const parts = [byMappedNames(noIds, trees, fields, options, mapping)];
    if (withIds.length) parts.unshift(await parquetSource(duck, withIds, fields, options, mapping));
    return parts.length === 1
      ? parts[0]!
      : `(SELECT * FROM ${parts[0]} UNION ALL BY NAME SELECT * FROM ${parts[1]})`;
  }
  // One read_parquet binds every file to the first one's columns, so all must have the same.
  const layouts = new Set(
    paths.map((p) => JSON.stringify((trees.get(p) ?? []).map((n) => [n.name, n.duckType]))),
  );
  // A file column named like a virtual column the options add would clash with it.
  const clash = (trees.get(paths[0]!) ?? []).some(
    (n) => (n.name === 'filename' || n.name === 'file_row_number') && options.includes(n.name),
  );
  if (layouts.size === 1 && !clash && sameColumnsByName(trees.get(paths[0]!) ?? [], fields))
    return byFileNames(paths, fields, options);
  if (!fields.some((f) => hasStruct(f.type))) return plain(paths);
  const groups = new Map<string, { files: string[]; projections: Map<ReadField, Projection> }>();
  for (const path of paths) {
    const top = trees.get(path) ?? [];
    const projections = new Map<ReadField, Projection>();
    for (const f of fields) {
      if (!hasStruct(f.type)) continue;
      const node = top.find((n) => n.fieldId === f.id);
      const p = node && project(f.type, node, 0);
      if (p) projections.set(f, p);
    }
    const key = JSON.stringify([...projections].map(([f, p]) => [f.id, p.readType]));
    const g = groups.get(key) ?? { files: [], projections };
    g.files.push(path);
    groups.set(key, g);
  }
  if (groups.size === 1 && groups.has('[]')) return plain(paths);
  const parts = [...groups.values()].map(({ files, projections }) => {
    const types = new Map([...projections].map(([f, p]) => [f.id, p.readType]));
    const replace = [...projections].map(([f, p]) => `${p.expr(sqlIdent(f.name))} AS ${sqlIdent(f.name)}`);
    return `SELECT *${replace.length ? ` REPLACE (${replace.join(', ')})` : ''} FROM ${plain(files, types)}`;
  });
  return `(${parts.join(' UNION ALL BY NAME ')})`;
}

/**
 * Does a file hold every field as a primitive column of the field's own id, name and type? Then
 * reading it by name is reading it by field id. It is worth knowing: with read_parquet's `schema`
 * option DuckDB plans without the file's row count, and turns joins around (a MERGE's key lookup
 * hashed 2M rows of the table instead of the 50k keys: 130 ms instead of 25).
 */
function sameColumnsByName(top: readonly FileNode[], fields: readonly ReadField[]): boolean {
  return fields.every((f) => {
    if (typeof f.type !== 'string') return false;
    const node = top.find((n) => n.fieldId === f.id);
    return (
      node !== undefined &&
      node.name === f.name &&
      node.children.length === 0 &&
      node.duckType !== undefined &&
      sameDuckType(node.duckType, duckType(f.type))
    );
  });
}

/** DuckDB type names compared as types (`TIMESTAMPTZ` is `TIMESTAMP WITH TIME ZONE`). */
function sameDuckType(a: string, b: string): boolean {
  const norm = (t: string) =>
    t.toUpperCase().replace(/\s+/g, '').replace('TIMESTAMPWITHTIMEZONE', 'TIMESTAMPTZ');
  return norm(a) === norm(b);
}

/** The fields (and the row-position columns `options` asks for) read by name: see sameColumnsByName. */
function byFileNames(files: readonly string[], fields: readonly ReadField[], options: string): string {
  const select = fields.map((f) => sqlIdent(f.name));
  if (options.includes('filename')) select.push('filename');
  if (options.includes('file_row_number')) select.push('file_row_number');
  return `(SELECT ${select.join(', ')} FROM read_parquet([${files.map(sqlString).join(', ')}]${options}))`;
}

/** What a read needs of a field: its id, name and type. */
export type ReadField = Pick<NestedField, 'id' | 'name' | 'type'>;

/**
 * Files without field ids, read as the Iceberg spec asks (§Column Projection): each top-level
 * column by the names the table's name mapping gives its field id (the current name when the
 * table has no mapping); a field none of the files has reads as NULL. Nested members are matched
 * by name. Without this, read_parquet's field-id projection would read every column as NULL.
 */
function byMappedNames(
  files: readonly string[],
  trees: ReadonlyMap<string, FileNode[]>,
  fields: readonly ReadField[],
  options: string,
  mapping: readonly NameMappingEntry[] | undefined,
): string {
  const present = new Set<string>();
  for (const f of files) for (const n of trees.get(f) ?? []) present.add(n.name);
  const select = fields.map((f) => {
    const names = mapping?.find((m) => m['field-id'] === f.id)?.names ?? [f.name];
    const name = names.find((n) => present.has(n));
    return name === undefined
      ? `CAST(NULL AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`
      : `CAST(${sqlIdent(name)} AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`;
  });
  if (options.includes('filename')) select.push('filename');
  if (options.includes('file_row_number')) select.push('file_row_number');
  return `(SELECT ${select.join(', ')} FROM read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true${options}))`;
}

function hasStruct(t: IcebergType): boolean {
  if (isStruct(t)) return true;
  if (isList(t)) return hasStruct(t.element);
  if (isMap(t)) return hasStruct(t.key) || hasStruct(t.value);
  return false;
}

/** The schema trees of the files, top-level nodes by file path. */
async function fileTrees(duck: Duck, paths: readonly string[]): Promise<Map<string, FileNode[]>> {
  // `column_id` is the element's index in the file's schema (pre-order), so each file's elements
  // come back in tree order whatever order DuckDB scans the files in.
  const rows = await duck.json(
    `SELECT file_name, name, field_id::INTEGER AS field_id, num_children::INTEGER AS num_children, duckdb_type
     FROM parquet_schema([${[...new Set(paths)].map(sqlString).join(', ')}])
     ORDER BY file_name, column_id`,
  );
  const byFile = new Map<string, typeof rows>();
  for (const r of rows) {
    const file = String(r.file_name);
    const list = byFile.get(file) ?? [];
    list.push(r);
    byFile.set(file, list);
  }
  const out = new Map<string, FileNode[]>();
  for (const [file, elements] of byFile) {
    let i = 0;
    const node = (): FileNode => {
      const r = elements[i++]!;
      const n = Number(r.num_children ?? 0);
      const children: FileNode[] = [];
      for (let c = 0; c < n && i < elements.length; c++) children.push(node());
      return {
        name: String(r.name),
        fieldId: r.field_id === null || r.field_id === undefined ? undefined : Number(r.field_id),
        duckType: r.duckdb_type === null || r.duckdb_type === undefined ? undefined : String(r.duckdb_type),
        children,
      };
    };
    out.set(file, node().children); // the first element is the root
  }
  return out;
}

/**
 * How to read `node` (a file's column) as `t`, or undefined when reading it by member name
 * already gives the current schema's value (names agree for every id, no name reused).
 */
function project(t: IcebergType, node: FileNode, depth: number): Projection | undefined {
  if (isStruct(t)) return projectStruct(t, node, depth);
  if (isList(t)) return projectList(t, node, depth);
  if (isMap(t)) return projectMap(t, node, depth);
  return undefined;
}

function projectStruct(t: StructType, node: FileNode, depth: number): Projection | undefined {
  const ids = new Set(t.fields.map((f) => f.id));
  const names = new Set(t.fields.map((f) => f.name));
  let differs = false;
  const members: { field: NestedField; child: FileNode | undefined; inner: Projection | undefined }[] = [];
  for (const field of t.fields) {
    const child = node.children.find((c) => c.fieldId === field.id);
    const inner = child ? project(field.type, child, depth + 1) : undefined;
    if ((child && child.name !== field.name) || inner) differs = true;
    members.push({ field, child, inner });
  }
  // A member the current schema no longer has, whose name a current member now wears.
  if (node.children.some((c) => c.fieldId !== undefined && !ids.has(c.fieldId) && names.has(c.name)))
    differs = true;
  if (!differs) return undefined;
  const read = members
    .filter((m) => m.child)
    .map((m) => `${sqlIdent(m.child!.name)} ${m.inner?.readType ?? duckType(m.field.type)}`);
  if (read.length === 0) {
    // No member survives: read one of the file's leaf members only to keep the struct's nulls.
    const leaf = node.children.find((c) => c.children.length === 0 && c.duckType);
    if (!leaf) return undefined;
    read.push(`${sqlIdent(leaf.name)} ${leaf.duckType}`);
  }
  return {
    readType: `STRUCT(${read.join(', ')})`,
    expr: (input) => {
      const parts = members.map(({ field, child, inner }) => {
        const value = child
          ? (inner?.expr ?? ((x: string) => x))(`${input}.${sqlIdent(child.name)}`)
          : `CAST(NULL AS ${duckType(field.type)})`;
        return `${sqlIdent(field.name)} := ${value}`;
      });
      return `CASE WHEN ${input} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
    },
  };
}

/** A list's element node: three-level lists (list → element) and two-level ones. */
function listElement(node: FileNode): FileNode | undefined {
  const repeated = node.children[0];
  if (!repeated) return undefined;
  return repeated.fieldId === undefined && repeated.children.length === 1 ? repeated.children[0] : repeated;
}

function projectList(t: ListType, node: FileNode, depth: number): Projection | undefined {
  const element = listElement(node);
  const inner = element && project(t.element, element, depth + 1);
  if (!inner) return undefined;
  const v = `e${depth}`;
  return {
    readType: `${inner.readType}[]`,
    expr: (input) => `list_transform(${input}, ${v} -> ${inner.expr(v)})`,
  };
}

function projectMap(t: MapType, node: FileNode, depth: number): Projection | undefined {
  const kv = node.children[0];
  const [key, value] = kv?.children ?? [];
  const k = key && project(t.key, key, depth + 1);
  const val = value && project(t.value, value, depth + 1);
  if (!k && !val) return undefined;
  const v = `e${depth}`;
  return {
    readType: `MAP(${k?.readType ?? duckType(t.key)}, ${val?.readType ?? duckType(t.value)})`,
    expr: (input) =>
      `CASE WHEN ${input} IS NULL THEN NULL ELSE map_from_entries(list_transform(map_entries(${input}), ${v} -> struct_pack("key" := ${k ? k.expr(`${v}."key"`) : `${v}."key"`}, "value" := ${val ? val.expr(`${v}."value"`) : `${v}."value"`}))) END`,
  };
}
