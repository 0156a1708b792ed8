/**
 * The HTTP side of the Eloqua simulator: base-URL discovery (`GET /id`), OAuth2
 * (`POST /auth/oauth2/token`), REST 2.0 assets and REST 1.0 form data, and Bulk 2.0 exports.
 *
 * Facts modelled (docs.oracle.com Eloqua developer guide):
 *  - auth: HTTP Basic `base64("Company\\User:Password")`, or an OAuth2 bearer token; `/id`
 *    answers `{site, user, urls: {base, apis}}` to an authenticated call and 401
 *    `"Not authenticated."` otherwise; clients must call the API on `urls.base`;
 *  - REST lists: `page` (default 1), `count` (1–1000), `depth` (minimal|partial|complete),
 *    `search` (`{term}{operator}{value}`, e.g. `updatedAt>='1700000000'`), envelope
 *    `{elements, page, pageSize, total}`, times as Unix-epoch strings;
 *  - REST 1.0 form data `GET /api/REST/1.0/data/form/{id}` with `startAt`/`endAt` (epoch);
 *  - Bulk 2.0: see bulk.ts; `DELETE` of a definition answers 204;
 *  - a 429 is documented but no numeric limit is published: the simulator's limit is optional.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AccessTokens,
  basicAuth,
  bearer,
  control,
  type FaultInjector,
  readBody,
  type SimClock,
  type SimStats,
  send,
  sendBroken,
} from '../shared.js';
import { type BulkEntity, BulkError, type BulkStore } from './bulk.js';
import type { EloquaWorld } from './data.js';

export interface EloquaServerParts {
  world: EloquaWorld;
  bulk: BulkStore;
  tokens: AccessTokens;
  clock: SimClock;
  faults: FaultInjector;
  stats: SimStats;
  /** Per-second limit on API calls (wall clock), if any. */
  limiter?: { take(): boolean };
  login: { company: string; user: string; password: string };
  oauth: { clientId: string; clientSecret: string; refreshTokens: Set<string> };
  origin: () => string;
}

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(String(status));
  }
}

export function createEloquaHandler(parts: EloquaServerParts) {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/__sim/bulk' && req.method === 'POST') {
      parts.bulk.faults = JSON.parse((await readBody(req)) || '{}');
      return send(res, 200, JSON.stringify({ bulk: parts.bulk.faults }));
    }
    if (path.startsWith('/__sim/'))
      return control(
        {
          stats: parts.stats,
          faults: parts.faults,
          clock: parts.clock,
          expireTokens: () => parts.tokens.expireAll(),
        },
        req,
        res,
        path,
      );
    parts.stats.requests++;
    const reply = (status: number, body: unknown) => {
      parts.stats.count(status);
      if (status === 204) {
        res.writeHead(204);
        res.end();
        return;
      }
      send(res, status, JSON.stringify(body));
    };
    if (path === '/auth/oauth2/token') return token(parts, req, reply);
    const who = authenticate(parts, req);
    if (path === '/id') {
      if (who !== 'ok') return reply(401, 'Not authenticated.');
      const base = parts.origin();
      return reply(200, {
        site: { id: 42, name: parts.login.company },
        user: {
          id: 314,
          username: parts.login.user,
          displayName: 'Sim User',
          firstName: 'Sim',
          lastName: 'User',
          emailAddress: 'sim.user@example.com',
        },
        urls: {
          base,
          apis: {
            soap: { standard: `${base}/API/{version}/Service.svc` },
            rest: {
              standard: `${base}/API/REST/{version}/`,
              data: `${base}/API/Data/{version}/`,
              bulk: `${base}/API/Bulk/{version}/`,
            },
          },
        },
      });
    }
    const lower = path.toLowerCase();
    if (!lower.startsWith('/api/'))
      return reply(404, { failures: [{ field: 'path', value: path, constraint: 'Not found' }] });
    const fault = parts.faults.decide();
    if (who !== 'ok') return reply(401, who === 'expired' ? 'Access token expired.' : 'Not authenticated.');
    if ((parts.limiter && !parts.limiter.take()) || fault.throttle)
      return reply(429, { failures: [{ constraint: 'Too many requests' }] });
    if (fault.serverError)
      return reply(fault.serverError, { failures: [{ constraint: 'There was an internal server error.' }] });
    let body: unknown;
    let status = 200;
    try {
      const raw = req.method === 'POST' ? await readBody(req) : '';
      const json = raw ? (JSON.parse(raw) as unknown) : undefined;
      ({ status, body } = route(parts, req.method ?? 'GET', lower, url.searchParams, json));
    } catch (e) {
      if (e instanceof BulkError || e instanceof RestError) return reply(e.status, e.body);
      if (e instanceof SyntaxError)
        return reply(400, { failures: [{ field: 'body', constraint: 'Must be JSON' }] });
      throw e;
    }
    if (status === 204) return reply(204, null);
    const text = JSON.stringify(body);
    if (fault.slowMs > 0) await new Promise((r) => setTimeout(r, fault.slowMs));
    parts.stats.count(status);
    if (fault.reset) return sendBroken(res, text, 'reset');
    if (fault.truncate) return sendBroken(res, text, fault.truncate);
    send(res, status, text);
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          JSON.stringify({ failures: [{ constraint: e instanceof Error ? e.message : String(e) }] }),
        );
      else res.destroy();
    });
  };
}

function authenticate(parts: EloquaServerParts, req: IncomingMessage): 'ok' | 'no' | 'expired' {
  const b = basicAuth(req);
  if (b) {
    const { company, user, password } = parts.login;
    return b[0] === `${company}\\${user}` && b[1] === password ? 'ok' : 'no';
  }
  const check = parts.tokens.check(bearer(req), parts.clock.nowMs(), parts.faults.expireTokensAfterRequests);
  return check === 'ok' ? 'ok' : check === 'expired' ? 'expired' : 'no';
}

async function token(parts: EloquaServerParts, req: IncomingMessage, reply: (s: number, b: unknown) => void) {
  const form = new URLSearchParams(await readBody(req));
  const client = basicAuth(req);
  if (!client || client[0] !== parts.oauth.clientId || client[1] !== parts.oauth.clientSecret) {
    return reply(401, { error: 'invalid_client' });
  }
  const grant = form.get('grant_type');
  if (grant === 'refresh_token') {
    if (!parts.oauth.refreshTokens.has(form.get('refresh_token') ?? ''))
      return reply(400, { error: 'invalid_grant' });
  } else if (grant === 'password') {
    const { company, user, password } = parts.login;
    if (form.get('username') !== `${company}\\${user}` || form.get('password') !== password)
      return reply(400, { error: 'invalid_grant' });
  } else return reply(400, { error: 'unsupported_grant_type' });
  const access = parts.tokens.issue(parts.clock.nowMs());
  const refresh = `sim-eloqua-refresh-${access.slice(-6)}`;
  parts.oauth.refreshTokens.add(refresh);
  reply(200, {
    access_token: access,
    token_type: 'bearer',
    expires_in: parts.tokens.ttlSeconds,
    refresh_token: refresh,
  });
}

function page<T>(
  all: T[],
  q: URLSearchParams,
): { elements: T[]; page: number; pageSize: number; total: number } {
  const p = q.has('page') ? Number(q.get('page')) : 1;
  const count = q.has('count') ? Number(q.get('count')) : 1000;
  if (!Number.isInteger(p) || p < 1)
    throw new RestError(400, {
      failures: [{ field: 'page', value: q.get('page'), constraint: 'Must be a positive integer' }],
    });
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new RestError(400, {
      failures: [{ field: 'count', value: q.get('count'), constraint: 'Must be from 1 to 1000' }],
    });
  return { elements: all.slice((p - 1) * count, p * count), page: p, pageSize: count, total: all.length };
}

/** `search=updatedAt>='1700000000'` (or a date) on an epoch-string field. */
function searchPredicate(search: string | null): ((r: Record<string, unknown>) => boolean) | undefined {
  if (search === null || search.trim() === '') return undefined;
  const m = /^\s*(\w+)\s*(>=|<=|!=|=|>|<)\s*'?([^']*)'?\s*$/.exec(search);
  if (!m)
    throw new RestError(400, {
      failures: [
        {
          field: 'search',
          value: search,
          constraint: "Use {term}{operator}{value}, e.g. updatedAt>='1700000000'",
        },
      ],
    });
  const [, term, op, raw] = m;
  const value = /^\d+$/.test(raw!)
    ? Number(raw)
    : Date.parse(`${raw!.replace(' ', 'T')}${/T|\d{2}:\d{2}/.test(raw!) ? 'Z' : 'T00:00:00Z'}`) / 1000;
  if (!Number.isFinite(value))
    throw new RestError(400, {
      failures: [{ field: 'search', value: search, constraint: 'Value must be a Unix time or a date' }],
    });
  return (r) => {
    const a = Number(r[term!]);
    if (!Number.isFinite(a)) return false;
    switch (op) {
      case '>':
        return a > value;
      case '>=':
        return a >= value;
      case '<':
        return a < value;
      case '<=':
        return a <= value;
      case '!=':
        return a !== value;
      default:
        return a === value;
    }
  };
}

function route(
  parts: EloquaServerParts,
  method: string,
  path: string,
  q: URLSearchParams,
  json: unknown,
): { status: number; body: unknown } {
  const { world, bulk } = parts;
  const nowMs = parts.clock.nowMs();
  const nowS = Math.floor(nowMs / 1000);
  const asset = /^\/api\/rest\/2\.0\/assets\/(campaigns|emails|forms)$/.exec(path);
  if (asset && method === 'GET') {
    const kind = asset[1] as 'campaigns' | 'emails' | 'forms';
    const depth = q.get('depth') ?? 'minimal';
    if (!['minimal', 'partial', 'complete'].includes(depth))
      throw new RestError(400, {
        failures: [{ field: 'depth', value: depth, constraint: 'Must be minimal, partial or complete' }],
      });
    const pred = searchPredicate(q.get('search'));
    const n = world.count(kind, nowS);
    if (!pred) {
      // Without a search only the page's records are built (large listings stay cheap).
      const shell = page(
        Array.from({ length: n }, (_, i) => i),
        q,
      );
      return {
        status: 200,
        body: { ...shell, elements: shell.elements.map((i) => world.asset(kind, i, nowS, depth)) },
      };
    }
    const all: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const r = world.asset(kind, i, nowS, depth);
      if (!pred || pred(r)) all.push(r);
    }
    return { status: 200, body: page(all, q) };
  }
  const formData = /^\/api\/rest\/1\.0\/data\/form\/(\d+)$/.exec(path);
  if (formData && method === 'GET') {
    const f = Number(formData[1]) - 700;
    if (f < 0 || f >= world.count('forms', nowS))
      throw new RestError(404, { failures: [{ field: 'id', value: formData[1], constraint: 'Not found' }] });
    const startAt = q.has('startAt') ? Number(q.get('startAt')) : Number.NEGATIVE_INFINITY;
    const endAt = q.has('endAt') ? Number(q.get('endAt')) : Number.POSITIVE_INFINITY;
    const all = [...world.submissions(f, nowS)].filter(
      (s) => Number(s.submittedAt) >= startAt && Number(s.submittedAt) <= endAt,
    );
    return { status: 200, body: page(all, q) };
  }
  const exp = /^\/api\/bulk\/2\.0\/(contacts|accounts|activities)\/exports(?:\/(\d+))?$/.exec(path);
  if (exp) {
    const entity = exp[1] as BulkEntity;
    if (method === 'POST' && !exp[2]) return { status: 201, body: bulk.createExport(entity, json, nowMs) };
    if (method === 'DELETE' && exp[2]) {
      bulk.deleteExport(entity, exp[2]);
      return { status: 204, body: null };
    }
  }
  if (path === '/api/bulk/2.0/syncs' && method === 'POST')
    return { status: 201, body: bulk.createSync(json, nowMs) };
  const sync = /^\/api\/bulk\/2\.0\/syncs\/(\d+)(\/data|\/logs)?$/.exec(path);
  if (sync && method === 'GET') {
    if (sync[2] === '/data') return { status: 200, body: bulk.data(sync[1]!, q) };
    if (sync[2] === '/logs') return { status: 200, body: bulk.logs(sync[1]!) };
    return { status: 200, body: bulk.getSync(sync[1]!) };
  }
  throw new RestError(404, { failures: [{ field: 'path', value: path, constraint: 'Not found' }] });
}
