/**
 * Every way a secret value is written into text by the code paths floe and its libraries take:
 * what redaction must catch, and what leak checks grep for.
 */
export const SECRET_ENCODINGS: Record<string, (s: string) => string> = {
  raw: (s) => s,
  encodeURIComponent,
  'encodeURIComponent, lower-case hex': (s) =>
    encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'encodeURIComponent with ~ as %7E': (s) => encodeURIComponent(s).replace(/~/g, '%7E'),
  'encodeURIComponent twice': (s) => encodeURIComponent(encodeURIComponent(s)),
  'URLSearchParams value': (s) => new URLSearchParams({ v: s }).toString().slice(2),
  'URLSearchParams, lower-case hex': (s) =>
    new URLSearchParams({ v: s })
      .toString()
      .slice(2)
      .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'URL.searchParams.set, href': (s) => {
    const u = new URL('https://api.example.com/v1/x');
    u.searchParams.set('access_token', s);
    return u.href;
  },
  'template + WHATWG URL parser': (s) =>
    new URL(`https://api.example.com/v1/x?t=${encodeURIComponent(s)}`).href,
  'URL path segment': (s) => new URL(`https://api.example.com/v1/${encodeURIComponent(s)}/x`).href,
  'JSON string body': (s) => JSON.stringify({ token: s }),
  'JSON escaped (no quotes)': (s) => JSON.stringify(s).slice(1, -1),
  'JSON quoted in JSON': (s) => JSON.stringify(JSON.stringify({ v: s })),
  'JSON, ASCII only (Python json.dumps)': (s) =>
    JSON.stringify(s).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  'JSON, HTML-safe (Go encoding/json)': (s) =>
    JSON.stringify(s).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  'JSON, escaped slashes (PHP)': (s) => JSON.stringify(s).replace(/\//g, '\\/'),
  'escape()': (s) => escape(s),
  'HTML escaped': (s) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
  base64: (s) => Buffer.from(s).toString('base64'),
  'base64, no padding': (s) => Buffer.from(s).toString('base64').replace(/=+$/, ''),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  'base64 in a URL': (s) => encodeURIComponent(Buffer.from(s).toString('base64')),
};

/** The distinct encoded forms of `secret`, each at least 6 characters (what a grep looks for). */
export function encodedForms(secret: string): string[] {
  return [...new Set(Object.values(SECRET_ENCODINGS).map((f) => f(secret)))].filter((f) => f.length >= 6);
}
