/**
 * The AWS adapters' pure parts: which profile a job gets, the seed's log stream name, Glue column
 * types as Athena reads them, run state read from seed-shaped items, metric data, the
 * notification payload's size limit, S3 URIs and error translation, the warehouse check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { glueColumns, glueType } from '../../src/iceberg/catalog/glue-columns.js';
import { parseS3Uri, s3Error } from '../../src/iceberg/io/s3.js';
import { newTableMetadata, withSchema } from '../../src/iceberg/spec/metadata.js';
import { unpartitionedSpec } from '../../src/iceberg/spec/partition.js';
import { buildSchema } from '../../src/iceberg/spec/schema.js';
import { openAwsProfile, wantsAwsProfile } from '../../src/job/aws-profile.js';
import { logStreamName } from '../../src/runtime/aws/cloudwatch-log-sink.js';
import { runMetrics } from '../../src/runtime/aws/cloudwatch-metrics.js';
import { stateFromItem } from '../../src/runtime/aws/dynamo-state-store.js';
import { MAX_PAYLOAD_BYTES, notificationPayload } from '../../src/runtime/aws/notification-payload.js';
import type { RunReport } from '../../src/runtime/ports/notifier.js';

const params = (argv: string[]) => parseJobParams(argv, {});

describe('profile choice', () => {
  it('the seed’s table parameters, --PROFILE aws or floe.yaml profile: aws mean AWS; otherwise local', () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-profile-'));
    writeFileSync(join(dir, 'floe.yaml'), 'environment: test\n');
    expect(wantsAwsProfile(params(['--CONFIG_TABLE', 't']), {})).toBe(true);
    expect(wantsAwsProfile(params(['--L2_CONFIG_TABLE', 't']), {})).toBe(true);
    expect(wantsAwsProfile(params(['--PROFILE', 'aws', '--project', dir]), {})).toBe(true);
    expect(wantsAwsProfile(params(['--project', dir]), { FLOE_PROFILE: 'aws' })).toBe(true);
    expect(wantsAwsProfile(params(['--project', dir]), {})).toBe(false);
    expect(wantsAwsProfile(params(['--CONFIG_TABLE', 't', '--PROFILE', 'local']), {})).toBe(false);
    writeFileSync(join(dir, 'floe.yaml'), 'profile: aws\n');
    expect(wantsAwsProfile(params(['--project', dir]), {})).toBe(true);
  });

  it('on AWS the seed’s required parameters and an S3 warehouse are checked before anything opens', async () => {
    await expect(openAwsProfile(params(['--PROFILE', 'aws', '--PROCESS_TYPE', 'L1']), 'r')).rejects.toThrow(
      /missing job parameters for L1 on AWS: SAAS_PLATFORM, CONFIG_TABLE, LOG_GROUP/,
    );
    const base = [
      '--SAAS_PLATFORM',
      'wrike',
      '--PROCESS_TYPE',
      'L1',
      '--CONFIG_TABLE',
      't',
      '--LOG_GROUP',
      'g',
    ];
    await expect(openAwsProfile(params(base), 'r')).rejects.toThrow(/CUSTOM_CONFIGS names no warehouse/);
    await expect(
      openAwsProfile(params([...base, '--CUSTOM_CONFIGS', '{"warehouse":"/local/wh"}']), 'r'),
    ).rejects.toThrow(/has the warehouse \/local\/wh, which is not an S3 location/);
    await expect(
      openAwsProfile(
        params([...base, '--CUSTOM_CONFIGS', '{"catalogType":"rest","warehouse":"s3://b/w"}']),
        'r',
      ),
    ).rejects.toThrow(/chooses a rest catalog, but floe's AWS profile writes to the Glue Data Catalog/);
    const saved = {
      r: process.env.AWS_REGION,
      d: process.env.AWS_DEFAULT_REGION,
      c: process.env.AWS_CONFIG_FILE,
    };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      await expect(
        openAwsProfile(params([...base, '--CUSTOM_CONFIGS', '{"warehouse":"s3://b/w"}']), 'r', { env: {} }),
      ).rejects.toThrow(/no AWS region: set AWS_REGION/);
    } finally {
      Object.assign(process.env, {
        ...(saved.r ? { AWS_REGION: saved.r } : {}),
        ...(saved.d ? { AWS_DEFAULT_REGION: saved.d } : {}),
      });
      if (saved.c === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.c;
    }
  });
});

describe('job parameters from the environment (containers)', () => {
  it('FLOE_<NAME> stands for --<NAME>; the command line wins', () => {
    const p = parseJobParams(['--CONFIG_ID', 'From_Argv'], {
      FLOE_CONFIG_TABLE: 'cfg',
      FLOE_CONFIG_ID: 'From_Env',
      FLOE_PROCESS_TYPE: 'L1',
      FLOE_CUSTOM_CONFIGS: '{"warehouse":"s3://b/w"}',
    });
    expect([p.configTable, p.configId, p.processTypes, p.customConfigs.warehouse]).toEqual([
      'cfg',
      'From_Argv',
      ['L1'],
      's3://b/w',
    ]);
  });
});

describe('CloudWatch names and metrics', () => {
  it('names the stream <JOB_RUN_ID or manual_run>_<YYYYMMDD_HHMMSS> in UTC', () => {
    const at = new Date('2024-03-05T07:08:09.123Z');
    expect(logStreamName('jr_abc123', at)).toBe('jr_abc123_20240305_070809');
    expect(logStreamName('manual_run', at)).toBe('manual_run_20240305_070809');
    expect(logStreamName('a:b*c', at)).toBe('a_b_c_20240305_070809');
  });

  it('counts per config and per run', () => {
    const report: RunReport = {
      runId: 'r',
      platform: 'wrike',
      environment: 'e',
      recipients: [],
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '2024-01-01T00:01:00Z',
      results: [
        { configId: 'A', processType: 'L1', status: 'SUCCESS', records: 5, durationMs: 10 },
        { configId: 'B', processType: 'L1', status: 'FAILED', records: 0, durationMs: 20 },
      ],
    };
    const data = runMetrics(report);
    const value = (metric: string, configId?: string) =>
      data.find(
        (d) =>
          d.MetricName === metric &&
          (configId === undefined
            ? !d.Dimensions?.some((x) => x.Name === 'ConfigId')
            : d.Dimensions?.some((x) => x.Name === 'ConfigId' && x.Value === configId)),
      )?.Value;
    expect(value('ConfigSucceeded')).toBe(1);
    expect(value('ConfigFailed')).toBe(1);
    expect(value('RecordsProcessed')).toBe(5);
    expect(value('ConfigFailed', 'B')).toBe(1);
    expect(value('Duration', 'B')).toBe(20);
  });
});

describe('Glue columns', () => {
  it('uses the Hive type names Athena expects, with Iceberg field ids; dropped columns as not current', () => {
    expect(glueType('long')).toBe('bigint');
    expect(glueType('timestamptz')).toBe('timestamp');
    expect(glueType('uuid')).toBe('string');
    expect(glueType('fixed[16]')).toBe('binary');
    expect(glueType('decimal(38, 0)')).toBe('decimal(38,0)');
    const schema = buildSchema([
      { name: 'id', type: 'long', required: true },
      { name: 'tags', type: { type: 'list', element: 'string' } },
      { name: 'attrs', type: { type: 'map', key: 'string', value: 'double' } },
      { name: 'dates', type: { type: 'struct', fields: [{ name: 'due', type: 'date' }] } },
      { name: 'gone', type: 'string' },
    ]);
    let m = newTableMetadata({ location: 's3://b/t', schema, spec: unpartitionedSpec() });
    m = withSchema(m, { type: 'struct', fields: schema.fields.filter((f) => f.name !== 'gone') });
    const cols = glueColumns(m);
    expect(cols.map((c) => [c.Name, c.Type, c.Parameters?.['iceberg.field.current']])).toEqual([
      ['id', 'bigint', 'true'],
      ['tags', 'array<string>', 'true'],
      ['attrs', 'map<string,double>', 'true'],
      ['dates', 'struct<due:date>', 'true'],
      ['gone', 'string', 'false'],
    ]);
    expect(cols[0]?.Parameters).toMatchObject({ 'iceberg.field.id': '1', 'iceberg.field.optional': 'false' });
  });
});

describe('state from seed-shaped items', () => {
  it('reads the seed’s L1 and L2 fields, status in either case', () => {
    const l1 = stateFromItem('L1', 'A', {
      configId: 'A',
      destination: { lastSyncTime: '2024-01-01T00:00:00Z' },
      status: { state: 'running', updatedAt: 'timestamp' },
    });
    expect(l1).toMatchObject({ status: 'RUNNING', lastSyncTime: '2024-01-01T00:00:00Z', version: 0 });
    expect(l1.statusUpdatedAt).toBeUndefined();
    const l2 = stateFromItem('L2', 'B', {
      configId: 'B',
      status: 'COMPLETED',
      lastSuccessfulRun: '2025-11-13T06:14:10.743884',
      source: {
        contacts: { lastSuccessfulFetchTime: '' },
        folders: { lastSuccessfulFetchTime: '2025-11-12T00:00:00Z' },
      },
    });
    expect(l2).toMatchObject({
      status: 'COMPLETED',
      lastSuccessfulRun: '2025-11-13T06:14:10.743884',
      sources: { folders: { lastSuccessfulFetchTime: '2025-11-12T00:00:00Z' } },
    });
    expect(l2.sources.contacts).toBeUndefined();
  });
});

describe('notification payload', () => {
  it('keeps under Lambda’s request limit by replacing an oversized HTML report', () => {
    const results = Array.from({ length: 3 }, (_, i) => ({
      configId: `C${i}`,
      processType: 'L1' as const,
      status: 'FAILED' as const,
      records: 0,
      durationMs: 1,
      error: 'x'.repeat(1_000_000),
    }));
    const p = notificationPayload({
      runId: 'r',
      environment: 'e',
      recipients: ['a@b.c'],
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '2024-01-01T00:00:01Z',
      results,
    });
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(p.html).toContain('exceeds what a Lambda invocation can carry');
    expect(p.configs).toHaveLength(3);
  });
});

describe('S3 URIs and errors', () => {
  it('parses s3, s3a and s3n', () => {
    expect(parseS3Uri('s3a://b/k/x.parquet')).toEqual({ scheme: 's3a', bucket: 'b', key: 'k/x.parquet' });
    expect(() => parseS3Uri('file:///x')).toThrow(/not an S3 URI/);
  });

  it('turns AccessDenied into the IAM action and resource to allow, 412 into a retryable conflict', () => {
    const denied = s3Error(
      Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      'PutObject',
      's3://b/wh/t/data/x.parquet',
    );
    expect(denied.message).toMatch(/Fix: allow s3:PutObject on arn:aws:s3:::b\/wh\/t\/data\/x\.parquet/);
    const exists = s3Error(
      Object.assign(new Error('pre'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }),
      'PutObject',
      's3://b/k',
    );
    expect([exists.kind, exists.retryable]).toEqual(['commit-conflict', true]);
  });
});
