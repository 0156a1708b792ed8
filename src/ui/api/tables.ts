/**
 * `/api/tables`: every table of the catalog with its size; `/api/tables/:name`: one table's
 * snapshots, schema (types, field ids) and how it evolved, partition spec, sort order and
 * properties; `/api/tables/:name/rows`: a page of its rows, some columns, a filter.
 *
 * Table metadata files never change once written (a commit writes a new one), so parsed
 * metadata is kept by file location: looking again costs one catalog query, not a re-parse.
 */
import { cellText } from '../../cli/output.js';
import { type FloeError, isFloeError } from '../../errors.js';
import { readMetadata } from '../../iceberg/catalog/metastore.js';
import {
  identifierString,
  parseFilter,
  parseIdentifier,
  type SqlCatalog,
  Table,
  type TableMetadata,
} from '../../iceberg/index.js';
import {
  type MaintenanceSignal,
  maintenanceSignals,
  tableFootprint,
} from '../../iceberg/maintenance/signals.js';
import { currentSchema, currentSnapshot } from '../../iceberg/spec/metadata.js';
import { indexSchema, type Schema } from '../../iceberg/spec/schema.js';
import { type IcebergType, isList, isMap, isStruct, type NestedField } from '../../iceberg/spec/types.js';
import type { ProjectSource } from '../project-source.js';
import { ApiError, configIndex, intParam } from './common.js';

const CACHE_LIMIT = 500;

export class TableReader {
  private readonly cache = new Map<string, TableMetadata>();

  constructor(private readonly source: ProjectSource) {}

  /** The catalog's tables with the metadata file each points at (one query, no file read). */
  async entries(): Promise<{ name: string; metadataLocation: string }[]> {
    const c = this.source.catalog();
    if (!c) return [];
    return (await c.entries()).map((e) => ({
      name: identifierString(e.id),
      metadataLocation: e.metadataLocation,
    }));
  }

  async metadata(c: SqlCatalog, name: string, location: string): Promise<TableMetadata> {
    const hit = this.cache.get(location);
    if (hit) return hit;
    const m = await readMetadata(c.io, location, name);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(location, m);
    return m;
  }

  async table(name: string): Promise<Table> {
    const c = this.source.catalog();
    if (!c) throw new ApiError(404, `table ${name} does not exist: the project has no catalog yet`);
    let id: ReturnType<typeof parseIdentifier>;
    try {
      id = parseIdentifier(name);
    } catch (e) {
      throw new ApiError(400, isFloeError(e) ? e.message : `not a table name: ${JSON.stringify(name)}`);
    }
    const location = await c.metadataLocation(id);
    if (!location) throw new ApiError(404, `table ${name} does not exist in the catalog`);
    return new Table(c, id, { metadata: await this.metadata(c, name, location), metadataLocation: location });
  }
}

export interface TableListItem {
  name: string;
  records: string;
  sizeBytes: string;
  dataFiles: number;
  deleteFiles: number;
  snapshots: number;
  updatedAt: string;
  /** The configs that write the table. */
  configs: string[];
  /** Maintenance the table's metadata asks for. */
  signals: MaintenanceSignal[];
  /** The table could not be read (its metadata file is missing or damaged). */
  error?: string;
}

export async function listTables(
  source: ProjectSource,
  reader: TableReader,
): Promise<{ tables: TableListItem[] }> {
  const writers = await tableWriters(source);
  const c = source.catalog();
  const out: TableListItem[] = [];
  for (const e of await reader.entries()) {
    const base = { name: e.name, configs: writers.get(e.name) ?? [] };
    try {
      const m = await reader.metadata(c!, e.name, e.metadataLocation);
      const f = tableFootprint(m);
      out.push({
        ...base,
        records: String(f.records),
        sizeBytes: String(f.sizeBytes),
        dataFiles: f.dataFiles,
        deleteFiles: f.deleteFiles,
        snapshots: f.snapshots,
        updatedAt: new Date(m['last-updated-ms']).toISOString(),
        signals: maintenanceSignals(e.name, m),
      });
    } catch (err) {
      // One damaged table must not hide the others (as `floe table list`).
      out.push({
        ...base,
        records: '',
        sizeBytes: '',
        dataFiles: 0,
        deleteFiles: 0,
        snapshots: 0,
        updatedAt: '',
        signals: [],
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return { tables: out };
}

export interface SchemaField {
  id: number;
  /** Dotted path (`a.b`, list elements `a.element`). */
  name: string;
  depth: number;
  type: string;
  required: boolean;
  doc?: string;
}

export interface SchemaChange {
  schemaId: number;
  /** When the first snapshot written with this schema was committed, if any was. */
  firstUsedAt?: string;
  added: string[];
  dropped: string[];
  renamed: string[];
  retyped: string[];
  /** Columns that became optional (or required). */
  nullability: string[];
  /** The table's first schema: its number of top-level columns (the lists above are empty). */
  initialColumns?: number;
}

export async function tableDetail(source: ProjectSource, reader: TableReader, name: string) {
  const t = await reader.table(name);
  const m = t.metadata;
  const f = tableFootprint(m);
  const schema = currentSchema(m);
  const byId = new Map(indexSchema(schema));
  const current = currentSnapshot(m);
  const spec = t.spec();
  const sort = t.sortOrder();
  const colName = (id: number) => byId.get(id)?.path.join('.') ?? `#${id}`;
  const writers = (await tableWriters(source)).get(t.name) ?? [];
  return {
    name: t.name,
    uuid: m['table-uuid'],
    location: m.location,
    metadataLocation: t.metadataLocation,
    formatVersion: m['format-version'],
    records: String(f.records),
    sizeBytes: String(f.sizeBytes),
    dataFiles: f.dataFiles,
    deleteFiles: f.deleteFiles,
    positionDeletes: String(f.positionDeletes),
    targetFileSizeBytes: f.targetFileSizeBytes,
    updatedAt: new Date(m['last-updated-ms']).toISOString(),
    currentSnapshotId: current ? String(current['snapshot-id']) : null,
    configs: writers,
    signals: maintenanceSignals(t.name, m),
    snapshots: [...m.snapshots]
      .sort((a, b) => a['timestamp-ms'] - b['timestamp-ms'])
      .map((s) => ({
        id: String(s['snapshot-id']),
        parentId: s['parent-snapshot-id'] !== undefined ? String(s['parent-snapshot-id']) : null,
        at: new Date(s['timestamp-ms']).toISOString(),
        operation: s.summary.operation,
        addedRecords: Number(s.summary['added-records'] ?? 0),
        deletedRecords: Number(s.summary['deleted-records'] ?? 0),
        addedPositionDeletes: Number(s.summary['added-position-deletes'] ?? 0),
        addedFiles: Number(s.summary['added-data-files'] ?? 0),
        totalRecords: s.summary['total-records'] ?? '',
        schemaId: s['schema-id'] ?? null,
        runId: s.summary['floe.run-id'] ?? null,
        configId: s.summary['floe.config-id'] ?? null,
        cursor: s.summary['floe.sync-cursor'] ?? null,
        current: current !== undefined && s['snapshot-id'] === current['snapshot-id'],
      })),
    schema: { schemaId: schema['schema-id'], fields: flattenFields(schema.fields) },
    evolution: schemaEvolution(m),
    partitionSpec: {
      specId: spec['spec-id'],
      fields: spec.fields.map((p) => ({
        name: p.name,
        source: colName(p['source-id']),
        sourceId: p['source-id'],
        fieldId: p['field-id'],
        transform: p.transform,
      })),
    },
    sortOrder: {
      orderId: sort['order-id'],
      fields: sort.fields.map((s) => ({
        source: colName(s['source-id']),
        transform: s.transform,
        direction: s.direction,
        nullOrder: s['null-order'],
      })),
    },
    properties: m.properties,
  };
}

export async function tableRows(
  reader: TableReader,
  name: string,
  p: { offset?: string; limit?: string; columns?: string; where?: string },
) {
  const t = await reader.table(name);
  const offset = intParam('offset', p.offset, 0, 0, 1_000_000_000);
  const limit = intParam('limit', p.limit, 50, 1, 500);
  const fields = currentSchema(t.metadata).fields;
  const select = p.columns
    ? p.columns
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean)
    : undefined;
  for (const c of select ?? [])
    if (!fields.some((f) => f.name === c))
      throw new ApiError(
        400,
        `column ${JSON.stringify(c)} does not exist; columns are: ${fields.map((f) => f.name).join(', ')}`,
      );
  let filter: ReturnType<typeof parseFilter> | undefined;
  if (p.where?.trim()) {
    try {
      filter = parseFilter(p.where);
    } catch (e) {
      throw new ApiError(400, e instanceof Error ? e.message : String(e));
    }
  }
  const shown = select ? fields.filter((f) => select.includes(f.name)) : fields;
  let rows: Record<string, unknown>[] = [];
  try {
    rows = await t
      .scan({
        // One row past the page says whether there is a next page.
        limit: limit + 1,
        offset,
        fileOrder: true,
        select: shown.map((f) => f.name),
        ...(filter ? { filter } : {}),
      })
      .toRows();
  } catch (e) {
    // A filter naming a missing column or comparing a wrong type is the caller's mistake.
    if (isFloeError(e, 'not-found') || isFloeError(e, 'config-invalid') || isFloeError(e, 'data-invalid'))
      throw new ApiError(400, (e as FloeError).message);
    throw e;
  }
  return {
    columns: shown.map((f) => ({ name: f.name, id: f.id, type: typeText(f.type) })),
    rows: rows
      .slice(0, limit)
      .map((r) => shown.map((f) => (r[f.name] === null ? null : cellText(r[f.name])))),
    offset,
    limit,
    hasMore: rows.length > limit,
  };
}

/** `list<struct<a: long>>`: an Iceberg type as one line of text. */
export function typeText(t: IcebergType): string {
  if (isStruct(t)) return `struct<${t.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ')}>`;
  if (isList(t)) return `list<${typeText(t.element)}>`;
  if (isMap(t)) return `map<${typeText(t.key)}, ${typeText(t.value)}>`;
  return t;
}

/** Fields depth-first, nested ones under their parent (list elements and map keys/values too). */
function flattenFields(fields: readonly NestedField[]): SchemaField[] {
  const out: SchemaField[] = [];
  const visit = (
    f: { id: number; name: string; type: IcebergType; required: boolean; doc?: string },
    prefix: string,
    depth: number,
  ) => {
    const name = prefix ? `${prefix}.${f.name}` : f.name;
    out.push({
      id: f.id,
      name,
      depth,
      type: typeText(f.type),
      required: f.required,
      ...(f.doc ? { doc: f.doc } : {}),
    });
    const t = f.type;
    if (isStruct(t)) for (const c of t.fields) visit(c, name, depth + 1);
    else if (isList(t))
      visit(
        { id: t['element-id'], name: 'element', type: t.element, required: t['element-required'] },
        name,
        depth + 1,
      );
    else if (isMap(t)) {
      visit({ id: t['key-id'], name: 'key', type: t.key, required: true }, name, depth + 1);
      visit(
        { id: t['value-id'], name: 'value', type: t.value, required: t['value-required'] },
        name,
        depth + 1,
      );
    }
  };
  for (const f of fields) visit(f, '', 0);
  return out;
}

/** Each schema after the first, against the one before it, matched by field id. */
function schemaEvolution(m: TableMetadata): SchemaChange[] {
  const schemas = [...m.schemas].sort((a, b) => a['schema-id'] - b['schema-id']);
  const firstUse = new Map<number, number>();
  for (const s of m.snapshots) {
    const id = s['schema-id'];
    if (id === undefined) continue;
    const at = firstUse.get(id);
    if (at === undefined || s['timestamp-ms'] < at) firstUse.set(id, s['timestamp-ms']);
  }
  const out: SchemaChange[] = [];
  let prev: Schema | undefined;
  for (const s of schemas) {
    const used = firstUse.get(s['schema-id']);
    const change: SchemaChange = {
      schemaId: s['schema-id'],
      ...(used !== undefined ? { firstUsedAt: new Date(used).toISOString() } : {}),
      added: [],
      dropped: [],
      renamed: [],
      retyped: [],
      nullability: [],
      ...(prev ? {} : { initialColumns: s.fields.length }),
    };
    const now = indexSchema(s);
    if (prev) {
      const before = indexSchema(prev);
      for (const [id, f] of now) {
        const name = f.path.join('.');
        const old = before.get(id);
        if (!old) change.added.push(`${name} (${typeText(f.type)})`);
        else {
          const oldName = old.path.join('.');
          if (oldName !== name) change.renamed.push(`${oldName} → ${name}`);
          if (typeof f.type === 'string' && typeof old.type === 'string' && f.type !== old.type)
            change.retyped.push(`${name}: ${old.type} → ${f.type}`);
          if (f.required !== old.required)
            change.nullability.push(`${name}: ${f.required ? 'required' : 'optional'}`);
        }
      }
      for (const [id, f] of before) if (!now.has(id)) change.dropped.push(f.path.join('.'));
    }
    // The first schema is where the table started, not a change: its columns are the schema view.
    out.push(change);
    prev = s;
  }
  return out;
}

/** Table name → the configs (`L1:Wrike_Tasks`) whose destination it is. */
async function tableWriters(source: ProjectSource): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of await configIndex(source)) {
    if (!c.table) continue;
    const list = out.get(c.table) ?? [];
    list.push(`${c.layer}:${c.configId}`);
    out.set(c.table, list);
  }
  return out;
}
