/** HTTP Basic from `username`/`password` in the secret (Eloqua: `Company\User` as username). */
import type { SecretKeys } from '../../config/source-schema.js';
import type { SecretStore } from '../../runtime/ports/secret-store.js';
import { registerSecret } from '../../util/redact.js';
import { loadSecret, pickSecret, secretKeyField } from './secrets.js';
import type { Authenticator, AuthUses, Credentials } from './types.js';

export class BasicAuthenticator implements Authenticator {
  readonly provides = [];
  readonly refreshable = false;
  readonly describe: string;
  readonly uses: AuthUses;
  private creds: Credentials | undefined;

  constructor(
    private readonly cfg: { tokenKey: string; secretKeys?: SecretKeys },
    private readonly secrets: SecretStore,
    private readonly configId: string,
  ) {
    this.describe = `the username/password in secret '${cfg.tokenKey}'`;
    this.uses = {
      secret: cfg.tokenKey,
      holds: 'the username and password',
      fields: [
        'source.auth.type (BASIC: sent as Authorization: Basic)',
        ...secretKeyField(cfg.secretKeys, 'username'),
        ...secretKeyField(cfg.secretKeys, 'password'),
      ],
    };
  }

  async get(): Promise<Credentials> {
    if (!this.creds) {
      const secret = await loadSecret(this.secrets, this.cfg.tokenKey, this.configId);
      const user = pickSecret(secret, 'username', this.cfg.secretKeys, this.configId);
      const pass = pickSecret(secret, 'password', this.cfg.secretKeys, this.configId);
      const encoded = Buffer.from(`${user}:${pass}`).toString('base64');
      registerSecret(encoded);
      this.creds = { headers: { Authorization: `Basic ${encoded}` }, query: {}, vars: {} };
    }
    return this.creds;
  }

  async refresh(): Promise<void> {}
}
