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
import { redact, redactValue } from '../util/redact.js';
import { rejectedCredentialsHint } from './auth/hint.js';
import type { Authenticator, Credentials } from './auth/types.js';
import { bodyErrorMessages } from './engine-errors.js';
import { emptyStats, type SourceEvent, type SourceEventBody, type SourceStats } from './events.js';
import { CursorTracker, formatTime, type LoadType, parseTime, planRange } from './incremental.js';
import type { Paginator, RequestPatch } from './paginate/index.js';
import { paginatorFactory } from './paginate/index.js';
import type { PageTransform } from './record-transforms.js';
import { buildRequest, type RequestParts } from './request.js';
import { type CompiledPath, compileField, compilePath, selectRecords } from './select/jsonpath.js';
import { discover, type SendStep, startJob } from './steps.js';
import type { JsonVar, TemplateVars } from './template.js';

/** One page of records. */
export interface SourcePage {
  records: unknown[];
  /** 1-based, across windows. */
  pageNumber: number;
  /**
   * Set on the (empty) page that closes a time window other than the last: every record whose
   * cursor is before this instant (ISO-8601) has now been handed out, so a sync that commits
   * what it has may store this as its cursor, and a restart from it misses nothing. Checkpointed
   * syncs commit here (see l1/checkpoints.ts).
   */
  checkpoint?: string;
}

export interface EngineParts {
  item: SourceItem;
  auth: Authenticator;
  newPaginator: () => Paginator;
  dataPath: CompiledPath;
  /** Record transforms (pivot, field types), in order; applied before the cursor tracker. */
  transform?: PageTransform;
  /** `source.response.errorPath`, compiled. */
  errorPath?: CompiledPath;
  limiter?: RateLimiter;
  loadType: LoadType;
  lastSyncTime?: string;
  now: () => Date;
  prefetch: boolean;
  onEvent?: (e: SourceEvent) => void;
  /** Also emit each page response's body as a `response-body` event (`floe source preview --raw`). */
  responseBodies?: boolean;
  random?: () => number;
}

export class SourceEngine {
  private tracker: CursorTracker | undefined;
  private stat: SourceStats = emptyStats();
  private readonly http: HttpClient;
  private readonly configId: string;
  /** The API origin named by `source.discovery`, for this run. */
  private origin: string | undefined;

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

  /**
   * `source.response.errorPath`: an API that reports failures inside a 2xx body (GraphQL's
   * `{"errors": [...]}`) must fail the request, not yield an empty page that would look like
   * the end of the data.
   */
  private checkBodyErrors(res: HttpResponse): HttpResponse {
    const path = this.p.errorPath;
    if (!path) return res;
    const found = path.all(res.body).filter((v) => v !== null && v !== undefined);
    const errors = found.length === 1 ? found[0] : found;
    if (errors === undefined || (Array.isArray(errors) && errors.length === 0)) return res;
    throw new FloeError(
      'http',
      redact(
        `${this.configId}: ${res.url} answered ${res.status} but reported errors at ${path.text}: ${bodyErrorMessages(errors).slice(0, 500)}. ` +
          'The page is not used. If the error is about query cost or size, lower source.pagination.pageSize; otherwise fix the request in source.request',
      ),
      {
        context: {
          configId: this.configId,
          url: redact(res.url),
          status: res.status,
          field: 'source.response.errorPath',
        },
      },
    );
  }

  cursorMax(): string | undefined {
    return this.tracker?.max();
  }

  async *pages(signal?: AbortSignal, checkpoints = false): AsyncGenerator<SourcePage> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const inner = this.produce(ctrl.signal, checkpoints);
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

  private async *produce(signal: AbortSignal, checkpoints: boolean): AsyncGenerator<SourcePage> {
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
    const baseVars: Record<string, string | JsonVar | undefined> = {
      configId: this.configId,
      now: formatTime(this.p.now(), format),
      pageSize: src.pagination.pageSize === undefined ? undefined : String(src.pagination.pageSize),
    };
    this.origin = undefined;
    if (src.discovery) {
      const d = await discover(src.discovery, this.sendStep(signal), baseVars, this.configId);
      this.origin = d.origin;
      Object.assign(baseVars, d.vars);
      if (d.origin) this.emit({ type: 'discovered', origin: d.origin });
    }
    const partitions = src.partitions ? await this.listPartitions(baseVars, signal) : [undefined];
    // A FULL run without windows has no range, but an export filter may still need a lower bound.
    const fallbackStart =
      !plan.apply && src.incremental?.startDate !== undefined
        ? parseTime(src.incremental.startDate)
        : undefined;
    let pageNumber = 0;
    let wi = 0;
    for (const w of plan.windows) {
      wi++;
      this.stat.windows++;
      const start = w.start
        ? formatTime(w.start, format)
        : fallbackStart !== undefined
          ? formatTime(new Date(fallbackStart), format)
          : undefined;
      const end = formatTime(w.end, format);
      if (plan.windows.length > 1)
        this.emit({ type: 'window', index: wi, count: plan.windows.length, start, end });
      for (const partition of partitions) {
        const vars: Record<string, string | JsonVar | undefined> = {
          ...baseVars,
          start,
          end,
          lastSyncTime: start,
        };
        if (partition !== undefined && src.partitions) vars[src.partitions.as] = partition;
        let cleanup: (() => Promise<void>) | undefined;
        if (src.asyncJob) {
          const job = await startJob(src.asyncJob, this.sendStep(signal), vars, this.configId, signal, {
            onPoll: (status, waitedMs) => this.emit({ type: 'job-poll', status, waitedMs }),
            onWarning: (message) => this.emit({ type: 'warning', message }),
          });
          Object.assign(vars, job.vars);
          cleanup = job.cleanup;
        }
        try {
          for await (const { res, records } of this.pageLoop(
            parts,
            vars,
            this.p.newPaginator,
            this.p.dataPath,
            'source.pagination',
            signal,
          )) {
            if (partition !== undefined && src.partitions?.recordField) {
              const key = src.partitions.recordField;
              for (const r of records)
                if (r && typeof r === 'object' && !Array.isArray(r) && !(key in r))
                  (r as Record<string, unknown>)[key] = partition;
            }
            if (this.p.transform) this.p.transform(records);
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
            yield { records, pageNumber };
          }
        } finally {
          await cleanup?.();
        }
      }
      // Windows are consecutive and half-open, so once this one (all partitions) is done nothing
      // before its end is left to fetch. The last window's end is the run's own final commit.
      if (checkpoints && wi < plan.windows.length)
        yield { records: [], pageNumber, checkpoint: w.end.toISOString() };
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

  /**
   * The pages of one request chain: the paginator asks for the next request, the response's
   * records are selected. The next request is decided before the page is handed out (only the
   * response is needed), so a caller that transforms records cannot disturb pagination.
   */
  private async *pageLoop(
    parts: RequestParts,
    vars: TemplateVars,
    newPaginator: () => Paginator,
    dataPath: CompiledPath,
    paginationField: string,
    signal: AbortSignal,
  ): AsyncGenerator<{ res: HttpResponse; records: unknown[] }> {
    const src = this.p.item.source;
    const paginator = newPaginator();
    let patch: RequestPatch | undefined = paginator.first();
    while (patch !== undefined) {
      const res = await this.fetch(parts, vars, patch, signal);
      if (this.p.responseBodies)
        this.emit({
          type: 'response-body',
          url: res.url,
          status: res.status,
          // Text, so numbers stay as the API wrote them; emit() redacts it like every event.
          body: JSON.stringify(res.body) ?? 'null',
        });
      const records = selectRecords(dataPath, res.body, {
        configId: this.configId,
        url: res.url,
        onMissing: src.response.onMissingData,
      });
      patch = paginator.next({ response: res, records });
      yield { res, records };
    }
    if (paginator.truncated) {
      this.emit({
        type: 'warning',
        message: `stopped at ${paginationField}.maxPages; more pages were available`,
      });
    }
  }

  /** The parent values of `source.partitions`, in the parent listing's order, without repeats. */
  private async listPartitions(vars: TemplateVars, signal: AbortSignal): Promise<string[]> {
    const cfg = this.p.item.source.partitions!;
    const id = this.configId;
    const getValue = compileField(cfg.valuePath, id, 'source.partitions.valuePath');
    const parts: RequestParts = {
      configId: id,
      request: cfg.request,
      fieldPrefix: 'source.partitions.request',
    };
    const values: string[] = [];
    const seen = new Set<string>();
    for await (const { records } of this.pageLoop(
      parts,
      vars,
      paginatorFactory(cfg.pagination, id),
      compilePath(cfg.dataPath, id, 'source.partitions.dataPath'),
      'source.partitions.pagination',
      signal,
    )) {
      for (const r of records) {
        const v = getValue(r);
        if (v === undefined || v === null || v === '' || typeof v === 'object') {
          throw new FloeError(
            'data-invalid',
            `${id}: a parent record of source.partitions has no value at '${cfg.valuePath}' (got ${JSON.stringify(v)}); fix source.partitions.valuePath`,
            { context: { configId: id, field: 'source.partitions.valuePath' } },
          );
        }
        const text = String(v);
        if (!seen.has(text)) {
          seen.add(text);
          values.push(text);
        }
      }
    }
    this.emit({ type: 'partitions', count: values.length });
    return values;
  }

  /** The discovered API origin replaces the one the credentials name (not for discovery itself). */
  private withOrigin(creds: Credentials, keepOrigin: boolean | undefined): Credentials {
    return this.origin && !keepOrigin ? { ...creds, baseOrigin: this.origin } : creds;
  }

  /** Sends a configured step request (discovery, job steps) like a page request. */
  private sendStep(signal: AbortSignal): SendStep {
    return (request, field, vars, opts) =>
      this.fetch(
        {
          configId: this.configId,
          request,
          fieldPrefix: field,
          ...(opts?.keepOrigin ? { keepOrigin: true } : {}),
        },
        vars,
        opts?.patch ?? {},
        signal,
      );
  }

  /** One page request; a 401 triggers one credential refresh and one more try. */
  private async fetch(
    parts: RequestParts,
    vars: TemplateVars,
    patch: RequestPatch,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const { auth } = this.p;
    const creds: Credentials = this.withOrigin(await auth.get(signal), parts.keepOrigin);
    try {
      return this.checkBodyErrors(
        await this.http.send(buildRequest(parts, { ...vars, ...creds.vars }, creds, patch), signal),
      );
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
      const fresh = this.withOrigin(await auth.get(signal), parts.keepOrigin);
      try {
        return this.checkBodyErrors(
          await this.http.send(buildRequest(parts, { ...vars, ...fresh.vars }, fresh, patch), signal),
        );
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
