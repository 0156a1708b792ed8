/**
 * Assembles one HTTP request from the configured request, the incremental additions (when the
 * run has a range), the authenticator's credentials and the paginator's patch, in that order of
 * precedence (later wins), rendering `${…}` placeholders on the way.
 */
import type { IncrementalConfig, RequestConfig } from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import type { HttpRequest } from '../http/client.js';
import type { Credentials } from './auth/types.js';
import type { RequestPatch } from './paginate/types.js';
import { render, renderDeep, type TemplateVars } from './template.js';

export interface RequestParts {
  configId: string;
  request: RequestConfig;
  /** Incremental additions, only when the run has a range. */
  incremental?: Pick<IncrementalConfig, 'params' | 'headers' | 'body'>;
  /** Config path of `request`, for messages (default `source.request`). */
  fieldPrefix?: string;
  /** Keep the configured origin even when discovery named another (the discovery request). */
  keepOrigin?: boolean;
}

export function buildRequest(
  parts: RequestParts,
  vars: TemplateVars,
  creds: Credentials,
  patch: RequestPatch,
): HttpRequest {
  const { configId, request, incremental } = parts;
  const rq = parts.fieldPrefix ?? 'source.request';
  const ctx = (field: string) => ({ configId, field });
  let url: URL;
  if (patch.url !== undefined) {
    // A next URL from the API already carries the query (and the right host).
    url = new URL(patch.url);
  } else {
    url = new URL(render(request.url, vars, { ...ctx(`${rq}.url`), encode: encodeURIComponent }));
    if (creds.baseOrigin) {
      const base = new URL(creds.baseOrigin);
      url.protocol = base.protocol;
      url.host = base.host;
    }
    setParams(url, request.params, vars, ctx(`${rq}.params`));
    if (incremental) setParams(url, incremental.params, vars, ctx('source.incremental.params'));
  }
  for (const [k, v] of Object.entries(patch.query ?? {})) url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(creds.query)) url.searchParams.set(k, v);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers))
    headers[k] = render(v, vars, ctx(`${rq}.headers.${k}`));
  for (const [k, v] of Object.entries(incremental?.headers ?? {})) {
    headers[k] = render(v, vars, ctx(`source.incremental.headers.${k}`));
  }
  for (const [k, v] of Object.entries(patch.headers ?? {})) headers[k] = v;
  const lower = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(creds.headers)) if (!lower.has(k.toLowerCase())) headers[k] = v;
  if (!lower.has('accept')) headers.accept = 'application/json';

  let body: string | undefined;
  const hasBody = request.body !== undefined || incremental?.body !== undefined || patch.body !== undefined;
  if (hasBody) {
    if (request.method === 'GET') {
      throw new FloeError(
        'config-invalid',
        `${configId}: a GET request cannot carry a body; set ${rq}.method to POST or move the value to query (in: query)`,
        { context: { configId, field: `${rq}.method` } },
      );
    }
    if (typeof request.body === 'string' && incremental?.body === undefined && patch.body === undefined) {
      body = render(request.body, vars, ctx(`${rq}.body`));
    } else {
      let obj = structuredClone(renderDeep(request.body ?? {}, vars, ctx(`${rq}.body`))) as Record<
        string,
        unknown
      >;
      if (incremental?.body !== undefined) {
        obj = deepMerge(obj, renderDeep(incremental.body, vars, ctx('source.incremental.body'))) as Record<
          string,
          unknown
        >;
      }
      for (const [path, v] of Object.entries(patch.body ?? {})) setPath(obj, path, v);
      if (request.bodyFormat === 'FORM') {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(obj)) form.set(k, paramText(v));
        body = form.toString();
        if (!lower.has('content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
      } else {
        body = JSON.stringify(obj);
        if (!lower.has('content-type')) headers['content-type'] = 'application/json';
      }
    }
  }
  return { method: request.method, url: url.toString(), headers, body };
}

function setParams(
  url: URL,
  params: Record<string, unknown> | undefined,
  vars: TemplateVars,
  ctx: { configId: string; field: string },
): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    url.searchParams.set(k, paramText(renderDeep(v, vars, { ...ctx, field: `${ctx.field}.${k}` })));
  }
}

/** Strings as is; numbers/booleans as text; arrays and objects as JSON (Wrike's `fields`, `updatedDate`). */
function paramText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

/** Sets a dotted path (`variables.after`) in a JSON object, creating objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}
