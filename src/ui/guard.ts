/**
 * Who may talk to `floe ui`. The server shows a project's runs, configs and table rows, so:
 *
 *  - It binds 127.0.0.1 unless told otherwise; any other address needs a token (the command
 *    makes one when none is given), and then every request must carry it: as the
 *    `floe_ui_token` cookie, which the page's first load sets from `?token=…`, or as
 *    `Authorization: Bearer …` (scripts).
 *  - The Host header must name the address the server is bound to (for a loopback bind also
 *    `localhost`): a page on another site whose name was pointed at 127.0.0.1 (DNS rebinding)
 *    sends its own name as Host and is refused.
 *  - A request whose Origin is not the server's own, or that a browser marks cross-site
 *    (`Sec-Fetch-Site`), is refused: no other page may read the API, even by accident.
 *  - Only GET and HEAD: the UI is read-only by construction.
 *
 * Every answer carries a Content-Security-Policy that lets the page load only its own scripts.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces, hostname as osHostname } from 'node:os';
import type { MiddlewareHandler } from 'hono';

export const TOKEN_COOKIE = 'floe_ui_token';

export interface GuardOptions {
  /** The address bound (`127.0.0.1`, `::1`, `0.0.0.0`, `192.168.1.5`, a host name). */
  host: string;
  port: number;
  /** Required on every request when set. */
  token?: string;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]';

/** `host:port` as a Host header writes it (IPv6 in brackets), lower-case. */
export function hostHeader(host: string, port: number): string {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return isIP(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`;
}

/**
 * The Host headers the server answers to: the bound address, `localhost` and the loopback
 * addresses when bound to loopback, and every interface address and the machine's name when
 * bound to all interfaces (a token is then required, which guards the rest).
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host]);
  if (isLoopback(host)) for (const n of LOOPBACK_NAMES) names.add(n);
  if (isWildcard(host)) {
    for (const n of LOOPBACK_NAMES) names.add(n);
    names.add(osHostname());
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.add(a.address.replace(/%.*$/, ''));
  }
  return new Set([...names].map((n) => hostHeader(n, port)));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // The run table is the report's HTML, whose cells carry inline styles (email clients need them).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function refuse(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

export function requestGuard(opts: GuardOptions): MiddlewareHandler {
  const hosts = allowedHosts(opts.host, opts.port);
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return refuse(405, 'floe ui is read-only: GET only');
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!hosts.has(host)) return refuse(403, `unexpected Host header ${JSON.stringify(host)}`);
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://${host}`)
      return refuse(403, `requests from ${JSON.stringify(origin)} are not allowed`);
    if (c.req.header('sec-fetch-site') === 'cross-site')
      return refuse(403, 'cross-site requests are not allowed');
    if (opts.token !== undefined) {
      const url = new URL(c.req.url);
      const fromQuery = url.searchParams.get('token');
      const auth = c.req.header('authorization');
      const given =
        (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined) ??
        cookieValue(c.req.header('cookie'), TOKEN_COOKIE) ??
        fromQuery ??
        undefined;
      if (given === undefined || !sameSecret(given, opts.token))
        return refuse(401, 'this floe ui needs its token: open the URL it printed (…/?token=…)');
      if (fromQuery !== null && url.pathname === '/') {
        // Trade the token in the address bar for a cookie only this origin sends, and drop it
        // from the URL (and so from history and Referer headers).
        return new Response(null, {
          status: 303,
          headers: {
            location: '/',
            'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(opts.token)}; Path=/; HttpOnly; SameSite=Strict`,
            'cache-control': 'no-store',
          },
        });
      }
    }
    await next();
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('cross-origin-resource-policy', 'same-origin');
  };
}
