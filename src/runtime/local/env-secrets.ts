/**
 * Secrets from environment variables: `FLOE_SECRET_<NAME>` (the secret name upper-cased, every
 * run of non-alphanumerics turned into `_`, so `wrike-api/prod` → `FLOE_SECRET_WRIKE_API_PROD`),
 * then the exact name (so an existing `WRIKE_TOKEN` works as is). Read-only: the environment
 * cannot be written back, so a rotating OAuth refresh token needs the secrets file.
 */
import { FloeError } from '../../errors.js';
import type { SecretStore } from '../ports/secret-store.js';
import { registerSecretValue } from '../secret-values.js';

export function envVarName(secretName: string): string {
  return `FLOE_SECRET_${secretName
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}`;
}

export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The value, or undefined when neither variable is set to a non-empty value. */
  find(name: string): string | undefined {
    return this.lookup(name) || undefined;
  }

  /**
   * The value; `''` when a variable is set but empty (or blank); undefined when neither is set
   * (the chained store asks the next). The first non-empty of the two variables wins.
   */
  lookup(name: string): string | undefined {
    const candidates = [this.env[envVarName(name)], this.env[name]].filter((v) => v !== undefined);
    const value = candidates.find((v) => v.trim() !== '');
    if (value === undefined) return candidates.length > 0 ? '' : undefined;
    registerSecretValue(value);
    return value;
  }

  async get(name: string): Promise<string> {
    const value = this.lookup(name);
    if (value === undefined) throw missingSecret(name, [envHint(name)]);
    if (value === '') throw emptySecret(name, [this.where(name)]);
    return value;
  }

  where(name: string): string {
    const v = envVarName(name);
    return v === name ? `the environment variable ${v}` : `the environment variable ${v} (or ${name})`;
  }

  async put(name: string, _value: string): Promise<void> {
    throw new FloeError(
      'feature-unsupported',
      `cannot store secret '${name}': environment variables are read-only. Configure a secrets file ` +
        `(floe.yaml secrets.file) so rotated credentials can be written back`,
      { context: { secret: name } },
    );
  }
}

export function envHint(name: string): string {
  const v = envVarName(name);
  return v === name ? `set the environment variable ${v}` : `set the environment variable ${v} (or ${name})`;
}

/** The not-found error: names the secret and every way to provide it, never a value. */
export function missingSecret(name: string, hints: string[]): FloeError {
  return new FloeError('not-found', `secret '${name}' not found: ${hints.join(', or ')}`, {
    context: { secret: name },
  });
}

/**
 * The secret exists but its value is empty: names every place it was looked up (and found
 * empty or absent), so the user fills in the right one.
 */
export function emptySecret(name: string, places: string[]): FloeError {
  return new FloeError(
    'auth',
    `secret '${name}' is EMPTY (looked up in ${places.join(', then ')}): put its value there`,
    { context: { secret: name, empty: true } },
  );
}
