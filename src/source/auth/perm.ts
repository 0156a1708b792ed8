/**
 * PERM / BEARER: a permanent token from the secret `tokenKey` (seed: Wrike's permanent access
 * token). Sent as `Authorization: Bearer …` unless the request template places `${accessToken}`
 * itself. A 401 cannot be cured by refreshing: the token in the store must be replaced.
 */
import type { SecretKeys } from '../../config/source-schema.js';
import type { SecretStore } from '../../runtime/ports/secret-store.js';
import { loadSecret, pickSecret, secretKeyField } from './secrets.js';
import type { Authenticator, AuthUses, Credentials } from './types.js';

export class PermAuthenticator implements Authenticator {
  readonly provides = ['accessToken'];
  readonly refreshable = false;
  readonly describe: string;
  readonly uses: AuthUses;
  private creds: Credentials | undefined;

  constructor(
    private readonly cfg: { tokenKey: string; secretKeys?: SecretKeys },
    private readonly secrets: SecretStore,
    private readonly configId: string,
  ) {
    this.describe = `the token in secret '${cfg.tokenKey}'`;
    this.uses = {
      secret: cfg.tokenKey,
      holds: 'the token',
      fields: [
        'source.auth.type (a permanent token, sent as Authorization: Bearer)',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: names the config placeholder
        'the Authorization header in source.request.headers (when it places ${accessToken} itself)',
        ...secretKeyField(cfg.secretKeys, 'accessToken'),
      ],
    };
  }

  async get(): Promise<Credentials> {
    if (!this.creds) {
      const secret = await loadSecret(this.secrets, this.cfg.tokenKey, this.configId);
      const token = pickSecret(secret, 'accessToken', this.cfg.secretKeys, this.configId);
      this.creds = { headers: { Authorization: `Bearer ${token}` }, query: {}, vars: { accessToken: token } };
    }
    return this.creds;
  }

  async refresh(): Promise<void> {
    // A permanent token cannot be refreshed; the engine reports the 401.
  }
}
