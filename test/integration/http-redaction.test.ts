/**
 * The HTTP client quotes error bodies; an API that echoes the request's credential must not
 * get it into the message, wherever the clip falls and whatever whitespace the token holds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryPolicySchema } from '../../src/config/source-schema.js';
import { errorMessage } from '../../src/errors.js';
import { HttpClient, type HttpEvent } from '../../src/http/client.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

const TOKEN = 'echoed  token~with spaces-0123456789';
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const pad = Number(url.searchParams.get('pad') ?? 0);
    const status = Number(url.searchParams.get('status') ?? 500);
    // An error page that quotes the credential after `pad` characters of text.
    res.writeHead(status, { 'content-type': status === 200 ? 'text/html' : 'application/json' });
    res.end(`${'x'.repeat(pad)}${url.searchParams.get('access_token')} is not a valid token`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  clearSecretsForTest();
  await new Promise<void>((r) => server.close(() => r()));
});

async function failure(pad: number, status: number): Promise<string> {
  const http = new HttpClient({
    configId: 'Echo',
    retry: RetryPolicySchema.parse({ maxAttempts: 1 }),
    timeoutMs: 5000,
  });
  const url = new URL(`${origin}/x`);
  url.searchParams.set('pad', String(pad));
  url.searchParams.set('status', String(status));
  url.searchParams.set('access_token', TOKEN);
  try {
    await http.send({ method: 'GET', url: url.href, headers: {} });
  } catch (e) {
    return errorMessage(e);
  }
  throw new Error('expected a failure');
}

describe('HTTP error snippets', () => {
  it('never show a prefix of a secret cut at the clip point (error status and non-JSON 2xx)', async () => {
    registerSecret(TOKEN);
    // The 5xx snippet is 300 characters, the non-JSON 2xx one 80: put the token across each edge.
    for (const [status, edge] of [
      [500, 300],
      [200, 80],
    ] as const) {
      for (const pad of [edge - 20, edge - 8, edge - 1]) {
        const message = await failure(pad, status);
        expect(message).toContain('***');
        expect(message, `status ${status}, pad ${pad}`).not.toMatch(/echoed/);
      }
    }
  });

  it('redact a token with runs of spaces before whitespace is collapsed', async () => {
    registerSecret(TOKEN);
    const message = await failure(0, 500);
    expect(message).not.toContain('token~with');
    expect(message).toContain('*** is not a valid token');
  });
});

describe('HTTP request and response events', () => {
  it('carry the headers with credential headers redacted whatever their value, and every answer with its status', async () => {
    const events: HttpEvent[] = [];
    const http = new HttpClient({
      configId: 'Events',
      retry: RetryPolicySchema.parse({ maxAttempts: 1 }),
      timeoutMs: 5000,
      onEvent: (e) => events.push(e),
    });
    // Never registered: the header's name alone must hide it.
    const key = 'unregistered-key-4b8e1f';
    await expect(
      http.send({
        method: 'GET',
        url: `${origin}/x?status=401`,
        headers: { Accept: 'application/json', 'X-Api-Key': key, Authorization: `Bearer ${key}` },
      }),
    ).rejects.toThrow(/401/);
    const request = events.find((e) => e.type === 'request');
    expect(request).toMatchObject({
      headers: {
        Accept: 'application/json',
        'X-Api-Key': '***',
        Authorization: expect.not.stringContaining(key),
      },
    });
    expect(JSON.stringify(events)).not.toContain(key);
    expect(events.find((e) => e.type === 'response')).toMatchObject({ status: 401, method: 'GET' });
  });
});
