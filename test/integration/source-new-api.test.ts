// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * An API the engine has never seen, fetched by config alone. It differs from Wrike in every
 * dimension: client-credentials OAuth2 (Basic client auth), API key in the query or a header,
 * HTTP Basic; offset/limit, Link-header, GraphQL POST cursor, page-number and next-URL pagination;
 * records under `$.result.items`, at the top level or deep in a GraphQL response; filters
 * `modified_since=<epoch>`, `filter=updatedAt>…` and a GraphQL variable; epoch cursor values;
 * a 429 with Retry-After.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceItemInput } from '../../src/config/source-schema.js';
import { buildSource, type SourceEvent, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

const CLIENT = { id: 'acme-client', secret: 'acme-client-secret-123' };
const API_KEY = 'acme-api-key-0987654321';
const BASIC = { username: 'Company\\reporter', password: 'basic-password-42' };
const T0 = Date.parse('2024-03-01T00:00:00Z');

interface Item {
  id: number;
  name: string;
  modifiedAt: number; // epoch seconds
  updatedAt: string; // ISO with millis
}
const ITEMS: Item[] = Array.from({ length: 237 }, (_, i) => ({
  id: i + 1,
  name: `item ${i + 1}`,
  modifiedAt: Math.floor(T0 / 1000) + i * 3600,
  updatedAt: new Date(T0 + i * 3600_000).toISOString(),
}));

let server: Server;
let origin: string;
const tokens = new Set<string>();
let tokenRequests = 0;
let throttledOnce = false;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  const q = url.searchParams;
  const auth = req.headers.authorization ?? '';
  const bearerOk = auth.startsWith('Bearer ') && tokens.has(auth.slice(7));

  if (url.pathname === '/auth/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const basic = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
    if (form.get('grant_type') !== 'client_credentials' || basic !== `${CLIENT.id}:${CLIENT.secret}`) {
      return json(res, 401, { code: 401, message: 'invalid client' });
    }
    tokenRequests++;
    const t = `acme-token-${tokenRequests}-${Math.random().toString(36).slice(2)}`;
    tokens.add(t);
    return json(res, 200, { access_token: t, token_type: 'Bearer', expires_in: 3600 });
  }

  // Offset/limit, bearer from client credentials, records under $.result.items, modified_since=<epoch s>.
  if (url.pathname === '/v2/items') {
    if (!bearerOk) return json(res, 401, { code: 401, message: 'bad token' });
    if (!throttledOnce && q.get('offset') === '50') {
      throttledOnce = true;
      return json(res, 429, { code: 429, message: 'Limit Exceeded' }, { 'retry-after': '1' });
    }
    const since = q.has('modified_since') ? Number(q.get('modified_since')) : 0;
    const match = ITEMS.filter((i) => i.modifiedAt >= since);
    const offset = Number(q.get('offset') ?? 0);
    const limit = Math.min(Number(q.get('limit') ?? 10), 50);
    return json(res, 200, { result: { total: match.length, items: match.slice(offset, offset + limit) } });
  }

  // Link header, API key in the query, top-level array, filter=updatedAt>ISO.
  if (url.pathname === '/v2/events') {
    if (q.get('api_key') !== API_KEY) return json(res, 403, { error: 'bad key' });
    const f = q.get('filter');
    const since = f ? Date.parse(f.replace(/^updatedAt>/, '')) : 0;
    const match = ITEMS.filter((i) => Date.parse(i.updatedAt) > since);
    const page = Number(q.get('p') ?? 1);
    const per = Number(q.get('per_page') ?? 30);
    const slice = match.slice((page - 1) * per, page * per);
    const headers: Record<string, string> = {};
    if (page * per < match.length) {
      const next = new URL(url);
      next.searchParams.set('p', String(page + 1));
      next.searchParams.delete('api_key'); // the client must add its key again
      headers.link = `<${next.pathname}${next.search}>; rel="next", <${url.pathname}?p=1>; rel="first"`;
    }
    return json(res, 200, slice, headers);
  }

  // GraphQL over POST, relay connection, incremental filter as a variable (epoch ms).
  if (url.pathname === '/graphql' && req.method === 'POST') {
    if (!bearerOk) return json(res, 401, { errors: [{ message: 'unauthenticated' }] });
    const body = JSON.parse(await readBody(req)) as {
      query: string;
      variables: { first: number; after?: string; filter?: { gt?: string } };
    };
    const gt = Number(body.variables.filter?.gt ?? 0);
    const match = ITEMS.filter((i) => i.modifiedAt * 1000 > gt);
    const start = body.variables.after ? Number(Buffer.from(body.variables.after, 'base64').toString()) : 0;
    const nodes = match.slice(start, start + body.variables.first);
    const end = start + nodes.length;
    return json(res, 200, {
      data: {
        feedback: {
          totalCount: match.length,
          nodes,
          pageInfo: {
            hasNextPage: end < match.length,
            endCursor: Buffer.from(String(end)).toString('base64'),
          },
        },
      },
    });
  }

  // Page numbers with a total page count, HTTP Basic.
  if (url.pathname === '/v2/reports') {
    if (auth !== `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`) {
      return json(res, 401, { error: 'basic required' });
    }
    const page = Number(q.get('page') ?? 1);
    const count = Number(q.get('count') ?? 100);
    return json(res, 200, {
      elements: ITEMS.slice((page - 1) * count, page * count),
      page,
      pageSize: count,
      total: ITEMS.length,
      totalPages: Math.ceil(ITEMS.length / count),
    });
  }

  // Next URL in the body (relative), API key in a header, records under $.values.
  if (url.pathname === '/v2/contacts') {
    if (req.headers['x-api-key'] !== `Key ${API_KEY}`) return json(res, 401, { error: 'key' });
    const from = Number(q.get('from') ?? 0);
    const values = ITEMS.slice(from, from + 40);
    const next = from + 40 < ITEMS.length ? `/v2/contacts?from=${from + 40}&size=40` : null;
    return json(res, 200, { values, links: { next } });
  }
  json(res, 404, { error: 'no route' });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => json(res, 500, { error: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const secrets = new MemorySecretStore({
  'acme-oauth': { clientId: CLIENT.id, clientSecret: CLIENT.secret },
  'acme-key': API_KEY,
  'acme-basic': BASIC,
});
const retryPolicy = { backoff: 'FIXED', maxAttempts: 3, baseDelayMs: 10 } as const;

async function run(item: SourceItemInput, deps: Partial<Parameters<typeof buildSource>[1]> = {}) {
  const events: SourceEvent[] = [];
  const source = buildSource(item, {
    secrets,
    tokenCache: new TokenCache(),
    onEvent: (e) => events.push(e),
    ...deps,
  });
  const records: Item[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Item[]));
  return { records, events, cursorMax: source.cursorMax(), stats: source.stats() };
}

describe('a new API, by config alone', () => {
  const itemsConfig = (): SourceItemInput => ({
    configId: 'Acme_Items',
    source: {
      auth: { type: 'client_credentials', tokenKey: 'acme-oauth', tokenUrl: `${origin}/auth/token` },
      request: { method: 'GET', url: `${origin}/v2/items`, headers: {} },
      response: { dataPath: '$.result.items' },
      pagination: { type: 'offset', pageSize: 50, totalRecordsPath: '$.result.total' },
      incremental: {
        cursorField: 'modifiedAt',
        format: 'EPOCH_SECONDS',
        params: { modified_since: '${start}' },
      },
    },
    retryPolicy,
    destination: { loadType: 'FULL', lastSyncTime: '' },
  });

  it('offset/limit + client credentials (Basic) + $.result.items, honouring Retry-After', async () => {
    const { records, events, cursorMax } = await run(itemsConfig());
    expect(records).toEqual(ITEMS);
    expect(cursorMax).toBe(new Date(ITEMS.at(-1)!.modifiedAt * 1000).toISOString());
    const throttle = events.find((e) => e.type === 'throttled' && e.by === 'server');
    expect(throttle).toMatchObject({ delayMs: 1000 });
  });

  it('INCREMENTAL sends modified_since=<epoch> from the stored cursor and reports the new max', async () => {
    const cursor = new Date(ITEMS[200]!.modifiedAt * 1000).toISOString();
    const { records, cursorMax, events } = await run(itemsConfig(), { loadType: 'INCREMENTAL', cursor });
    expect(records).toEqual(ITEMS.slice(200));
    expect(cursorMax).toBe(new Date(ITEMS.at(-1)!.modifiedAt * 1000).toISOString());
    const first = events.find((e) => e.type === 'request' && e.url.includes('/v2/items'));
    expect(first && first.type === 'request' && first.url).toContain(
      `modified_since=${ITEMS[200]!.modifiedAt}`,
    );
  });

  it('Link header + API key in query + filter=updatedAt>… (ISO with millis)', async () => {
    const item: SourceItemInput = {
      configId: 'Acme_Events',
      source: {
        auth: { type: 'API_KEY', tokenKey: 'acme-key', in: 'query', name: 'api_key' },
        request: { method: 'GET', url: `${origin}/v2/events`, headers: {}, params: { per_page: 25 } },
        response: { dataPath: '$' },
        pagination: { type: 'link_header' },
        incremental: {
          cursorField: 'updatedAt',
          format: 'ISO8601_MS',
          params: { filter: 'updatedAt>${start}' },
        },
      },
      retryPolicy,
      destination: { loadType: 'INCREMENTAL', lastSyncTime: ITEMS[99]!.updatedAt },
    };
    const { records, cursorMax, stats, events } = await run(item);
    expect(records).toEqual(ITEMS.slice(100));
    expect(stats.pages).toBe(Math.ceil(137 / 25));
    expect(cursorMax).toBe(ITEMS.at(-1)!.updatedAt);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
  });

  it('GraphQL POST with a relay cursor, incremental filter as a body variable (epoch ms)', async () => {
    const item: SourceItemInput = {
      configId: 'Acme_Feedback',
      source: {
        apiType: 'GRAPHQL',
        auth: { type: 'CLIENT_CREDENTIALS', tokenKey: 'acme-oauth', tokenUrl: `${origin}/auth/token` },
        request: {
          method: 'POST',
          url: `${origin}/graphql`,
          headers: { Authorization: 'Bearer ${accessToken}' },
          body: {
            query:
              'query($first:Int!,$after:String,$filter:Filter){feedback(first:$first,after:$after,filter:$filter){nodes{id name modifiedAt updatedAt} pageInfo{hasNextPage endCursor}}}',
            variables: { first: 60 },
          },
        },
        response: { dataPath: '$.data.feedback.nodes' },
        pagination: { type: 'graphql', pageInfoPath: '$.data.feedback.pageInfo' },
        incremental: {
          cursorField: 'modifiedAt',
          format: 'EPOCH_MILLIS',
          body: { variables: { filter: { gt: '${start}' } } },
          startDate: '2024-03-05T00:00:00Z',
        },
      },
      retryPolicy,
    };
    const full = await run(item);
    expect(full.records).toEqual(ITEMS);
    expect(full.stats.pages).toBe(4);
    const inc = await run(item, { loadType: 'INCREMENTAL' });
    expect(inc.records).toEqual(
      ITEMS.filter((i) => i.modifiedAt * 1000 > Date.parse('2024-03-05T00:00:00Z')),
    );
  });

  it('page numbers with totalPages + HTTP Basic from a JSON secret', async () => {
    const item: SourceItemInput = {
      configId: 'Acme_Reports',
      source: {
        auth: { type: 'basic', tokenKey: 'acme-basic' },
        request: { method: 'GET', url: `${origin}/v2/reports`, headers: {} },
        response: { dataPath: '$.elements' },
        pagination: {
          type: 'page-number',
          pageSize: 100,
          pageSizeOption: { in: 'query', name: 'count' },
          totalPagesPath: '$.totalPages',
        },
      },
      retryPolicy,
    };
    const { records, stats } = await run(item);
    expect(records).toEqual(ITEMS);
    expect(stats.pages).toBe(3);
  });

  it('next URL in the body (relative) + API key in a header with a prefix', async () => {
    const item: SourceItemInput = {
      configId: 'Acme_Contacts',
      source: {
        auth: { type: 'API_KEY', tokenKey: 'acme-key', in: 'header', name: 'X-API-Key', prefix: 'Key ' },
        request: { method: 'GET', url: `${origin}/v2/contacts`, headers: {} },
        response: { dataPath: '$.values[*]' },
        pagination: { type: 'next_url', nextUrlPath: '$.links.next' },
      },
      retryPolicy,
    };
    const { records, stats } = await run(item);
    expect(records).toEqual(ITEMS);
    expect(stats.pages).toBe(6);
  });

  it('bounded: stopping after the first page leaves at most one page prefetched', async () => {
    const item: SourceItemInput = {
      configId: 'Acme_Contacts',
      source: {
        auth: { type: 'API_KEY', tokenKey: 'acme-key', in: 'header', name: 'X-API-Key', prefix: 'Key ' },
        request: { method: 'GET', url: `${origin}/v2/contacts`, headers: {} },
        response: { dataPath: '$.values' },
        pagination: { type: 'next_url', nextUrlPath: '$.links.next' },
      },
      retryPolicy,
    };
    const source = buildSource(item, { secrets });
    for await (const p of source.pages()) {
      expect(p.pageNumber).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      break;
    }
    expect(source.stats().pages).toBeLessThanOrEqual(2);
  });
});
