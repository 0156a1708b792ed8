/**
 * Registers a secret's value for redaction the moment a store reads it. A secret may be a JSON
 * object (`{"client_id":…,"client_secret":…,"refresh_token":…}`): its fields travel separately
 * (a header, a form body), so each string leaf is registered too, not only the whole text.
 */
import { registerSecret } from '../util/redact.js';

export function registerSecretValue(value: string): void {
  registerSecret(value);
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return;
  try {
    registerLeaves(JSON.parse(text));
  } catch {
    // Not JSON after all: the whole value is registered, which is all there is.
  }
}

export function registerLeaves(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (typeof value === 'number' && !Number.isSafeInteger(value)) registerSecret(String(value));
  else if (Array.isArray(value)) value.forEach(registerLeaves);
  else if (value && typeof value === 'object') Object.values(value).forEach(registerLeaves);
}
