/**
 * Secret redaction. Every secret value floe reads (tokens, client secrets, passwords) is
 * registered here the moment it is loaded; logs, errors, history rows and notifications pass
 * their text through `redact()` so a registered value can never leak, whatever code path
 * formatted it — in any encoding it can take on the way (secret-forms.ts: URL and form
 * encoding, JSON and HTML escapes, base64), and values named like credentials even when never
 * registered (credential-text.ts). Values shorter than 6 characters are not registered (they
 * would redact ordinary words); such secrets are not secrets.
 *
 * Redact before transforming: a message clipped, or its whitespace collapsed, before redaction
 * may hold a secret's prefix or an altered secret that no longer matches. `redactSnippet`
 * clips safely.
 */
import { redactCredentialText } from './credential-text.js';
import { secretPatterns } from './secret-forms.js';

const MIN_SECRET_LENGTH = 6;
/** A snippet is taken from at most this much redacted text (error bodies can be megabytes). */
const SNIPPET_WINDOW = 65_536;

const secrets = new Set<string>();
let pattern: RegExp | undefined;

export const REDACTED = '***';

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  pattern = undefined;
}

function compiled(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  if (!pattern) {
    // Longest first, so a secret that is a prefix of another never leaves the other's tail.
    const alternatives = [...secrets]
      .flatMap(secretPatterns)
      .sort((a, b) => b.length - a.length)
      .map((p) => p.source);
    pattern = new RegExp([...new Set(alternatives)].join('|'), 'g');
  }
  return pattern;
}

export function redact(text: string): string {
  const p = compiled();
  const out = p ? text.replace(p, REDACTED) : text;
  return redactCredentialText(out, REDACTED);
}

/**
 * The first `max` characters of `text`, redacted. Redacts before clipping, so a secret cut at
 * the clip point cannot leave its prefix behind. Text beyond the window is dropped first: a
 * secret cut there would have to move back across more than half the window, and redaction at
 * most halves what it replaces (6+ characters become 3).
 */
export function redactSnippet(text: string, max: number): string {
  const window = Math.max(SNIPPET_WINDOW, 4 * max);
  return redact(text.length > window ? text.slice(0, window) : text).slice(0, max);
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
