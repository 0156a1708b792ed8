/**
 * Credentials recognised by where they stand, not by their value: the second line of defence
 * behind registered secrets (redact.ts), for values floe never read from a store — a token a
 * provider issued that was not registered yet, a key in a URL a server echoes back, a password
 * in a config someone pasted into a header.
 *
 *  - `name=value` in URLs, query strings and form bodies, for credential parameter names
 *    (case-insensitive). Generic words (`key`, `secret`, `token`, `sig`, `auth`, `code`) only
 *    count right after `?`, `&` or `;`, where they can only be a parameter: elsewhere they are
 *    prose or floe's own `secret=<name>` error context, and hiding a secret's NAME helps nobody.
 *  - `Authorization: <scheme> <value>` and other credential headers, in `Name: value` and JSON
 *    (`"authorization":"Bearer …"`) form;
 *  - `Bearer <token>` / `Basic <base64>` anywhere;
 *  - JSON members named like credentials (`"access_token": "…"`, `"client_secret": "…"`).
 */
/** Parameter names that are credentials wherever a `name=` stands. */
const SPECIFIC_PARAMS = [
  'access_token',
  'accesstoken',
  'access-token',
  'id_token',
  'refresh_token',
  'refreshtoken',
  'auth_token',
  'authtoken',
  'session_token',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'client_secret',
  'clientsecret',
  'client-secret',
  'password',
  'passwd',
  'pwd',
  'authorization',
  'signature',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
  'private_key',
  'assertion',
  'client_assertion',
];
/** Parameter names that are credentials only as a query/form parameter. */
const GENERIC_PARAMS = ['key', 'secret', 'token', 'sig', 'auth', 'code'];

/** Headers whose whole value is a credential. */
const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'cookie',
  'set-cookie',
];

/** JSON members whose string value is a credential. */
const JSON_MEMBERS = [
  // `authorization` is a header: the rule above keeps its scheme readable.
  ...SPECIFIC_PARAMS.filter((n) => n !== 'authorization'),
  'accessToken',
  'refreshToken',
  'clientSecret',
  'apiKey',
  'secret',
  'token',
];

const alt = (names: readonly string[]) =>
  names.map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');

/**
 * A parameter value ends where a URL, a form body or a quoted string would end it, or at a
 * comma: encoders write a comma in a value as %2C, and a raw one is prose (`url=…, method=GET`).
 */
const PARAM_VALUE = `[^&#\\s"'<>\\\\,]+`;

/** Authorization schemes whose next word is the credential (RFC 9110 and common APIs). */
const SCHEMES = [
  'Bearer',
  'Basic',
  'Token',
  'Digest',
  'Negotiate',
  'NTLM',
  'OAuth',
  'Bot',
  'SSWS',
  'ApiKey',
  'Key',
  'AWS4-HMAC-SHA256',
  'HMAC',
  'MAC',
];

type Rule = { pattern: RegExp; replace: (marker: string, ...groups: string[]) => string };

const RULES: Rule[] = [
  {
    // name=value after a delimiter only a query/form has.
    pattern: new RegExp(`([?&;])(${alt([...SPECIFIC_PARAMS, ...GENERIC_PARAMS])})=(${PARAM_VALUE})`, 'gi'),
    replace: (r, _m, sep, name) => `${sep}${name}=${r}`,
  },
  {
    // name=value for specific names anywhere a word starts (a form body's first field, prose).
    pattern: new RegExp(`(^|[^\\w.-])(${alt(SPECIFIC_PARAMS)})=(${PARAM_VALUE})`, 'gi'),
    replace: (r, _m, pre, name) => `${pre}${name}=${r}`,
  },
  {
    // Credential headers: `Authorization: Bearer x`, `"x-api-key":"x"`, `authorization=Basic x`.
    // After a known scheme the next word is the credential; otherwise the first word is.
    pattern: new RegExp(
      `(^|[^\\w-])(${alt(CREDENTIAL_HEADERS)})(\\\\*"?\\s*[:=]\\s*\\\\*"?)((?:(?:${alt(SCHEMES)})\\s+)?)([^\\s"'\\\\,;&#]+)`,
      'gi',
    ),
    replace: (r, _m, pre, name, sep, scheme) => `${pre}${name}${sep}${scheme}${r}`,
  },
  {
    // A bare `Bearer <token>` / `Basic <base64>`: the token alphabet of RFC 6750 / RFC 7617.
    pattern: /\b(Bearer|Basic)(\s+)([A-Za-z0-9\-._~+/]{6,}=*)/g,
    replace: (r, _m, scheme, space) => `${scheme}${space}${r}`,
  },
  {
    // "access_token": "…" (also inside JSON quoted in JSON: \"access_token\":\"…\").
    pattern: new RegExp(`(\\\\*")(${alt(JSON_MEMBERS)})(\\\\*"\\s*:\\s*\\\\*")([^"\\\\]+)`, 'gi'),
    replace: (r, _m, q, name, sep) => `${q}${name}${sep}${r}`,
  },
];

/** `text` with every credential-shaped value replaced by `marker`. */
export function redactCredentialText(text: string, marker: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, (...g: string[]) => rule.replace(marker, ...g));
  return out;
}
