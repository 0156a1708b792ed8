/**
 * SQL catalog on SQLite, in the exact tables of PyIceberg's SqlCatalog and Java's JdbcCatalog
 * (`iceberg_tables`, `iceberg_namespace_properties`), so both open floe's tables from the same
 * file when configured with the same catalog name. Commits are the same compare-and-swap they
 * use: `UPDATE … WHERE metadata_location = <base>`; one row updated or a conflict.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { LocalFileIO, pathToUri } from '../io/local.js';
import {
  type Catalog,
  identifierString,
  type LoadedTable,
  type Namespace,
  type TableIdentifier,
} from './catalog.js';
import { readMetadata } from './metastore.js';
import { hasTable, isSqliteCorruption, probeSqliteFile, quickCheck } from './sqlite-file.js';

export interface SqlCatalogOptions {
  /** Catalog name, as PyIceberg's SqlCatalog(name) and Spark's catalog name see it. */
  readonly name: string;
  /** Path of the SQLite file. */
  readonly path: string;
  /** Warehouse root, a local path or `file://` URI. */
  readonly warehouse: string;
  readonly io?: FileIO;
  /**
   * Default true: create the file and the catalog tables if they are missing (a new catalog).
   * false: the file must already be a catalog; a missing, empty or schemaless file is an error
   * instead of a silently new, empty catalog (for readers, and for recovery checks).
   */
  readonly create?: boolean;
  /**
   * Open the file read-only (implies `create: false`): for readers that must never change the
   * catalog (`floe ui`). Nothing is created, migrated or switched to WAL; any write fails.
   */
  readonly readonly?: boolean;
}

/** What the catalog file is, for messages that must say what was lost. */
export const CATALOG_FILE_HOLDS =
  "it is the Iceberg catalog, recording which metadata file each table points at (the tables' own metadata and data files are in the warehouse)";

/** The error for a catalog file SQLite cannot read: names the file, what it holds and the fix. */
export function catalogDamagedError(path: string, reason: string, cause?: unknown): FloeError {
  return new FloeError(
    'io',
    `the catalog database ${path} is damaged (${reason}); ${CATALOG_FILE_HOLDS}. Fix: restore ${path} from a backup, or rebuild it from the warehouse with \`floe catalog recover\` (it moves the damaged file aside and registers every table from its newest metadata file).`,
    { context: { file: path }, cause },
  );
}

/** A row of iceberg_tables: a table and the metadata file the catalog points it at. */
export interface CatalogEntry {
  readonly id: TableIdentifier;
  readonly metadataLocation: string;
}

const DDL = [
  `CREATE TABLE IF NOT EXISTS iceberg_tables (
     catalog_name VARCHAR(255) NOT NULL,
     table_namespace VARCHAR(255) NOT NULL,
     table_name VARCHAR(255) NOT NULL,
     metadata_location VARCHAR(1000),
     previous_metadata_location VARCHAR(1000),
     iceberg_type VARCHAR(5),
     PRIMARY KEY (catalog_name, table_namespace, table_name))`,
  `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
     catalog_name VARCHAR(255) NOT NULL,
     namespace VARCHAR(255) NOT NULL,
     property_key VARCHAR(255),
     property_value VARCHAR(1000),
     PRIMARY KEY (catalog_name, namespace, property_key))`,
];

const TABLE_FILTER = "(iceberg_type = 'TABLE' OR iceberg_type IS NULL)";

export class SqlCatalog implements Catalog {
  readonly name: string;
  readonly io: FileIO;
  readonly warehouse: string;
  /** The SQLite file. */
  readonly path: string;
  private readonly db: Database.Database;
  /** Which iceberg_tables rows are tables (views share the table in JdbcCatalog V1). */
  private tableFilter = TABLE_FILTER;

  constructor(opts: SqlCatalogOptions) {
    this.name = opts.name;
    this.io = opts.io ?? new LocalFileIO();
    this.warehouse = opts.warehouse.includes('://')
      ? opts.warehouse.replace(/\/+$/, '')
      : pathToUri(opts.warehouse);
    this.path = opts.path;
    const mustExist = opts.create === false || opts.readonly === true;
    if (mustExist) this.checkExisting();
    else mkdirSync(dirname(opts.path), { recursive: true });
    const explain = (e: unknown): unknown =>
      isSqliteCorruption(e) ? catalogDamagedError(opts.path, (e as Error).message, e) : e;
    let db: Database.Database;
    try {
      db = new Database(opts.path, {
        timeout: 30_000,
        fileMustExist: mustExist,
        readonly: opts.readonly === true,
      });
    } catch (e) {
      throw explain(e);
    }
    this.db = db;
    try {
      // WAL lets readers (PyIceberg, Spark) and several floe processes share the file.
      if (opts.readonly !== true) db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 30000');
      // A damaged page often opens fine and fails only at the first query that reaches it,
      // mid-run: find it now.
      const problem = quickCheck(db);
      if (problem !== undefined) throw catalogDamagedError(opts.path, problem);
      if (!mustExist) for (const stmt of DDL) db.exec(stmt);
      this.ensureIcebergTypeColumn(opts.readonly === true);
    } catch (e) {
      db.close();
      throw explain(e);
    }
  }

  /** With `create: false`: the file must exist and hold the catalog tables. */
  private checkExisting(): void {
    const probe = probeSqliteFile(this.path);
    if (probe.state === 'corrupt') throw catalogDamagedError(this.path, probe.reason);
    if (probe.state === 'ok') {
      const ok = hasTable(probe.db, 'iceberg_tables');
      probe.db.close();
      if (ok) return;
    }
    const what =
      probe.state === 'missing'
        ? 'does not exist'
        : probe.state === 'empty'
          ? 'is empty (0 bytes)'
          : 'holds no catalog tables';
    throw new FloeError(
      'not-found',
      `the catalog database ${this.path} ${what}; ${CATALOG_FILE_HOLDS}. If this project has tables, restore ${this.path} from a backup or rebuild it with \`floe catalog recover\`.`,
      { context: { file: this.path } },
    );
  }

  /** Runs a query, turning SQLite's "malformed" into an error that names the file and the fix. */
  private q<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isSqliteCorruption(e)) throw catalogDamagedError(this.path, (e as Error).message, e);
      throw e;
    }
  }

  /**
   * A JdbcCatalog "V0" file lacks iceberg_type; add it as Java's migration does. A read-only
   * catalog leaves the file as it is and reads every row as a table (what V0 rows are).
   */
  private ensureIcebergTypeColumn(readonly: boolean): void {
    const cols = this.db.prepare('PRAGMA table_info(iceberg_tables)').all() as { name: string }[];
    if (cols.some((c) => c.name === 'iceberg_type')) return;
    if (readonly) this.tableFilter = '1 = 1';
    else this.db.exec('ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)');
  }

  private ns(ns: Namespace): string {
    if (ns.length === 0 || ns.some((p) => p.length === 0 || p.includes('.'))) {
      throw new FloeError(
        'config-invalid',
        `invalid namespace ${JSON.stringify(ns)}: levels must be non-empty and contain no "."`,
      );
    }
    return ns.join('.');
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.q(() => this.db.prepare(sql).get(...params) as T | undefined);
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.q(() => this.db.prepare(sql).all(...params) as T[]);
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.q(() => this.db.prepare(sql).run(...params));
  }

  async createNamespace(ns: Namespace, properties: Record<string, string> = {}): Promise<void> {
    if (await this.namespaceExists(ns)) {
      throw new FloeError('already-exists', `namespace "${this.ns(ns)}" already exists`);
    }
    const props = Object.keys(properties).length ? properties : { exists: 'true' };
    this.q(() => {
      const insert = this.db.prepare(
        'INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)',
      );
      this.db.transaction(() => {
        for (const [k, v] of Object.entries(props)) insert.run(this.name, this.ns(ns), k, v);
      })();
    });
  }

  async namespaceExists(ns: Namespace): Promise<boolean> {
    const name = this.ns(ns);
    // A parent namespace exists when a child does. A literal prefix test, not LIKE: `_` and `%`
    // in names are wildcards to LIKE (`wrike_staging` would match `wrikeXstaging.sub`).
    const child = `${name}.`;
    const p = this.get(
      'SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND (namespace = ? OR substr(namespace, 1, ?) = ?) LIMIT 1',
      this.name,
      name,
      child.length,
      child,
    );
    if (p) return true;
    const t = this.get(
      'SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND (table_namespace = ? OR substr(table_namespace, 1, ?) = ?) LIMIT 1',
      this.name,
      name,
      child.length,
      child,
    );
    return t !== undefined;
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    const rows = this.all<{ n: string }>(
      `SELECT namespace AS n FROM iceberg_namespace_properties WHERE catalog_name = ?
       UNION SELECT table_namespace AS n FROM iceberg_tables WHERE catalog_name = ?`,
      this.name,
      this.name,
    );
    const out = new Map<string, Namespace>();
    for (const { n } of rows) {
      const parts = n.split('.');
      if (parent.length && !parent.every((p, i) => parts[i] === p)) continue;
      if (parts.length <= parent.length) continue;
      const child = parts.slice(0, parent.length + 1);
      out.set(child.join('.'), child);
    }
    return [...out.values()].sort((a, b) => a.join('.').localeCompare(b.join('.')));
  }

  async dropNamespace(ns: Namespace): Promise<void> {
    const name = this.ns(ns);
    const tables = await this.listTables(ns);
    if (tables.length) {
      throw new FloeError(
        'config-invalid',
        `namespace "${name}" is not empty (${tables.length} tables); drop its tables first`,
      );
    }
    const r = this.run(
      'DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?',
      this.name,
      name,
    );
    if (r.changes === 0) throw new FloeError('not-found', `namespace "${name}" does not exist`);
  }

  async namespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(ns)))
      throw new FloeError('not-found', `namespace "${this.ns(ns)}" does not exist`);
    const rows = this.all<{ k: string; v: string }>(
      'SELECT property_key k, property_value v FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?',
      this.name,
      this.ns(ns),
    );
    return Object.fromEntries(rows.map((r) => [r.k, r.v]));
  }

  async updateNamespaceProperties(
    ns: Namespace,
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    if (!(await this.namespaceExists(ns)))
      throw new FloeError('not-found', `namespace "${this.ns(ns)}" does not exist`);
    this.q(() => {
      const upsert = this.db.prepare(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)
         ON CONFLICT (catalog_name, namespace, property_key) DO UPDATE SET property_value = excluded.property_value`,
      );
      const del = this.db.prepare(
        'DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? AND property_key = ?',
      );
      this.db.transaction(() => {
        for (const k of removals) del.run(this.name, this.ns(ns), k);
        for (const [k, v] of Object.entries(updates)) upsert.run(this.name, this.ns(ns), k, v);
      })();
    });
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<void> {
    try {
      this.run(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
         VALUES (?, ?, ?, ?, NULL, 'TABLE')`,
        this.name,
        this.ns(id.namespace),
        id.name,
        metadataLocation,
      );
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new FloeError('already-exists', `table ${identifierString(id)} already exists`, {
          context: { table: identifierString(id) },
        });
      }
      throw e;
    }
  }

  private location(id: TableIdentifier): string | undefined {
    const row = this.get<{ metadata_location: string | null }>(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${this.tableFilter}`,
      this.name,
      this.ns(id.namespace),
      id.name,
    );
    return row?.metadata_location ?? undefined;
  }

  /** The metadata file the catalog points the table at, without reading it (undefined: no such table). */
  async metadataLocation(id: TableIdentifier): Promise<string | undefined> {
    return this.location(id);
  }

  /** Every table of this catalog with the metadata file it points at, without reading any file. */
  async entries(): Promise<CatalogEntry[]> {
    const rows = this.all<{ ns: string; name: string; loc: string }>(
      `SELECT table_namespace ns, table_name name, metadata_location loc FROM iceberg_tables
       WHERE catalog_name = ? AND ${this.tableFilter} AND metadata_location IS NOT NULL
       ORDER BY table_namespace, table_name`,
      this.name,
    );
    return rows.map((r) => ({ id: { namespace: r.ns.split('.'), name: r.name }, metadataLocation: r.loc }));
  }

  async loadTableMetadata(id: TableIdentifier): Promise<LoadedTable> {
    const location = this.location(id);
    if (!location) {
      throw new FloeError(
        'not-found',
        `table ${identifierString(id)} does not exist in catalog "${this.name}"`,
        {
          context: { table: identifierString(id) },
        },
      );
    }
    return {
      metadata: await readMetadata(this.io, location, identifierString(id)),
      metadataLocation: location,
    };
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return this.location(id) !== undefined;
  }

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    const rows = this.all<{ table_name: string }>(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND ${this.tableFilter} ORDER BY table_name`,
      this.name,
      this.ns(ns),
    );
    return rows.map((r) => ({ namespace: ns, name: r.table_name }));
  }

  async dropTable(id: TableIdentifier, opts: { purge?: boolean } = {}): Promise<void> {
    const location = this.location(id);
    if (!location) throw new FloeError('not-found', `table ${identifierString(id)} does not exist`);
    let tableLocation: string | undefined;
    if (opts.purge) tableLocation = (await readMetadata(this.io, location)).location;
    this.run(
      'DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?',
      this.name,
      this.ns(id.namespace),
      id.name,
    );
    if (tableLocation) for (const f of await this.io.list(tableLocation)) await this.io.delete(f);
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    if (!(await this.namespaceExists(to.namespace))) {
      throw new FloeError('not-found', `namespace "${this.ns(to.namespace)}" does not exist`);
    }
    if (await this.tableExists(to))
      throw new FloeError('already-exists', `table ${identifierString(to)} already exists`);
    const r = this.run(
      'UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?',
      this.ns(to.namespace),
      to.name,
      this.name,
      this.ns(from.namespace),
      from.name,
    );
    if (r.changes === 0) throw new FloeError('not-found', `table ${identifierString(from)} does not exist`);
  }

  async swapMetadataLocation(id: TableIdentifier, baseLocation: string, newLocation: string): Promise<void> {
    const r = this.run(
      `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
       WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ? AND ${this.tableFilter}`,
      newLocation,
      baseLocation,
      this.name,
      this.ns(id.namespace),
      id.name,
      baseLocation,
    );
    if (r.changes !== 1) {
      throw new FloeError('commit-conflict', `table ${identifierString(id)} was changed by another writer`, {
        context: { table: identifierString(id) },
        retryable: true,
      });
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
