/**
 * Every form a secret value can take on its way into text, as one regular expression source.
 *
 * A token rarely reaches a log as itself: it travels in a query string (`encodeURIComponent`
 * keeps `~!'()*`, `URLSearchParams` turns them into `%7E%21%27%28%29` and a space into `+`, the
 * WHATWG URL parser re-encodes `'`, some clients emit `%7e`), in a JSON body (`\"`, `\\`, `\/`,
 * `\u00e9`, Go's `\u003c`), in a JSON log line that quotes JSON (the escapes doubled), in HTML
 * (`&amp;`, `&#39;`), or as base64 inside `Authorization: Basic …`. Listing whole encodings
 * misses the mixtures (a URL built from an `encodeURIComponent`-ed template and then parsed is
 * neither), so the pattern is built per character: each character of the secret may appear in
 * any of its own forms, independently of its neighbours. Letters and digits have one form (no
 * encoder escapes them), which keeps the pattern small and fast.
 *
 * Base64 is not per character. The secret's own base64 (standard and URL-safe) is matched
 * whole; and because a secret inside a longer base64 text (a password after `user:` in a Basic
 * header whose user name is not secret) is encoded at one of three bit alignments, the middle
 * of each alignment's encoding — the characters that depend on the secret's bytes only — is
 * matched too. Those derived forms are themselves matched in every character form (`%2B`, `\/`).
 */

/** Escapes beyond this many backslashes would be JSON quoted seven times over. */
const MAX_BACKSLASHES = 15;
/** Percent-encoding applied this many times over (`%7E` → `%257E` → `%25257E`). */
const MAX_PERCENT_LAYERS = 3;
/** Base64 fragments shorter than this are too common to be evidence of a secret. */
const MIN_BASE64_FRAGMENT = 8;

const BACKSLASHES = `(?:\\\\){1,${MAX_BACKSLASHES}}`;
const PERCENT = `%(?:25){0,${MAX_PERCENT_LAYERS - 1}}`;

const JSON_SHORT: Record<string, string> = {
  '"': '"',
  // A backslash escapes to backslashes only: 1 raw, 2 in JSON, 4 in JSON quoted again…
  '\\': '',
  '/': '/',
  '\b': 'b',
  '\f': 'f',
  '\n': 'n',
  '\r': 'r',
  '\t': 't',
};
const HTML_NAMED: Record<string, string[]> = {
  '&': ['&amp;'],
  '<': ['&lt;'],
  '>': ['&gt;'],
  '"': ['&quot;'],
  "'": ['&apos;'],
};

/** Regex source for `s` taken literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Hex digits of `n` (at least `width`), each letter matching either case. */
function hex(n: number, width: number): string {
  return n
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

const isAlnum = (ch: string) => /^[A-Za-z0-9]$/.test(ch);
const isSpace = (ch: string) => /^\s$/u.test(ch);

/** The alternatives one character (a code point) may appear as. */
function charForms(ch: string): string[] {
  if (isAlnum(ch)) return [ch];
  const cp = ch.codePointAt(0)!;
  const forms = [escapeRegex(ch)];
  // Percent-encoding of the UTF-8 bytes (encodeURIComponent, URLSearchParams, URL), any layer count.
  forms.push([...Buffer.from(ch, 'utf8')].map((b) => `${PERCENT}${hex(b, 2)}`).join(''));
  // JavaScript's legacy escape(): Latin-1 bytes as %XX, the rest as %uXXXX.
  if (cp > 0x7f && cp <= 0xff) forms.push(`${PERCENT}${hex(cp, 2)}`);
  if (cp > 0xff)
    forms.push(
      utf16(ch)
        .map((u) => `${PERCENT}[uU]${hex(u, 4)}`)
        .join(''),
    );
  // JSON string escapes, possibly JSON-quoted again (the backslashes double each time).
  const short = JSON_SHORT[ch];
  if (short !== undefined) forms.push(`${BACKSLASHES}${escapeRegex(short)}`);
  forms.push(
    utf16(ch)
      .map((u) => `${BACKSLASHES}u${hex(u, 4)}`)
      .join(''),
  );
  // HTML character references.
  for (const named of HTML_NAMED[ch] ?? []) forms.push(escapeRegex(named));
  forms.push(`&#0*${cp};`, `&#[xX]0*${hex(cp, 1)};`);
  // Form encoding writes a space as '+'.
  if (ch === ' ') forms.push('\\+');
  return forms;
}

function utf16(ch: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < ch.length; i++) out.push(ch.charCodeAt(i));
  return out;
}

/**
 * Regex source matching `value` with each character in any of its forms. A run of whitespace
 * matches any run of whitespace forms: messages collapse and re-wrap whitespace.
 */
export function perCharacterPattern(value: string): string {
  let out = '';
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (isSpace(ch)) {
      const run = new Set<string>();
      while (i < chars.length && isSpace(chars[i]!)) run.add(chars[i++]!);
      i--;
      const forms = [...run].flatMap(charForms);
      out += `(?:\\s|${forms.join('|')})+`;
      continue;
    }
    const forms = charForms(ch);
    out += forms.length === 1 ? forms[0]! : `(?:${forms.join('|')})`;
  }
  return out;
}

const toUrlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The base64 texts that reveal `value`: its whole encoding (standard, padded; URL-safe,
 * unpadded) and, for each of the three byte alignments it can have inside a longer encoded
 * text, the characters determined by its bytes alone (when long enough to be specific).
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const whole = bytes.toString('base64');
  const unpadded = whole.replace(/=+$/, '');
  const forms = new Set<string>([whole, unpadded, toUrlSafe(unpadded)]);
  for (let k = 0; k < 3; k++) {
    const shifted = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Character i covers bits [6i, 6i+6): it depends on the secret only if those bits lie
    // within the secret's bits [8k, 8k + 8n).
    const start = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * k + 8 * bytes.length) / 6);
    const middle = shifted.slice(start, end);
    if (middle.length >= MIN_BASE64_FRAGMENT) {
      forms.add(middle);
      forms.add(toUrlSafe(middle));
    }
  }
  return [...forms];
}

/** Regex sources for every form of `value`, its base64 forms included; longest first. */
export function secretPatterns(value: string): { source: string; length: number }[] {
  const texts = [value, ...base64Forms(value)];
  return texts.map((t) => ({ source: perCharacterPattern(t), length: t.length }));
}
