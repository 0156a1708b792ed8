/**
 * A small helpdesk tickets API on 127.0.0.1, for trying floe on an API it has no pack for (see
 * docs/getting-started.md and test/integration/new-user-path.test.ts). It is built unlike Wrike on
 * purpose, in the ways REST APIs commonly differ:
 *  - auth: an API key in the `X-Api-Key` header (401 without it);
 *  - `GET /api/v2/tickets?offset=&limit=` (limit 1–100, default 25), oldest update first, with an
 *    RFC 8288 `Link: <…>; rel="next"` header while more pages follow, and `meta.total`;
 *  - `updated_since=<ISO-8601>`: only tickets updated at or after that instant (400 if it does
 *    not parse);
 *  - records in an envelope, `{"data": {"tickets": [...]}, "meta": {"total", "offset", "limit"}}`,
 *    each with nested objects, ISO-8601 times and a number-or-string field (data.ts).
 * Control endpoints as in the other simulators: `/__sim/clock` (GET; POST {"advanceMs"}) moves
 * simulated time so incremental runs see edits and new tickets; `/__sim/stats`, `/__sim/faults`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FloeError } from '../../errors.js';
import { control, FaultInjector, SimClock, type SimFaults, SimStats, send, sendBroken } from '../shared.js';
import { type HelpdeskTicket, HelpdeskWorld } from './data.js';

export type { HelpdeskTicket } from './data.js';

export interface HelpdeskSimOptions {
  port?: number;
  seed?: number;
  /** Tickets at the start time (default 120). */
  tickets?: number;
  /** The one API key the simulator accepts. */
  apiKey?: string;
  faults?: SimFaults;
  /** Initial simulated clock (default 2024-06-01T00:00:00Z). */
  startTime?: string;
}

export interface HelpdeskSimulator {
  readonly origin: string;
  /** origin + '/api/v2' */
  readonly baseUrl: string;
  readonly apiKey: string;
  now(): Date;
  advanceClock(ms: number): void;
  setFaults(f: SimFaults | undefined): void;
  /** Ground truth: every ticket as the API shows it at the current clock. */
  tickets(): HelpdeskTicket[];
  stats(): { requests: number; byStatus: Record<number, number>; throttled: number };
  resetStats(): void;
  close(): Promise<void>;
}

export const DEFAULT_HELPDESK_API_KEY = 'sim-helpdesk-key-7f3a91';
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

export async function startHelpdeskSimulator(opts: HelpdeskSimOptions = {}): Promise<HelpdeskSimulator> {
  const seed = opts.seed ?? 1;
  const startMs = Date.parse(opts.startTime ?? '2024-06-01T00:00:00Z');
  if (Number.isNaN(startMs))
    throw new FloeError(
      'config-invalid',
      `helpdesk simulator startTime must look like 2024-06-01T00:00:00Z, got '${opts.startTime}'`,
    );
  const count = opts.tickets ?? 120;
  if (!Number.isInteger(count) || count < 0)
    throw new FloeError(
      'config-invalid',
      `helpdesk simulator option 'tickets' must be a non-negative integer, got ${count}`,
    );
  const apiKey = opts.apiKey ?? DEFAULT_HELPDESK_API_KEY;
  const world = new HelpdeskWorld(seed, Math.floor(startMs / 1000), count);
  const clock = new SimClock(Math.floor(startMs / 1000) * 1000);
  const faults = new FaultInjector(opts.faults, seed);
  const stats = new SimStats();
  const nowS = () => Math.floor(clock.nowMs() / 1000);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__sim/'))
      return control({ stats, faults, clock, expireTokens: () => {} }, req, res, url.pathname);
    stats.requests++;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      stats.count(status);
      send(res, status, JSON.stringify(body), headers);
    };
    const error = (status: number, code: string, message: string) =>
      reply(status, { error: { code, message } });
    if (url.pathname !== '/api/v2/tickets')
      return error(404, 'not_found', `no route ${req.method} ${url.pathname}`);
    if (req.method !== 'GET') return error(405, 'method_not_allowed', 'use GET');
    if (req.headers['x-api-key'] !== apiKey)
      return error(401, 'unauthorized', 'missing or invalid API key (send it in the X-Api-Key header)');
    const fault = faults.decide();
    if (fault.throttle) return error(429, 'rate_limited', 'too many requests');
    if (fault.serverError) return error(fault.serverError, 'server_error', 'internal error');

    const q = url.searchParams;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    const limit = q.has('limit') ? Number(q.get('limit')) : DEFAULT_LIMIT;
    if (!Number.isInteger(offset) || offset < 0)
      return error(400, 'invalid_parameter', 'offset must be a non-negative integer');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return error(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_LIMIT}`);
    const sinceText = q.get('updated_since');
    const since = sinceText === null ? undefined : Date.parse(sinceText);
    if (since !== undefined && (Number.isNaN(since) || !/^\d{4}-\d{2}-\d{2}T/.test(sinceText!)))
      return error(
        400,
        'invalid_parameter',
        'updated_since must be an ISO-8601 date-time, e.g. 2024-06-01T00:00:00Z',
      );

    // Oldest update first (then id), so offsets stay stable while a sync pages through.
    const all = world
      .tickets(nowS())
      .filter((t) => since === undefined || Date.parse(t.updated_at) >= since)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
    const page = all.slice(offset, offset + limit);
    const headers: Record<string, string> = {};
    if (offset + limit < all.length) {
      const next = new URL(url.pathname + url.search, `http://${req.headers.host ?? '127.0.0.1'}`);
      next.searchParams.set('offset', String(offset + limit));
      next.searchParams.set('limit', String(limit));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    const text = JSON.stringify({
      data: { tickets: page },
      meta: { total: all.length, offset, limit },
    });
    if (fault.slowMs > 0) await new Promise((r) => setTimeout(r, fault.slowMs));
    stats.count(200);
    if (fault.reset) return sendBroken(res, text, 'reset');
    if (fault.truncate) return sendBroken(res, text, fault.truncate);
    send(res, 200, text, headers);
  };

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: { code: 'server_error', message: String(e) } }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    baseUrl: `${origin}/api/v2`,
    apiKey,
    now: () => new Date(clock.nowMs()),
    advanceClock: (ms) => clock.advance(ms),
    setFaults: (f) => faults.set(f),
    tickets: () => world.tickets(nowS()),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
