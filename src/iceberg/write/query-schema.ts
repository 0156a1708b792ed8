/**
 * The Iceberg schema of a DuckDB query's result: what a table must look like to hold the rows
 * (L2 parser output, bulk loads). DuckDB types map to the Iceberg type that holds every value
 * exactly: small and unsigned integers widen (UBIGINT and HUGEINT to decimal), every timestamp
 * precision is stored in microseconds, enums and UUIDs as strings (see reference notes: Spark and
 * PyIceberg read UUID columns unreliably). Types with no Iceberg equivalent (INTERVAL, TIME WITH
 * TIME ZONE, UNION, BIT, …) are an error naming the column and the cast to write instead.
 */
import {
  type DuckDBArrayType,
  type DuckDBDecimalType,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import type { Duck } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import type { FieldInput, TypeInput } from '../spec/schema.js';

/** The columns of `selectSql`'s result as Iceberg fields (the query is bound, not run). */
export async function queryFields(duck: Duck, selectSql: string): Promise<FieldInput[]> {
  const r = await duck.connection.run(`SELECT * FROM (${selectSql}) LIMIT 0`);
  const names = r.columnNames();
  const types = r.columnTypes();
  return names.map((name, i) => ({ name, type: icebergTypeOf(types[i]!, name), required: false }));
}

/** The Iceberg type holding every value of a DuckDB type; `column` names it in errors. */
export function icebergTypeOf(t: DuckDBType, column: string): TypeInput {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return 'long';
    case DuckDBTypeId.UBIGINT:
      return 'decimal(20, 0)';
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'decimal(38, 0)';
    case DuckDBTypeId.FLOAT:
      return 'float';
    case DuckDBTypeId.DOUBLE:
      return 'double';
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return `decimal(${d.width}, ${d.scale})`;
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID:
    // A NULL literal (`SELECT NULL AS x`) has no type yet; a string column holds it.
    case DuckDBTypeId.SQLNULL:
      return 'string';
    case DuckDBTypeId.BLOB:
      return 'binary';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIME:
      return 'time';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamptz';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return {
        type: 'list',
        element: icebergTypeOf((t as DuckDBListType | DuckDBArrayType).valueType, `${column}.element`),
      };
    case DuckDBTypeId.STRUCT: {
      const s = t as DuckDBStructType;
      return {
        type: 'struct',
        fields: s.entryNames.map((name, i) => ({
          name,
          type: icebergTypeOf(s.entryTypes[i]!, `${column}.${name}`),
          required: false,
        })),
      };
    }
    case DuckDBTypeId.MAP: {
      const m = t as DuckDBMapType;
      return {
        type: 'map',
        key: icebergTypeOf(m.keyType, `${column}.key`),
        value: icebergTypeOf(m.valueType, `${column}.value`),
      };
    }
    default:
      throw new FloeError(
        'data-invalid',
        `column "${column}" has DuckDB type ${t.toString()}, which no Iceberg type holds; cast it in the query (e.g. to VARCHAR, or an INTERVAL to its seconds as DOUBLE)`,
        { context: { column } },
      );
  }
}
