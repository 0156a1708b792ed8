/**
 * The config-driven REST source: from an L1 config item (the seed's `source`, `retryPolicy` and
 * `destination.{loadType,lastSyncTime}`) to an async iterator of record pages. It yields records
 * only; where they go is the caller's business.
 *
 * @example
 * ```ts
 * import { buildSource } from './source/index.js';
 * const source = buildSource(item, { secrets, onEvent: (e) => log.info(e) });
 * for await (const page of source.pages()) await sink.write(page.records);
 * const next = source.cursorMax(); // store as destination.lastSyncTime after the commit
 * ```
 */
import type { z } from 'zod';
import {
  AUTH_TYPES,
  type SourceItem,
  type SourceItemInput,
  SourceItemSchema,
} from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { type RateLimiter, sharedRateLimiter } from '../http/rate-limiter.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import { createAuthenticator, processTokenCache, type TokenCache } from './auth/index.js';
import { SourceEngine, type SourcePage } from './engine.js';
import type { SourceEvent, SourceStats } from './events.js';
import type { LoadType } from './incremental.js';
import { paginatorFactory } from './paginate/index.js';
import { pageTransform } from './record-transforms.js';
import { compilePath } from './select/jsonpath.js';
import { checkPlaceholders } from './template.js';

export type { SourceItem, SourceItemInput } from '../config/source-schema.js';
export type { SecretStore } from '../runtime/ports/secret-store.js';
export { TokenCache } from './auth/index.js';
export type { SourcePage } from './engine.js';
export type { SourceEvent, SourceStats } from './events.js';
export type { LoadType } from './incremental.js';

export interface SourceDeps {
  secrets: SecretStore;
  /** Progress events (pages, retries, throttling, token refreshes, warnings); already redacted. */
  onEvent?: (e: SourceEvent) => void;
  /** Overrides `destination.loadType` / `source.defaultFetchMode` (job parameter LOAD_TYPE). */
  loadType?: LoadType;
  /** Overrides `destination.lastSyncTime` (the StateStore's cursor). */
  cursor?: string;
  /** Clock for ranges and windows (tests pass a simulator's clock). */
  now?: () => Date;
  /** Fetch the next page while the caller processes the current one (default true). */
  prefetch?: boolean;
  /** OAuth2 token cache; default: one per process, shared by all sources. */
  tokenCache?: TokenCache;
  /** Rate limiter override; default: shared per host from `source.rateLimit`. */
  rateLimiter?: RateLimiter;
  /** Jitter source (tests). */
  random?: () => number;
  /** Emit each page response's body, as JSON text, in a `response-body` event (previews). */
  responseBodies?: boolean;
}

/** A built source. `pages()` may be called again for another run; stats and cursor restart. */
export interface Source {
  readonly configId: string;
  readonly loadType: LoadType;
  /**
   * Pages of records in API order; stop early with `break` (the in-flight request is aborted).
   * `checkpoints`: also yield an empty page with `checkpoint` set where a time window ends.
   */
  pages(opts?: { signal?: AbortSignal; checkpoints?: boolean }): AsyncIterable<SourcePage>;
  /** Max of `source.incremental.cursorField` over the records yielded so far (undefined if none). */
  cursorMax(): string | undefined;
  stats(): SourceStats;
}

/**
 * Validates an L1 config item's source part and builds the source. Throws a `config-invalid`
 * FloeError naming the config, the field and the fix; secrets are read lazily, on the first page.
 */
export function buildSource(config: SourceItemInput | Record<string, unknown>, deps: SourceDeps): Source {
  const item = parseItem(config);
  const configId = item.configId;
  const src = item.source;
  const loadType: LoadType = deps.loadType ?? item.destination?.loadType ?? src.defaultFetchMode;
  const dataPath = compilePath(src.response.dataPath, configId, 'source.response.dataPath');
  const newPaginator = paginatorFactory(src.pagination, configId);
  checkBodyPlacement(item);

  let engine: SourceEngine | undefined;
  const tokenHttp = new HttpClient({
    configId,
    retry: item.retryPolicy,
    timeoutMs: src.timeoutMs,
    onEvent: (e) => engine?.onHttp(e),
    random: deps.random,
  });
  const auth = createAuthenticator(src.auth, {
    secrets: deps.secrets,
    configId,
    tokenHttp,
    cache: deps.tokenCache ?? processTokenCache,
    onEvent: (e) => engine?.emit(e),
  });

  const discovered = Object.keys(src.discovery?.extract ?? {});
  const base = [
    'configId',
    'now',
    'pageSize',
    'start',
    'end',
    'lastSyncTime',
    ...auth.provides,
    ...discovered,
  ];
  const perPartition = [...base, ...(src.partitions ? [src.partitions.as] : [])];
  const allowed = new Set(perPartition);
  if (src.discovery) {
    const before = new Set(['configId', 'now', 'pageSize', ...auth.provides]);
    checkRequest(src.discovery.request, before, configId, 'source.discovery.request');
  }
  if (src.asyncJob) {
    // Each step sees what the steps before it extracted; poll, data and cleanup see them all.
    const seen = new Set([...perPartition, 'start', 'end']);
    src.asyncJob.create.forEach((step, i) => {
      checkRequest(step.request, seen, configId, `source.asyncJob.create.${i}.request`);
      for (const k of Object.keys(step.extract ?? {})) seen.add(k);
    });
    checkRequest(src.asyncJob.poll.request, seen, configId, 'source.asyncJob.poll.request');
    if (src.asyncJob.failureDetail)
      checkRequest(
        src.asyncJob.failureDetail.request,
        seen,
        configId,
        'source.asyncJob.failureDetail.request',
      );
    for (const [i, c] of src.asyncJob.cleanup.entries())
      checkRequest(c.request, seen, configId, `source.asyncJob.cleanup.${i}.request`);
    for (const k of seen) allowed.add(k);
  }
  if (src.partitions) {
    const inParent = new Set(base);
    checkPlaceholders(src.partitions.request.url, inParent, configId, 'source.partitions.request.url');
    checkPlaceholders(src.partitions.request.params, inParent, configId, 'source.partitions.request.params');
    checkPlaceholders(
      src.partitions.request.headers,
      inParent,
      configId,
      'source.partitions.request.headers',
    );
    checkPlaceholders(src.partitions.request.body, inParent, configId, 'source.partitions.request.body');
  }
  checkPlaceholders(src.request.url, allowed, configId, 'source.request.url');
  checkPlaceholders(src.request.headers, allowed, configId, 'source.request.headers');
  checkPlaceholders(src.request.params, allowed, configId, 'source.request.params');
  checkPlaceholders(src.request.body, allowed, configId, 'source.request.body');
  if (src.incremental) {
    checkPlaceholders(src.incremental.params, allowed, configId, 'source.incremental.params');
    checkPlaceholders(src.incremental.headers, allowed, configId, 'source.incremental.headers');
    checkPlaceholders(src.incremental.body, allowed, configId, 'source.incremental.body');
  }

  const limiter =
    deps.rateLimiter ??
    (src.rateLimit
      ? sharedRateLimiter(new URL(src.request.url.replace(/\$\{[^}]*\}/g, 'x')).host, src.rateLimit)
      : undefined);

  engine = new SourceEngine({
    item,
    auth,
    newPaginator,
    dataPath,
    transform: pageTransform(src.response, configId),
    errorPath: src.response.errorPath
      ? compilePath(src.response.errorPath, configId, 'source.response.errorPath')
      : undefined,
    limiter,
    loadType,
    lastSyncTime: deps.cursor ?? item.destination?.lastSyncTime,
    now: deps.now ?? (() => new Date()),
    prefetch: deps.prefetch ?? true,
    onEvent: deps.onEvent,
    ...(deps.responseBodies ? { responseBodies: true } : {}),
    random: deps.random,
  });
  const e = engine;
  return {
    configId,
    loadType,
    pages: (opts) => e.pages(opts?.signal, opts?.checkpoints === true),
    cursorMax: () => e.cursorMax(),
    stats: () => e.stats(),
  };
}

function checkRequest(
  request: { url: string; params?: unknown; headers?: unknown; body?: unknown },
  allowed: ReadonlySet<string>,
  configId: string,
  field: string,
): void {
  checkPlaceholders(request.url, allowed, configId, `${field}.url`);
  checkPlaceholders(request.params, allowed, configId, `${field}.params`);
  checkPlaceholders(request.headers, allowed, configId, `${field}.headers`);
  checkPlaceholders(request.body, allowed, configId, `${field}.body`);
}

/** Alias of {@link buildSource}. */
export const openSource = buildSource;

function parseItem(config: unknown): SourceItem {
  const r = SourceItemSchema.safeParse(config);
  if (r.success) return r.data;
  const configId =
    config && typeof config === 'object' && typeof (config as { configId?: unknown }).configId === 'string'
      ? (config as { configId: string }).configId
      : '<no configId>';
  const first = r.error.issues[0]!;
  const lines = r.error.issues.slice(0, 5).map((i) => describeIssue(i, config));
  throw new FloeError('config-invalid', `${configId}: invalid source config: ${lines.join('; ')}`, {
    context: { configId, field: first.path.join('.') },
  });
}

function describeIssue(issue: z.core.$ZodIssue, config: unknown): string {
  const path = issue.path.join('.');
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    const got = valueAt(config, issue.path);
    if (path === 'source.auth.type') {
      return `unknown auth type ${JSON.stringify(got)} at source.auth.type; use one of ${AUTH_TYPES.join(', ')}`;
    }
    return `${path}: unknown value ${JSON.stringify(got)}; ${issue.message.replace(/^Invalid discriminator value\. /, '')}`;
  }
  return `${path || '(item)'}: ${issue.message}`;
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  let cur = v;
  for (const k of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[k] : undefined;
  return cur;
}

/** Token/page-size options `in: body` need a method with a body. */
function checkBodyPlacement(item: SourceItem): void {
  const d = item.source.discovery;
  if (d?.pagination?.type === 'graphql' && d.request.method === 'GET') {
    throw new FloeError(
      'config-invalid',
      `${item.configId}: source.discovery.pagination puts a value in the request body, but source.discovery.request.method is GET; use POST`,
      { context: { configId: item.configId, field: 'source.discovery.request.method' } },
    );
  }
  const p = item.source.pagination as Record<string, unknown>;
  const usesBody =
    item.source.pagination.type === 'graphql' ||
    Object.values(p).some((v) => v && typeof v === 'object' && (v as { in?: unknown }).in === 'body');
  if (usesBody && item.source.request.method === 'GET') {
    throw new FloeError(
      'config-invalid',
      `${item.configId}: source.pagination puts a value in the request body, but source.request.method is GET; use POST`,
      { context: { configId: item.configId, field: 'source.request.method' } },
    );
  }
}
