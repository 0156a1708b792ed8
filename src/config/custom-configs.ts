/**
 * CUSTOM_CONFIGS: the seed's JSON job parameter "containing Spark warehouse configuration". A Glue
 * user's value holds Spark catalog settings (`spark.sql.catalog.glue_catalog.warehouse`, …); floe
 * has no Spark, so the catalog settings are mapped to `{ catalogName, warehouse, catalogType, uri }`
 * and everything else is kept and reported as ignored. Plain keys (`warehouse`, `catalogName`,
 * `catalogType`, `uri`) are accepted too and win over Spark keys.
 */
import { FloeError } from '../errors.js';

export type CatalogType = 'glue' | 'sql' | 'rest' | 'hadoop' | 'hive' | 'nessie';

export interface CustomConfigs {
  /** Catalog name as Spark/PyIceberg know it (e.g. `glue_catalog`). */
  catalogName?: string;
  /** Warehouse root, e.g. `s3://bucket/warehouse/`. */
  warehouse?: string;
  catalogType?: CatalogType;
  /** REST/JDBC/Hive URI of the catalog. */
  uri?: string;
  /** The chosen catalog's other properties without their Spark prefix (`glue.id`, `jdbc.user`, `s3.endpoint`). */
  catalogProperties: Record<string, string>;
  /** Every key as given (nested objects flattened with dots), values as strings. */
  raw: Record<string, string>;
  /** Keys floe does not use. */
  ignored: string[];
  warnings: string[];
}

const IMPLS: Record<string, CatalogType> = {
  'org.apache.iceberg.aws.glue.GlueCatalog': 'glue',
  'org.apache.iceberg.jdbc.JdbcCatalog': 'sql',
  'org.apache.iceberg.rest.RESTCatalog': 'rest',
  'org.apache.iceberg.hadoop.HadoopCatalog': 'hadoop',
  'org.apache.iceberg.hive.HiveCatalog': 'hive',
  'org.apache.iceberg.nessie.NessieCatalog': 'nessie',
};

const TYPES: Record<string, CatalogType> = {
  glue: 'glue',
  jdbc: 'sql',
  sql: 'sql',
  sqlite: 'sql',
  rest: 'rest',
  hadoop: 'hadoop',
  hive: 'hive',
  nessie: 'nessie',
};

/** Plain keys a floe user may write instead of Spark keys. */
const PLAIN: Record<string, 'catalogName' | 'warehouse' | 'catalogType' | 'uri'> = {
  catalogname: 'catalogName',
  catalog_name: 'catalogName',
  catalog: 'catalogName',
  warehouse: 'warehouse',
  catalogtype: 'catalogType',
  catalog_type: 'catalogType',
  uri: 'uri',
};

const CATALOG_KEY = /^spark\.sql\.catalog\.([^.]+)(?:\.(.+))?$/;
const GLUE_HIVE_FACTORY = 'AWSGlueDataCatalogHiveClientFactory';

function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      flatten(v as Record<string, unknown>, key, out);
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function catalogType(value: string, warnings: string[], key: string): CatalogType | undefined {
  const t = IMPLS[value] ?? TYPES[value.trim().toLowerCase()];
  if (t === undefined) warnings.push(`${key}=${value}: unknown catalog implementation, ignored`);
  return t;
}

/** Maps a flat key → value map (Spark keys and/or plain keys). */
export function mapCustomConfigs(input: Record<string, unknown>): CustomConfigs {
  const raw = flatten(input);
  const warnings: string[] = [];
  const ignored: string[] = [];

  // Catalogs declared by spark.sql.catalog.<name>[.<prop>], with their properties.
  const catalogs = new Map<string, Map<string, string>>();
  for (const [key, value] of Object.entries(raw)) {
    const m = CATALOG_KEY.exec(key);
    if (!m) continue;
    const name = m[1]!;
    const props = catalogs.get(name) ?? new Map<string, string>();
    props.set(m[2] ?? '', value);
    catalogs.set(name, props);
  }
  const defaultCatalog = raw['spark.sql.defaultCatalog'];
  let chosen: string | undefined;
  if (defaultCatalog !== undefined && catalogs.has(defaultCatalog)) chosen = defaultCatalog;
  else if (catalogs.size === 1) chosen = [...catalogs.keys()][0];
  else if (catalogs.size > 1) {
    // Prefer a catalog that says where its warehouse is, then one that is not Spark's session catalog.
    const names = [...catalogs.keys()];
    chosen =
      names.find((n) => catalogs.get(n)?.has('warehouse')) ??
      names.find((n) => n !== 'spark_catalog') ??
      names[0];
    warnings.push(
      `CUSTOM_CONFIGS defines catalogs ${names.join(', ')}; using ${chosen} (set spark.sql.defaultCatalog to choose)`,
    );
  }

  const out: CustomConfigs = { catalogProperties: {}, raw, ignored, warnings };
  if (chosen !== undefined) {
    out.catalogName = chosen;
    for (const [prop, value] of catalogs.get(chosen) ?? []) {
      if (prop === '') continue; // the SparkCatalog class itself
      if (prop === 'warehouse') out.warehouse = value;
      else if (prop === 'uri') out.uri = value;
      else if (prop === 'catalog-impl' || prop === 'type') {
        out.catalogType =
          catalogType(value, warnings, `spark.sql.catalog.${chosen}.${prop}`) ?? out.catalogType;
      } else out.catalogProperties[prop] = value;
    }
    // Spark's session catalog backed by the Glue Data Catalog (Glue's `--enable-glue-datacatalog`).
    const factory = raw['spark.hadoop.hive.metastore.client.factory.class'] ?? '';
    if (
      (out.catalogType === undefined || out.catalogType === 'hive') &&
      factory.includes(GLUE_HIVE_FACTORY)
    ) {
      out.catalogType = 'glue';
    }
  } else if (defaultCatalog !== undefined) {
    out.catalogName = defaultCatalog;
  }

  for (const [key, value] of Object.entries(raw)) {
    const plain = PLAIN[key.toLowerCase()];
    if (plain !== undefined) {
      const v = plain === 'catalogType' ? catalogType(value, warnings, key) : value;
      if (v === undefined) continue;
      const before = out[plain];
      if (before !== undefined && before !== v)
        warnings.push(`${key}=${value} overrides ${before} from Spark settings`);
      (out as unknown as Record<string, string>)[plain] = v;
      continue;
    }
    const m = CATALOG_KEY.exec(key);
    if (m && m[1] === chosen) continue;
    if (key === 'spark.sql.defaultCatalog') continue;
    if (key === 'spark.hadoop.hive.metastore.client.factory.class' && out.catalogType === 'glue') continue;
    ignored.push(key);
  }
  if (ignored.length > 0) {
    warnings.push(`CUSTOM_CONFIGS: ignored (floe runs without Spark): ${ignored.join(', ')}`);
  }
  return out;
}

const EXAMPLE = `'{"spark.sql.catalog.glue_catalog.warehouse": "s3://bucket/warehouse/"}'`;

/** Parses the CUSTOM_CONFIGS JSON text; empty, `None` or absent means no settings. */
export function parseCustomConfigs(text: string | undefined): CustomConfigs {
  const t = text?.trim() ?? '';
  if (t === '' || t === 'None' || t === 'null' || t === '{}') return mapCustomConfigs({});
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (e) {
    throw new FloeError(
      'config-invalid',
      `CUSTOM_CONFIGS is not valid JSON: ${(e as Error).message} (fix: pass a JSON object, e.g. ${EXAMPLE})`,
      { context: { field: 'CUSTOM_CONFIGS' }, cause: e },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FloeError(
      'config-invalid',
      `CUSTOM_CONFIGS must be a JSON object of settings, got ${Array.isArray(value) ? 'a list' : typeof value} (fix: pass e.g. ${EXAMPLE})`,
      { context: { field: 'CUSTOM_CONFIGS' } },
    );
  }
  return mapCustomConfigs(value as Record<string, unknown>);
}

/**
 * Glue's `--conf` parameter: `spark.a=1 --conf spark.b=2` (Glue accepts one `--conf`, so users chain
 * more inside its value). Returns the settings as a key → value map.
 */
export function parseSparkConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/\s*--conf\s+/)) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}
