/**
 * Secret redaction. Every secret value floe reads (tokens, client secrets, passwords) is
 * registered here the moment it is loaded; logs, errors, history rows and notifications pass
 * their text through `redact()` so a registered value can never leak, whatever code path
 * formatted it. Values shorter than 6 characters are not registered (they would redact
 * ordinary words); such secrets are not secrets.
 */
const secrets = new Set<string>();
let pattern: RegExp | undefined;

export const REDACTED = '***';

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 6 || secrets.has(value)) return;
  secrets.add(value);
  // Also the URL-encoded form: tokens travel in query strings.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
  pattern = undefined;
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  if (!pattern) {
    const alternatives = [...secrets]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(alternatives.join('|'), 'g');
  }
  return text.replace(pattern, REDACTED);
}

/** Deep-redacts string leaves of a JSON-like value (for structured log fields and history). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)])) as T;
  }
  return value;
}

/** For tests only. */
export function clearSecretsForTest(): void {
  secrets.clear();
  pattern = undefined;
}
