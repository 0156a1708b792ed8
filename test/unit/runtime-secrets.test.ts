import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FloeError, isFloeError } from '../../src/errors.js';
import { formatJson } from '../../src/runtime/local/console-logger.js';
import { EnvSecretStore, envVarName } from '../../src/runtime/local/env-secrets.js';
import { ChainedSecretStore, FileSecretStore } from '../../src/runtime/local/file-secrets.js';
import { renderHtmlReport } from '../../src/runtime/local/html-report.js';
import { createLogger, MemorySink } from '../../src/runtime/structured-logger.js';
import { clearSecretsForTest, redact } from '../../src/util/redact.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-secrets-'));
});
afterEach(() => {
  clearSecretsForTest();
  rmSync(dir, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FloeError) return e;
    throw e;
  }
  throw new Error('expected a FloeError');
}

describe('EnvSecretStore', () => {
  it('maps secret names to FLOE_SECRET_<NAME>', () => {
    expect(envVarName('essmdatalake-cc-wrike-apicredentials-sm-test')).toBe(
      'FLOE_SECRET_ESSMDATALAKE_CC_WRIKE_APICREDENTIALS_SM_TEST',
    );
    expect(envVarName('wrike/api.token')).toBe('FLOE_SECRET_WRIKE_API_TOKEN');
    expect(envVarName('a--b')).toBe('FLOE_SECRET_A_B');
  });

  it('reads FLOE_SECRET_<NAME> first, then the exact name, and registers values for redaction', async () => {
    const env = {
      FLOE_SECRET_WRIKE_TOKEN: 'mapped-value-123',
      'wrike-token': 'exact-value-456',
      OTHER: 'exact-only-789',
    };
    const s = new EnvSecretStore(env);
    expect(await s.get('wrike-token')).toBe('mapped-value-123');
    expect(await s.get('OTHER')).toBe('exact-only-789');
    expect(redact('x mapped-value-123 exact-only-789')).toBe('x *** ***');
  });

  it('registers each field of a JSON secret, not only the whole text', async () => {
    const s = new EnvSecretStore({
      FLOE_SECRET_OAUTH: JSON.stringify({
        client_id: 'client-abc-1',
        client_secret: 'sh-secret-2',
        refresh_token: 'rt-3333',
      }),
    });
    await s.get('oauth');
    expect(redact('secret=sh-secret-2&refresh=rt-3333')).toBe('secret=***&refresh=***');
  });

  it('a missing secret names both variables to set, and put is refused', async () => {
    const s = new EnvSecretStore({});
    const e = await caught(s.get('wrike-token'));
    expect(e.kind).toBe('not-found');
    expect(e.message).toContain("'wrike-token'");
    expect(e.message).toContain('FLOE_SECRET_WRIKE_TOKEN');
    expect((await caught(s.put('wrike-token', 'abcdefg'))).kind).toBe('feature-unsupported');
  });
});

describe('FileSecretStore', () => {
  it('reads strings and objects (objects as JSON text) from YAML, scalars kept as written', async () => {
    const path = join(dir, 'secrets.yaml');
    writeFileSync(
      path,
      [
        '# local credentials',
        'wrike-token: perm-token-abcdef',
        'wrike-oauth:',
        '  client_id: 00123',
        '  client_secret: csecret-xyz',
        '  refresh_token: refresh-1-aaaa',
        '',
      ].join('\n'),
    );
    const s = new FileSecretStore(path);
    expect(await s.get('wrike-token')).toBe('perm-token-abcdef');
    expect(JSON.parse(await s.get('wrike-oauth'))).toEqual({
      client_id: '00123',
      client_secret: 'csecret-xyz',
      refresh_token: 'refresh-1-aaaa',
    });
    expect(redact('csecret-xyz refresh-1-aaaa perm-token-abcdef')).toBe('*** *** ***');
  });

  it('put rewrites the file atomically with mode 0600, keeping comments and other secrets (token rotation)', async () => {
    const path = join(dir, '.floe', 'secrets.yaml');
    const s = new FileSecretStore(path);
    await s.put(
      'wrike-oauth',
      JSON.stringify({ client_id: 'cid-1', client_secret: 'cs-1-zzzz', refresh_token: 'rt-1-old' }),
    );
    const text0 = readFileSync(path, 'utf8');
    writeFileSync(path, `# keep me\n${text0}other: other-secret-1\n`, { mode: 0o600 });

    // The provider rotates the refresh token: the new one is written back.
    const current = JSON.parse(await s.get('wrike-oauth')) as Record<string, string>;
    await s.put('wrike-oauth', JSON.stringify({ ...current, refresh_token: 'rt-2-new' }));

    expect(JSON.parse(await new FileSecretStore(path).get('wrike-oauth')).refresh_token).toBe('rt-2-new');
    expect(await s.get('other')).toBe('other-secret-1');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# keep me');
    expect(text).not.toContain('rt-1-old');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // No temp or lock files left behind.
    expect(readdirSync(join(dir, '.floe')).sort()).toEqual(['secrets.yaml']);
    // The new value is redacted from the moment it is stored.
    expect(redact('refresh_token=rt-2-new')).toBe('refresh_token=***');
  });

  it('supports a JSON secrets file', async () => {
    const path = join(dir, 'secrets.json');
    writeFileSync(path, JSON.stringify({ a: 'value-aaaaaa' }));
    const s = new FileSecretStore(path);
    expect(await s.get('a')).toBe('value-aaaaaa');
    await s.put('b', 'value-bbbbbb');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 'value-aaaaaa', b: 'value-bbbbbb' });
  });

  it('concurrent puts of different secrets all land', async () => {
    const path = join(dir, 'secrets.yaml');
    const a = new FileSecretStore(path);
    const b = new FileSecretStore(path);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).put(`k${i}`, `value-${i}-xxxxxx`)),
    );
    for (let i = 0; i < 20; i++) expect(await a.get(`k${i}`)).toBe(`value-${i}-xxxxxx`);
  });

  it('a missing secret names the file; a broken file says so without quoting its content', async () => {
    const path = join(dir, 'secrets.yaml');
    const e = await caught(new FileSecretStore(path).get('nope'));
    expect(e.kind).toBe('not-found');
    expect(e.message).toContain(path);
    const jsonPath = join(dir, 'bad.json');
    writeFileSync(jsonPath, '{"a": "leaky-secret-value" ');
    const e2 = await caught(new FileSecretStore(jsonPath).get('a'));
    expect(e2.kind).toBe('config-invalid');
    expect(e2.message).not.toContain('leaky-secret-value');
  });
});

describe('ChainedSecretStore', () => {
  it('reads the file first, then the environment; put goes to the file', async () => {
    const path = join(dir, 'secrets.yaml');
    writeFileSync(path, 'both: from-file-111\n');
    const env = { FLOE_SECRET_BOTH: 'from-env-222', FLOE_SECRET_ENV_ONLY: 'from-env-333' };
    const s = new ChainedSecretStore(new FileSecretStore(path), new EnvSecretStore(env));
    expect(await s.get('both')).toBe('from-file-111');
    expect(await s.get('env-only')).toBe('from-env-333');
    await s.put('env-only', 'rotated-444444');
    expect(await s.get('env-only')).toBe('rotated-444444');
    expect(readFileSync(path, 'utf8')).toContain('rotated-444444');
  });

  it('a missing secret names the file and the variable, and no secret value', async () => {
    const path = join(dir, 'secrets.yaml');
    writeFileSync(path, 'other: do-not-print-me\n');
    const s = new ChainedSecretStore(new FileSecretStore(path), new EnvSecretStore({ X: 'nor-me-either' }));
    const e = await caught(s.get('wrike-oauth'));
    expect(isFloeError(e, 'not-found')).toBe(true);
    expect(e.message).toContain(path);
    expect(e.message).toContain('FLOE_SECRET_WRIKE_OAUTH');
    expect(e.describe()).not.toMatch(/do-not-print-me|nor-me-either/);
  });

  it('a canary secret never reaches logs or the HTML report once read', async () => {
    const canary = 'CANARY-7f3a9c2e-secret';
    const s = new ChainedSecretStore(undefined, new EnvSecretStore({ FLOE_SECRET_API: canary }));
    const token = await s.get('api');
    const sink = new MemorySink();
    const log = createLogger(sink, { level: 'debug' }).child({ header: `Bearer ${token}` });
    log.error(`request failed: GET https://x/?access_token=${encodeURIComponent(token)}`, {
      error: new Error(`401 for ${token}`),
      nested: { deep: [token] },
    });
    const html = renderHtmlReport({
      runId: 'r',
      environment: 'dev',
      recipients: [],
      startedAt: '2025-01-01T00:00:00Z',
      finishedAt: '2025-01-01T00:00:01Z',
      results: [
        {
          configId: 'c',
          processType: 'L1',
          status: 'FAILED',
          records: 0,
          durationMs: 1,
          error: `token ${token}`,
        },
      ],
    });
    const logged = sink.records.map(formatJson).join('\n');
    expect(logged).toContain('***');
    expect(logged).not.toContain(canary);
    expect(html).not.toContain(canary);
  });
});
