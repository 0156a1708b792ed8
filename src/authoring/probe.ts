/**
 * One request to an API endpoint, authenticated as a config would be (the same authenticators,
 * the secret read from the project's secret store), for `floe config new`. Secrets are never
 * returned or printed: the result carries the parsed body, the response headers and the URL as
 * sent without any credential in it.
 */
import { type AuthConfig, AuthSchema, RetryPolicySchema } from '../config/source-schema.js';
import { HttpClient } from '../http/client.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import { createAuthenticator, TokenCache } from '../source/auth/index.js';
import { redact } from '../util/redact.js';

export interface ProbeResult {
  status: number;
  /** The URL requested, without credentials (an API key in the query is not in it). */
  url: string;
  headers: Headers;
  body: unknown;
  bytes: number;
  elapsedMs: number;
}

/** GETs `url` once with `auth` (a config's source.auth section); no retries beyond one attempt. */
export async function probeEndpoint(
  url: string,
  auth: unknown,
  deps: { secrets: SecretStore; configId: string; timeoutMs?: number },
): Promise<ProbeResult> {
  const parsed: AuthConfig = AuthSchema.parse(auth);
  const http = new HttpClient({
    configId: deps.configId,
    retry: RetryPolicySchema.parse({ maxAttempts: 1, maxRateLimitRetries: 0 }),
    timeoutMs: deps.timeoutMs ?? 30_000,
  });
  const authenticator = createAuthenticator(parsed, {
    secrets: deps.secrets,
    configId: deps.configId,
    tokenHttp: http,
    cache: new TokenCache(),
  });
  const creds = await authenticator.get();
  const target = new URL(url);
  if (creds.baseOrigin) {
    const origin = new URL(creds.baseOrigin);
    target.protocol = origin.protocol;
    target.host = origin.host;
  }
  const shown = target.toString();
  for (const [k, v] of Object.entries(creds.query)) target.searchParams.set(k, v);
  const started = Date.now();
  const res = await http.send({
    method: 'GET',
    url: target.toString(),
    headers: { Accept: 'application/json', ...creds.headers },
  });
  return {
    status: res.status,
    url: redact(shown),
    headers: res.headers,
    body: res.body,
    bytes: res.bytes,
    elapsedMs: Date.now() - started,
  };
}
