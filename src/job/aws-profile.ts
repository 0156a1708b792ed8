/**
 * The AWS profile: the seed's environment. Configs and run state in the DynamoDB config tables
 * (CONFIG_TABLE, L2_CONFIG_TABLE), history in each L1 config's `history.dynamoTable` and in
 * L2_HISTORY_TABLE, secrets in Secrets Manager, logs in CloudWatch Logs (LOG_GROUP or
 * L2_LOG_GROUP) beside the console, metrics in CloudWatch, notifications through
 * CUSTOMER_NOTIFIER_LAMBDA, tables in S3 under the warehouse of CUSTOM_CONFIGS, registered in the
 * Glue Data Catalog.
 *
 * Runs of different configs may run at once on many hosts (a Step Functions Map), so there is no
 * run-wide lock: each config is locked while it runs (a lease in its item, dynamo-config-lock.ts).
 * The run works in a local scratch folder; files it writes to S3 are journaled locally and in S3
 * (run-journal.ts), and a run that takes over the lease of a run that died removes the files that
 * run wrote but never committed. The same walls as locally: nothing is written outside the
 * warehouse (ScopedFileIO), whatever a name, a location or a metadata file says.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobParams } from '../config/index.js';
import { assertAwsParams } from '../config/job-params.js';
import { setScratchDir } from '../duck/session.js';
import { FloeError } from '../errors.js';
import type { Catalog, Namespace } from '../iceberg/catalog/catalog.js';
import { GlueCatalog } from '../iceberg/catalog/glue.js';
import { JournalingFileIO } from '../iceberg/io/journal.js';
import { S3FileIO } from '../iceberg/io/s3.js';
import { ScopedFileIO } from '../iceberg/io/scoped.js';
import { removeUncommittedFiles } from '../iceberg/maintenance/uncommitted.js';
import { type AwsClients, createAwsClients } from '../runtime/aws/clients.js';
import { CloudWatchLogSink, logStreamName } from '../runtime/aws/cloudwatch-log-sink.js';
import { CloudWatchMetricsReporter, DEFAULT_METRICS_NAMESPACE } from '../runtime/aws/cloudwatch-metrics.js';
import { DynamoConfigLocks } from '../runtime/aws/dynamo-config-lock.js';
import { DynamoConfigStore } from '../runtime/aws/dynamo-config-store.js';
import { DynamoHistoryStore } from '../runtime/aws/dynamo-history-store.js';
import { DynamoStateStore } from '../runtime/aws/dynamo-state-store.js';
import { LambdaNotifier } from '../runtime/aws/lambda-notifier.js';
import { DurablyJournaledFileIO, S3RunJournal } from '../runtime/aws/run-journal.js';
import { SecretsManagerStore } from '../runtime/aws/secrets-manager-store.js';
import { configTableLocations } from '../runtime/aws/table-locations.js';

export { wantsAwsProfile } from './profile-choice.js';

import { consoleSink, type TextStream } from '../runtime/local/console-logger.js';
import { MultiNotifier } from '../runtime/local/file-notifier.js';
import type { Logger, LogLevel } from '../runtime/ports/logger.js';
import type { Notifier } from '../runtime/ports/notifier.js';
import { createLogger, teeSink } from '../runtime/structured-logger.js';
import type { JobProfile } from './profile.js';

export interface AwsProfileOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly logStream?: TextStream;
  /** Wait this long for another run holding a config (default: fail at once). */
  readonly waitForLockMs?: number;
  /** Lease length of per-config locks (default 60 s). */
  readonly leaseMs?: number;
  /** Replaces SDK clients (tests wrap real clients to inject faults moto cannot produce). */
  readonly clients?: Partial<Omit<AwsClients, 'destroy'>>;
  /** Clock for the log stream name. */
  readonly now?: () => Date;
}

/** The warehouse root in CUSTOM_CONFIGS (the Spark catalog's `warehouse`), as `s3://…`. */
function warehouseOf(params: JobParams): string {
  const cc = params.customConfigs;
  if (cc.catalogType !== undefined && cc.catalogType !== 'glue')
    throw new FloeError(
      'config-invalid',
      `CUSTOM_CONFIGS chooses a ${cc.catalogType} catalog, but floe's AWS profile writes to the Glue Data Catalog. Fix: use catalog-impl org.apache.iceberg.aws.glue.GlueCatalog (or catalogType glue)`,
      { context: { field: 'CUSTOM_CONFIGS' } },
    );
  const w = cc.warehouse?.trim();
  if (!w || !/^s3[an]?:\/\/[^/]+/.test(w))
    throw new FloeError(
      'config-invalid',
      `CUSTOM_CONFIGS ${w ? `has the warehouse ${w}, which is not an S3 location` : 'names no warehouse'}: on AWS, tables live under an S3 warehouse. Fix: pass --CUSTOM_CONFIGS '{"spark.sql.catalog.glue_catalog":"org.apache.iceberg.spark.SparkCatalog","spark.sql.catalog.glue_catalog.catalog-impl":"org.apache.iceberg.aws.glue.GlueCatalog","spark.sql.catalog.glue_catalog.warehouse":"s3://<bucket>/<prefix>/"}'`,
      { context: { field: 'CUSTOM_CONFIGS' } },
    );
  return w.replace(/^s3[an]:\/\//, 's3://').replace(/\/+$/, '');
}

export async function openAwsProfile(
  params: JobParams,
  runId: string,
  opts: AwsProfileOptions = {},
): Promise<JobProfile> {
  const env = opts.env ?? process.env;
  assertAwsParams(params);
  const warehouse = warehouseOf(params);
  const clients = createAwsClients({
    ...(params.region ? { region: params.region } : {}),
    env,
    ...(opts.clients ? { override: opts.clients } : {}),
  });

  // The SDK resolves the region itself (AWS_REGION, the profile, the container); say so when none.
  const region = await clients.secrets.config.region().catch(() => undefined);
  if (!region) {
    clients.destroy();
    throw new FloeError(
      'config-invalid',
      'no AWS region: set AWS_REGION (or a region in the AWS profile floe runs with), e.g. AWS_REGION=us-east-1',
      { context: { field: 'AWS_REGION' } },
    );
  }

  // Logs: console (always) + CloudWatch, in the seed's group and stream.
  const console = consoleSink({ ...(opts.logStream ? { stream: opts.logStream } : {}), format: 'json' });
  const group = params.processTypes.includes('L1') ? params.logGroup! : params.l2LogGroup!;
  const stream = logStreamName(params.runId, (opts.now ?? (() => new Date()))());
  const cloudwatch = new CloudWatchLogSink({
    client: clients.logs,
    group,
    stream,
    warn: (message) =>
      console.write({ time: new Date().toISOString(), level: 'warn', msg: message, fields: { runId } }),
  });
  const level = (env.FLOE_LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  const logger: Logger = createLogger(teeSink(console, cloudwatch), { level, fields: { runId } });

  const configs = new DynamoConfigStore(clients.dynamodb, {
    l1: params.configTable,
    l2: params.l2ConfigTable,
  });
  const state = new DynamoStateStore(clients.dynamodb, configs);
  const historyTableOf = async (configId: string) => {
    const item = await configs.rawItem('L1', configId).catch(() => undefined);
    const h = (item?.history as { dynamoTable?: unknown } | undefined)?.dynamoTable;
    return typeof h === 'string' && h.trim() !== '' ? h.trim() : undefined;
  };
  const history = new DynamoHistoryStore(
    clients.dynamodb,
    historyTableOf,
    async () =>
      (await configs.rawItems('L1'))
        .map((i) => (i.history as { dynamoTable?: unknown } | undefined)?.dynamoTable)
        .filter((t): t is string => typeof t === 'string' && t.trim() !== ''),
    "the L1 item's history.dynamoTable",
  );
  const l2HistoryTable = params.l2HistoryTable;
  const l2History = new DynamoHistoryStore(
    clients.dynamodb,
    async () => l2HistoryTable,
    async () => (l2HistoryTable ? [l2HistoryTable] : []),
    'L2_HISTORY_TABLE',
  );
  const secrets = new SecretsManagerStore(clients.secrets, region);

  // Tables: S3 under the warehouse, in Glue; journaled locally and in S3, scoped to the warehouse.
  const scratchDir = join(env.FLOE_SCRATCH_DIR?.trim() || tmpdir(), `floe-${runId}`);
  mkdirSync(scratchDir, { recursive: true });
  setScratchDir(scratchDir);
  const s3 = new S3FileIO({ client: clients.s3, tempDir: join(scratchDir, 's3') });
  const journal = new S3RunJournal(s3, `${warehouse}/_floe/journal`);
  const io = new ScopedFileIO(
    new JournalingFileIO(new DurablyJournaledFileIO(s3, journal, runId), join(scratchDir, 'written.log')),
    warehouse,
  );
  const catalogId = params.customConfigs.catalogProperties['glue.id'];
  const catalog = new GlueCatalog({
    client: clients.glue,
    io,
    warehouse,
    ...(params.customConfigs.catalogName ? { name: params.customConfigs.catalogName } : {}),
    ...(catalogId ? { catalogId } : {}),
    tableLocation: configTableLocations(configs, warehouse),
    // A run that lost a config's lease (frozen past it, taken over) must not commit any more.
    beforeCommit: () => locks.assertHeld(),
  });

  const leaseMs = opts.leaseMs ?? (Number(env.FLOE_CONFIG_LEASE_SECONDS) * 1000 || undefined);
  const locks = new DynamoConfigLocks(clients.dynamodb, configs, runId, {
    ...(leaseMs ? { leaseMs } : {}),
    ...(opts.waitForLockMs ? { waitMs: opts.waitForLockMs } : {}),
    logger,
    onTakeover: async (dead) => {
      // That run is gone: remove what it wrote but never committed, then its notes.
      const written = await journal.written(dead.runId);
      const { removed } = await removeUncommittedFiles(configDatabasesOnly(catalog, configs), written);
      if (removed.length)
        logger.info(
          `removed ${removed.length} file(s) that run ${dead.runId} wrote but never committed (it died)`,
          {
            run: dead.runId,
            files: removed.length,
          },
        );
      await journal.remove(dead.runId);
    },
  });

  const notifiers: Notifier[] = [
    new CloudWatchMetricsReporter(
      clients.metrics,
      env.FLOE_METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE,
      logger,
    ),
  ];
  if (params.notifierLambda) {
    notifiers.push(
      new LambdaNotifier({
        client: clients.lambda,
        functionName: params.notifierLambda,
        logger,
        jobRunId: params.runId,
        rules: async (r) => {
          const item = await configs.rawItem(r.processType, r.configId);
          const n = item?.notifications as { onSuccess?: unknown; onFailure?: unknown } | undefined;
          if (!item) return undefined;
          return { onSuccess: n?.onSuccess === true, onFailure: n?.onFailure !== false };
        },
      }),
    );
  } else logger.info('CUSTOMER_NOTIFIER_LAMBDA is not set: run notifications are not sent');

  let closed = false;
  return {
    name: 'aws',
    configs,
    state,
    history,
    l2History,
    secrets,
    catalog,
    logger,
    notifier: new MultiNotifier(notifiers, logger),
    environment: params.customerEnvironment ?? 'aws',
    recipients: params.notificationTo,
    parallelism: Math.max(1, Number(env.FLOE_PARALLELISM) || 4),
    scratchDir,
    lockConfig: async (kind, configId) => {
      const lease = await locks.acquire(kind, configId);
      return { release: () => lease.release() };
    },
    async close() {
      if (closed) return;
      closed = true;
      await catalog.close();
      // Everything this run wrote is committed or was removed when its commit failed.
      await journal
        .remove(runId)
        .catch((e) => logger.warn(`could not remove this run's S3 journal: ${String(e)}`));
      rmSync(scratchDir, { recursive: true, force: true });
      setScratchDir(undefined);
      await cloudwatch.close();
      clients.destroy();
    },
  };
}

/**
 * The catalog as dead-run cleanup sees it: only the Glue databases the configs write to, so it
 * reads the few tables floe owns instead of every table of the account.
 */
function configDatabasesOnly(catalog: Catalog, configs: DynamoConfigStore): Catalog {
  const databases = async (): Promise<Namespace[]> => {
    const names = new Set<string>();
    for (const kind of ['L1', 'L2'] as const) {
      if (!(kind === 'L1' ? configs.tables.l1 : configs.tables.l2)) continue;
      for (const item of await configs.rawItems(kind)) {
        const d = item.destination as { glueDatabase?: unknown; namespace?: unknown } | undefined;
        const db = d?.namespace ?? d?.glueDatabase;
        if (typeof db === 'string' && db !== '') names.add(db);
      }
    }
    const existing = await Promise.all(
      [...names].map(async (n) => ((await catalog.namespaceExists([n])) ? [n] : [])),
    );
    return existing.filter((n) => n.length > 0).map((n) => [n[0]!]);
  };
  return Object.assign(Object.create(catalog) as Catalog, {
    listNamespaces: async (parent: Namespace = []) => (parent.length ? [] : databases()),
  });
}
