// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * Bad input gets clear errors naming the config and the fix, and a canary secret appears in no
 * error message, context or emitted event, even when the API echoes it back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceItemInput } from '../../src/config/source-schema.js';
import { FloeError } from '../../src/errors.js';
import { buildSource, type SourceEvent, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

const CANARY = 'canary-secret-9b1e4d7f2a';
let server: Server;
let origin: string;
let hits: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    // Every error body echoes the credential it got: redaction must catch it.
    const echo = `${req.headers.authorization ?? ''} ${url.search}`;
    switch (url.pathname) {
      case '/html':
        return send(200, '<html><body>Login page</body></html>', 'text/html');
      case '/object':
        return send(200, JSON.stringify({ kind: 'tasks', data: { id: 1 } }));
      case '/unauthorized':
        return send(
          401,
          JSON.stringify({ error: 'not_authorized', errorDescription: `token ${echo} is invalid` }),
        );
      case '/bad-request':
        return send(400, JSON.stringify({ error: 'invalid_parameter', errorDescription: `bad ${echo}` }));
      case '/loop':
        return send(200, JSON.stringify({ data: [{ id: 1 }], nextPageToken: 'SAME' }));
      case '/token':
        return send(
          400,
          JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token revoked' }),
        );
    }
    send(404, JSON.stringify({ error: 'resource_not_found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const secrets = new MemorySecretStore({
  perm: { accessToken: CANARY },
  oauth: { client_id: 'cid', client_secret: `${CANARY}-cs`, refresh_token: `${CANARY}-rt` },
  oauthNoRefresh: { client_id: 'cid', client_secret: `${CANARY}-cs` },
  key: CANARY,
});

function item(path: string, source: Partial<SourceItemInput['source']> = {}): SourceItemInput {
  return {
    configId: 'Acme_Things',
    source: {
      auth: { type: 'PERM', tokenKey: 'perm' },
      request: {
        method: 'GET',
        url: `${origin}${path}`,
        headers: { Authorization: 'Bearer ${accessToken}' },
      },
      response: { dataPath: '$.data' },
      ...source,
    },
    retryPolicy: { backoff: 'FIXED', maxAttempts: 2, baseDelayMs: 1 },
  };
}

/** Runs a source to its error; checks the canary never shows. */
async function failure(config: SourceItemInput | Record<string, unknown>): Promise<FloeError> {
  const events: SourceEvent[] = [];
  let err: unknown;
  try {
    const s = buildSource(config, { secrets, tokenCache: new TokenCache(), onEvent: (e) => events.push(e) });
    for await (const _ of s.pages()) {
      // drain
    }
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloeError);
  const fe = err as FloeError;
  const all = JSON.stringify([fe.message, fe.describe(), fe.context, String(fe.cause), events]);
  expect(all).not.toContain(CANARY);
  expect(all).not.toContain(encodeURIComponent(CANARY));
  expect(fe.message).toContain('Acme_Things');
  return fe;
}

describe('clear errors, no secrets', () => {
  it('unknown auth type', async () => {
    const e = await failure(item('/x', { auth: { type: 'MAGIC', tokenKey: 'perm' } as never }));
    expect(e.kind).toBe('config-invalid');
    expect(e.message).toMatch(
      /unknown auth type "MAGIC" at source\.auth\.type; use one of PERM, BEARER, OAUTH2/,
    );
  });

  it('missing secret', async () => {
    const e = await failure(item('/x', { auth: { type: 'PERM', tokenKey: 'nope' } }));
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/secret 'nope' \(source\.auth\.tokenKey\) does not exist/);
  });

  it('secret without the needed key lists the keys it has, not their values', async () => {
    const e = await failure(
      item('/x', { auth: { type: 'OAUTH2', tokenKey: 'oauthNoRefresh', tokenUrl: `${origin}/token` } }),
    );
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(
      /secret 'oauthNoRefresh' has no refreshToken .*'refresh_token' or 'refreshToken'.*\[client_id, client_secret\]/,
    );
  });

  it('a rejected refresh token says to re-authorize', async () => {
    const e = await failure(
      item('/x', { auth: { type: 'OAUTH2', tokenKey: 'oauth', tokenUrl: `${origin}/token` } }),
    );
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/rejected the refresh token in secret 'oauth' \(invalid_grant.*Re-authorize/);
  });

  it('dataPath that is not an array names what it found', async () => {
    const e = await failure(item('/object'));
    expect(e.kind).toBe('config-invalid');
    expect(e.message).toMatch(
      /dataPath '\$\.data' did not yield an array .* an object with keys \[id\].*top-level keys are \[kind, data\]/,
    );
  });

  it('a non-JSON body is retried, then reported with its content type', async () => {
    hits = {};
    const e = await failure(item('/html'));
    expect(hits['/html']).toBe(2);
    expect(e.message).toMatch(
      /answered 200 with a body that is not valid JSON \(content-type text\/html.*check that source\.request\.url/,
    );
  });

  it('401 with a permanent token: replace it; not retried', async () => {
    hits = {};
    const e = await failure(item('/unauthorized'));
    expect(e.kind).toBe('auth');
    expect(hits['/unauthorized']).toBe(1);
    expect(e.message).toMatch(
      /rejected the token in secret 'perm' \(401\)\. Replace the token in secret 'perm'/,
    );
  });

  it('other 4xx are not retried and quote the API (redacted)', async () => {
    hits = {};
    const e = await failure(
      item('/bad-request', {
        auth: { type: 'API_KEY', tokenKey: 'key', in: 'query', name: 'key' },
        request: { method: 'GET', url: `${origin}/bad-request`, headers: {} },
      }),
    );
    expect(hits['/bad-request']).toBe(1);
    expect(e.kind).toBe('http');
    expect(e.message).toMatch(/answered 400: .*invalid_parameter.*\*\*\*/);
    const nf = await failure(item('/missing'));
    expect(nf.kind).toBe('not-found');
  });

  it('a repeated page token stops with an error instead of looping', async () => {
    const e = await failure(
      item('/loop', {
        pagination: {
          type: 'cursor',
          cursorPath: '$.nextPageToken',
          tokenOption: { in: 'query', name: 'nextPageToken' },
        },
      }),
    );
    expect(e.message).toMatch(/pagination loop/);
  });

  it('unknown placeholders and invalid JSONPaths fail at build time', async () => {
    const e = await failure(item('/x?since=${lastRun}'));
    expect(e.message).toMatch(
      /source\.request\.url uses unknown placeholder \$\{lastRun\}; available here: .*\$\{accessToken\}/,
    );
    const p = await failure(item('/x', { response: { dataPath: '$.data[' } }));
    expect(p.message).toMatch(/source\.response\.dataPath '\$\.data\[' is not a valid RFC 9535 JSONPath/);
  });
});
