/**
 * `floe config new l1` probes with the auth kinds a config can use beyond API keys: HTTP Basic
 * (username and password from one secret) and OAuth2 refresh (a token request first, then the
 * endpoint with the access token; a refresh token the server rotates is written back to the
 * project's secrets file, so the config's first run still authenticates). Against a small API on
 * loopback that checks the credentials as a real one would; no credential reaches the config
 * file or the printed lines.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { newL1Config } from '../../src/cli/commands/config-new.js';

const USER = 'acme\\jdoe';
const PASSWORD = 'pw-7c1e0b94d2';
const CLIENT_SECRET = 'cs-3b9d51f0aa';
let refreshToken = 'rt-1-e5d0c7';
let accessToken = '';
let tokenRequests = 0;

const ITEMS = [
  { id: 1, name: 'a', modified_at: '2024-01-05T10:00:00Z' },
  { id: 2, name: 'b', modified_at: '2024-01-06T10:00:00Z' },
];

let server: Server;
let base: string;
let dir: string;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    let s = '';
    req.on('data', (c) => {
      s += c;
    });
    req.on('end', () => done(s));
  });
}

async function serve(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, doc: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  };
  if (req.method === 'POST' && url.pathname === '/oauth/token') {
    const form = new URLSearchParams(await body(req));
    tokenRequests++;
    if (
      form.get('grant_type') !== 'refresh_token' ||
      form.get('client_id') !== 'floe-client' ||
      form.get('client_secret') !== CLIENT_SECRET ||
      form.get('refresh_token') !== refreshToken
    )
      return json(400, { error: 'invalid_grant' });
    accessToken = `at-${tokenRequests}-91fe`;
    // Like many providers, a refresh hands out a new refresh token and retires the old one.
    refreshToken = `rt-${tokenRequests + 1}-e5d0c7`;
    return json(200, { access_token: accessToken, refresh_token: refreshToken, expires_in: 3600 });
  }
  const auth = req.headers.authorization ?? '';
  if (url.pathname === '/basic/items') {
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    return auth === expected ? json(200, { items: ITEMS, total: 2 }) : json(401, { error: 'unauthorized' });
  }
  if (url.pathname === '/oauth/items')
    return accessToken !== '' && auth === `Bearer ${accessToken}`
      ? json(200, { items: ITEMS, total: 2 })
      : json(401, { error: 'unauthorized' });
  json(404, {});
}

beforeAll(async () => {
  server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'floe-new-auth-'));
  mkdirSync(join(dir, '.floe'), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'environment: test\n');
  writeFileSync(
    join(dir, '.floe', 'secrets.yaml'),
    [
      `acme-token: '${JSON.stringify({ username: USER, password: PASSWORD })}'`,
      `acme-stale: '${JSON.stringify({ username: USER, password: 'pw-stale-04be' })}'`,
      `crm-token: '${JSON.stringify({ client_id: 'floe-client', client_secret: CLIENT_SECRET, refresh_token: refreshToken })}'`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const secrets = () => [PASSWORD, CLIENT_SECRET, accessToken, 'rt-1-e5d0c7', refreshToken].filter((s) => s);

describe('floe config new l1 with basic and oauth2 auth', () => {
  it('basic: probes with the username and password from the secret and writes a BASIC config', async () => {
    const lines = await newL1Config({
      name: 'Acme_Items',
      url: `${base}/basic/items`,
      auth: 'basic',
      project: dir,
    });
    expect(lines[0]).toMatch(/→ HTTP 200/);
    expect(lines).toContain('records: 2 at $.items (3 fields)');
    const text = readFileSync(join(dir, 'configs', 'l1', 'acme-items.yaml'), 'utf8');
    const item = parseYaml(text) as { source: { auth: Record<string, unknown> } };
    expect(item.source.auth).toMatchObject({ type: 'BASIC', tokenKey: 'acme-token' });
    for (const s of secrets()) {
      expect(text).not.toContain(s);
      expect(lines.join('\n')).not.toContain(s);
    }
  });

  it('basic: a wrong password is a 401 naming the secret, never showing it', async () => {
    const err = await newL1Config({
      name: 'Acme_Other',
      url: `${base}/basic/items`,
      auth: 'basic',
      tokenKey: 'acme-stale',
      project: dir,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/401/);
    for (const s of [...secrets(), 'pw-stale-04be']) expect(err!.message).not.toContain(s);
  });

  it('oauth2: refreshes first, probes with the access token, and keeps the rotated refresh token', async () => {
    const lines = await newL1Config({
      name: 'Crm_Items',
      url: `${base}/oauth/items`,
      auth: 'oauth2',
      tokenUrl: `${base}/oauth/token`,
      project: dir,
    });
    expect(tokenRequests).toBe(1);
    expect(lines[0]).toMatch(/→ HTTP 200/);
    expect(lines.join('\n')).toMatch(/cursor candidates: .*modified_at/);
    const text = readFileSync(join(dir, 'configs', 'l1', 'crm-items.yaml'), 'utf8');
    const item = parseYaml(text) as { source: { auth: Record<string, unknown> } };
    expect(item.source.auth).toMatchObject({
      type: 'OAUTH2',
      tokenKey: 'crm-token',
      tokenUrl: `${base}/oauth/token`,
    });
    // The server retired the old refresh token: the project must hold the new one.
    const stored = readFileSync(join(dir, '.floe', 'secrets.yaml'), 'utf8');
    expect(stored).toContain(refreshToken);
    expect(stored).not.toContain('rt-1-e5d0c7');
    for (const s of secrets()) {
      expect(text).not.toContain(s);
      expect(lines.join('\n')).not.toContain(s);
    }
  });
});
