/** Builds the Authenticator for `source.auth` (one small module per scheme). */
import type { AuthConfig } from '../../config/source-schema.js';
import type { HttpClient } from '../../http/client.js';
import type { SecretStore } from '../../runtime/ports/secret-store.js';
import { ApiKeyAuthenticator } from './api-key.js';
import { BasicAuthenticator } from './basic.js';
import { type AuthEvent, OAuth2Authenticator, type TokenCache } from './oauth2.js';
import { PermAuthenticator } from './perm.js';
import type { Authenticator, AuthUses, Credentials } from './types.js';

export { rejectedCredentialsHint } from './hint.js';
export { type AuthEvent, processTokenCache, TokenCache } from './oauth2.js';
export type { Authenticator, AuthUses, Credentials } from './types.js';

class NoAuthenticator implements Authenticator {
  readonly provides = [];
  readonly refreshable = false;
  readonly describe = 'no credentials (source.auth.type NONE)';
  readonly uses: AuthUses = {
    fields: [
      'source.auth.type (NONE: nothing is sent; the API wants credentials, so set the auth type and tokenKey)',
    ],
  };
  async get(): Promise<Credentials> {
    return { headers: {}, query: {}, vars: {} };
  }
  async refresh(): Promise<void> {}
}

export function createAuthenticator(
  auth: AuthConfig,
  deps: {
    secrets: SecretStore;
    configId: string;
    /** Client for the token endpoint (retries, timeouts; no rate limiter). */
    tokenHttp: HttpClient;
    cache: TokenCache;
    onEvent?: (e: AuthEvent) => void;
  },
): Authenticator {
  const { secrets, configId } = deps;
  switch (auth.type) {
    case 'PERM':
    case 'BEARER':
      return new PermAuthenticator(auth, secrets, configId);
    case 'OAUTH2':
    case 'OAUTH2_REFRESH':
    case 'CLIENT_CREDENTIALS':
      return new OAuth2Authenticator(
        auth,
        auth.type === 'CLIENT_CREDENTIALS' ? 'client_credentials' : 'refresh_token',
        {
          secrets,
          http: deps.tokenHttp,
          configId,
          cache: deps.cache,
          onEvent: deps.onEvent,
        },
      );
    case 'BASIC':
      return new BasicAuthenticator(auth, secrets, configId);
    case 'API_KEY':
      return new ApiKeyAuthenticator(auth, secrets, configId);
    case 'NONE':
      return new NoAuthenticator();
  }
}
