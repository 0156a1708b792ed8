/**
 * OAuth2 access tokens from a token endpoint (`source.auth.tokenUrl`), for two grants:
 *  - `refresh_token` (type OAUTH2): the secret holds client id, client secret and refresh token;
 *  - `client_credentials` (type CLIENT_CREDENTIALS): the secret holds client id and secret.
 *
 * Tokens are cached per (tokenUrl, secret) in a TokenCache shared by every source of the process
 * until `expires_in` (minus a skew) runs out; concurrent sources share one in-flight refresh, so a
 * provider that rotates refresh tokens strictly never sees the same refresh token used twice.
 * A rotated refresh token is written back to the secret store before the access token is used:
 * losing it would lock every later run out. When the provider rejects a refresh token
 * (`invalid_grant`), the secret is re-read once, in case another process rotated it meanwhile.
 *
 * Wrike returns `host` with the token; the API must then be called on that host, keeping the token
 * URL's scheme (`hostField`).
 */
import type { SecretKeys } from '../../config/source-schema.js';
import { FloeError, isFloeError } from '../../errors.js';
import type { HttpClient } from '../../http/client.js';
import type { SecretStore } from '../../runtime/ports/secret-store.js';
import { registerSecret } from '../../util/redact.js';
import { type LoadedSecret, loadSecret, pickSecret, secretKeyField, secretKeyFor } from './secrets.js';
import type { Authenticator, AuthUses, Credentials } from './types.js';

export interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token is not used (already includes the skew). */
  expiresAtMs: number;
  baseOrigin?: string;
}

interface CacheEntry {
  token?: CachedToken;
  inflight?: Promise<CachedToken>;
}

/** Access tokens by (tokenUrl, secret, grant). One per process by default; tests make their own. */
export class TokenCache {
  private readonly entries = new Map<string, CacheEntry>();
  entry(key: string): CacheEntry {
    let e = this.entries.get(key);
    if (!e) {
      e = {};
      this.entries.set(key, e);
    }
    return e;
  }
  clear(): void {
    this.entries.clear();
  }
}

export const processTokenCache = new TokenCache();

export interface OAuth2Config {
  tokenKey: string;
  tokenUrl: string;
  secretKeys?: SecretKeys;
  clientAuth?: 'BODY' | 'BASIC';
  scope?: string;
  extraParams?: Record<string, string>;
  expirySkewSeconds: number;
  hostField: string;
}

export type AuthEvent = {
  type: 'token';
  grant: string;
  rotatedRefreshToken: boolean;
  expiresInSeconds?: number;
};

export class OAuth2Authenticator implements Authenticator {
  readonly provides = ['accessToken'];
  readonly refreshable = true;
  readonly describe: string;
  readonly uses: AuthUses;
  private readonly key: string;

  constructor(
    private readonly cfg: OAuth2Config,
    private readonly grant: 'refresh_token' | 'client_credentials',
    private readonly deps: {
      secrets: SecretStore;
      http: HttpClient;
      configId: string;
      cache: TokenCache;
      now?: () => number;
      onEvent?: (e: AuthEvent) => void;
    },
  ) {
    this.key = `${cfg.tokenUrl}|${cfg.tokenKey}|${grant}`;
    this.describe = `the OAuth2 ${grant} token from ${cfg.tokenUrl} (secret '${cfg.tokenKey}')`;
    this.uses = {
      secret: cfg.tokenKey,
      holds:
        grant === 'refresh_token'
          ? 'the client id, client secret and refresh token'
          : 'the client id and secret',
      fields: [
        `source.auth.tokenUrl (${cfg.tokenUrl})`,
        `source.auth.scope (${cfg.scope === undefined ? 'none' : JSON.stringify(cfg.scope)}: the app's scopes)`,
        'source.request.url (it must be on the API host the token is for)',
        ...secretKeyField(cfg.secretKeys, 'clientId'),
        ...secretKeyField(cfg.secretKeys, 'clientSecret'),
        ...(grant === 'refresh_token' ? secretKeyField(cfg.secretKeys, 'refreshToken') : []),
      ],
    };
  }

  async get(signal?: AbortSignal): Promise<Credentials> {
    const e = this.deps.cache.entry(this.key);
    const now = this.deps.now?.() ?? Date.now();
    const token = e.token && now < e.token.expiresAtMs ? e.token : await this.fetch(signal);
    return {
      headers: { Authorization: `Bearer ${token.accessToken}` },
      query: {},
      vars: { accessToken: token.accessToken },
      baseOrigin: token.baseOrigin,
    };
  }

  async refresh(rejected: Credentials, signal?: AbortSignal): Promise<void> {
    const e = this.deps.cache.entry(this.key);
    // Another source may already have replaced the token that failed; only drop our own.
    if (e.token && e.token.accessToken === rejected.vars.accessToken) e.token = undefined;
    if (!e.token) await this.fetch(signal);
  }

  private fetch(signal?: AbortSignal): Promise<CachedToken> {
    const e = this.deps.cache.entry(this.key);
    if (!e.inflight) {
      e.inflight = this.request(signal, true)
        .then((t) => {
          e.token = t;
          return t;
        })
        .finally(() => {
          e.inflight = undefined;
        });
    }
    return e.inflight;
  }

  private async request(signal: AbortSignal | undefined, mayReread: boolean): Promise<CachedToken> {
    const { configId, secrets } = this.deps;
    const cfg = this.cfg;
    const secret = await loadSecret(secrets, cfg.tokenKey, configId);
    const clientId = pickSecret(secret, 'clientId', cfg.secretKeys, configId);
    const clientSecret = pickSecret(secret, 'clientSecret', cfg.secretKeys, configId);
    const form = new URLSearchParams({ grant_type: this.grant, client_id: clientId });
    let refreshToken: string | undefined;
    if (this.grant === 'refresh_token') {
      refreshToken = pickSecret(secret, 'refreshToken', cfg.secretKeys, configId);
      form.set('refresh_token', refreshToken);
    }
    if (cfg.scope) form.set('scope', cfg.scope);
    for (const [k, v] of Object.entries(cfg.extraParams ?? {})) form.set(k, v);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const clientAuth = cfg.clientAuth ?? (this.grant === 'client_credentials' ? 'BASIC' : 'BODY');
    if (clientAuth === 'BASIC') {
      const basic = Buffer.from(
        `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`,
      ).toString('base64');
      registerSecret(basic);
      headers.authorization = `Basic ${basic}`;
    } else form.set('client_secret', clientSecret);

    let body: unknown;
    try {
      body = (
        await this.deps.http.send(
          { method: 'POST', url: cfg.tokenUrl, headers, body: form.toString() },
          signal,
        )
      ).body;
    } catch (e) {
      if (!isFloeError(e)) throw e;
      const status = e.context.status;
      if (status === 400 || status === 401) {
        if (/invalid_grant/.test(e.message) && this.grant === 'refresh_token') {
          if (mayReread) {
            // Another process may have rotated the refresh token since we read the secret.
            const again = await loadSecret(secrets, cfg.tokenKey, configId);
            const now = pickSecret(again, 'refreshToken', cfg.secretKeys, configId);
            if (now !== refreshToken) return this.request(signal, false);
          }
          throw new FloeError(
            'auth',
            `${configId}: the token endpoint ${cfg.tokenUrl} rejected the refresh token in secret '${cfg.tokenKey}' (invalid_grant: expired, revoked or already rotated). Re-authorize the app and store the new refresh token in that secret`,
            { context: { configId, secret: cfg.tokenKey, status } },
          );
        }
        throw new FloeError(
          'auth',
          `${configId}: the token endpoint ${cfg.tokenUrl} refused the request (${e.message}). Check the client id/secret in secret '${cfg.tokenKey}' and source.auth.clientAuth (BODY or BASIC)`,
          { context: { configId, secret: cfg.tokenKey, status } },
        );
      }
      throw e;
    }
    return this.accept(body, secret, refreshToken);
  }

  private async accept(
    body: unknown,
    secret: LoadedSecret,
    usedRefreshToken: string | undefined,
  ): Promise<CachedToken> {
    const { configId } = this.deps;
    const cfg = this.cfg;
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const accessToken = b.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new FloeError(
        'auth',
        `${configId}: the token endpoint ${cfg.tokenUrl} answered without an access_token (keys: [${Object.keys(b).join(', ')}]); check source.auth.tokenUrl`,
        { context: { configId } },
      );
    }
    registerSecret(accessToken);
    const rotated =
      typeof b.refresh_token === 'string' && b.refresh_token !== '' && b.refresh_token !== usedRefreshToken;
    if (rotated && this.grant === 'refresh_token') {
      const newToken = b.refresh_token as string;
      registerSecret(newToken);
      const key = secretKeyFor(secret, 'refreshToken', cfg.secretKeys) ?? 'refresh_token';
      try {
        await this.deps.secrets.put(cfg.tokenKey, JSON.stringify({ ...secret.json, [key]: newToken }));
      } catch (e) {
        throw new FloeError(
          'auth',
          `${configId}: the token endpoint rotated the refresh token, but writing it to secret '${cfg.tokenKey}' failed (${e instanceof Error ? e.message : String(e)}). The stored refresh token may no longer work: give the job write access to the secret and re-authorize`,
          { context: { configId, secret: cfg.tokenKey }, cause: e },
        );
      }
    }
    const expiresIn = Number(b.expires_in);
    const now = this.deps.now?.() ?? Date.now();
    const expiresAtMs =
      Number.isFinite(expiresIn) && expiresIn > 0
        ? now + Math.max(expiresIn / 2, expiresIn - cfg.expirySkewSeconds) * 1000
        : Number.POSITIVE_INFINITY;
    let baseOrigin: string | undefined;
    const host = cfg.hostField ? b[cfg.hostField] : undefined;
    // Only a bare host[:port]: a token response must not be able to redirect us to another path.
    if (typeof host === 'string' && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) {
      baseOrigin = `${new URL(cfg.tokenUrl).protocol}//${host}`;
    }
    this.deps.onEvent?.({
      type: 'token',
      grant: this.grant,
      rotatedRefreshToken: rotated && this.grant === 'refresh_token',
      expiresInSeconds: Number.isFinite(expiresIn) ? expiresIn : undefined,
    });
    return { accessToken, expiresAtMs, baseOrigin };
  }
}
