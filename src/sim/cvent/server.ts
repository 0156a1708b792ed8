/**
 * The HTTP side of the Cvent simulator: `POST /ea/oauth2/token` (client credentials) and the
 * list operations under `/ea`, with Cvent's paging envelope, `after`/`before`, `filter=`, usage
 * tiers and error bodies, plus fault injection and the `/__sim` control endpoints.
 *
 * Facts modelled (cvent/rest-sdks `cvent-public-spec/openapi.yaml`, developers.cvent.com):
 *  - token: Basic base64(client_id:client_secret), `grant_type=client_credentials` →
 *    `{access_token, expires_in: 3600, token_type: "Bearer"}`;
 *  - paging: `limit` 1–200 (default 100) and `token` (a UUID v4 that "will override any other
 *    pageable parameters"); the response is `{paging: {currentToken, nextToken, limit, totalCount,
 *    _links}, data}`; `nextToken` is absent on the last page; when results divide evenly the last
 *    full page still carries a `nextToken` and the page after it is empty; `totalCount` "may return
 *    blank" (this simulator omits it for attendees, whose schema is paging-no-total-count);
 *  - `after` / `before`: "added or updated after/before this time point" (on lastModified);
 *  - `GET /sessions/attendance` (listSessionsAttendance): session check-ins with the same paging
 *    (`paging.json`, with totalCount), `after`/`before` and a filter on id, event.id, attendee.id,
 *    session.id, deleted, created and lastModified (records: attendance.ts);
 *  - errors: `{code, message, target, details[]}`; 401 `{code: 401, message: "Unauthorized"}`;
 *    429 `{code: 429, message: "Limit Exceeded"}` without Retry-After (rate-limit.ts).
 */
import { randomUUID } from 'node:crypto';
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
import type { CventObject, CventWorld, TimelineObject } from './data.js';
import { FilterError, parseFilter } from './filter.js';
import type { CventRateLimiter } from './rate-limit.js';

export interface CventServerParts {
  world: CventWorld;
  tokens: AccessTokens;
  clock: SimClock;
  faults: FaultInjector;
  limiter: CventRateLimiter | undefined;
  stats: SimStats;
  client: { id: string; secret: string };
}

/** Filterable fields per list operation (from each operation's filter description). */
const FILTERABLE: Record<CventObject, readonly string[]> = {
  events: ['id', 'code', 'title', 'status'],
  sessions: ['id', 'event.id', 'code', 'status'],
  contacts: ['id', 'email', 'firstName', 'lastName'],
  attendees: ['event.id', 'id', 'confirmationNumber', 'checkedIn', 'status', 'contact.id'],
  speakers: ['id', 'event.id'],
  'registration-types': [],
  // listSessionsAttendance's filter description.
  'session-attendance': ['id', 'event.id', 'attendee.id', 'session.id', 'deleted', 'created', 'lastModified'],
};
/** Operations with `after`/`before` (speakers and registration types have none). */
const TIME_RANGE: ReadonlySet<CventObject> = new Set([
  'events',
  'sessions',
  'contacts',
  'attendees',
  'session-attendance',
]);
/** Attendees use the paging schema without totalCount. */
const NO_TOTAL: ReadonlySet<CventObject> = new Set(['attendees']);

interface PageState {
  object: CventObject;
  path: string;
  /**
   * What matches the query, fixed on the first page: indices of a timeline object, or the
   * records themselves (registration types, session attendance).
   */
  matches: number[] | Record<string, unknown>[];
  limit: number;
  offset: number;
  nowS: number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const badRequest = (target: string, message: string) =>
  new ApiError(400, { code: 400, message: 'Bad Request', target, details: [{ code: 400, message, target }] });

const MAX_TOKENS = 50_000;

export function createCventHandler(parts: CventServerParts) {
  const pages = new Map<string, PageState>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/__sim/')) {
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
    }
    parts.stats.requests++;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      parts.stats.count(status);
      send(res, status, JSON.stringify(body), headers);
    };
    if (path === '/ea/oauth2/token') return token(parts, req, res, reply);
    if (!path.startsWith('/ea/')) return reply(404, { code: 404, message: 'Not Found', target: path });

    const fault = parts.faults.decide();
    const auth = parts.tokens.check(bearer(req), parts.clock.nowMs(), parts.faults.expireTokensAfterRequests);
    if (auth !== 'ok') return reply(401, { code: 401, message: 'Unauthorized' });
    const rate = parts.limiter?.take(parts.clock.nowMs());
    const rateHeaders = rate?.headers ?? {};
    if ((rate && !rate.allowed) || fault.throttle) {
      return reply(429, { code: 429, message: 'Limit Exceeded' }, rateHeaders);
    }
    if (fault.serverError) {
      if (fault.serverError === 502) {
        parts.stats.count(502);
        return send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {}, 'text/html');
      }
      return reply(fault.serverError, { code: fault.serverError, message: 'Internal Server Error' });
    }
    if (req.method !== 'GET') return reply(405, { code: 405, message: 'Method Not Allowed' });
    let body: unknown;
    try {
      body = list(parts, pages, url);
    } catch (e) {
      if (e instanceof ApiError) return reply(e.status, e.body, rateHeaders);
      throw e;
    }
    if (fault.slowMs > 0) await new Promise((r) => setTimeout(r, fault.slowMs));
    const text = JSON.stringify(body);
    parts.stats.count(200);
    if (fault.reset) return sendBroken(res, text, 'reset');
    if (fault.truncate) return sendBroken(res, text, fault.truncate);
    send(res, 200, text, rateHeaders);
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ code: 500, message: e instanceof Error ? e.message : String(e) }));
      else res.destroy();
    });
  };
}

async function token(
  parts: CventServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  reply: (status: number, body: unknown, headers?: Record<string, string>) => void,
): Promise<void> {
  if (req.method !== 'POST') return reply(405, { error: 'invalid_request', error_description: 'Use POST' });
  const form = new URLSearchParams(await readBody(req));
  const basic = basicAuth(req);
  if (form.get('grant_type') !== 'client_credentials') {
    return reply(400, {
      error: 'unsupported_grant_type',
      error_description: 'Only client_credentials is supported',
    });
  }
  if (!basic || basic[0] !== parts.client.id || basic[1] !== parts.client.secret) {
    return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
  }
  const accessToken = parts.tokens.issue(parts.clock.nowMs());
  res.setHeader('cache-control', 'no-store');
  reply(200, { access_token: accessToken, expires_in: parts.tokens.ttlSeconds, token_type: 'Bearer' });
}

function list(parts: CventServerParts, pages: Map<string, PageState>, url: URL): Record<string, unknown> {
  const q = url.searchParams;
  const tokenParam = q.get('token');
  let state: PageState;
  if (tokenParam !== null) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(tokenParam)) {
      throw badRequest('token', 'token must be a valid UUID v4');
    }
    const s = pages.get(tokenParam);
    if (!s) throw badRequest('token', 'token is invalid or has expired');
    state = s;
  } else {
    state = firstPage(parts, url);
  }
  const { world } = parts;
  const slice = state.matches.slice(state.offset, state.offset + state.limit);
  const data = isTimeline(state.object)
    ? (slice as number[]).map((i) => world.record(state.object as TimelineObject, i, state.nowS))
    : (slice as Record<string, unknown>[]);
  const current = tokenParam ?? randomUUID();
  pages.set(current, state);
  const paging: Record<string, unknown> = { currentToken: current, limit: state.limit };
  // A full page always announces a next one, which may turn out empty.
  if (slice.length === state.limit) {
    const next = randomUUID();
    pages.set(next, { ...state, offset: state.offset + state.limit });
    paging.nextToken = next;
  }
  if (!NO_TOTAL.has(state.object)) paging.totalCount = state.matches.length;
  const self = `/ea${state.path}`;
  paging._links = {
    self: { href: `${self}?token=${current}` },
    ...(paging.nextToken ? { next: { href: `${self}?token=${paging.nextToken}` } } : {}),
  };
  if (pages.size > MAX_TOKENS)
    for (const k of pages.keys()) {
      pages.delete(k);
      if (pages.size <= MAX_TOKENS / 2) break;
    }
  return { paging, data };
}

function firstPage(parts: CventServerParts, url: URL): PageState {
  const { world } = parts;
  const q = url.searchParams;
  const path = url.pathname.slice('/ea'.length);
  const nowS = Math.floor(parts.clock.nowMs() / 1000);
  let object: CventObject;
  let eventIndex: number | undefined;
  const reg = /^\/events\/([^/]+)\/registration-types$/.exec(path);
  if (reg) {
    object = 'registration-types';
    eventIndex = world.eventIndex(decodeURIComponent(reg[1]!), nowS);
    if (eventIndex === undefined) {
      throw new ApiError(404, {
        code: 404,
        message: 'Not Found',
        target: 'id',
        details: [{ code: 404, message: `event ${reg[1]} not found`, target: 'id' }],
      });
    }
  } else if (path === '/sessions/attendance') {
    object = 'session-attendance';
  } else if (['/events', '/sessions', '/contacts', '/attendees', '/speakers'].includes(path)) {
    object = path.slice(1) as TimelineObject;
  } else {
    throw new ApiError(404, { code: 404, message: 'Not Found', target: path });
  }
  const limitText = q.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw badRequest('limit', 'limit must be an integer from 1 to 200');
  const time = (name: 'after' | 'before') => {
    const v = q.get(name);
    if (v === null || !TIME_RANGE.has(object)) return undefined;
    const t = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(t))
      throw badRequest(name, `${name} must be an ISO-8601 date-time, e.g. 2017-01-02T02:00:00Z`);
    return t;
  };
  const after = time('after');
  const before = time('before');
  let predicate: ((r: Record<string, unknown>) => boolean) | undefined;
  const filter = q.get('filter');
  if (filter !== null && filter.trim() !== '') {
    try {
      predicate = parseFilter(filter, FILTERABLE[object]);
    } catch (e) {
      if (e instanceof FilterError) throw badRequest('filter', e.message);
      throw e;
    }
  }
  const keep = (r: Record<string, unknown>) => {
    const lm = Date.parse(String(r.lastModified));
    if (after !== undefined && !(lm > after)) return false;
    if (before !== undefined && !(lm < before)) return false;
    return !predicate || predicate(r);
  };
  if (object === 'registration-types') {
    const all = world.registrationTypes(eventIndex!);
    return { object, path, matches: predicate ? all.filter(predicate) : all, limit, offset: 0, nowS };
  }
  if (object === 'session-attendance') {
    return { object, path, matches: world.attendance.records(nowS).filter(keep), limit, offset: 0, nowS };
  }
  const n = world.count(object, nowS);
  const matches: number[] = [];
  for (let i = 0; i < n; i++) {
    if (after === undefined && before === undefined && !predicate) {
      matches.push(i);
      continue;
    }
    if (keep(world.record(object, i, nowS))) matches.push(i);
  }
  return { object, path, matches, limit, offset: 0, nowS };
}

function isTimeline(object: CventObject): object is TimelineObject {
  return object !== 'registration-types' && object !== 'session-attendance';
}
