/** A static API key in a header or a query parameter; also available as `${apiKey}`. */
import type { SecretKeys } from '../../config/source-schema.js';
import type { SecretStore } from '../../runtime/ports/secret-store.js';
import { loadSecret, pickSecret, secretKeyField } from './secrets.js';
import type { Authenticator, AuthUses, Credentials } from './types.js';

export class ApiKeyAuthenticator implements Authenticator {
  readonly provides = ['apiKey'];
  readonly refreshable = false;
  readonly describe: string;
  readonly uses: AuthUses;
  private creds: Credentials | undefined;

  constructor(
    private readonly cfg: {
      tokenKey: string;
      secretKeys?: SecretKeys;
      in: 'header' | 'query';
      name: string;
      prefix: string;
    },
    private readonly secrets: SecretStore,
    private readonly configId: string,
  ) {
    this.describe = `the API key in secret '${cfg.tokenKey}'`;
    this.uses = {
      secret: cfg.tokenKey,
      holds: 'the API key',
      fields: [
        `source.auth.in (${cfg.in})`,
        `source.auth.name (${JSON.stringify(cfg.name)}: the ${cfg.in === 'query' ? 'query parameter' : 'header'} the key is sent in)`,
        `source.auth.prefix (${JSON.stringify(cfg.prefix)})`,
        ...secretKeyField(cfg.secretKeys, 'apiKey'),
      ],
    };
  }

  async get(): Promise<Credentials> {
    if (!this.creds) {
      const secret = await loadSecret(this.secrets, this.cfg.tokenKey, this.configId);
      const key = pickSecret(secret, 'apiKey', this.cfg.secretKeys, this.configId);
      const value = `${this.cfg.prefix}${key}`;
      this.creds =
        this.cfg.in === 'header'
          ? { headers: { [this.cfg.name]: value }, query: {}, vars: { apiKey: key } }
          : { headers: {}, query: { [this.cfg.name]: value }, vars: { apiKey: key } };
    }
    return this.creds;
  }

  async refresh(): Promise<void> {}
}
