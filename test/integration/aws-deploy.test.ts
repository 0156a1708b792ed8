// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are CloudFormation Fn::Sub placeholders
/**
 * deploy/: the CloudFormation template passes cfn-lint (from PyPI, in the test venv) with no
 * finding; its IAM is least-privilege; the state machine fans out one Fargate task per L1 config
 * (bounded), then runs L2; the schedule starts it. The task's configuration (command `run`, the
 * Glue job's parameters as FLOE_<NAME> variables, CONFIG_ID / PROCESS_TYPE from the state machine)
 * is proven by running exactly that against moto; the image runs floe as a non-root user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JOB_PARAMS } from '../../src/config/job-params.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';
import { REPO_ROOT } from '../support/interop.js';

const exec = promisify(execFile);
const templatePath = join(REPO_ROOT, 'deploy', 'floe.cfn.yaml');
// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is free-form data
const template = parse(readFileSync(templatePath, 'utf8')) as any;
const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const statements = (role: string): Statement[] =>
  (resources[role]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

describe('deploy/floe.cfn.yaml', () => {
  it('passes cfn-lint with no finding', () => {
    const python = process.env.FLOE_PYTHON ?? join(REPO_ROOT, '.cache', 'venv', 'bin', 'python');
    const r = spawnSync(join(python, '..', 'cfn-lint'), [templatePath], { encoding: 'utf8' });
    if (r.error)
      throw new Error(`cfn-lint is not installed (run scripts/setup-python.sh): ${r.error.message}`);
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('grants floe’s role only named actions on named resources', () => {
    for (const role of [
      'TaskRole',
      'TaskExecutionRole',
      'StateMachineRole',
      'NotifierRole',
      'ScheduleRole',
    ]) {
      for (const s of statements(role)) {
        for (const a of list(s.Action)) expect(a, `${role}: ${a}`).not.toMatch(/(^\*$|:\*$)/);
        // A wildcard resource only where the API has no resource-level permission, and then bounded.
        if (list(s.Resource).includes('*')) {
          expect([role, list(s.Action)]).toSatisfy(
            ([r, actions]: [string, string[]]) =>
              (r === 'TaskRole' &&
                actions.join() === 'cloudwatch:PutMetricData' &&
                s.Condition !== undefined) ||
              (r === 'TaskExecutionRole' && actions.join() === 'ecr:GetAuthorizationToken'),
          );
        }
      }
    }
    const actions = statements('TaskRole').flatMap((s) => list(s.Action));
    for (const a of [
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'logs:PutLogEvents',
      'lambda:InvokeFunction',
      's3:PutObject',
      'glue:UpdateTable',
    ])
      expect(actions).toContain(a);
    expect(actions).not.toContain('glue:DeleteTable');
    expect(actions).not.toContain('dynamodb:DeleteTable');
  });

  it('fans out one task per L1 config, bounded, then runs L2; a schedule starts it', () => {
    const sm = resources.StateMachine!.Properties.Definition as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    expect(sm.StartAt).toBe('ListL1Configs');
    const map = sm.States.RunL1Configs!;
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrencyPath).toBe('$.maxConcurrency');
    expect(map.Next).toBe('RunL2');
    const processor = map.ItemProcessor as {
      States: Record<string, { Parameters?: { Overrides: unknown }; Catch?: unknown }>;
    };
    const overrides = JSON.stringify(processor.States.RunL1Config!.Parameters!.Overrides);
    expect(overrides).toContain('"Name":"FLOE_CONFIG_ID","Value.$":"$.configId"');
    expect(overrides).toContain('"Name":"FLOE_PROCESS_TYPE","Value":"L1"');
    // One config failing fails alone: the map goes on to L2.
    expect(processor.States.RunL1Config!.Catch).toBeDefined();
    expect(JSON.stringify(sm.States.RunL2)).toContain('"Name":"FLOE_PROCESS_TYPE","Value":"L2"');
    const rule = resources.Schedule!.Properties as { Targets: { Input: unknown }[] };
    expect(JSON.stringify(rule.Targets[0]!.Input)).toContain('maxConcurrency');
  });

  it('keeps the seed’s table keys (configId; history configId + loadTimestamp)', () => {
    const keys = (name: string) =>
      (resources[name]!.Properties.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
    expect(keys('ConfigTable')).toEqual(['configId']);
    expect(keys('L2ConfigTable')).toEqual(['configId']);
    expect(keys('HistoryTable')).toEqual(['configId', 'loadTimestamp']);
    expect(keys('L2HistoryTable')).toEqual(['configId', 'loadTimestamp']);
  });
});

describe('deploy/Dockerfile', () => {
  it('runs the floe CLI as a non-root user', () => {
    const text = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
    const lastStage = text.slice(text.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/\nUSER node\n/);
    expect(lastStage).toContain('ENTRYPOINT ["node", "/app/bin/floe.js"]');
    expect(lastStage).not.toMatch(/USER root/);
  });
});

describe('the task as the template configures it', () => {
  let sim: WrikeSimulator;
  let world: AwsWorld;
  beforeAll(async () => {
    sim = await startWrikeSimulator({ tasks: 20, rateLimit: false, seed: 1 });
    world = await awsWorld(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('`floe run` with the task definition’s FLOE_<NAME> variables and the state machine’s overrides syncs the config', async () => {
    const container = (
      resources.TaskDefinition!.Properties.ContainerDefinitions as {
        Command: string[];
        Environment: { Name: string; Value: unknown }[];
      }[]
    )[0]!;
    expect(container.Command).toEqual(['run']);
    const names = container.Environment.map((e) => e.Name).filter(
      (n) => n.startsWith('FLOE_') && n !== 'FLOE_PARALLELISM',
    );
    for (const n of names) expect(JOB_PARAMS as readonly string[]).toContain(n.slice('FLOE_'.length));
    const customConfigs = (
      container.Environment.find((e) => e.Name === 'FLOE_CUSTOM_CONFIGS')!.Value as { 'Fn::Sub': string }
    )['Fn::Sub']
      .replace('${WarehouseBucket}', world.bucket)
      .replace('${WarehousePrefix}', 'wrike/test/iceberg-warehouse');
    const env = {
      ...process.env,
      ...world.env,
      FLOE_SAAS_PLATFORM: 'wrike',
      FLOE_CONFIG_TABLE: world.configTable,
      FLOE_LOG_GROUP: world.logGroup,
      FLOE_CUSTOM_CONFIGS: customConfigs,
      // What the state machine's map adds for one config:
      FLOE_PROCESS_TYPE: 'L1',
      FLOE_CONFIG_ID: 'Wrike_Contacts',
      FLOE_JOB_RUN_ID: 'exec-42',
    };
    const r = await exec(process.execPath, [join(REPO_ROOT, 'bin', 'floe.js'), ...container.Command], {
      env,
      timeout: 120_000,
    });
    expect(r.stderr).toContain('committed');
    const streams = await new CloudWatchLogsClient({}).send(
      new DescribeLogStreamsCommand({ logGroupName: world.logGroup }),
    );
    expect(streams.logStreams?.[0]?.logStreamName).toMatch(/^exec-42_\d{8}_\d{6}$/);
  });
});
