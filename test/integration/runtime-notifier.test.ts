/** Webhook delivery against a real HTTP server on loopback, and the file notifier. */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileNotifier, MultiNotifier } from '../../src/runtime/local/file-notifier.js';
import { WebhookNotifier } from '../../src/runtime/local/webhook-notifier.js';
import type { Notifier, RunReport } from '../../src/runtime/ports/notifier.js';
import { createLogger, MemorySink } from '../../src/runtime/structured-logger.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
let mode: 'ok' | 'error' | 'hang' = 'ok';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.on('data', (c: Buffer) => {
      b += c.toString('utf8');
    });
    req.on('end', () => resolve(b));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
    if (mode === 'hang') return; // never answer
    res.statusCode = mode === 'ok' ? 204 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  received.length = 0;
  mode = 'ok';
  clearSecretsForTest();
});

const report: RunReport = {
  runId: 'run-42',
  platform: 'wrike',
  environment: 'test',
  recipients: ['ops@example.com'],
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:10.000Z',
  results: [
    {
      configId: 'Wrike_Tasks',
      processType: 'L1',
      status: 'SUCCESS',
      records: 10,
      snapshotId: '99',
      durationMs: 5000,
    },
    {
      configId: 'Wrike_Folders',
      processType: 'L1',
      status: 'FAILED',
      records: 0,
      error: 'token webhook-canary-123 rejected',
      durationMs: 5000,
    },
  ],
};

describe('WebhookNotifier', () => {
  it('POSTs {subject, report, html} as JSON, redacted', async () => {
    registerSecret('webhook-canary-123');
    const sink = new MemorySink();
    const n = new WebhookNotifier({
      url: `${base}/hook?key=abc`,
      logger: createLogger(sink, { level: 'debug' }),
    });
    expect(await n.send(report)).toBe(true);
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hook?key=abc');
    expect(r.contentType).toBe('application/json');
    expect(r.body).not.toContain('webhook-canary-123');
    const body = JSON.parse(r.body) as { subject: string; report: RunReport; html: string };
    expect(body.subject).toBe('[floe][test] wrike run run-42: 1 failed, 1 succeeded');
    expect(body.report.results.map((x) => x.configId)).toEqual(['Wrike_Tasks', 'Wrike_Folders']);
    expect(body.report.results[1]!.error).toBe('token *** rejected');
    expect(body.html).toContain('<!DOCTYPE html>');
    expect(body.html).toContain('Wrike_Folders');
    // The URL's query (often a token) is not logged.
    expect(JSON.stringify(sink.records)).not.toContain('key=abc');
  });

  it('a non-2xx answer is a warning, not an error', async () => {
    mode = 'error';
    const sink = new MemorySink();
    const n = new WebhookNotifier({ url: `${base}/hook`, logger: createLogger(sink) });
    await expect(n.notify(report)).resolves.toBeUndefined();
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({
      level: 'warn',
      msg: 'webhook notification rejected',
      fields: { status: 500 },
    });
  });

  it('a dead URL does not throw; it logs a warning', async () => {
    // Bind and release a port so nothing listens on it.
    const tmp = createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise((r) => tmp.close(r));
    const sink = new MemorySink();
    const n = new WebhookNotifier({ url: `http://127.0.0.1:${port}/hook`, logger: createLogger(sink) });
    await expect(n.notify(report)).resolves.toBeUndefined();
    expect(await n.send(report)).toBe(false);
    expect(sink.records[0]).toMatchObject({ level: 'warn', msg: 'webhook notification failed' });
    expect(String(sink.records[0]!.fields.error)).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('a server that never answers is cut off by the timeout', async () => {
    mode = 'hang';
    const sink = new MemorySink();
    const n = new WebhookNotifier({ url: `${base}/hook`, timeoutMs: 200, logger: createLogger(sink) });
    const t0 = Date.now();
    expect(await n.send(report)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(sink.records[0]!.msg).toBe('webhook notification timed out after 200 ms');
  });
});

describe('FileNotifier and MultiNotifier', () => {
  it('writes <reportDir>/<runId>.html; a throwing notifier does not stop the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-reports-'));
    try {
      const sink = new MemorySink();
      const log = createLogger(sink);
      const file = new FileNotifier(join(dir, 'reports'), log);
      const throwing: Notifier = {
        notify: async () => {
          throw new Error('lambda down');
        },
      };
      await new MultiNotifier([throwing, file], log).notify(report);
      const html = readFileSync(file.reportPath('run-42'), 'utf8');
      expect(file.reportPath('run-42')).toBe(join(dir, 'reports', 'run-42.html'));
      expect(html).toContain('Wrike_Tasks');
      expect(sink.records.map((r) => r.msg)).toEqual(
        expect.arrayContaining(['notifier failed', expect.stringMatching(/^run report written/)]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unwritable report folder is a warning', async () => {
    const sink = new MemorySink();
    const n = new FileNotifier('/dev/null/reports', createLogger(sink));
    await expect(n.notify(report)).resolves.toBeUndefined();
    expect(sink.records[0]).toMatchObject({ level: 'warn', msg: 'could not write the run report' });
  });
});
