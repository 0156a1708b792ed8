/**
 * Reading credentials out of the SecretStore: the secret named by `source.auth.tokenKey`, as a
 * JSON object (keys chosen by `source.auth.secretKeys` or the defaults below) or, for
 * single-value credentials, as a plain string. Every value read is registered for redaction
 * before anything else happens with it.
 */
import type { SecretKeys } from '../../config/source-schema.js';
import { FloeError, isFloeError } from '../../errors.js';
import { isEmptySecretError, type SecretStore } from '../../runtime/ports/secret-store.js';
import { registerSecret } from '../../util/redact.js';

export type SecretField =
  | 'accessToken'
  | 'clientId'
  | 'clientSecret'
  | 'refreshToken'
  | 'username'
  | 'password'
  | 'apiKey';

export const DEFAULT_SECRET_KEYS: Record<SecretField, readonly string[]> = {
  accessToken: ['accessToken', 'access_token', 'token', 'apiToken'],
  clientId: ['client_id', 'clientId'],
  clientSecret: ['client_secret', 'clientSecret'],
  refreshToken: ['refresh_token', 'refreshToken'],
  username: ['username', 'user'],
  password: ['password'],
  apiKey: ['apiKey', 'api_key', 'key'],
};

/** Fields a plain-string secret can stand for. */
const SINGLE_VALUE: ReadonlySet<SecretField> = new Set(['accessToken', 'apiKey']);

export interface LoadedSecret {
  name: string;
  raw: string;
  /** Parsed when the secret is a JSON object. */
  json: Record<string, unknown> | undefined;
}

export async function loadSecret(store: SecretStore, name: string, configId: string): Promise<LoadedSecret> {
  const where = store.where?.(name) ?? 'the secret store';
  let raw: string;
  try {
    raw = await store.get(name);
  } catch (e) {
    if (isEmptySecretError(e)) throw emptySecretError(configId, name, where);
    const missing = isFloeError(e, 'not-found');
    throw new FloeError(
      'auth',
      missing
        ? `${configId}: secret '${name}' (source.auth.tokenKey) does not exist (looked up in ${where}); create it there or fix source.auth.tokenKey`
        : `${configId}: could not read secret '${name}' (source.auth.tokenKey): ${e instanceof Error ? e.message : String(e)}`,
      {
        context: { configId, secret: name },
        cause: missing ? undefined : e,
        retryable: !missing && isFloeError(e) && e.retryable,
      },
    );
  }
  if (raw.trim() === '') throw emptySecretError(configId, name, where);
  registerSecret(raw);
  let json: Record<string, unknown> | undefined;
  const t = raw.trim();
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  if (json) for (const v of Object.values(json)) if (typeof v === 'string') registerSecret(v);
  return { name, raw, json };
}

/** An empty secret is not a missing one: say so, and where it was looked up. */
function emptySecretError(configId: string, name: string, where: string): FloeError {
  return new FloeError(
    'auth',
    `${configId}: secret '${name}' (source.auth.tokenKey) is EMPTY (looked up in ${where}). Put the credential there, or fix source.auth.tokenKey`,
    { context: { configId, secret: name, empty: true } },
  );
}

/** `source.auth.secretKeys.<field> ("key")` when the config names the key, for messages. */
export function secretKeyField(keys: SecretKeys | undefined, field: SecretField): string[] {
  const k = keys?.[field];
  return typeof k === 'string' && k !== '' ? [`source.auth.secretKeys.${field} (${JSON.stringify(k)})`] : [];
}

/** The key a field is read from (and a rotated value written back to). */
export function secretKeyFor(
  secret: LoadedSecret,
  field: SecretField,
  keys: SecretKeys | undefined,
): string | undefined {
  const configured = keys?.[field];
  if (typeof configured === 'string' && configured !== '') return configured;
  if (!secret.json) return undefined;
  return DEFAULT_SECRET_KEYS[field].find(
    (k) => typeof secret.json![k] === 'string' && secret.json![k] !== '',
  );
}

export function pickSecret(
  secret: LoadedSecret,
  field: SecretField,
  keys: SecretKeys | undefined,
  configId: string,
): string {
  if (!secret.json) {
    if (SINGLE_VALUE.has(field) && secret.raw.trim() !== '' && !keys?.[field]) return secret.raw.trim();
    throw new FloeError(
      'auth',
      `${configId}: secret '${secret.name}' must be a JSON object holding the ${field} (e.g. {"${DEFAULT_SECRET_KEYS[field][0]}": "…"})`,
      { context: { configId, secret: secret.name } },
    );
  }
  const key = secretKeyFor(secret, field, keys);
  const v = key === undefined ? undefined : secret.json[key];
  if (typeof v !== 'string' || v === '') {
    const own = keys?.[field];
    const tried = typeof own === 'string' && own !== '' ? [own] : DEFAULT_SECRET_KEYS[field];
    const json = secret.json;
    const emptyKey = tried.find((k) => Object.hasOwn(json, k) && (json[k] === '' || json[k] === null));
    if (emptyKey !== undefined) {
      throw new FloeError(
        'auth',
        `${configId}: secret '${secret.name}' has an EMPTY ${field} (key '${emptyKey}'). Put the value there`,
        { context: { configId, secret: secret.name, empty: true } },
      );
    }
    throw new FloeError(
      'auth',
      `${configId}: secret '${secret.name}' has no ${field} (looked for key ${tried.map((k) => `'${k}'`).join(' or ')}; ` +
        `it has keys [${Object.keys(secret.json).join(', ')}]). Add it, or name its key in source.auth.secretKeys.${field}`,
      { context: { configId, secret: secret.name } },
    );
  }
  return v;
}
