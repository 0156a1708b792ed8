/** What to check when an API rejects an authenticator's credentials (a 401). */
import type { Authenticator } from './types.js';

export function rejectedCredentialsHint(auth: Pick<Authenticator, 'uses'>): string {
  const { secret, holds, fields } = auth.uses;
  const check = fields.length > 0 ? `check ${fields.join(', ')}` : '';
  if (secret === undefined) return check ? `${check[0]!.toUpperCase()}${check.slice(1)}` : '';
  const replace = `Replace ${holds ?? 'the credential'} in secret '${secret}' (source.auth.tokenKey)`;
  return check ? `${replace}, or ${check}` : replace;
}
