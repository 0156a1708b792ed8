/**
 * The orchestrator (Airbyte's SimpleRetriever): for each time window, asks the paginator for the
 * next request, lets the authenticator sign it, sends it through the HTTP client, selects the
 * records and yields them as a page. It holds one page (plus at most one prefetched page) at a
 * time, so memory stays flat however many records the API has.
 */
import type { SourceItem } from '../config/source-schema.js';
import { FloeError, isFloeError } from '../errors.js';
import { HttpClient, type HttpEvent, type HttpResponse } from '../http/client.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import { redactValue } from '../util/redact.js';
import { rejectedCredentialsHint } from './auth/hint.js';
import type { Authenticator, Credentials } from './auth/types.js';
import { emptyStats, type SourceEvent, type SourceEventBody, type SourceStats } from './events.js';
import { CursorTracker, formatTime, type LoadType, planRange } from './incremental.js';
import type { Paginator, RequestPatch } from './paginate/index.js';
import { buildRequest, type RequestParts } from './request.js';
import { type CompiledPath, selectRecords } from './select/jsonpath.js';
import type { TemplateVars } from './template.js';

/** One page of records. */
export interface SourcePage {
  records: unknown[];
  /** 1-based, across windows. */
  pageNumber: number;
}

export interface EngineParts {
  item: SourceItem;
  auth: Authenticator;
  newPaginator: () => Paginator;
  dataPath: CompiledPath;
  limiter?: RateLimiter;
  loadType: LoadType;
  lastSyncTime?: string;
  now: () => Date;
  prefetch: boolean;
  onEvent?: (e: SourceEvent) => void;
  random?: () => number;
}

export class SourceEngine {
  private tracker: CursorTracker | undefined;
  private stat: SourceStats = emptyStats();
  private readonly http: HttpClient;
  private readonly configId: string;

  constructor(private readonly p: EngineParts) {
    this.configId = p.item.configId;
    this.http = new HttpClient({
      configId: this.configId,
      retry: p.item.retryPolicy,
      timeoutMs: p.item.source.timeoutMs,
      limiter: p.limiter,
      onEvent: (e) => this.onHttp(e),
      random: p.random,
    });
  }

  /** Counts and forwards HTTP events (the token endpoint's too). */
  onHttp(e: HttpEvent): void {
    if (e.type === 'request') this.stat.requests++;
    else if (e.type === 'retry') {
      this.stat.retries++;
      if (e.status === 429) this.stat.rateLimited++;
    } else if (e.type === 'throttled' && e.by === 'client') this.stat.clientThrottleMs += e.delayMs;
    this.emit(e);
  }

  emit(e: SourceEventBody): void {
    if (!this.p.onEvent) return;
    this.p.onEvent(redactValue({ ...e, configId: this.configId }) as SourceEvent);
  }

  stats(): SourceStats {
    return { ...this.stat };
  }

  cursorMax(): string | undefined {
    return this.tracker?.max();
  }

  async *pages(signal?: AbortSignal): AsyncGenerator<SourcePage> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const inner = this.produce(ctrl.signal);
    try {
      if (!this.p.prefetch) {
        yield* inner;
        return;
      }
      // At most one page ahead: page N+1 is fetched while the caller works on page N.
      let next = inner.next();
      next.catch(() => {});
      for (;;) {
        const r = await next;
        if (r.done) return;
        next = inner.next();
        next.catch(() => {});
        yield r.value;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!ctrl.signal.aborted)
        ctrl.abort(new FloeError('internal', 'source iteration stopped by the caller'));
      await inner.return(undefined).catch(() => {});
    }
  }

  private async *produce(signal: AbortSignal): AsyncGenerator<SourcePage> {
    const { item } = this.p;
    const src = item.source;
    const started = performance.now();
    this.stat = emptyStats();
    this.tracker = src.incremental ? new CursorTracker(src.incremental, this.configId) : undefined;
    const plan = planRange(
      src.incremental,
      this.p.loadType,
      this.p.lastSyncTime,
      this.p.now(),
      this.configId,
    );
    if (plan.note) this.emit({ type: 'warning', message: plan.note });
    const parts: RequestParts = {
      configId: this.configId,
      request: src.request,
      incremental: plan.apply ? src.incremental : undefined,
    };
    const format = src.incremental?.format ?? 'ISO8601';
    let pageNumber = 0;
    let wi = 0;
    for (const w of plan.windows) {
      wi++;
      this.stat.windows++;
      const start = w.start ? formatTime(w.start, format) : undefined;
      const end = formatTime(w.end, format);
      if (plan.windows.length > 1)
        this.emit({ type: 'window', index: wi, count: plan.windows.length, start, end });
      const vars: Record<string, string | undefined> = {
        configId: this.configId,
        start,
        end,
        lastSyncTime: start,
        now: formatTime(this.p.now(), format),
        pageSize: src.pagination.pageSize === undefined ? undefined : String(src.pagination.pageSize),
      };
      const paginator = this.p.newPaginator();
      let patch: RequestPatch | undefined = paginator.first();
      while (patch !== undefined) {
        const res = await this.fetch(parts, vars, patch, signal);
        const records = selectRecords(this.p.dataPath, res.body, {
          configId: this.configId,
          url: res.url,
          onMissing: src.response.onMissingData,
        });
        if (this.tracker) for (const r of records) this.tracker.observe(r);
        pageNumber++;
        this.stat.pages++;
        this.stat.records += records.length;
        this.stat.bytes += res.bytes;
        this.emit({
          type: 'page',
          pageNumber,
          records: records.length,
          totalRecords: this.stat.records,
          bytes: res.bytes,
        });
        // Decide the next request before handing the page out: only the response is needed.
        patch = paginator.next({ response: res, records });
        yield { records, pageNumber };
      }
      if (paginator.truncated) {
        this.emit({
          type: 'warning',
          message: `stopped at source.pagination.maxPages (${src.pagination.maxPages}); more pages were available`,
        });
      }
    }
    this.stat.elapsedMs = Math.round(performance.now() - started);
    this.emit({
      type: 'done',
      pages: this.stat.pages,
      records: this.stat.records,
      elapsedMs: this.stat.elapsedMs,
      cursorMax: this.cursorMax(),
    });
  }

  /** One page request; a 401 triggers one credential refresh and one more try. */
  private async fetch(
    parts: RequestParts,
    vars: TemplateVars,
    patch: RequestPatch,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const { auth } = this.p;
    const creds: Credentials = await auth.get(signal);
    try {
      return await this.http.send(buildRequest(parts, { ...vars, ...creds.vars }, creds, patch), signal);
    } catch (e) {
      if (!isUnauthorized(e)) throw e;
      if (!auth.refreshable) {
        throw new FloeError(
          'auth',
          `${this.configId}: the API rejected ${auth.describe} (401). ${rejectedCredentialsHint(auth)}`,
          { context: { ...e.context, configId: this.configId }, cause: e },
        );
      }
      this.stat.tokenRefreshes++;
      this.emit({ type: 'token-refresh', reason: '401 from the API' });
      await auth.refresh(creds, signal);
      const fresh = await auth.get(signal);
      try {
        return await this.http.send(buildRequest(parts, { ...vars, ...fresh.vars }, fresh, patch), signal);
      } catch (e2) {
        if (!isUnauthorized(e2)) throw e2;
        throw new FloeError(
          'auth',
          `${this.configId}: the API still answered 401 with a freshly refreshed token (${auth.describe}). Check the app's scopes and that source.request.url is on the API host the token is for`,
          { context: { ...e2.context, configId: this.configId }, cause: e2 },
        );
      }
    }
  }
}

function isUnauthorized(e: unknown): e is FloeError {
  return isFloeError(e, 'auth') && e.context.status === 401;
}
