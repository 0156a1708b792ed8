/** Table-level entry points over any Catalog. */

import { isFloeError } from '../errors.js';
import {
  type Catalog,
  type CreateTableOptions,
  parseIdentifier,
  type TableIdentifier,
} from './catalog/catalog.js';
import { createTableMetadata } from './catalog/metastore.js';
import { Table } from './table.js';

export async function createTable(
  catalog: Catalog,
  id: string | TableIdentifier,
  opts: CreateTableOptions,
): Promise<Table> {
  const ident = parseIdentifier(id);
  return new Table(catalog, ident, await createTableMetadata(catalog, ident, opts));
}

export async function loadTable(catalog: Catalog, id: string | TableIdentifier): Promise<Table> {
  const ident = parseIdentifier(id);
  return new Table(catalog, ident, await catalog.loadTableMetadata(ident));
}

/** Loads the table, creating it (and its namespace) first if it does not exist. */
export async function loadOrCreateTable(
  catalog: Catalog,
  id: string | TableIdentifier,
  opts: CreateTableOptions,
): Promise<Table> {
  const ident = parseIdentifier(id);
  if (await catalog.tableExists(ident)) return loadTable(catalog, ident);
  if (!(await catalog.namespaceExists(ident.namespace))) {
    try {
      await catalog.createNamespace(ident.namespace);
    } catch (e) {
      if (!(await catalog.namespaceExists(ident.namespace))) throw e;
    }
  }
  try {
    return await createTable(catalog, ident, opts);
  } catch (e) {
    // Another writer created it between our check and our create: use theirs.
    if (isFloeError(e, 'already-exists') && (await catalog.tableExists(ident)))
      return loadTable(catalog, ident);
    throw e;
  }
}
