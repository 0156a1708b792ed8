// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders
/**
 * One AWS "account" on moto for a test: the seed's DynamoDB config and history tables, an S3
 * warehouse bucket, the Wrike token in Secrets Manager, a log group and a notifier Lambda name,
 * each with a unique name; the seed's example L1 item (typed JSON) pointed at the simulator; and
 * `run()` = the seed's Glue job parameters verbatim through `runJob`.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import { parseJobParams } from '../../src/config/job-params.js';
import { GlueCatalog } from '../../src/iceberg/catalog/glue.js';
import { S3FileIO } from '../../src/iceberg/io/s3.js';
import { type JobOptions, runJob } from '../../src/job/run-job.js';
import type { WrikeSimulator } from '../../src/sim/wrike/index.js';
import {
  awsEnv,
  createBucket,
  createConfigTable,
  createHistoryTable,
  createSecret,
  moto,
  putItem,
  s3,
  uniq,
} from './aws-moto.js';
import { l1Item } from './l1-project.js';

export const SEED_TOKEN_KEY = 'essmdatalake-cc-wrike-apicredentials-sm-test';

export interface AwsWorld {
  readonly endpoint: string;
  readonly configTable: string;
  readonly historyTable: string;
  readonly bucket: string;
  readonly warehouse: string;
  readonly database: string;
  readonly logGroup: string;
  readonly lambda: string;
  readonly tokenKey: string;
  readonly env: Record<string, string>;
  /** CloudWatch metrics namespace of this world's runs. */
  readonly metricsNamespace: string;
  /** The seed's L1 item for contacts (typed JSON) pointed at the simulator, as stored. */
  readonly contactsItem: Record<string, unknown>;
  /** The seed's job parameters (argv) for this world, plus `extra`. */
  argv(extra?: string[]): string[];
  run(extra?: string[], opts?: JobOptions): ReturnType<typeof runJob>;
  /** A Glue catalog over the warehouse, as a reader (no journal, no scope). */
  catalog(): GlueCatalog;
  /** An L1 item (plain JSON) of this world: table in the world's database and bucket. */
  item(sim: WrikeSimulator, opts: Parameters<typeof l1Item>[1]): Record<string, unknown>;
}

/** The seed's contacts item (test/fixtures/seed), typed, with url/table/history/location replaced. */
function seedContactsItem(
  sim: WrikeSimulator,
  w: { database: string; bucket: string; historyTable: string; tokenKey: string },
) {
  const item = JSON.parse(
    readFileSync(new URL('../fixtures/seed/wrike-contacts.l1.dynamodb.json', import.meta.url), 'utf8'),
  ) as { [k: string]: { M?: Record<string, { M?: Record<string, unknown>; S?: string }> } };
  const source = item.source!.M!;
  (source.request!.M!.url as { S: string }).S = `${sim.baseUrl}/contacts`;
  (source.auth!.M!.tokenKey as { S: string }).S = w.tokenKey;
  const dest = item.destination!.M!;
  (dest.glueDatabase as { S: string }).S = w.database;
  (dest.s3Location as { S: string }).S = `s3://${w.bucket}/wrike/test/iceberg-warehouse/contacts/`;
  (item.history!.M!.dynamoTable as { S: string }).S = w.historyTable;
  // The simulator answers fast; keep the seed's retry policy but with test-sized delays.
  return item as unknown as Record<string, unknown>;
}

export async function awsWorld(sim: WrikeSimulator, opts: { token?: string } = {}): Promise<AwsWorld> {
  const endpoint = await moto();
  const id = uniq('w');
  const configTable = `${id}-cc-wrike-config`;
  const historyTable = `${id}-cc-wrike-ingestionhistory`;
  const bucket = `${id}-customconnectors`;
  const database = `wrike_test_${id.slice(2)}`;
  const logGroup = `/floe/${id}/l1`;
  const lambda = `${id}-notifier`;
  const tokenKey = `${id}-${SEED_TOKEN_KEY}`;
  const warehouse = `s3://${bucket}/wrike/test/iceberg-warehouse/`;
  await createConfigTable(configTable);
  await createHistoryTable(historyTable);
  await createBucket(bucket);
  await createSecret(tokenKey, opts.token ?? sim.permanentToken ?? 'sim-permanent-token');
  const contactsItem = seedContactsItem(sim, { database, bucket, historyTable, tokenKey });
  await putItem(configTable, contactsItem, true);
  const env = {
    ...awsEnv(endpoint),
    CUSTOMER_ENVIRONMENT: 'test',
    CUSTOMER_NOTIFIER_LAMBDA: lambda,
    CUSTOMER_NOTIFICATION_TO: 'data-team@example.com, ops@example.com',
    // Metrics of one test, whatever other tests on the same moto publish.
    FLOE_METRICS_NAMESPACE: `floe-${id}`,
  };
  const customConfigs = JSON.stringify({
    'spark.sql.catalog.glue_catalog': 'org.apache.iceberg.spark.SparkCatalog',
    'spark.sql.catalog.glue_catalog.catalog-impl': 'org.apache.iceberg.aws.glue.GlueCatalog',
    'spark.sql.catalog.glue_catalog.io-impl': 'org.apache.iceberg.aws.s3.S3FileIO',
    'spark.sql.catalog.glue_catalog.warehouse': warehouse,
    'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
  });
  const argv = (extra: string[] = []) => [
    '--JOB_NAME',
    'essmdatalake-cc-wrike-job',
    '--SAAS_PLATFORM',
    'wrike',
    '--PROCESS_TYPE',
    'L1',
    '--CONFIG_TABLE',
    configTable,
    '--LOG_GROUP',
    logGroup,
    '--CUSTOM_CONFIGS',
    customConfigs,
    '--enable-glue-datacatalog',
    'true',
    ...extra,
  ];
  return {
    endpoint,
    configTable,
    historyTable,
    bucket,
    warehouse,
    database,
    logGroup,
    lambda,
    tokenKey,
    env,
    metricsNamespace: env.FLOE_METRICS_NAMESPACE,
    contactsItem,
    argv,
    run: (extra, o = {}) =>
      runJob(parseJobParams(argv(extra), env), {
        env,
        logStream: { write: () => true },
        now: () => sim.now(),
        ...o,
      }),
    catalog: () =>
      new GlueCatalog({
        client: new GlueClient({}),
        io: new S3FileIO({ client: s3(), tempDir: join(tmpdir(), 'floe-test-s3') }),
        warehouse,
      }),
    item: (simulator, o) => {
      const item = l1Item(simulator, o);
      const d = item.destination as Record<string, unknown>;
      d.glueDatabase = database;
      d.s3Location = `${warehouse}${o.table}`;
      item.history = { dynamoTable: historyTable };
      ((item.source as Record<string, unknown>).auth as Record<string, unknown>).tokenKey = tokenKey;
      return item;
    },
  };
}
