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

export interface SqlCatalogOptions {
  /** Catalog name, as PyIceberg's SqlCatalog(name) and Spark's catalog name see it. */
  readonly name: string;
  /** Path of the SQLite file. */
  readonly path: string;
  /** Warehouse root, a local path or `file://` URI. */
  readonly warehouse: string;
  readonly io?: FileIO;
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
  private readonly db: Database.Database;

  constructor(opts: SqlCatalogOptions) {
    this.name = opts.name;
    this.io = opts.io ?? new LocalFileIO();
    this.warehouse = opts.warehouse.includes('://')
      ? opts.warehouse.replace(/\/+$/, '')
      : pathToUri(opts.warehouse);
    mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new Database(opts.path, { timeout: 30_000 });
    // WAL lets readers (PyIceberg, Spark) and several floe processes share the file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 30000');
    for (const stmt of DDL) this.db.exec(stmt);
    this.ensureIcebergTypeColumn();
  }

  /** A JdbcCatalog "V0" file lacks iceberg_type; add it as Java's migration does. */
  private ensureIcebergTypeColumn(): void {
    const cols = this.db.prepare('PRAGMA table_info(iceberg_tables)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'iceberg_type')) {
      this.db.exec('ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)');
    }
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

  async createNamespace(ns: Namespace, properties: Record<string, string> = {}): Promise<void> {
    if (await this.namespaceExists(ns)) {
      throw new FloeError('already-exists', `namespace "${this.ns(ns)}" already exists`);
    }
    const props = Object.keys(properties).length ? properties : { exists: 'true' };
    const insert = this.db.prepare(
      'INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(props)) insert.run(this.name, this.ns(ns), k, v);
    })();
  }

  async namespaceExists(ns: Namespace): Promise<boolean> {
    const name = this.ns(ns);
    const p = this.db
      .prepare(
        'SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND (namespace = ? OR namespace LIKE ?) LIMIT 1',
      )
      .get(this.name, name, `${name}.%`);
    if (p) return true;
    const t = this.db
      .prepare(
        'SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND (table_namespace = ? OR table_namespace LIKE ?) LIMIT 1',
      )
      .get(this.name, name, `${name}.%`);
    return t !== undefined;
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    const rows = this.db
      .prepare(
        `SELECT namespace AS n FROM iceberg_namespace_properties WHERE catalog_name = ?
         UNION SELECT table_namespace AS n FROM iceberg_tables WHERE catalog_name = ?`,
      )
      .all(this.name, this.name) as { n: string }[];
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
    const r = this.db
      .prepare('DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?')
      .run(this.name, name);
    if (r.changes === 0) throw new FloeError('not-found', `namespace "${name}" does not exist`);
  }

  async namespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(ns)))
      throw new FloeError('not-found', `namespace "${this.ns(ns)}" does not exist`);
    const rows = this.db
      .prepare(
        'SELECT property_key k, property_value v FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?',
      )
      .all(this.name, this.ns(ns)) as { k: string; v: string }[];
    return Object.fromEntries(rows.map((r) => [r.k, r.v]));
  }

  async updateNamespaceProperties(
    ns: Namespace,
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    if (!(await this.namespaceExists(ns)))
      throw new FloeError('not-found', `namespace "${this.ns(ns)}" does not exist`);
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
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
           VALUES (?, ?, ?, ?, NULL, 'TABLE')`,
        )
        .run(this.name, this.ns(id.namespace), id.name, metadataLocation);
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
    const row = this.db
      .prepare(
        `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND ${TABLE_FILTER}`,
      )
      .get(this.name, this.ns(id.namespace), id.name) as { metadata_location: string | null } | undefined;
    return row?.metadata_location ?? undefined;
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
    const rows = this.db
      .prepare(
        `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND ${TABLE_FILTER} ORDER BY table_name`,
      )
      .all(this.name, this.ns(ns)) as { table_name: string }[];
    return rows.map((r) => ({ namespace: ns, name: r.table_name }));
  }

  async dropTable(id: TableIdentifier, opts: { purge?: boolean } = {}): Promise<void> {
    const location = this.location(id);
    if (!location) throw new FloeError('not-found', `table ${identifierString(id)} does not exist`);
    let tableLocation: string | undefined;
    if (opts.purge) tableLocation = (await readMetadata(this.io, location)).location;
    this.db
      .prepare('DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?')
      .run(this.name, this.ns(id.namespace), id.name);
    if (tableLocation) for (const f of await this.io.list(tableLocation)) await this.io.delete(f);
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    if (!(await this.namespaceExists(to.namespace))) {
      throw new FloeError('not-found', `namespace "${this.ns(to.namespace)}" does not exist`);
    }
    if (await this.tableExists(to))
      throw new FloeError('already-exists', `table ${identifierString(to)} already exists`);
    const r = this.db
      .prepare(
        'UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?',
      )
      .run(this.ns(to.namespace), to.name, this.name, this.ns(from.namespace), from.name);
    if (r.changes === 0) throw new FloeError('not-found', `table ${identifierString(from)} does not exist`);
  }

  async swapMetadataLocation(id: TableIdentifier, baseLocation: string, newLocation: string): Promise<void> {
    const r = this.db
      .prepare(
        `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
         WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ? AND ${TABLE_FILTER}`,
      )
      .run(newLocation, baseLocation, this.name, this.ns(id.namespace), id.name, baseLocation);
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
