/**
 * When the API answers 401, or the secret is empty, the message names what THIS auth type
 * reads: its secret and its own config fields (an API key in a query parameter is not fixed by
 * looking at an Authorization header).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceItemInput } from '../../src/config/source-schema.js';
import { FloeError } from '../../src/errors.js';
import { EnvSecretStore } from '../../src/runtime/local/env-secrets.js';
import { ChainedSecretStore, FileSecretStore } from '../../src/runtime/local/file-secrets.js';
import type { SecretStore } from '../../src/runtime/ports/secret-store.js';
import { buildSource, TokenCache } from '../../src/source/index.js';
import { clearSecretsForTest } from '../../src/util/redact.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

const KEY = 'wrong-key-~!value-4711';
let server: Server;
let origin: string;

beforeAll(async () => {
  // Rejects every credential, echoing the request line as some APIs do.
  server = createServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_authorized', errorDescription: `bad credentials for ${req.url}` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  clearSecretsForTest();
  await new Promise<void>((r) => server.close(() => r()));
});

const secrets = new MemorySecretStore({
  key: KEY,
  keyJson: { k: KEY },
  basic: { username: 'svc-user', password: KEY },
  empty: '',
  blank: '   ',
  emptyField: { accessToken: '' },
});

function item(auth: Record<string, unknown>): SourceItemInput {
  return {
    configId: 'Acme_Things',
    source: {
      auth: auth as SourceItemInput['source']['auth'],
      request: { method: 'GET', url: `${origin}/things` },
      response: { dataPath: '$.data' },
    },
    retryPolicy: { backoff: 'FIXED', maxAttempts: 1, baseDelayMs: 1 },
  };
}

async function failure(config: SourceItemInput, store: SecretStore = secrets): Promise<FloeError> {
  try {
    const s = buildSource(config, { secrets: store, tokenCache: new TokenCache() });
    for await (const _ of s.pages()) {
      // drain
    }
  } catch (e) {
    if (e instanceof FloeError) {
      expect(e.describe()).not.toContain(KEY);
      return e;
    }
    throw e;
  }
  throw new Error('expected a failure');
}

describe('a 401 names the fields of the auth type in use', () => {
  it('API_KEY in a query parameter: the secret, source.auth.in/name/prefix; not the Authorization header', async () => {
    const e = await failure(item({ type: 'API_KEY', tokenKey: 'key', in: 'query', name: 'access_token' }));
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/Acme_Things: the API rejected the API key in secret 'key' \(401\)/);
    expect(e.message).toMatch(/Replace the API key in secret 'key' \(source\.auth\.tokenKey\)/);
    expect(e.message).toContain('source.auth.in (query)');
    expect(e.message).toContain('source.auth.name ("access_token": the query parameter the key is sent in)');
    expect(e.message).toContain('source.auth.prefix ("")');
    expect(e.message).not.toMatch(/Authorization/);
  });

  it('API_KEY in a header, with a named secret key', async () => {
    const e = await failure(
      item({
        type: 'API_KEY',
        tokenKey: 'keyJson',
        in: 'header',
        name: 'X-Api-Key',
        secretKeys: { apiKey: 'k' },
      }),
    );
    expect(e.message).toContain('source.auth.name ("X-Api-Key": the header the key is sent in)');
    expect(e.message).toContain('source.auth.secretKeys.apiKey ("k")');
    expect(e.message).not.toMatch(/Authorization/);
  });

  it('PERM: the token and the Authorization header', async () => {
    const e = await failure(item({ type: 'PERM', tokenKey: 'key' }));
    expect(e.message).toMatch(
      /Replace the token in secret 'key' \(source\.auth\.tokenKey\), or check source\.auth\.type/,
    );
    expect(e.message).toContain('the Authorization header in source.request.headers');
  });

  it('BASIC: the username and password', async () => {
    const e = await failure(item({ type: 'BASIC', tokenKey: 'basic' }));
    expect(e.message).toMatch(/Replace the username and password in secret 'basic'/);
    expect(e.describe()).not.toContain(Buffer.from(`svc-user:${KEY}`).toString('base64'));
  });

  it('NONE: says nothing is sent and what to set', async () => {
    const e = await failure(item({ type: 'NONE' }));
    expect(e.message).toMatch(/Check source\.auth\.type \(NONE: nothing is sent/);
  });
});

describe('an empty secret is EMPTY, not missing', () => {
  it('an empty or blank value', async () => {
    for (const name of ['empty', 'blank']) {
      const e = await failure(item({ type: 'PERM', tokenKey: name }));
      expect(e.kind).toBe('auth');
      expect(e.message).toMatch(new RegExp(`secret '${name}' \\(source\\.auth\\.tokenKey\\) is EMPTY`));
      expect(e.message).not.toMatch(/does not exist/);
    }
  });

  it('the project stores: names the secrets file and the FLOE_SECRET_* variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-empty-secret-'));
    try {
      const path = join(dir, 'secrets.yaml');
      writeFileSync(path, 'wrike-token: ""\n');
      const store = new ChainedSecretStore(new FileSecretStore(path), new EnvSecretStore({}));
      const e = await failure(item({ type: 'PERM', tokenKey: 'wrike-token' }), store);
      expect(e.message).toBe(
        `Acme_Things: secret 'wrike-token' (source.auth.tokenKey) is EMPTY (looked up in the secrets file ${path}, ` +
          'then the environment variable FLOE_SECRET_WRIKE_TOKEN (or wrike-token)). Put the credential there, or fix source.auth.tokenKey',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty field of a JSON secret', async () => {
    const e = await failure(item({ type: 'PERM', tokenKey: 'emptyField' }));
    expect(e.message).toMatch(/secret 'emptyField' has an EMPTY accessToken \(key 'accessToken'\)/);
  });
});
