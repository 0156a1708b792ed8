/**
 * Secrets from AWS Secrets Manager, by the name in `source.auth.tokenKey`: a plain string (a
 * permanent token) or a JSON secret with named fields (OAuth client id, secret, refresh token).
 * Every value read is registered for redaction before it is returned, whole and field by field.
 *
 * A rotated OAuth refresh token is written back at once as a new version of the secret, staged
 * AWSCURRENT (PutSecretValue). Two runs refreshing at once cannot lose the newest token: a
 * provider that rotates accepts each refresh token once, so only one of them obtains a new token
 * from a given old one (the other gets invalid_grant, re-reads the secret and uses the newest,
 * see source/auth/oauth2.ts); and each write carries its own ClientRequestToken, so an SDK retry
 * of a write that already landed is a no-op instead of a late overwrite of a newer version.
 */
import { randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { FloeError } from '../../errors.js';
import type { SecretStore } from '../ports/secret-store.js';
import { registerSecretValue } from '../secret-values.js';
import { awsError, awsErrorName } from './aws-error.js';

export class SecretsManagerStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly region?: string,
  ) {}

  where(_name: string): string {
    return `AWS Secrets Manager${this.region ? ` in ${this.region}` : ''}`;
  }

  async get(name: string): Promise<string> {
    let value: string | undefined;
    try {
      const r = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      value = r.SecretString ?? (r.SecretBinary ? Buffer.from(r.SecretBinary).toString('utf8') : undefined);
    } catch (e) {
      if (awsErrorName(e) === 'ResourceNotFoundException')
        throw new FloeError(
          'not-found',
          `secret '${name}' not found in ${this.where(name)} (fix: create it, e.g. \`aws secretsmanager create-secret --name ${name} --secret-string <token>\`, or correct source.auth.tokenKey)`,
          { context: { secret: name } },
        );
      throw awsError(e, {
        action: 'GetSecretValue',
        resource: `secret '${name}'`,
        iam: 'secretsmanager:GetSecretValue',
        context: { secret: name },
      });
    }
    if (value === undefined || value.trim() === '')
      throw new FloeError(
        'not-found',
        `secret '${name}' in ${this.where(name)} exists but its current value is empty (fix: put the token into it with \`aws secretsmanager put-secret-value --secret-id ${name} --secret-string …\`)`,
        { context: { secret: name, empty: true } },
      );
    registerSecretValue(value);
    return value;
  }

  async put(name: string, value: string): Promise<void> {
    registerSecretValue(value);
    // One token per logical write: SDK retries reuse it, so a retried write cannot land twice.
    const token = randomUUID();
    try {
      await this.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }),
      );
    } catch (e) {
      throw awsError(e, {
        action: 'PutSecretValue',
        resource: `secret '${name}'`,
        iam: 'secretsmanager:PutSecretValue',
        context: { secret: name },
      });
    }
  }
}
