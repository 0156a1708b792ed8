/**
 * `floe ui`'s server: Hono on Node's HTTP server, bound to 127.0.0.1 by default, serving the
 * page (`/`, `/assets/…`) and the JSON API (`/api/…`) the page and scripts read. Read-only: the
 * project is opened read-only (project-source.ts), only GET is routed, and the guard
 * (guard.ts) checks Host, Origin and the token on every request. Every JSON body passes
 * through `redact()` on its way out, as everything floe prints does.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { errorMessage, isFloeError } from '../errors.js';
import { redact } from '../util/redact.js';
import { ApiError } from './api/common.js';
import { configDetail, listConfigs } from './api/configs.js';
import { health } from './api/health.js';
import { listRuns, runDetail, runLog } from './api/runs.js';
import { listTables, TableReader, tableDetail, tableRows } from './api/tables.js';
import { loadAssets } from './assets.js';
import { hostHeader, requestGuard } from './guard.js';
import { ProjectSource } from './project-source.js';

export interface UiServerOptions {
  project: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Every request must carry it (required off loopback; the command makes one). */
  token?: string;
  env?: NodeJS.ProcessEnv;
}

export interface UiServer {
  /** `http://127.0.0.1:PORT/` (with `?token=…` when a token is set: the URL to open). */
  url: string;
  /** The origin the page is served from (no token). */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** The API's endpoints, as `/api` lists them (docs/ui.md describes each). */
export const API_ENDPOINTS = [
  'GET /api/project',
  'GET /api/runs?platform=&config=&status=&layer=&since=&until=&limit=&before=',
  'GET /api/runs/:runId',
  'GET /api/runs/:runId/log?config=&level=&limit=',
  'GET /api/configs',
  'GET /api/configs/:configId?layer=&limit=',
  'GET /api/tables',
  'GET /api/tables/:table',
  'GET /api/tables/:table/rows?offset=&limit=&columns=&where=',
  'GET /api/health',
] as const;

/** JSON with 64-bit integers as strings (a browser's numbers would round them), redacted. */
export function jsonText(value: unknown): string {
  return redact(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

function json(c: Context, value: unknown, status = 200): Response {
  return c.body(jsonText(value), status as 200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
}

export function createUiApp(
  source: ProjectSource,
  opts: { host: string; port: number; token?: string },
): Hono {
  const assets = loadAssets();
  const tables = new TableReader(source);
  const app = new Hono();
  app.use('*', requestGuard(opts));
  const q = (c: Context) => c.req.query();

  app.get('/', (c) => asset(c, '/assets/index.html'));
  app.get('/assets/*', (c) => asset(c, c.req.path));
  app.get('/api', (c) => json(c, { endpoints: API_ENDPOINTS }));
  app.get('/api/project', (c) =>
    json(c, {
      name: source.project.name ?? null,
      environment: source.project.environment,
      root: source.project.root,
    }),
  );
  app.get('/api/runs', async (c) => json(c, await listRuns(source, q(c))));
  app.get('/api/runs/:runId', async (c) => json(c, await runDetail(source, c.req.param('runId'))));
  app.get('/api/runs/:runId/log', async (c) => json(c, await runLog(source, c.req.param('runId'), q(c))));
  app.get('/api/configs', async (c) => json(c, await listConfigs(source)));
  app.get('/api/configs/:id', async (c) => json(c, await configDetail(source, c.req.param('id'), q(c))));
  app.get('/api/tables', async (c) => json(c, await listTables(source, tables)));
  app.get('/api/tables/:name', async (c) => json(c, await tableDetail(source, tables, c.req.param('name'))));
  app.get('/api/tables/:name/rows', async (c) => json(c, await tableRows(tables, c.req.param('name'), q(c))));
  app.get('/api/health', async (c) => json(c, await health(source, tables)));
  app.notFound((c) => json(c, { error: `no such page: ${c.req.path}` }, 404));
  app.onError((e, c) => {
    const status =
      e instanceof ApiError
        ? e.status
        : isFloeError(e, 'not-found')
          ? 404
          : isFloeError(e, 'config-invalid')
            ? 400
            : 500;
    return json(c, { error: errorMessage(e) }, status);
  });

  function asset(c: Context, path: string): Response {
    const a = assets.get(path);
    if (!a) return json(c, { error: `no such file: ${path}` }, 404);
    return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, 'cache-control': 'no-cache' });
  }
  return app;
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const host = opts.host ?? '127.0.0.1';
  const source = new ProjectSource(opts.project, opts.env);
  // Load configs once before listening: a broken floe.yaml or configs folder fails the command.
  await source.configs();
  let app: Hono | undefined;
  const server = serve({
    // The port is known only once listening; the app (whose guard checks Host) is made then.
    fetch: (req, env) => (app ? app.fetch(req, env) : new Response('starting', { status: 503 })),
    hostname: host,
    port: opts.port ?? 0,
    // Leave the process's global Request/Response alone (tests run other code in it).
    overrideGlobalObjects: false,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
    server.once('error', (e) => reject(e));
  }).catch(async (e) => {
    await source.close();
    throw e;
  });
  app = createUiApp(source, { host, port, ...(opts.token !== undefined ? { token: opts.token } : {}) });
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const origin = `http://${hostHeader(shownHost, port)}`;
  return {
    origin,
    url: `${origin}/${opts.token !== undefined ? `?token=${encodeURIComponent(opts.token)}` : ''}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await source.close();
    },
  };
}
