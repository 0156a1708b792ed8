/**
 * The embedded runtime end to end: floe.yaml → state, history, secrets, run logs, reports, and
 * `floe history` reading what a run recorded. A canary secret must appear in none of the outputs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerHistoryCommands } from '../../src/cli/commands/history.js';
import type { TextStream } from '../../src/runtime/local/console-logger.js';
import { openLocalRuntime } from '../../src/runtime/local/open-local-runtime.js';
import { clearSecretsForTest } from '../../src/util/redact.js';

const CANARY = 'CANARY-runtime-5d1e-secret';
let dir: string;
let server: Server;
let hookBodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => {
      b += c.toString();
    });
    req.on('end', () => {
      hookBodies.push(b);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  clearSecretsForTest();
  hookBodies = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function memStream(): TextStream & { text: () => string } {
  let out = '';
  return {
    isTTY: false,
    write(c: string) {
      out += c;
      return true;
    },
    text: () => out,
  };
}

async function runHistory(args: string[], tty: boolean): Promise<string> {
  const program = new Command().exitOverride();
  registerHistoryCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const wasTTY = process.stdout.isTTY;
  process.stdout.isTTY = tty;
  try {
    await program.parseAsync(['node', 'floe', 'history', ...args]);
  } finally {
    spy.mockRestore();
    process.stdout.isTTY = wasTTY;
  }
  return out;
}

describe('openLocalRuntime', () => {
  it('wires state, history, secrets, logs and notifications from floe.yaml', async () => {
    dir = mkdtempSync(join(tmpdir(), 'floe-runtime-'));
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      join(dir, 'floe.yaml'),
      `environment: qa\nnotifications:\n  webhook: http://127.0.0.1:${port}/notify\n  recipients: [a@example.com]\n`,
    );
    const logStream = memStream();
    const rt = await openLocalRuntime(dir, {
      env: { FLOE_SECRET_WRIKE_OAUTH: JSON.stringify({ refresh_token: CANARY, client_id: 'cid' }) },
      logStream,
    });
    try {
      expect(rt.environment).toBe('qa');
      expect(rt.recipients).toEqual(['a@example.com']);

      // Secrets: env, then rotation written back to the project's secrets file.
      const secret = JSON.parse(await rt.secrets.get('wrike-oauth')) as Record<string, string>;
      expect(secret.refresh_token).toBe(CANARY);
      await rt.secrets.put('wrike-oauth', JSON.stringify({ ...secret, refresh_token: `${CANARY}-rotated` }));
      expect(JSON.parse(await rt.secrets.get('wrike-oauth')).refresh_token).toBe(`${CANARY}-rotated`);
      expect(readFileSync(join(dir, '.floe/secrets.yaml'), 'utf8')).toContain(`${CANARY}-rotated`);

      // A run: RUNNING, failure with a secret in the error, history, report.
      const runId = 'run-001';
      const log = rt.logger(runId).child({ configId: 'Wrike_Tasks' });
      expect(rt.logger(runId)).toBe(rt.logger(runId));
      await rt.state.update('L1', 'Wrike_Tasks', { status: 'RUNNING', lastRunId: runId });
      log.info('fetching', { auth: `Bearer ${CANARY}` });
      const error = `401 Unauthorized for refresh_token=${CANARY}`;
      log.error('config failed', { error });
      await rt.state.update(
        'L1',
        'Wrike_Tasks',
        { status: 'FAILED', lastError: error },
        { ifLastRunId: runId },
      );
      await rt.history.record({
        configId: 'Wrike_Tasks',
        'job-id': runId,
        load_type: 'INCREMENTAL',
        loadTimestamp: '2025-05-01T10:00:00Z',
        snapshot_id: '',
        error,
        lastRunStatus: 'FAILED',
        totalRecordsProcessed: 0,
        runId,
        processType: 'L1',
        durationMs: 1234,
      });
      await rt.history.record({
        configId: 'Wrike_Contacts',
        'job-id': runId,
        load_type: 'FULL',
        loadTimestamp: '2025-05-01T10:00:01Z',
        snapshot_id: '9007199254740993',
        error: '',
        lastRunStatus: 'SUCCESS',
        totalRecordsProcessed: 77,
        runId,
        processType: 'L1',
        durationMs: 800,
      });
      await rt.notifier.notify({
        runId,
        platform: 'wrike',
        environment: rt.environment,
        recipients: rt.recipients,
        startedAt: '2025-05-01T09:59:00Z',
        finishedAt: '2025-05-01T10:00:01Z',
        results: [
          {
            configId: 'Wrike_Tasks',
            processType: 'L1',
            status: 'FAILED',
            records: 0,
            error,
            durationMs: 1234,
          },
          {
            configId: 'Wrike_Contacts',
            processType: 'L1',
            status: 'SUCCESS',
            records: 77,
            snapshotId: '9007199254740993',
            durationMs: 800,
          },
        ],
      });
    } finally {
      await rt.close();
    }

    const logFile = readFileSync(join(dir, '.floe/logs/run-001.log'), 'utf8');
    const report = readFileSync(join(dir, '.floe/reports/run-001.html'), 'utf8');
    const state = readFileSync(join(dir, '.floe/state.db')).toString('latin1');
    expect(
      logFile
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).msg),
    ).toEqual(
      expect.arrayContaining(['fetching', 'config failed', expect.stringMatching(/^run report written/)]),
    );
    expect(logFile).toContain('"runId":"run-001"');
    expect(report).toContain('Wrike_Tasks');
    expect(report).toContain('9007199254740993');
    expect(report).toContain('qa');
    expect(hookBodies).toHaveLength(1);
    for (const [name, text] of [
      ['console', logStream.text()],
      ['log file', logFile],
      ['report', report],
      ['webhook', hookBodies[0]!],
      ['state db', state],
    ] as const) {
      expect(text, name).not.toContain(CANARY);
    }

    // `floe history`: JSON lines off a terminal, a table on one; --config filters.
    const jsonOut = await runHistory(['--project', dir], false);
    const rows = jsonOut
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.configId)).toEqual(['Wrike_Contacts', 'Wrike_Tasks']);
    expect(rows[0]).toMatchObject({
      'job-id': 'run-001',
      load_type: 'FULL',
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: 77,
      snapshot_id: '9007199254740993',
    });
    expect(rows[1]!.error).toBe('401 Unauthorized for refresh_token=***');
    const filtered = await runHistory(['--project', dir, '--config', 'Wrike_Tasks', '--limit', '5'], false);
    expect(filtered.trim().split('\n')).toHaveLength(1);
    const table = await runHistory(['--project', dir], true);
    expect(table).toMatch(/^loadTimestamp\s+configId\s+processType/);
    expect(table).toContain('(2 rows)');
    await expect(runHistory(['--project', dir, '--limit', 'x'], false)).rejects.toThrow(/--limit/);
  });

  it('floe history on a project that never ran prints nothing and creates no state', async () => {
    dir = mkdtempSync(join(tmpdir(), 'floe-runtime-empty-'));
    writeFileSync(join(dir, 'floe.yaml'), '');
    expect(await runHistory(['--project', dir], false)).toBe('');
    expect(() => readFileSync(join(dir, '.floe/state.db'))).toThrow();
  });

  it('the seed environment variables override floe.yaml for reports', async () => {
    dir = mkdtempSync(join(tmpdir(), 'floe-runtime-env-'));
    writeFileSync(join(dir, 'floe.yaml'), 'environment: local\nsecrets: { file: false }\n');
    const rt = await openLocalRuntime(dir, {
      env: { CUSTOMER_ENVIRONMENT: 'prod', CUSTOMER_NOTIFICATION_TO: 'a@x.com, b@x.com' },
      logStream: memStream(),
    });
    try {
      expect(rt.environment).toBe('prod');
      expect(rt.recipients).toEqual(['a@x.com', 'b@x.com']);
      await expect(rt.secrets.put('x', 'value-123456')).rejects.toThrow(/read-only/);
      await expect(rt.secrets.get('missing')).rejects.toThrow(/FLOE_SECRET_MISSING/);
    } finally {
      await rt.close();
    }
  });
});
