/**
 * Where a new table goes on AWS: the `destination.s3Location` of the config (L1 or L2) that
 * writes it, as the seed's Glue job placed its tables; without one, `<warehouse>/<db>/<table>`.
 * A location outside the warehouse is refused here with the config and the fix (the ScopedFileIO
 * wall would refuse the writes anyway, with less to go on).
 */
import { FloeError } from '../../errors.js';
import type { TableIdentifier } from '../../iceberg/catalog/catalog.js';
import { isInside } from '../../iceberg/io/location.js';
import type { DynamoConfigStore } from './dynamo-config-store.js';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function configTableLocations(configs: DynamoConfigStore, warehouse: string) {
  return async (id: TableIdentifier): Promise<string | undefined> => {
    const [db, name] = [id.namespace[0], id.name];
    for (const kind of ['L1', 'L2'] as const) {
      if (!(kind === 'L1' ? configs.tables.l1 : configs.tables.l2)) continue;
      for (const item of await configs.rawItems(kind)) {
        const d = obj(item.destination);
        if (!d) continue;
        const itemDb = d.namespace ?? d.glueDatabase;
        const itemTable = d.tableName ?? d.glueTable;
        const location = typeof d.s3Location === 'string' ? d.s3Location.trim().replace(/\/+$/, '') : '';
        if (itemDb !== db || itemTable !== name || location === '') continue;
        const normalized = location.replace(/^s3[an]:\/\//, 's3://');
        if (!isInside(normalized, warehouse))
          throw new FloeError(
            'config-invalid',
            `${kind} config ${String(item.configId)}: destination.s3Location ${location} is not inside the warehouse ${warehouse}, where floe may write. Fix: move the table under the warehouse, or set the warehouse (CUSTOM_CONFIGS spark.sql.catalog.<name>.warehouse) to a folder that holds it`,
            { context: { configId: String(item.configId), field: 'destination.s3Location' } },
          );
        return normalized;
      }
    }
    return undefined;
  };
}
