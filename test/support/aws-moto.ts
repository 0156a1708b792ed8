/**
 * moto server for the AWS tests: the one `npm test` starts (FLOE_MOTO_ENDPOINT, scripts/moto.sh),
 * or, when a test file runs alone, one started here on a free loopback port and stopped at exit.
 * Tests share one server, so every test names its resources with a unique prefix (`uniq`).
 * The SDK reads the endpoint, region and credentials from the environment, as in production.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { marshall } from '@aws-sdk/util-dynamodb';

export const REGION = 'us-east-1';
let started: { endpoint: string; proc?: ChildProcess } | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The moto endpoint; also points this process's AWS SDK at it (env vars, as in production). */
export async function moto(): Promise<string> {
  if (!started) {
    let endpoint = process.env.FLOE_MOTO_ENDPOINT;
    let proc: ChildProcess | undefined;
    if (!endpoint) {
      const python = process.env.FLOE_PYTHON ?? join(process.cwd(), '.cache', 'venv', 'bin', 'python');
      const port = await freePort();
      proc = spawn(join(python, '..', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
      });
      process.on('exit', () => proc?.kill());
      endpoint = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
        } catch {
          // not up yet
        }
        if (i > 150) throw new Error(`moto_server did not start (${python}); run scripts/setup-python.sh`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    started = { endpoint, ...(proc ? { proc } : {}) };
    Object.assign(process.env, awsEnv(endpoint));
    // Lambda without Docker: Invoke echoes the payload (see the test-tooling notes).
    await fetch(`${endpoint}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ lambda: { use_docker: false } }),
    });
  }
  return started.endpoint;
}

/** The environment a floe process needs to talk to moto. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A name unique to this test (moto is shared by every test file). */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const ddb = () => new DynamoDBClient({});
export const s3 = () => new S3Client({ forcePathStyle: true });

export async function createConfigTable(name: string): Promise<void> {
  await ddb().send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'configId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'configId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** The seed's history table: configId + loadTimestamp. */
export async function createHistoryTable(name: string): Promise<void> {
  await ddb().send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'configId', KeyType: 'HASH' },
        { AttributeName: 'loadTimestamp', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'configId', AttributeType: 'S' },
        { AttributeName: 'loadTimestamp', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Puts an item given in plain JSON or the seed's typed JSON. */
export async function putItem(table: string, item: Record<string, unknown>, typed = false): Promise<void> {
  await ddb().send(
    new PutItemCommand({
      TableName: table,
      Item: (typed ? item : marshall(item, { removeUndefinedValues: true })) as never,
    }),
  );
}

export async function createBucket(name: string): Promise<void> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
}

export async function createSecret(name: string, value: string): Promise<void> {
  await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: name, SecretString: value }));
}
