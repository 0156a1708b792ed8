/**
 * Where credentials live: AWS Secrets Manager in the cloud profile, env vars or a file locally,
 * a Map in tests. A secret is a string; like a Secrets Manager secret it may be a JSON object
 * string (`{"accessToken":"…"}`, `{"client_id":…,"client_secret":…,"refresh_token":…}`).
 *
 * How auth configs pick a value out of a secret (see `readSecretField`):
 *  - if the secret is a JSON object, the key named in `source.auth.secretKeys.<field>` is used,
 *    otherwise the first default key present (e.g. refresh token: `refresh_token`, `refreshToken`);
 *  - if the secret is not a JSON object, the whole string is the value, but only for single-value
 *    fields (a PERM/bearer token, an API key); OAuth client id/secret/refresh token need an object.
 *
 * `put` exists because OAuth2 providers may rotate refresh tokens: the new one must be stored the
 * moment it is issued, or the next run is locked out.
 */
export interface SecretStore {
  /**
   * The secret's value; throws (kind `not-found`) when there is no such secret, and an
   * `emptySecret` error (context `empty: true`) when it exists with an empty value: "not found"
   * would send the user looking for a secret that is right there.
   */
  get(name: string): Promise<string>;
  /** Creates or replaces the secret's value. */
  put(name: string, value: string): Promise<void>;
  /**
   * Where this store looks `name` up, for messages: `the secrets file /p/.floe/secrets.yaml`,
   * `the environment variable FLOE_SECRET_X`. Never a value.
   */
  where?(name: string): string;
}

/** Whether `e` says a secret exists but is empty (see `SecretStore.get`). */
export function isEmptySecretError(e: unknown): boolean {
  return (
    typeof e === 'object' && e !== null && (e as { context?: { empty?: unknown } }).context?.empty === true
  );
}
