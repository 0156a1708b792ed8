/**
 * The AWS SDK v3 clients of one job, built once with standard AWS behaviour: the default
 * credential chain, `AWS_REGION`, `AWS_ENDPOINT_URL` and the per-service `AWS_ENDPOINT_URL_<SERVICE>`
 * variables (read by the SDK itself), and each client's own retry mode (`AWS_RETRY_MODE`,
 * `AWS_MAX_ATTEMPTS`). S3 uses path-style addressing when an endpoint is configured, since
 * S3-compatible endpoints (moto, MinIO, LocalStack) rarely serve virtual-hosted buckets.
 * Tests pass `wrap` to inject faults into a real client where moto cannot produce them.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly secrets: SecretsManagerClient;
  readonly logs: CloudWatchLogsClient;
  readonly metrics: CloudWatchClient;
  readonly lambda: LambdaClient;
  destroy(): void;
}

export interface AwsClientOptions {
  /** AWS_REGION from the job (else the SDK's own chain: AWS_REGION, profile, IMDS). */
  readonly region?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Replaces individual clients (tests wrap real clients to inject faults). */
  readonly override?: Partial<Omit<AwsClients, 'destroy'>>;
}

export function createAwsClients(opts: AwsClientOptions = {}): AwsClients {
  const env = opts.env ?? process.env;
  const base = opts.region ? { region: opts.region } : {};
  const s3Endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const o = opts.override ?? {};
  const clients = {
    dynamodb: o.dynamodb ?? new DynamoDBClient(base),
    s3: o.s3 ?? new S3Client({ ...base, ...(s3Endpoint ? { forcePathStyle: true } : {}) }),
    glue: o.glue ?? new GlueClient(base),
    secrets: o.secrets ?? new SecretsManagerClient(base),
    logs: o.logs ?? new CloudWatchLogsClient(base),
    metrics: o.metrics ?? new CloudWatchClient(base),
    lambda: o.lambda ?? new LambdaClient(base),
  };
  return {
    ...clients,
    destroy() {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}
