/** Job parameters: the seed's Glue arguments verbatim, friendly flags, env vars, CUSTOM_CONFIGS. */
import { describe, expect, it } from 'vitest';
import {
  assertAwsParams,
  missingAwsParams,
  parseCustomConfigs,
  parseJobParams,
} from '../../src/config/index.js';

const glueCustomConfigs = JSON.stringify({
  'spark.sql.catalog.glue_catalog': 'org.apache.iceberg.spark.SparkCatalog',
  'spark.sql.catalog.glue_catalog.warehouse': 's3://bucket/wrike/iceberg-warehouse/',
  'spark.sql.catalog.glue_catalog.catalog-impl': 'org.apache.iceberg.aws.glue.GlueCatalog',
  'spark.sql.catalog.glue_catalog.io-impl': 'org.apache.iceberg.aws.s3.S3FileIO',
  'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
});

describe('parseJobParams: Glue style', () => {
  it('parses the seed parameters verbatim, with Glue system arguments around them', () => {
    const p = parseJobParams(
      [
        '--JOB_ID',
        'j_123',
        '--JOB_RUN_ID',
        'jr_abc',
        '--job-bookmark-option',
        'job-bookmark-disable',
        '--TempDir',
        's3://tmp/',
        '--enable-metrics',
        '--SAAS_PLATFORM',
        'wrike',
        '--PROCESS_TYPE',
        'L1',
        '--CONFIG_ID',
        'Wrike_Contacts',
        '--LOAD_TYPE',
        'FULL',
        '--CUSTOM_CONFIGS',
        glueCustomConfigs,
        '--CONFIG_TABLE',
        'essmdatalake-cc-wrike-config-table-test',
        '--LOG_GROUP',
        '/aws-glue/wrike-l1',
        '--L2_CONFIG_TABLE',
        'l2-config',
        '--L2_HISTORY_TABLE',
        'l2-history',
        '--L2_LOG_GROUP',
        '/aws-glue/wrike-l2',
      ],
      {},
    );
    expect(p).toMatchObject({
      platform: 'wrike',
      processTypes: ['L1'],
      configId: 'Wrike_Contacts',
      loadType: 'FULL',
      configTable: 'essmdatalake-cc-wrike-config-table-test',
      logGroup: '/aws-glue/wrike-l1',
      l2ConfigTable: 'l2-config',
      l2HistoryTable: 'l2-history',
      l2LogGroup: '/aws-glue/wrike-l2',
      runId: 'jr_abc',
    });
    expect(p.customConfigs).toMatchObject({
      catalogName: 'glue_catalog',
      warehouse: 's3://bucket/wrike/iceberg-warehouse/',
      catalogType: 'glue',
      catalogProperties: { 'io-impl': 'org.apache.iceberg.aws.s3.S3FileIO' },
      ignored: ['spark.sql.extensions'],
    });
    expect(p.warnings).toEqual([expect.stringContaining('spark.sql.extensions')]);
    expect(missingAwsParams(p)).toEqual([]);
  });

  it('accepts --KEY=value', () => {
    const p = parseJobParams(
      ['--SAAS_PLATFORM=wrike', '--CONFIG_ID=Wrike_Tasks', '--LOAD_TYPE=incremental'],
      {},
    );
    expect([p.platform, p.configId, p.loadType]).toEqual(['wrike', 'Wrike_Tasks', 'INCREMENTAL']);
  });

  it('treats Glue placeholders ("", None) as absent', () => {
    const p = parseJobParams(['--CONFIG_ID', 'None', '--LOAD_TYPE=', '--PROCESS_TYPE', 'None'], {});
    expect(p.configId).toBeUndefined();
    expect(p.loadType).toBeUndefined();
    expect(p.processTypes).toEqual(['L1', 'L2']);
    expect(p.runId).toBe('manual_run');
  });

  it('reads Spark settings from Glue --conf too; CUSTOM_CONFIGS wins', () => {
    const p = parseJobParams(
      [
        '--conf',
        'spark.sql.catalog.lake.warehouse=s3://from-conf/ --conf spark.sql.catalog.lake.type=rest --conf spark.sql.catalog.lake.uri=http://rest:8181',
        '--CUSTOM_CONFIGS',
        '{"spark.sql.catalog.lake.warehouse": "s3://from-custom/"}',
      ],
      {},
    );
    expect(p.customConfigs).toMatchObject({
      catalogName: 'lake',
      warehouse: 's3://from-custom/',
      catalogType: 'rest',
      uri: 'http://rest:8181',
    });
  });
});

describe('parseJobParams: friendly flags and env', () => {
  it('accepts kebab-case flags', () => {
    const p = parseJobParams(
      [
        '--platform',
        'wrike',
        '--process-type',
        'staging',
        '--config-id',
        'Wrike_Tasks',
        '--load-type',
        'INCREMENTAL',
        '--custom-configs',
        '{"warehouse": "/srv/lake/wh", "catalogType": "sql"}',
        '--run-id',
        'r1',
        '--project',
        './demo',
      ],
      {},
    );
    expect(p).toMatchObject({
      platform: 'wrike',
      processTypes: ['L1'],
      configId: 'Wrike_Tasks',
      loadType: 'INCREMENTAL',
      runId: 'r1',
      project: './demo',
    });
    expect(p.customConfigs).toMatchObject({ warehouse: '/srv/lake/wh', catalogType: 'sql' });
  });

  it('reads the seed environment variables', () => {
    const p = parseJobParams([], {
      AWS_REGION: 'eu-west-1',
      CUSTOMER_ENVIRONMENT: 'prod',
      CUSTOMER_NOTIFIER_LAMBDA: 'notifier-fn',
      CUSTOMER_NOTIFICATION_TO: 'a@x.com, b@x.com,,',
    });
    expect(p).toMatchObject({
      region: 'eu-west-1',
      customerEnvironment: 'prod',
      notifierLambda: 'notifier-fn',
      notificationTo: ['a@x.com', 'b@x.com'],
    });
    expect(parseJobParams([], { AWS_DEFAULT_REGION: 'us-east-2' }).region).toBe('us-east-2');
    expect(parseJobParams([], {}).notificationTo).toEqual([]);
  });

  it.each([
    ['L1', ['L1']],
    ['l1', ['L1']],
    ['staging', ['L1']],
    ['STAGING', ['L1']],
    ['L2', ['L2']],
    ['processing', ['L2']],
    ['Processing', ['L2']],
    ['both', ['L1', 'L2']],
    ['BOTH', ['L1', 'L2']],
    ['None', ['L1', 'L2']],
    [undefined, ['L1', 'L2']],
  ])('PROCESS_TYPE %s → %j', (value, expected) => {
    const argv = value === undefined ? [] : ['--PROCESS_TYPE', value];
    expect(parseJobParams(argv, {}).processTypes).toEqual(expected);
  });
});

describe('parseJobParams: errors', () => {
  it('unknown parameters get "did you mean"', () => {
    expect(() => parseJobParams(['--CONFIGID', 'x'], {})).toThrow(
      'unknown job parameter --CONFIGID (did you mean --CONFIG_ID?)',
    );
    expect(() => parseJobParams(['--paltform', 'wrike'], {})).toThrow('(did you mean --platform?)');
  });

  it('bad values get the accepted values and a suggestion', () => {
    expect(() => parseJobParams(['--PROCESS_TYPE', 'staeging'], {})).toThrow(
      /PROCESS_TYPE: expected one of .* got "staeging" \(fix: did you mean staging\?\)/,
    );
    expect(() => parseJobParams(['--LOAD_TYPE', 'FUL'], {})).toThrow(/LOAD_TYPE: .*did you mean FULL\?/);
  });

  it('reports every problem at once', () => {
    try {
      parseJobParams(
        ['stray', '--CONFIG_ID', '--LOAD_TYPE', 'X', '--SAAS_PLATFORM', 'a', '--platform', 'b'],
        {},
      );
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/^4 job parameter problems:/);
      expect(msg).toContain('unexpected argument "stray"');
      expect(msg).toContain('--CONFIG_ID needs a value');
      expect(msg).toContain('SAAS_PLATFORM given twice');
      expect(msg).toContain('LOAD_TYPE: expected one of FULL | INCREMENTAL');
    }
  });

  it('malformed CUSTOM_CONFIGS is a clear error', () => {
    expect(() => parseJobParams(['--CUSTOM_CONFIGS', '{"spark.sql.catalog.x.warehouse": '], {})).toThrow(
      /CUSTOM_CONFIGS is not valid JSON: .* \(fix: pass a JSON object/,
    );
    expect(() => parseJobParams(['--CUSTOM_CONFIGS', '["a"]'], {})).toThrow(
      'CUSTOM_CONFIGS must be a JSON object',
    );
  });

  it('assertAwsParams names the missing Glue parameters per layer', () => {
    const p = parseJobParams(['--PROCESS_TYPE', 'L2', '--SAAS_PLATFORM', 'wrike'], {});
    expect(missingAwsParams(p)).toEqual(['L2_CONFIG_TABLE', 'L2_HISTORY_TABLE', 'L2_LOG_GROUP']);
    expect(() => assertAwsParams(p)).toThrow(/missing job parameters for L2 on AWS: L2_CONFIG_TABLE/);
  });
});

describe('CUSTOM_CONFIGS', () => {
  it.each([
    ['org.apache.iceberg.aws.glue.GlueCatalog', 'glue'],
    ['org.apache.iceberg.jdbc.JdbcCatalog', 'sql'],
    ['org.apache.iceberg.rest.RESTCatalog', 'rest'],
  ])('catalog-impl %s → %s', (impl, type) => {
    const c = parseCustomConfigs(JSON.stringify({ 'spark.sql.catalog.c.catalog-impl': impl }));
    expect(c.catalogType).toBe(type);
    expect(c.catalogName).toBe('c');
  });

  it('uses spark.sql.defaultCatalog to choose among catalogs; the others are ignored', () => {
    const c = parseCustomConfigs(
      JSON.stringify({
        'spark.sql.catalog.a.warehouse': 's3://a/',
        'spark.sql.catalog.b.warehouse': 's3://b/',
        'spark.sql.catalog.b.type': 'jdbc',
        'spark.sql.catalog.b.uri': 'jdbc:postgresql://db/cat',
        'spark.sql.catalog.b.jdbc.user': 'floe',
        'spark.sql.defaultCatalog': 'b',
      }),
    );
    expect(c).toMatchObject({
      catalogName: 'b',
      warehouse: 's3://b/',
      catalogType: 'sql',
      uri: 'jdbc:postgresql://db/cat',
      catalogProperties: { 'jdbc.user': 'floe' },
      ignored: ['spark.sql.catalog.a.warehouse'],
    });
  });

  it('warns when several catalogs are defined without a default', () => {
    const c = parseCustomConfigs(
      JSON.stringify({
        'spark.sql.catalog.spark_catalog.type': 'hive',
        'spark.sql.catalog.glue.warehouse': 's3://w/',
      }),
    );
    expect(c.catalogName).toBe('glue');
    expect(c.warnings[0]).toMatch(/defines catalogs spark_catalog, glue; using glue/);
  });

  it('maps the Glue Data Catalog session catalog to glue', () => {
    const c = parseCustomConfigs(
      JSON.stringify({
        'spark.sql.catalog.spark_catalog': 'org.apache.iceberg.spark.SparkSessionCatalog',
        'spark.sql.catalog.spark_catalog.warehouse': 's3://w/',
        'spark.hadoop.hive.metastore.client.factory.class':
          'com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory',
      }),
    );
    expect(c).toMatchObject({
      catalogName: 'spark_catalog',
      catalogType: 'glue',
      warehouse: 's3://w/',
      ignored: [],
    });
  });

  it('plain keys, nested objects and empty values', () => {
    expect(
      parseCustomConfigs('{"warehouse": "s3://w/", "catalog_name": "lake", "uri": "http://r"}'),
    ).toMatchObject({
      warehouse: 's3://w/',
      catalogName: 'lake',
      uri: 'http://r',
    });
    const nested = parseCustomConfigs('{"spark": {"sql": {"catalog": {"n": {"warehouse": "s3://n/"}}}}}');
    expect(nested).toMatchObject({ catalogName: 'n', warehouse: 's3://n/' });
    expect(parseCustomConfigs(undefined)).toMatchObject({ warnings: [], ignored: [] });
    expect(parseCustomConfigs('None').catalogName).toBeUndefined();
  });

  it('unknown keys are kept in raw and reported as ignored', () => {
    const c = parseCustomConfigs('{"spark.executor.memory": "4g", "foo": 1}');
    expect(c.raw).toEqual({ 'spark.executor.memory': '4g', foo: '1' });
    expect(c.ignored).toEqual(['spark.executor.memory', 'foo']);
    expect(c.warnings).toEqual([expect.stringContaining('spark.executor.memory, foo')]);
  });
});
