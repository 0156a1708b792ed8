/**
 * The AWS Glue Data Catalog as an Iceberg catalog, in the shape Java's GlueCatalog and PyIceberg
 * write (so Athena, EMR/Spark and PyIceberg open floe's tables and floe opens theirs): a namespace
 * is a Glue database; a table is a Glue table with `table_type=ICEBERG`, `metadata_location` and
 * `previous_metadata_location` parameters and a StorageDescriptor listing the columns.
 *
 * The commit is Glue's optimistic lock: GetTable gives the table's VersionId and current
 * metadata_location; if that is still the base, UpdateTable with that VersionId swaps in the new
 * file. Glue rejects an UpdateTable whose VersionId is stale with ConcurrentModificationException;
 * both that and a moved metadata_location are a retryable `commit-conflict`, on which the table's
 * commit loop re-reads, re-validates and retries (write/commit.ts).
 */
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  type GetDatabasesCommandOutput,
  GetTableCommand,
  GetTablesCommand,
  type GetTablesCommandOutput,
  type GlueClient,
  type Table as GlueTable,
  type TableInput,
  UpdateDatabaseCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/metadata.js';
import {
  type Catalog,
  identifierString,
  type LoadedTable,
  type Namespace,
  type TableIdentifier,
} from './catalog.js';
import { glueColumns } from './glue-columns.js';
import { readMetadata } from './metastore.js';

export interface GlueCatalogOptions {
  readonly client: GlueClient;
  readonly io: FileIO;
  /** Default root for tables created without a location: `<warehouse>/<database>/<table>`. */
  readonly warehouse: string;
  /** Catalog name as Spark/PyIceberg know it (informational; Glue has one catalog per account). */
  readonly name?: string;
  /** Another account's Data Catalog (Glue's CatalogId); default the caller's account. */
  readonly catalogId?: string;
  /** Where a new table goes when its creator gives no location (e.g. the config's s3Location). */
  readonly tableLocation?: (id: TableIdentifier) => Promise<string | undefined> | string | undefined;
  /** Runs before every commit's UpdateTable; throwing abandons the commit (e.g. a lost lock). */
  readonly beforeCommit?: (id: TableIdentifier) => Promise<void>;
}

export const ICEBERG_TABLE_TYPE = 'ICEBERG';

export class GlueCatalog implements Catalog {
  readonly name: string;
  readonly io: FileIO;
  readonly warehouse: string;
  private readonly client: GlueClient;
  private readonly catalogId: { CatalogId?: string };

  constructor(private readonly opts: GlueCatalogOptions) {
    this.name = opts.name ?? 'glue_catalog';
    this.io = opts.io;
    this.warehouse = opts.warehouse.replace(/\/+$/, '');
    this.client = opts.client;
    this.catalogId = opts.catalogId ? { CatalogId: opts.catalogId } : {};
  }

  async tableLocation(id: TableIdentifier): Promise<string | undefined> {
    const l = await this.opts.tableLocation?.(id);
    return l === undefined || l === '' ? undefined : l.replace(/\/+$/, '');
  }

  private db(ns: Namespace): string {
    if (ns.length !== 1 || ns[0] === '') {
      throw new FloeError(
        'config-invalid',
        `invalid namespace ${JSON.stringify(ns)}: a Glue database is one level (e.g. ["wrike_staging"])`,
      );
    }
    return ns[0]!;
  }

  private async send<T>(op: string, resource: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw glueError(e, op, resource);
    }
  }

  async createNamespace(ns: Namespace, properties: Record<string, string> = {}): Promise<void> {
    const name = this.db(ns);
    await this.send('CreateDatabase', `database ${name}`, () =>
      this.client.send(
        new CreateDatabaseCommand({
          ...this.catalogId,
          DatabaseInput: {
            Name: name,
            ...(properties.location ? { LocationUri: properties.location } : {}),
            Parameters: properties,
          },
        }),
      ),
    );
  }

  async namespaceExists(ns: Namespace): Promise<boolean> {
    if (ns.length !== 1) return false;
    try {
      await this.send('GetDatabase', `database ${ns[0]}`, () =>
        this.client.send(new GetDatabaseCommand({ ...this.catalogId, Name: ns[0]! })),
      );
      return true;
    } catch (e) {
      if (e instanceof FloeError && e.kind === 'not-found') return false;
      throw e;
    }
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    if (parent.length > 0) return [];
    const out: Namespace[] = [];
    let token: string | undefined;
    do {
      const r: GetDatabasesCommandOutput = await this.send('GetDatabases', 'the Data Catalog', () =>
        this.client.send(new GetDatabasesCommand({ ...this.catalogId, NextToken: token })),
      );
      for (const d of r.DatabaseList ?? []) if (d.Name) out.push([d.Name]);
      token = r.NextToken;
    } while (token);
    return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
  }

  async dropNamespace(ns: Namespace): Promise<void> {
    const name = this.db(ns);
    const tables = await this.listTables(ns);
    if (tables.length)
      throw new FloeError('config-invalid', `database ${name} is not empty (${tables.length} tables)`);
    await this.send('DeleteDatabase', `database ${name}`, () =>
      this.client.send(new DeleteDatabaseCommand({ ...this.catalogId, Name: name })),
    );
  }

  async namespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    const name = this.db(ns);
    const r = await this.send('GetDatabase', `database ${name}`, () =>
      this.client.send(new GetDatabaseCommand({ ...this.catalogId, Name: name })),
    );
    return {
      ...(r.Database?.Parameters ?? {}),
      ...(r.Database?.LocationUri ? { location: r.Database.LocationUri } : {}),
    };
  }

  async updateNamespaceProperties(
    ns: Namespace,
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    const name = this.db(ns);
    const r = await this.send('GetDatabase', `database ${name}`, () =>
      this.client.send(new GetDatabaseCommand({ ...this.catalogId, Name: name })),
    );
    const params = { ...(r.Database?.Parameters ?? {}), ...updates };
    for (const k of removals) delete params[k];
    await this.send('UpdateDatabase', `database ${name}`, () =>
      this.client.send(
        new UpdateDatabaseCommand({
          ...this.catalogId,
          Name: name,
          DatabaseInput: {
            Name: name,
            ...(r.Database?.LocationUri ? { LocationUri: r.Database.LocationUri } : {}),
            Parameters: params,
          },
        }),
      ),
    );
  }

  private async getTable(id: TableIdentifier): Promise<GlueTable | undefined> {
    const db = this.db(id.namespace);
    try {
      const r = await this.send('GetTable', `table ${db}.${id.name}`, () =>
        this.client.send(new GetTableCommand({ ...this.catalogId, DatabaseName: db, Name: id.name })),
      );
      return r.Table;
    } catch (e) {
      if (e instanceof FloeError && e.kind === 'not-found') return undefined;
      throw e;
    }
  }

  private async metadataFor(location: string, given?: TableMetadata): Promise<TableMetadata> {
    return given ?? readMetadata(this.io, location);
  }

  private tableInput(
    id: TableIdentifier,
    metadata: TableMetadata,
    metadataLocation: string,
    previous: string | undefined,
    existing?: GlueTable,
  ): TableInput {
    return {
      Name: id.name,
      TableType: 'EXTERNAL_TABLE',
      ...(existing?.Description ? { Description: existing.Description } : {}),
      ...(existing?.Owner ? { Owner: existing.Owner } : {}),
      Parameters: {
        ...(existing?.Parameters ?? {}),
        table_type: ICEBERG_TABLE_TYPE,
        metadata_location: metadataLocation,
        ...(previous ? { previous_metadata_location: previous } : {}),
      },
      StorageDescriptor: {
        ...(existing?.StorageDescriptor ?? {}),
        Location: metadata.location,
        Columns: glueColumns(metadata),
      },
    };
  }

  async registerTable(
    id: TableIdentifier,
    metadataLocation: string,
    metadata?: TableMetadata,
  ): Promise<void> {
    const db = this.db(id.namespace);
    const m = await this.metadataFor(metadataLocation, metadata);
    await this.send('CreateTable', `table ${db}.${id.name}`, () =>
      this.client.send(
        new CreateTableCommand({
          ...this.catalogId,
          DatabaseName: db,
          TableInput: this.tableInput(id, m, metadataLocation, undefined),
        }),
      ),
    );
  }

  /** The Glue table's metadata_location, or a clear error when it is not an Iceberg table. */
  private pointer(id: TableIdentifier, t: GlueTable): string {
    const params = t.Parameters ?? {};
    const type = params.table_type ?? '';
    const location = params.metadata_location;
    if (type.toUpperCase() !== ICEBERG_TABLE_TYPE || !location) {
      throw new FloeError(
        'config-invalid',
        `Glue table ${identifierString(id)} is not an Iceberg table (table_type=${type || 'absent'}${location ? '' : ', no metadata_location'}). Fix: point the config at another glueTable, or convert the table to Iceberg (Athena: CREATE TABLE … TBLPROPERTIES ('table_type'='ICEBERG'))`,
        { context: { table: identifierString(id) } },
      );
    }
    return location;
  }

  async loadTableMetadata(id: TableIdentifier): Promise<LoadedTable> {
    const t = await this.getTable(id);
    if (!t)
      throw new FloeError(
        'not-found',
        `table ${identifierString(id)} does not exist in the Glue Data Catalog`,
        {
          context: { table: identifierString(id) },
        },
      );
    const location = this.pointer(id, t);
    return {
      metadata: await readMetadata(this.io, location, identifierString(id)),
      metadataLocation: location,
    };
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    if (id.namespace.length !== 1) return false;
    return (await this.getTable(id)) !== undefined;
  }

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    const db = this.db(ns);
    const out: TableIdentifier[] = [];
    let token: string | undefined;
    do {
      const r: GetTablesCommandOutput = await this.send('GetTables', `database ${db}`, () =>
        this.client.send(new GetTablesCommand({ ...this.catalogId, DatabaseName: db, NextToken: token })),
      );
      for (const t of r.TableList ?? [])
        if (t.Name && (t.Parameters?.table_type ?? '').toUpperCase() === ICEBERG_TABLE_TYPE)
          out.push({ namespace: ns, name: t.Name });
      token = r.NextToken;
    } while (token);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async dropTable(id: TableIdentifier, opts: { purge?: boolean } = {}): Promise<void> {
    const db = this.db(id.namespace);
    let tableLocation: string | undefined;
    if (opts.purge) tableLocation = (await this.loadTableMetadata(id)).metadata.location;
    await this.send('DeleteTable', `table ${db}.${id.name}`, () =>
      this.client.send(new DeleteTableCommand({ ...this.catalogId, DatabaseName: db, Name: id.name })),
    );
    if (tableLocation) for (const f of await this.io.list(tableLocation)) await this.io.delete(f);
  }

  /** Glue cannot rename a table: the new one is created from the same metadata, then the old one dropped. */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const loaded = await this.loadTableMetadata(from);
    if (await this.tableExists(to))
      throw new FloeError('already-exists', `table ${identifierString(to)} already exists`);
    await this.registerTable(to, loaded.metadataLocation, loaded.metadata);
    await this.send('DeleteTable', `table ${identifierString(from)}`, () =>
      this.client.send(
        new DeleteTableCommand({ ...this.catalogId, DatabaseName: this.db(from.namespace), Name: from.name }),
      ),
    );
  }

  async swapMetadataLocation(
    id: TableIdentifier,
    baseLocation: string,
    newLocation: string,
    metadata?: TableMetadata,
  ): Promise<void> {
    const table = identifierString(id);
    const t = await this.getTable(id);
    if (!t)
      throw new FloeError('not-found', `table ${table} does not exist in the Glue Data Catalog`, {
        context: { table },
      });
    if (this.pointer(id, t) !== baseLocation) throw conflict(table, 'its metadata_location moved');
    await this.opts.beforeCommit?.(id);
    const m = await this.metadataFor(newLocation, metadata);
    await this.send('UpdateTable', `table ${table}`, () =>
      this.client.send(
        new UpdateTableCommand({
          ...this.catalogId,
          DatabaseName: this.db(id.namespace),
          ...(t.VersionId ? { VersionId: t.VersionId } : {}),
          // Java's and PyIceberg's default: the metadata files are the table's history.
          SkipArchive: true,
          TableInput: this.tableInput(id, m, newLocation, baseLocation, t),
        }),
      ),
    );
  }

  async close(): Promise<void> {}
}

function conflict(table: string, why: string, cause?: unknown): FloeError {
  return new FloeError('commit-conflict', `table ${table} was changed by another writer (${why})`, {
    context: { table },
    retryable: true,
    ...(cause ? { cause } : {}),
  });
}

const IAM_ACTION: Record<string, string> = {
  CreateDatabase: 'glue:CreateDatabase',
  GetDatabase: 'glue:GetDatabase',
  GetDatabases: 'glue:GetDatabases',
  DeleteDatabase: 'glue:DeleteDatabase',
  UpdateDatabase: 'glue:UpdateDatabase',
  GetTable: 'glue:GetTable',
  GetTables: 'glue:GetTables',
  CreateTable: 'glue:CreateTable',
  UpdateTable: 'glue:UpdateTable',
  DeleteTable: 'glue:DeleteTable',
};

/** A Glue failure as a FloeError naming the operation, the resource and the fix. */
export function glueError(e: unknown, op: string, resource: string): FloeError {
  if (e instanceof FloeError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  const context = { resource, status: err.$metadata?.httpStatusCode };
  switch (name) {
    case 'EntityNotFoundException':
      return new FloeError('not-found', `Glue ${op}: ${resource} does not exist`, { context, cause: e });
    case 'AlreadyExistsException':
      return new FloeError('already-exists', `Glue ${op}: ${resource} already exists`, { context, cause: e });
    case 'ConcurrentModificationException':
      return conflict(resource.replace(/^table /, ''), `Glue: ${err.message ?? name}`, e);
    case 'AccessDeniedException':
      return new FloeError(
        'io',
        `Glue refused ${op} on ${resource} (${err.message ?? name}). Fix: allow ${IAM_ACTION[op] ?? 'glue:*'} on the catalog, the database and the table in the job role's IAM policy (and Lake Formation permissions, if it governs them)`,
        { context, cause: e },
      );
    default:
      return new FloeError('io', `Glue ${op} on ${resource} failed: ${name}: ${err.message ?? String(e)}`, {
        context,
        cause: e,
      });
  }
}
