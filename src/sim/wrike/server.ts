/**
 * The HTTP side of the simulator (node:http, loopback only): routing between the API, OAuth2 and
 * control endpoints, auth, rate limiting, fault injection and writing Wrike's envelope.
 *
 * Responses are built as string chunks: a list is buffered (with Content-Length) up to 8 MB and
 * streamed with chunked encoding beyond that, so an unpaged listing of millions of records never
 * sits in memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthRegistry } from './auth.js';
import type { SimClock } from './clock.js';
import { errorBody, RATE_LIMIT_BODY, WrikeApiError } from './errors.js';
import type { FaultDecision, FaultInjector, WrikeFaults } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { ListResult, WrikeApi } from './routes.js';

export interface SimStats {
  requests: number;
  byStatus: Record<number, number>;
  throttled: number;
}

export interface ServerParts {
  api: WrikeApi;
  auth: AuthRegistry;
  clock: SimClock;
  faults: FaultInjector;
  limiter: RateLimiter | undefined;
  stats: SimStats;
  /** `127.0.0.1:PORT`, known once listening. */
  host: () => string;
  /** Applied by POST /__sim/faults and /__sim/clock (so the owner can react, e.g. to reset counters). */
  setFaults: (f: WrikeFaults | undefined) => void;
  advanceClock: (ms: number) => void;
  resetStats: () => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const BUFFER_LIMIT = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;
const MAX_BODY = 1024 * 1024;

const SERVER_ERROR_BODIES: Record<500 | 502 | 503, { type: string; body: string }> = {
  500: { type: JSON_TYPE, body: errorBody('server_error', 'Internal server error') },
  502: {
    type: 'text/html',
    body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
  },
  503: { type: JSON_TYPE, body: errorBody('server_error', 'Service temporarily unavailable') },
};

export function createHandler(parts: ServerParts) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(parts, req, res).catch((e: unknown) => {
      // A bug or a client that went away; never let it crash the process.
      if (!res.headersSent) {
        count(parts, 500);
        send(res, 500, JSON_TYPE, errorBody('server_error', e instanceof Error ? e.message : String(e)));
      } else res.destroy();
    });
  };
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (path.startsWith('/__sim/')) return control(parts, req, res, path);
  if (path === '/oauth2/token') return oauthToken(parts, req, res);
  if (path === '/oauth2/authorize/v4' || path === '/oauth2/authorize')
    return oauthAuthorize(parts, req, res, url);
  if (path === '/api/v4' || path.startsWith('/api/v4/')) return api(parts, req, res, url);
  parts.stats.requests++;
  count(parts, 404);
  send(
    res,
    404,
    JSON_TYPE,
    errorBody('method_not_found', `No such endpoint: ${path}; the API lives under /api/v4`),
  );
}

function count(parts: ServerParts, status: number): void {
  parts.stats.byStatus[status] = (parts.stats.byStatus[status] ?? 0) + 1;
  if (status === 429) parts.stats.throttled++;
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- /api/v4 ------------------------------------------------------------------------------------

async function api(parts: ServerParts, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  parts.stats.requests++;
  // Draw the fault decision first, for every API request, so the sequence depends only on n.
  const fault = parts.faults.decide();
  const fail = (e: WrikeApiError, headers: Record<string, string> = {}) => {
    count(parts, e.status);
    send(res, e.status, JSON_TYPE, e.body(), headers);
  };
  const header = req.headers.authorization;
  const bearer = header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
  const token = bearer ?? url.searchParams.get('access_token') ?? undefined;
  const auth = parts.auth.check(token, parts.clock.nowMs(), parts.faults.expireTokensAfterRequests);
  if (auth !== 'ok') {
    const description =
      auth === 'missing'
        ? 'Authorization is required: send an access token'
        : auth === 'expired'
          ? 'Access token is expired'
          : 'Access token is unknown or invalid';
    return fail(new WrikeApiError('not_authorized', description));
  }
  const limited = parts.limiter?.take(token!) ?? 0;
  if (limited > 0 || fault.throttle) {
    count(parts, 429);
    const headers: Record<string, string> = parts.limiter?.opts.retryAfter
      ? { 'retry-after': String(Math.max(1, limited)) }
      : {};
    return send(res, 429, JSON_TYPE, RATE_LIMIT_BODY, headers);
  }
  if (fault.serverError) {
    const e = SERVER_ERROR_BODIES[fault.serverError];
    count(parts, fault.serverError);
    return send(res, fault.serverError, e.type, e.body);
  }
  if (req.method !== 'GET') {
    return fail(
      new WrikeApiError(
        'access_forbidden',
        `The simulator is read-only (scope wsReadOnly): ${req.method} is not allowed`,
      ),
    );
  }
  let result: ListResult;
  let chunks: Generator<string>;
  let first: IteratorResult<string>;
  try {
    result = parts.api.handle({
      path: url.pathname.slice('/api/v4'.length),
      params: url.searchParams,
      nowMs: parts.clock.nowMs(),
    });
    chunks = envelope(result);
    first = chunks.next();
  } catch (e) {
    if (e instanceof WrikeApiError) return fail(e);
    throw e;
  }
  if (fault.slowMs > 0) await sleep(fault.slowMs);
  await writeList(parts, res, first, chunks, fault);
}

/** `{"kind":…, <extra>, "data":[…]}` in chunks of about 64 KB. */
function* envelope(r: ListResult): Generator<string> {
  let buf = `{"kind":${JSON.stringify(r.kind)}`;
  if (r.extra)
    for (const [k, v] of Object.entries(r.extra)) buf += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  buf += ',"data":[';
  let firstItem = true;
  const raw = r.raw === true;
  for (const item of r.items) {
    buf += (firstItem ? '' : ',') + (raw ? (item as string) : JSON.stringify(item));
    firstItem = false;
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}]}`;
}

async function writeList(
  parts: ServerParts,
  res: ServerResponse,
  first: IteratorResult<string>,
  rest: Generator<string>,
  fault: FaultDecision,
): Promise<void> {
  // Buffer up to BUFFER_LIMIT; that covers every page and every ordinary list.
  const buffered: string[] = [];
  let size = 0;
  let step = first;
  while (!step.done && size < BUFFER_LIMIT) {
    buffered.push(step.value);
    size += step.value.length;
    step = rest.next();
  }
  count(parts, 200);
  if (step.done) {
    const body = buffered.join('');
    if (fault.reset || fault.truncate) return cutShort(res, body, fault);
    return send(res, 200, JSON_TYPE, body);
  }
  // Long list: chunked transfer encoding.
  res.writeHead(200, { 'content-type': JSON_TYPE });
  if (fault.reset || fault.truncate) return cutShort(res, buffered.join(''), fault, true);
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  for (const c of buffered) if (!res.write(c)) await drain(res);
  while (!step.done && !closed) {
    if (!res.write(step.value)) await drain(res);
    step = rest.next();
  }
  res.end();
}

function drain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Sends half of `body` and then breaks the response as the fault says. */
function cutShort(res: ServerResponse, body: string, fault: FaultDecision, headersSent = false): void {
  const bytes = Buffer.from(body);
  const half = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
  const socket = res.socket;
  if (fault.truncate === 'half-json' && !fault.reset) {
    // A complete, well-formed HTTP response whose JSON is cut off.
    if (!headersSent) res.writeHead(200, { 'content-type': JSON_TYPE });
    res.end(half);
    return;
  }
  if (!headersSent) res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': bytes.length });
  res.write(half, () => {
    if (!socket) return;
    if (fault.reset) {
      // RST, not FIN: the client sees ECONNRESET in the middle of the body.
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
    } else socket.end(); // FIN after fewer bytes than Content-Length announced
  });
}

// ---- OAuth2 -------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new WrikeApiError('invalid_request', 'Request body too large'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

async function oauthToken(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  parts.stats.requests++;
  if (req.method !== 'POST') {
    count(parts, 405);
    return send(
      res,
      405,
      JSON_TYPE,
      JSON.stringify({ error: 'invalid_request', error_description: 'Use POST' }),
    );
  }
  const raw = await readBody(req);
  const form = new URLSearchParams(raw);
  // Some clients send the parameters in the query string; accept those too.
  for (const [k, v] of new URL(req.url ?? '/', 'http://x').searchParams) if (!form.has(k)) form.set(k, v);
  let basic: [string, string] | undefined;
  const header = req.headers.authorization;
  if (header && /^basic\s+/i.test(header)) {
    const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0)
      basic = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  }
  const r = parts.auth.token(form, basic, parts.clock.nowMs(), parts.host());
  count(parts, r.status);
  send(res, r.status, JSON_TYPE, JSON.stringify(r.body), { 'cache-control': 'no-store' });
}

/** The authorization step, without a login page: redirects straight back with a code. */
function oauthAuthorize(parts: ServerParts, _req: IncomingMessage, res: ServerResponse, url: URL): void {
  parts.stats.requests++;
  const p = url.searchParams;
  if (p.get('response_type') !== 'code' || !parts.auth.clientMatches(p.get('client_id'))) {
    count(parts, 400);
    send(
      res,
      400,
      JSON_TYPE,
      JSON.stringify({
        error: 'invalid_request',
        error_description: 'Unknown client_id or response_type is not code',
      }),
    );
    return;
  }
  const code = parts.auth.issueCode(parts.clock.nowMs());
  const redirect = p.get('redirect_uri');
  if (!redirect) {
    count(parts, 200);
    send(res, 200, JSON_TYPE, JSON.stringify({ code, state: p.get('state') ?? undefined }));
    return;
  }
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    count(parts, 400);
    send(
      res,
      400,
      JSON_TYPE,
      JSON.stringify({ error: 'invalid_request', error_description: 'redirect_uri is not a URL' }),
    );
    return;
  }
  target.searchParams.set('code', code);
  const state = p.get('state');
  if (state !== null) target.searchParams.set('state', state);
  count(parts, 302);
  res.writeHead(302, { location: target.toString(), 'content-length': 0 });
  res.end();
}

// ---- control ------------------------------------------------------------------------------------

async function control(
  parts: ServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const ok = (body: unknown) => send(res, 200, JSON_TYPE, JSON.stringify(body));
  const bad = (msg: string, status = 400) => send(res, status, JSON_TYPE, errorBody('invalid_request', msg));
  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req);
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      return bad('Body must be JSON');
    }
  }
  const route = `${req.method} ${path}`;
  switch (route) {
    case 'GET /__sim/stats':
      return ok(parts.stats);
    case 'POST /__sim/stats/reset':
      parts.resetStats();
      return ok(parts.stats);
    case 'GET /__sim/faults':
      return ok({ faults: parts.faults.current ?? null });
    case 'POST /__sim/faults': {
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
        return bad('Body must be a WrikeFaults object or null');
      }
      const f = body as WrikeFaults | null | undefined;
      parts.setFaults(f && Object.keys(f).length > 0 ? f : undefined);
      return ok({ faults: parts.faults.current ?? null });
    }
    case 'GET /__sim/clock':
      return ok({ now: new Date(parts.clock.nowMs()).toISOString() });
    case 'POST /__sim/clock': {
      const advanceMs = (body as { advanceMs?: unknown } | undefined)?.advanceMs;
      if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0) {
        return bad('Body must be {"advanceMs": <non-negative number>}');
      }
      parts.advanceClock(advanceMs);
      return ok({ now: new Date(parts.clock.nowMs()).toISOString() });
    }
    case 'POST /__sim/expire-tokens':
      parts.auth.expireAccessTokens();
      return ok({ expired: true });
  }
  return bad(`Unknown control endpoint ${route}`, 404);
}
