/**
 * Requests around the data requests: discovery (once per run, before anything: the API's base URL
 * and placeholders from its answer) and asynchronous export jobs (create → poll → read the
 * result with the data request → clean up). Both take their values out of responses with
 * `extract` (a JSONPath, optionally narrowed by a regular expression's first group).
 */
import type {
  AsyncJobConfig,
  DiscoveryConfig,
  ExtractConfig,
  RequestConfig,
} from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import type { HttpResponse } from '../http/client.js';
import { sleep } from '../http/rate-limiter.js';
import { bodyErrorMessages } from './engine-errors.js';
import { paginatorFactory } from './paginate/index.js';
import type { RequestPatch } from './paginate/types.js';
import { compilePath } from './select/jsonpath.js';
import { JsonVar } from './template.js';

/** Sends one configured request (auth, retries, rate limit, body errors) with the given placeholders. */
export type SendStep = (
  request: RequestConfig,
  field: string,
  vars: Record<string, string | JsonVar | undefined>,
  opts?: { keepOrigin?: boolean; patch?: RequestPatch },
) => Promise<HttpResponse>;

export function extractValues(
  body: unknown,
  extracts: Record<string, ExtractConfig> | undefined,
  configId: string,
  field: string,
): Record<string, string | JsonVar> {
  const out: Record<string, string | JsonVar> = {};
  for (const [name, spec] of Object.entries(extracts ?? {})) {
    const path = typeof spec === 'string' ? spec : spec.path;
    const pattern = typeof spec === 'string' ? undefined : spec.pattern;
    if (typeof spec !== 'string' && spec.all) {
      const all = compilePath(path, configId, `${field}.${name}`).all(body);
      out[name] = new JsonVar(all.map((x) => (x !== null && typeof x === 'object' ? x : String(x))));
      continue;
    }
    const v = compilePath(path, configId, `${field}.${name}`).first(body);
    const fail = (why: string) =>
      new FloeError(
        'http',
        `${configId}: ${field}.${name}: ${why} in the response (keys: [${body && typeof body === 'object' ? Object.keys(body).slice(0, 12).join(', ') : typeof body}]); check the request and ${field}.${name}`,
        { context: { configId, field: `${field}.${name}` } },
      );
    if (v === undefined || v === null || v === '' || typeof v === 'object') throw fail(`no value at ${path}`);
    let text = String(v);
    if (pattern !== undefined) {
      const m = new RegExp(pattern).exec(text);
      if (!m || m[1] === undefined)
        throw fail(`'${text.slice(0, 80)}' at ${path} does not match /${pattern}/`);
      text = m[1];
    }
    out[name] = text;
  }
  return out;
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => {
    const p = a.toLowerCase();
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) || host === p.slice(2) : host === p;
  });
}

/** Runs discovery: the placeholders it provides and the API origin it names (if any). */
export async function discover(
  cfg: DiscoveryConfig,
  send: SendStep,
  vars: Record<string, string | JsonVar | undefined>,
  configId: string,
): Promise<{ origin?: string; vars: Record<string, string | JsonVar> }> {
  const paginator = cfg.pagination ? paginatorFactory(cfg.pagination, configId)() : undefined;
  const res = await send(cfg.request, 'source.discovery.request', vars, {
    keepOrigin: true,
    ...(paginator ? { patch: paginator.first() } : {}),
  });
  const found = extractValues(res.body, cfg.extract, configId, 'source.discovery.extract');
  if (paginator) {
    // Later pages add to the `all: true` lists; single values stay the first page's.
    const lists = Object.entries(found).filter((e): e is [string, JsonVar] => e[1] instanceof JsonVar);
    let page = res;
    const firstRecords = lists.length > 0 ? [...(lists[0]![1].value as unknown[])] : [page.body];
    let patch = paginator.next({ response: page, records: firstRecords });
    while (patch !== undefined) {
      page = await send(cfg.request, 'source.discovery.request', vars, { keepOrigin: true, patch });
      const more = extractValues(page.body, cfg.extract, configId, 'source.discovery.extract');
      const fresh: unknown[] = [];
      for (const [name, list] of lists) {
        const add = (more[name] as JsonVar).value as unknown[];
        (list.value as unknown[]).push(...add);
        if (fresh.length === 0) fresh.push(...add);
      }
      patch = paginator.next({ response: page, records: lists.length > 0 ? fresh : [page.body] });
    }
  }
  if (!cfg.baseUrlPath) return { vars: found };
  const base = compilePath(cfg.baseUrlPath, configId, 'source.discovery.baseUrlPath').first(res.body);
  const bad = (why: string) =>
    new FloeError(
      'http',
      `${configId}: the discovery response's base URL (${cfg.baseUrlPath}) ${why}; check source.discovery (baseUrlPath, allowedHosts)`,
      { context: { configId, field: 'source.discovery.baseUrlPath' } },
    );
  if (typeof base !== 'string' || !URL.canParse(base))
    throw bad(`is not a URL (${JSON.stringify(base)?.slice(0, 80)})`);
  const url = new URL(base);
  const discoveryScheme = new URL(cfg.request.url.replace(/\$\{[^}]*\}/g, 'x')).protocol;
  // Credentials follow the base URL: only to https, or to the discovery endpoint's own scheme.
  if (url.protocol !== 'https:' && url.protocol !== discoveryScheme)
    throw bad(`uses ${url.protocol}, not https`);
  if (cfg.allowedHosts && !hostAllowed(url.hostname.toLowerCase(), cfg.allowedHosts)) {
    throw bad(
      `names host ${url.hostname}, which source.discovery.allowedHosts (${cfg.allowedHosts.join(', ')}) does not allow`,
    );
  }
  return { origin: url.origin, vars: found };
}

export interface JobEvents {
  onPoll?(status: string, waitedMs: number): void;
  onWarning?(message: string): void;
}

/**
 * Runs an async job's create steps and polls it until done. Returns the placeholders for the
 * data request and a cleanup function that never throws (it reports through `onWarning`).
 */
export async function startJob(
  cfg: AsyncJobConfig,
  send: SendStep,
  vars: Record<string, string | JsonVar | undefined>,
  configId: string,
  signal: AbortSignal,
  events: JobEvents = {},
): Promise<{ vars: Record<string, string | JsonVar>; cleanup: () => Promise<void> }> {
  const jobVars: Record<string, string | JsonVar> = {};
  const all = () => ({ ...vars, ...jobVars });
  const cleanup = async () => {
    for (const [i, step] of cfg.cleanup.entries()) {
      try {
        await send(step.request, `source.asyncJob.cleanup.${i}.request`, all());
      } catch (e) {
        events.onWarning?.(
          `cleanup request ${i + 1} (source.asyncJob.cleanup.${i}) failed: ${e instanceof Error ? e.message : String(e)}; the export definition may be left on the server`,
        );
      }
    }
  };
  try {
    for (const [i, step] of cfg.create.entries()) {
      const field = `source.asyncJob.create.${i}`;
      const res = await send(step.request, `${field}.request`, all());
      Object.assign(jobVars, extractValues(res.body, step.extract, configId, `${field}.extract`));
    }
    const poll = cfg.poll;
    const statusPath = compilePath(poll.statusPath, configId, 'source.asyncJob.poll.statusPath');
    const started = Date.now();
    let wait = poll.intervalMs;
    for (;;) {
      const res = await send(poll.request, 'source.asyncJob.poll.request', all());
      const status = String(statusPath.first(res.body) ?? '');
      events.onPoll?.(status, Date.now() - started);
      if (poll.completed.includes(status)) break;
      if (poll.failed.includes(status)) {
        let detail = '';
        if (cfg.failureDetail) {
          try {
            const d = await send(cfg.failureDetail.request, 'source.asyncJob.failureDetail.request', all());
            const msgs = compilePath(
              cfg.failureDetail.messagePath,
              configId,
              'source.asyncJob.failureDetail.messagePath',
            ).all(d.body);
            detail = msgs.length
              ? `: ${bodyErrorMessages(msgs.map((m) => (typeof m === 'string' ? { message: m } : m))).slice(0, 500)}`
              : '';
          } catch {
            detail = ' (its failure detail could not be read)';
          }
        }
        throw new FloeError(
          'http',
          `${configId}: the export job ended with status '${status}'${detail}. Check the export definition in source.asyncJob.create (fields, filter); the run stops without data from it`,
          { context: { configId, field: 'source.asyncJob.poll', status } },
        );
      }
      if (Date.now() - started + wait > poll.timeoutSeconds * 1000) {
        throw new FloeError(
          'http',
          `${configId}: the export job is still '${status}' after ${Math.round((Date.now() - started) / 1000)} s; source.asyncJob.poll.timeoutSeconds (${poll.timeoutSeconds}) ran out. Raise it, or narrow the export (a filter, a shorter source.incremental.window)`,
          { context: { configId, field: 'source.asyncJob.poll.timeoutSeconds', status } },
        );
      }
      await sleep(wait, signal);
      wait = Math.min(poll.maxIntervalMs, Math.round(wait * 1.5));
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { vars: { ...jobVars }, cleanup };
}
