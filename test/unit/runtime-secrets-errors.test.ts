/**
 * Errors about secrets name the file, the position and the kind of problem, never the file's
 * content; an empty secret is reported as EMPTY with every place it was looked up.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import { EnvSecretStore } from '../../src/runtime/local/env-secrets.js';
import { ChainedSecretStore, FileSecretStore } from '../../src/runtime/local/file-secrets.js';
import { isEmptySecretError } from '../../src/runtime/ports/secret-store.js';
import { clearSecretsForTest } from '../../src/util/redact.js';

const CANARY = 'canary-9f8e7d6c5b4a';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-secrets-errors-'));
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

/** Broken YAML, each quoting the canary on the offending line; and where the parser stops. */
const BROKEN_YAML: [string, string, RegExp][] = [
  ['bad indent', `ok: fine-value\nwrike-token: ${CANARY}\n  extra: ${CANARY}\n`, /line \d+, column \d+/],
  ['unclosed quote', `wrike-token: "${CANARY}\nother: x\n`, /line \d+, column \d+: a missing closing quote/],
  ['value with ": "', `wrike-token: ${CANARY}: more\n`, /line 1, column \d+: a nested map on one line/],
  [
    'duplicate key',
    `wrike-token: ${CANARY}\nwrike-token: ${CANARY}2\n`,
    /line 2, column 1: the same secret name twice/,
  ],
  ['tab indent', `wrike:\n\ttoken: ${CANARY}\n`, /line 2, column 1: a tab used for indentation/],
  ['unresolved alias', `wrike-token: *${CANARY}\n`, /line 1, column \d+: an alias/],
  ['unclosed flow', `wrike-token: [${CANARY}, b\n`, /line \d+, column \d+/],
];

const BROKEN_JSON: [string, string, RegExp][] = [
  ['unclosed object', `{\n  "wrike-token": "${CANARY}" \n`, /line 3, column 1/],
  ['bare word', `{\n  "wrike-token": ${CANARY}\n}`, /line 2, column 18: an unexpected character/],
  [
    'trailing comma',
    `{"wrike-token": "${CANARY}",}`,
    /line 1, column \d+: a key that is not a double-quoted string/,
  ],
  [
    'raw newline in a string',
    `{"wrike-token": "${CANARY}\n"}`,
    /line 1, column \d+: a raw control character/,
  ],
  ['unclosed string', `{"wrike-token": "${CANARY}`, /line 1, column \d+: a string without its closing quote/],
  ['cut short', `{"wrike-token": ["${CANARY}",`, /the file ends inside a value/],
];

describe('a broken secrets file never quotes its content', () => {
  for (const [what, text, where] of BROKEN_YAML) {
    it(`YAML: ${what} (get and put)`, async () => {
      const path = join(dir, 'secrets.yaml');
      writeFileSync(path, text);
      for (const e of [
        await caught(new FileSecretStore(path).get('wrike-token')),
        await caught(new FileSecretStore(path).put('other', 'new-value-123456')),
      ]) {
        expect(e.kind).toBe('config-invalid');
        expect(e.message).toContain(path);
        expect(e.message).toMatch(/YAML (syntax )?error, /);
        expect(e.message).toMatch(where);
        expect(e.describe()).not.toContain(CANARY);
        expect(e.describe()).not.toContain(CANARY.slice(0, 10));
      }
    });
  }

  for (const [what, text, where] of BROKEN_JSON) {
    it(`JSON: ${what} (get and put)`, async () => {
      const path = join(dir, 'secrets.json');
      writeFileSync(path, text);
      for (const e of [
        await caught(new FileSecretStore(path).get('wrike-token')),
        await caught(new FileSecretStore(path).put('other', 'new-value-123456')),
      ]) {
        expect(e.kind).toBe('config-invalid');
        expect(e.message).toContain(path);
        expect(e.message).toMatch(/JSON syntax error, /);
        expect(e.message).toMatch(where);
        expect(e.describe()).not.toContain(CANARY.slice(0, 10));
      }
    });
  }
});

describe('an empty secret is EMPTY, and says where it was looked up', () => {
  it('file: "", no value, blanks', async () => {
    const path = join(dir, 'secrets.yaml');
    writeFileSync(path, 'a: ""\nb:\nc: "   "\n');
    for (const name of ['a', 'b', 'c']) {
      const e = await caught(new FileSecretStore(path).get(name));
      expect(isEmptySecretError(e)).toBe(true);
      expect(e.message).toBe(
        `secret '${name}' is EMPTY (looked up in the secrets file ${path}): put its value there`,
      );
    }
  });

  it('environment: a variable set to nothing', async () => {
    const e = await caught(new EnvSecretStore({ FLOE_SECRET_WRIKE_TOKEN: '' }).get('wrike-token'));
    expect(isEmptySecretError(e)).toBe(true);
    expect(e.message).toContain('is EMPTY');
    expect(e.message).toContain('FLOE_SECRET_WRIKE_TOKEN');
  });

  it('file and environment: an empty file entry falls through to the variable; both empty names both', async () => {
    const path = join(dir, 'secrets.yaml');
    // What `floe init` writes for a real API: an empty placeholder.
    writeFileSync(path, 'wrike-token: ""\n');
    const withEnv = new ChainedSecretStore(
      new FileSecretStore(path),
      new EnvSecretStore({ FLOE_SECRET_WRIKE_TOKEN: 'from-env-123456' }),
    );
    expect(await withEnv.get('wrike-token')).toBe('from-env-123456');

    const without = new ChainedSecretStore(new FileSecretStore(path), new EnvSecretStore({}));
    const e = await caught(without.get('wrike-token'));
    expect(isEmptySecretError(e)).toBe(true);
    expect(e.message).toContain(`the secrets file ${path}`);
    expect(e.message).toContain('the environment variable FLOE_SECRET_WRIKE_TOKEN');
    expect(without.where('wrike-token')).toBe(
      `the secrets file ${path}, then the environment variable FLOE_SECRET_WRIKE_TOKEN (or wrike-token)`,
    );

    // Absent everywhere is still "not found".
    const missing = await caught(without.get('other'));
    expect(missing.kind).toBe('not-found');
    expect(isEmptySecretError(missing)).toBe(false);
  });
});
