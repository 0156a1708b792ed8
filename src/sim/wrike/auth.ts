/**
 * Who may call the API: permanent tokens, and OAuth2 access tokens issued by `POST /oauth2/token`.
 *
 * - Grants: `authorization_code` (codes from `GET /oauth2/authorize/v4` or preconfigured; single
 *   use, 10 minutes) and `refresh_token`. Client credentials come in the form body or as HTTP Basic.
 * - Access tokens live `accessTokenTtlSeconds` (default 3600) of *simulated* time, so a test can
 *   expire them with `advanceClock`. Permanent tokens never expire.
 * - Every refresh issues a new refresh token. `rotation: 'strict'` (default, what Wrike's docs are
 *   quoted as saying) invalidates the old one at once; `'lenient'` keeps old ones valid.
 * - The response `host` is `127.0.0.1:PORT`. Wrike returns a bare host (`www.wrike.com`) and
 *   clients build `https://{host}/api/v4`; the simulator speaks plain http, so a client must keep
 *   the scheme of the token URL it called and only take host[:port] from this field.
 * - Fault `expireTokensAfterRequests = N`: an OAuth access token stops working after it has
 *   served N API requests (the next one gets 401), as if it had expired mid-run.
 */
import { hash } from '../prng.js';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  rotation?: 'strict' | 'lenient';
  accessTokenTtlSeconds?: number;
  /** Authorization codes accepted once each by the authorization_code grant (default ['sim-authorization-code']). */
  authorizationCodes?: string[];
}

interface AccessToken {
  expiresAtMs: number;
  uses: number;
}

export type TokenCheck = 'ok' | 'missing' | 'invalid' | 'expired';

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const CODE_TTL_MS = 10 * 60 * 1000;
const MAX_ACCESS_TOKENS = 10_000;

export class AuthRegistry {
  private readonly permanent: Set<string>;
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Set<string>();
  private readonly codes = new Map<string, number>();
  private current: string | undefined;
  private counter = 0;
  private readonly rotation: 'strict' | 'lenient';
  private readonly ttlMs: number;

  constructor(
    permanentTokens: readonly string[],
    private readonly oauth: OAuthOptions | undefined,
    private readonly seed: number,
  ) {
    this.permanent = new Set(permanentTokens);
    this.rotation = oauth?.rotation ?? 'strict';
    this.ttlMs = (oauth?.accessTokenTtlSeconds ?? 3600) * 1000;
    if (oauth) {
      this.refresh.add(oauth.refreshToken);
      this.current = oauth.refreshToken;
      for (const c of oauth.authorizationCodes ?? ['sim-authorization-code'])
        this.codes.set(c, Number.POSITIVE_INFINITY);
    }
  }

  currentRefreshToken(): string | undefined {
    return this.current;
  }

  /** Checks a bearer token and counts the use. `maxUses` is the expire-after-N-requests fault. */
  check(token: string | undefined, nowMs: number, maxUses: number | undefined): TokenCheck {
    if (token === undefined || token === '') return 'missing';
    if (this.permanent.has(token)) return 'ok';
    const t = this.access.get(token);
    if (!t) return 'invalid';
    if (nowMs >= t.expiresAtMs) return 'expired';
    if (maxUses !== undefined && maxUses >= 0 && t.uses >= maxUses) {
      t.expiresAtMs = Number.NEGATIVE_INFINITY;
      return 'expired';
    }
    t.uses++;
    return 'ok';
  }

  /** Invalidates every OAuth access token now (permanent tokens are unaffected). */
  expireAccessTokens(): void {
    for (const t of this.access.values()) t.expiresAtMs = Number.NEGATIVE_INFINITY;
  }

  /** Issues an authorization code for the authorize endpoint. */
  issueCode(nowMs: number): string {
    const code = `sim-code-${this.mint('c')}`;
    this.codes.set(code, nowMs + CODE_TTL_MS);
    return code;
  }

  clientMatches(clientId: string | null): boolean {
    return !!this.oauth && clientId === this.oauth.clientId;
  }

  /** `POST /oauth2/token` with a form-encoded body; `basic` is the decoded HTTP Basic pair, if any. */
  token(
    form: URLSearchParams,
    basic: [string, string] | undefined,
    nowMs: number,
    host: string,
  ): TokenResponse {
    const err = (status: number, error: string, description: string): TokenResponse => ({
      status,
      body: { error, error_description: description, errorDescription: description },
    });
    if (!this.oauth) return err(400, 'unsupported_grant_type', 'OAuth2 is not enabled on this simulator');
    const grant = form.get('grant_type');
    const clientId = form.get('client_id') ?? basic?.[0] ?? null;
    const clientSecret = form.get('client_secret') ?? basic?.[1] ?? null;
    if (grant === null) return err(400, 'invalid_request', "Parameter 'grant_type' is required");
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      return err(400, 'unsupported_grant_type', `Grant type '${grant}' is not supported`);
    }
    if (clientId === null || clientSecret === null)
      return err(400, 'invalid_request', 'client_id and client_secret are required');
    if (clientId !== this.oauth.clientId || clientSecret !== this.oauth.clientSecret) {
      return err(401, 'invalid_client', 'Client authentication failed');
    }
    if (grant === 'authorization_code') {
      const code = form.get('code');
      if (code === null) return err(400, 'invalid_request', "Parameter 'code' is required");
      const exp = this.codes.get(code);
      if (exp === undefined || nowMs >= exp)
        return err(400, 'invalid_grant', 'Authorization code is invalid or expired');
      this.codes.delete(code);
    } else {
      const rt = form.get('refresh_token');
      if (rt === null) return err(400, 'invalid_request', "Parameter 'refresh_token' is required");
      if (!this.refresh.has(rt))
        return err(400, 'invalid_grant', 'Refresh token is invalid or has been revoked');
      if (this.rotation === 'strict') this.refresh.delete(rt);
    }
    const accessToken = this.mint('a');
    const refreshToken = this.mint('r');
    this.prune(nowMs);
    this.access.set(accessToken, { expiresAtMs: nowMs + this.ttlMs, uses: 0 });
    this.refresh.add(refreshToken);
    this.current = refreshToken;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        refresh_token: refreshToken,
        token_type: 'bearer',
        expires_in: Math.round(this.ttlMs / 1000),
        host,
      },
    };
  }

  /** Wrike's tokens look like base64 JSON (`eyJ0dCI6InAi…`); ours too, deterministic per seed and counter. */
  private mint(kind: string): string {
    const n = ++this.counter;
    const payload = Buffer.from(JSON.stringify({ tt: kind, al: 1, sim: this.seed, n })).toString('base64url');
    return `${payload}${hash(this.seed, n, kind.charCodeAt(0)).toString(36)}`;
  }

  private prune(nowMs: number): void {
    if (this.access.size < MAX_ACCESS_TOKENS) return;
    for (const [k, t] of this.access) if (nowMs >= t.expiresAtMs) this.access.delete(k);
    // Still full: drop the oldest (insertion order).
    for (const k of this.access.keys()) {
      if (this.access.size < MAX_ACCESS_TOKENS) break;
      this.access.delete(k);
    }
  }
}
