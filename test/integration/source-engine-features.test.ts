// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * General source-engine features, each against a small loopback API that behaves one way:
 * parent → child partitions, errors reported inside a 200 body, and a used-up quota announced
 * by X-RateLimit-Remaining/X-RateLimit-Reset.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceItemInput } from '../../src/config/source-schema.js';
import { buildSource, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

let server: Server;
let origin: string;
const calls: string[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const PARENTS = ['p1', 'p2', 'p3'];
function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', origin);
  calls.push(url.pathname + url.search);
  // Parents in two pages; children per parent without the parent id in their records.
  if (url.pathname === '/parents') {
    const page = Number(url.searchParams.get('page') ?? 1);
    return json(res, 200, { items: PARENTS.slice((page - 1) * 2, page * 2).map((id) => ({ id })) });
  }
  const child = /^\/parents\/(\w+)\/children$/.exec(url.pathname);
  if (child) {
    const id = child[1]!;
    return json(res, 200, { items: [1, 2].map((n) => ({ name: `${id}-${n}` })) });
  }
  if (url.pathname === '/graphql')
    return json(res, 200, {
      errors: [{ message: 'Query cost 5000 exceeds 3000', extensions: { code: 'COST' } }],
      data: null,
    });
  if (url.pathname === '/quota') {
    const reset = String(Math.floor(Date.now() / 1000) + 6 * 3600);
    return json(
      res,
      429,
      { code: 429, message: 'Limit Exceeded' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '1000' },
    );
  }
  json(res, 404, { error: 'no route' });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const deps = () => ({ secrets: new MemorySecretStore(), tokenCache: new TokenCache() });
const item = (source: Record<string, unknown>): SourceItemInput =>
  ({
    configId: 'Invented_Children',
    source: { auth: { type: 'NONE' }, ...source },
    retryPolicy: { maxAttempts: 2, baseDelayMs: 5, backoff: 'FIXED' },
  }) as SourceItemInput;

async function drain(source: ReturnType<typeof buildSource>) {
  const out: unknown[] = [];
  for await (const p of source.pages()) out.push(...p.records);
  return out;
}

describe('source engine features', () => {
  it('partitions: the child request runs once per parent record (parent listing paged), the value lands in each record', async () => {
    const src = buildSource(
      item({
        request: { url: `${origin}/parents/\${parentId}/children` },
        response: { dataPath: '$.items' },
        partitions: {
          request: { url: `${origin}/parents` },
          dataPath: '$.items',
          pagination: { type: 'page_number', pageSize: 2 },
          valuePath: 'id',
          as: 'parentId',
          recordField: 'parentId',
        },
      }),
      deps(),
    );
    const records = await drain(src);
    expect(records).toEqual(PARENTS.flatMap((p) => [1, 2].map((n) => ({ name: `${p}-${n}`, parentId: p }))));
  });

  it('partitions: a child URL placeholder that is not the partition name is refused at build time', () => {
    expect(() =>
      buildSource(
        item({
          request: { url: `${origin}/parents/\${eventId}/children` },
          partitions: { request: { url: `${origin}/parents` }, as: 'parentId' },
        }),
        deps(),
      ),
    ).toThrow(/source\.request\.url uses unknown placeholder \$\{eventId\}.*\$\{parentId\}/);
  });

  it('errorPath: errors inside a 200 body fail the request with their messages, never an empty page', async () => {
    const src = buildSource(
      item({
        request: { method: 'POST', url: `${origin}/graphql`, body: { query: '{ x }' } },
        response: { dataPath: '$.data.x.nodes', onMissingData: 'EMPTY', errorPath: '$.errors' },
      }),
      deps(),
    );
    await expect(drain(src)).rejects.toThrow(
      /answered 200 but reported errors at \$\.errors: Query cost 5000 exceeds 3000 \(COST\).*pageSize/,
    );
    // Without errorPath the same body would have read as an empty result.
    const lax = buildSource(
      item({
        request: { method: 'POST', url: `${origin}/graphql`, body: { query: '{ x }' } },
        response: { dataPath: '$.data.x.nodes', onMissingData: 'EMPTY' },
      }),
      deps(),
    );
    expect(await drain(lax)).toEqual([]);
  });

  it('a used-up quota (X-RateLimit-Remaining 0, reset hours away) fails at once, saying until when', async () => {
    const before = calls.filter((c) => c.startsWith('/quota')).length;
    const src = buildSource(item({ request: { url: `${origin}/quota` } }), deps());
    const started = Date.now();
    await expect(drain(src)).rejects.toThrow(
      /request quota is used up until \d{4}-.*retryPolicy\.maxRetryAfterMs/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls.filter((c) => c.startsWith('/quota')).length - before).toBe(1);
  });
});
