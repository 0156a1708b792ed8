/**
 * Redaction: a registered secret disappears in every form it takes on its way into text, and
 * credentials are recognised by where they stand even when never registered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearSecretsForTest,
  REDACTED,
  redact,
  redactSnippet,
  registerSecret,
} from '../../src/util/redact.js';
import { SECRET_ENCODINGS } from '../support/secret-encodings.js';

afterEach(() => clearSecretsForTest());

/** Secrets of every awkward shape: characters each encoder treats differently. */
const SECRETS = {
  tilde: 'tilde~Leak~7777',
  bangQuoteParens: "bang!it's(paren)*star",
  spaces: 'two  words and spaces',
  plusSlashEquals: 'plus+slash/equals==',
  quotesBackslash: 'q"uo\\te\'s-\\"x',
  unicode: 'ünïcødé-密码-🔑-key',
  controls: 'line1\nline2\ttab',
  percentAmp: '50%&more=less#frag?q',
  html: '<tag>&amp;"x"',
};

/** Every encoder of the shared list, plus Basic headers (base64 of a longer text). */
const ENCODERS: Record<string, (s: string) => string> = {
  ...SECRET_ENCODINGS,
  'Basic user:secret (user at each byte alignment)': (s) =>
    ['a', 'ab', 'abc'].map((user) => `Basic ${Buffer.from(`${user}:${s}`).toString('base64')}`).join(' | '),
  'Basic secret:password': (s) => `Basic ${Buffer.from(`${s}:not-secret`).toString('base64')}`,
};

/** The secret's 6+ character runs that a leak would show (minus the base64 edges). */
function leaks(out: string, secret: string, encoded: string): string[] {
  const found: string[] = [];
  if (out.includes(encoded)) found.push(encoded);
  if (secret.length >= 8 && out.includes(secret.slice(1, -1))) found.push(secret.slice(1, -1));
  return found;
}

describe('redact: a registered secret in every encoding', () => {
  for (const [shape, secret] of Object.entries(SECRETS)) {
    for (const [how, encode] of Object.entries(ENCODERS)) {
      it(`${shape} secret, ${how}`, () => {
        registerSecret(secret);
        const encoded = encode(secret);
        const text = `GET https://api.example.com/x?q=${encoded} failed; body {"v":"${encoded}"} (${encoded})`;
        const out = redact(text);
        expect(out).toContain(REDACTED);
        // Base64 inside a longer base64 text keeps a character or two at the edges; the rest goes.
        const parts = how.startsWith('Basic') ? encoded.split(' | ').map((p) => p.slice(6)) : [encoded];
        for (const p of parts) expect(leaks(out, secret, p), `${how}: ${out}`).toEqual([]);
      });
    }
  }

  it('a secret that is a prefix of another leaves neither behind', () => {
    registerSecret('prefix-secret');
    registerSecret('prefix-secret-and-more');
    expect(redact('a prefix-secret-and-more b prefix-secret c')).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redact(encodeURIComponent('x prefix-secret-and-more'))).toBe(`x%20${REDACTED}`);
  });

  it('whitespace inside a secret may be collapsed or re-wrapped and still matches', () => {
    registerSecret('two  words and spaces');
    expect(redact('x two words\nand   spaces y')).toBe(`x ${REDACTED} y`);
  });

  it('leaves ordinary text alone', () => {
    registerSecret('tilde~Leak~7777');
    const prose =
      "the bearer token in secret 'wrike-token' was rejected (configId=Wrike_Tasks, secret=wrike-token); " +
      'GET https://www.wrike.com/api/v4/tasks?pageSize=1000&nextPageToken=ABCDEF&monkey=banana answered 500';
    expect(redact(prose)).toBe(prose);
  });

  it('values shorter than 6 characters are not registered', () => {
    registerSecret('abc12');
    expect(redact('abc12')).toBe('abc12');
  });
});

describe('redact: credentials recognised by their place', () => {
  const cases: [string, string][] = [
    ['GET https://h/x?access_token=tilde%7ELeak&b=1', `GET https://h/x?access_token=${REDACTED}&b=1`],
    ['https://h/x?a=1&ACCESS_TOKEN=zz#f', `https://h/x?a=1&ACCESS_TOKEN=${REDACTED}#f`],
    [
      'https://h/x?api_key=k1&apikey=k2&api-key=k3',
      `https://h/x?api_key=${REDACTED}&apikey=${REDACTED}&api-key=${REDACTED}`,
    ],
    [
      'https://h/x?key=abc&sig=def&token=ghi',
      `https://h/x?key=${REDACTED}&sig=${REDACTED}&token=${REDACTED}`,
    ],
    [
      'grant_type=refresh_token&client_secret=cs1&refresh_token=rt1',
      `grant_type=refresh_token&client_secret=${REDACTED}&refresh_token=${REDACTED}`,
    ],
    ['body: client_secret=cs1&x=1', `body: client_secret=${REDACTED}&x=1`],
    [
      'https://s3/b/k?X-Amz-Signature=abc123&X-Amz-Date=1',
      `https://s3/b/k?X-Amz-Signature=${REDACTED}&X-Amz-Date=1`,
    ],
    ['Authorization: Bearer eyJ0eXAi.abc-def', `Authorization: Bearer ${REDACTED}`],
    ['authorization: basic dXNlcjpwYXNz', `authorization: basic ${REDACTED}`],
    ['Authorization: custom-token-value', `Authorization: ${REDACTED}`],
    ['{"Authorization":"Bearer abc.def"}', `{"Authorization":"Bearer ${REDACTED}"}`],
    ['{\\"authorization\\":\\"Token abcdef\\"}', `{\\"authorization\\":\\"Token ${REDACTED}\\"}`],
    ['X-API-Key: k-123456', `X-API-Key: ${REDACTED}`],
    ['sent Bearer abcdef123456 to the API', `sent Bearer ${REDACTED} to the API`],
    ['header Basic dXNlcjpwYXNzd29yZA== rejected', `header Basic ${REDACTED} rejected`],
    ['{"access_token": "at-1", "expires_in": 3600}', `{"access_token": "${REDACTED}", "expires_in": 3600}`],
    [
      '{"refresh_token":"rt","client_secret":"cs"}',
      `{"refresh_token":"${REDACTED}","client_secret":"${REDACTED}"}`,
    ],
    ['password=hunter22 in the form', `password=${REDACTED} in the form`],
    [
      '(url=https://h/x?access_token=***, method=GET)',
      `(url=https://h/x?access_token=${REDACTED}, method=GET)`,
    ],
  ];
  for (const [input, expected] of cases) {
    it(input, () => expect(redact(input)).toBe(expected));
  }

  it('names that only contain a credential word are not credentials', () => {
    for (const s of [
      'monkey=1&turkey=2',
      'nextPageToken=abc&pageToken=def',
      'secret=wrike-token (the secret NAME in error context)',
      'a bearer token is sent as a header',
      'keyboard=us',
    ]) {
      expect(redact(s)).toBe(s);
    }
  });
});

describe('redactSnippet', () => {
  it('redacts before clipping, so a secret cut at the clip point leaves no prefix', () => {
    const secret = 'SNIPPET-SECRET-0123456789';
    registerSecret(secret);
    for (let at = 60; at < 80; at++) {
      const body = `${'x'.repeat(at)}${secret} and more`;
      const out = redactSnippet(body, 80);
      expect(out.length).toBeLessThanOrEqual(80);
      expect(out).not.toContain(secret.slice(0, 6));
    }
  });

  it('clips huge text without redacting all of it', () => {
    registerSecret('huge-secret-value');
    const out = redactSnippet(`huge-secret-value ${'y'.repeat(5_000_000)}`, 50);
    expect(out).toBe(`${REDACTED} ${'y'.repeat(46)}`);
  });
});
