/** What an authenticator contributes to a request. */
export interface Credentials {
  /** Headers added unless the config's request already sets that header (seed: `Authorization: Bearer ${accessToken}`). */
  headers: Record<string, string>;
  /** Query parameters always added (API key in query). */
  query: Record<string, string>;
  /** Template variables: `accessToken`, `apiKey`. */
  vars: Record<string, string>;
  /** Replaces the request URL's origin (Wrike's `host` from the token response). */
  baseOrigin?: string;
}

export interface Authenticator {
  /** Placeholder names this auth provides (checked at build time). */
  readonly provides: readonly string[];
  /** Whether a 401 may be cured by `refresh`. */
  readonly refreshable: boolean;
  /** Human description for errors: never a secret value. */
  readonly describe: string;
  /** The secret and config fields this auth reads, for the message when the API says 401. */
  readonly uses: AuthUses;
  /** Current credentials, fetching or refreshing a token when needed. */
  get(signal?: AbortSignal): Promise<Credentials>;
  /** Drops `rejected` (the credentials that got a 401) and obtains new ones. */
  refresh(rejected: Credentials, signal?: AbortSignal): Promise<void>;
}

/**
 * What decides the credentials an auth sends: the secret holding them and the config fields
 * that say how they travel. A 401 names exactly these, so an API-key user is not sent to look
 * at an Authorization header that API-key auth never sets.
 */
export interface AuthUses {
  /** The secret's name (`source.auth.tokenKey`), when the auth reads one. */
  readonly secret?: string;
  /** What the secret holds, in words: `the API key`, `the username and password`. */
  readonly holds?: string;
  /** Config fields (with their values) that decide how the credentials are sent. */
  readonly fields: readonly string[];
}
