/**
 * Medallia Experience Cloud Query API simulator: OAuth2 client credentials at
 * `POST /oauth/{tenant}/token` and GraphQL at `POST /data/v0/query`, with a seeded field
 * catalogue and feedback at any scale, a movable clock, the Query API's rate limit and query
 * cost limit, GraphQL errors in 200 responses, and fault injection.
 *
 * Facts modelled (developer.medallia.com authentication; docs.medallia.com Query API
 * "Restrictions and limits"; Airbyte's source-medallia; a public Keboola Medallia extractor):
 *  - token: Basic client_id:client_secret, `grant_type=client_credentials` →
 *    `{access_token, token_type: "Bearer", expires_in: 3600}`;
 *  - query: `{"query", "variables"}`; `feedback(first, after, filter: {fieldIds, gt…},
 *    orderBy: {fieldId, direction})` → `{nodes, pageInfo {hasNextPage, endCursor}, totalCount}`;
 *    field values as `values: [String]`; the catalogue through `fields(first, after)`;
 *  - limits: 70 requests/s and 975,000/day (another Medallia page says 10/s; the simulator takes
 *    the restrictions page), at most 3,000,000 cost units per query; problems with the query
 *    itself come back as `{"errors": [...]}` with status 200.
 * Deliberate differences: the token and query endpoints share one server (Medallia splits them
 * between the reporting instance and `*.apis.medallia.com`), and it answers token requests for
 * any tenant name (one company is simulated); the day follows the simulated clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FloeError } from '../../errors.js';
import {
  AccessTokens,
  basicAuth,
  bearer,
  type ChurnOptions,
  control,
  FaultInjector,
  readBody,
  SimClock,
  type SimFaults,
  SimStats,
  send,
  sendBroken,
} from '../shared.js';
import { MedalliaWorld } from './data.js';
import { Executor } from './execute.js';
import { GraphqlError, parseOperation } from './graphql.js';

export interface MedalliaSimOptions {
  port?: number;
  seed?: number;
  /** Feedback records at the start (default 3000). */
  feedback?: number;
  /** Extra custom question fields in the catalogue (default 0). */
  extraFields?: number;
  churn?: ChurnOptions;
  tenant?: string;
  client?: { clientId: string; clientSecret: string };
  /** Default { requestsPerSecond: 70, perDay: 975000 }; false disables. */
  rateLimit?: { requestsPerSecond: number; perDay?: number } | false;
  /** Default 3,000,000. */
  maxQueryCost?: number;
  faults?: SimFaults;
  startTime?: string;
}

export interface MedalliaSimulator {
  readonly origin: string;
  /** origin + '/oauth/{tenant}/token' */
  readonly tokenUrl: string;
  /** origin + '/data/v0/query' */
  readonly queryUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  now(): Date;
  advanceClock(ms: number): void;
  setFaults(f: SimFaults | undefined): void;
  setMaxQueryCost(n: number): void;
  stats(): { requests: number; byStatus: Record<number, number>; throttled: number };
  resetStats(): void;
  /** The field catalogue, as `fields { nodes { id name description dataType multivalued filterable sortable } }`. */
  fields(): Record<string, unknown>[];
  /** Feedback at the clock as rows: id and each answered field's values (one value, or a list for multivalued fields). */
  records(): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

export const DEFAULT_MEDALLIA_CLIENT = {
  clientId: 'sim-medallia-client',
  clientSecret: 'sim-medallia-secret',
};

export async function startMedalliaSimulator(opts: MedalliaSimOptions = {}): Promise<MedalliaSimulator> {
  const seed = opts.seed ?? 1;
  const startMs = Date.parse(opts.startTime ?? '2024-01-01T00:00:00Z');
  if (Number.isNaN(startMs))
    throw new FloeError(
      'config-invalid',
      `Medallia simulator startTime must look like 2024-01-01T00:00:00Z, got '${opts.startTime}'`,
    );
  const n = opts.feedback ?? 3000;
  if (!Number.isInteger(n) || n < 0)
    throw new FloeError(
      'config-invalid',
      `Medallia simulator option 'feedback' must be a non-negative integer, got ${n}`,
    );
  const t0 = Math.floor(startMs / 1000);
  const world = new MedalliaWorld(seed, t0, n, opts.churn, opts.extraFields ?? 0);
  const clock = new SimClock(t0 * 1000);
  const tokens = new AccessTokens(seed, 3600);
  const faults = new FaultInjector(opts.faults, seed);
  const stats = new SimStats();
  const tenant = opts.tenant ?? 'simtenant';
  const client = opts.client ?? DEFAULT_MEDALLIA_CLIENT;
  let maxCost = opts.maxQueryCost ?? 3_000_000;
  const executor = new Executor(world, () => maxCost);
  const rl =
    opts.rateLimit === false ? undefined : { requestsPerSecond: 70, perDay: 975_000, ...opts.rateLimit };
  let bucket = rl ? rl.requestsPerSecond : 0;
  let last = performance.now();
  let day = '';
  let used = 0;
  const take = (): boolean => {
    if (!rl) return true;
    const d = new Date(clock.nowMs()).toISOString().slice(0, 10);
    if (d !== day) {
      day = d;
      used = 0;
    }
    const now = performance.now();
    bucket = Math.min(rl.requestsPerSecond, bucket + ((now - last) * rl.requestsPerSecond) / 1000);
    last = now;
    used++;
    if (used > (rl.perDay ?? Number.POSITIVE_INFINITY) || bucket < 1) return false;
    bucket -= 1;
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__sim/'))
      return control(
        { stats, faults, clock, expireTokens: () => tokens.expireAll() },
        req,
        res,
        url.pathname,
      );
    stats.requests++;
    const reply = (status: number, body: unknown) => {
      stats.count(status);
      send(res, status, JSON.stringify(body));
    };
    if (/^\/oauth\/[^/]+\/token$/.test(url.pathname)) {
      const form = new URLSearchParams(await readBody(req));
      const b = basicAuth(req);
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials')
        return reply(400, { error: 'unsupported_grant_type' });
      if (!b || b[0] !== client.clientId || b[1] !== client.clientSecret)
        return reply(401, { error: 'invalid_client' });
      return reply(200, {
        access_token: tokens.issue(clock.nowMs()),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    if (url.pathname !== '/data/v0/query')
      return reply(404, { error: 'not_found', message: `No route ${url.pathname}` });
    const fault = faults.decide();
    const auth = tokens.check(bearer(req), clock.nowMs(), faults.expireTokensAfterRequests);
    if (auth !== 'ok')
      return reply(401, {
        error: 'invalid_token',
        error_description: auth === 'expired' ? 'Access token expired' : 'Invalid access token',
      });
    if (!take() || fault.throttle)
      return reply(429, { error: 'too_many_requests', message: 'API rate limit exceeded' });
    if (fault.serverError) return reply(fault.serverError, { error: 'server_error' });
    if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return reply(400, { error: 'bad_request', message: 'Body must be JSON {"query", "variables"}' });
    }
    let out: unknown;
    try {
      if (typeof body.query !== 'string')
        throw new GraphqlError('Must provide query string.', { code: 'BAD_REQUEST' });
      const op = parseOperation(body.query);
      const vars = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<
        string,
        unknown
      >;
      out = executor.execute(op, vars, Math.floor(clock.nowMs() / 1000));
      if (url.searchParams.get('compute_cost_only') === 'true')
        out = { data: { rateLimit: (out as { data: Record<string, unknown> }).data.rateLimit ?? null } };
    } catch (e) {
      if (!(e instanceof GraphqlError)) throw e;
      out = {
        errors: [{ message: e.message, ...(e.extensions ? { extensions: e.extensions } : {}) }],
        data: null,
      };
    }
    const text = JSON.stringify(out);
    if (fault.slowMs > 0) await new Promise((r) => setTimeout(r, fault.slowMs));
    stats.count(200);
    if (fault.reset) return sendBroken(res, text, 'reset');
    if (fault.truncate) return sendBroken(res, text, fault.truncate);
    send(res, 200, text);
  };
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          JSON.stringify({ error: 'server_error', message: e instanceof Error ? e.message : String(e) }),
        );
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
    tokenUrl: `${origin}/oauth/${tenant}/token`,
    queryUrl: `${origin}/data/v0/query`,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    now: () => new Date(clock.nowMs()),
    advanceClock: (ms) => clock.advance(ms),
    setFaults: (f) => faults.set(f),
    setMaxQueryCost: (c) => {
      maxCost = c;
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    fields: () => world.fields.map((f) => ({ ...f })),
    records: async function* () {
      const count = world.count(Math.floor(clock.nowMs() / 1000));
      for (let i = 0; i < count; i++) {
        const row: Record<string, unknown> = { id: world.id(i) };
        for (const [k, v] of Object.entries(world.values(i))) {
          const fd = world.fields.find((f) => f.id === k)!;
          row[k] = fd.multivalued ? v : v[0];
        }
        yield row;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
