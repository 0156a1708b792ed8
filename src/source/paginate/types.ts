/**
 * After Airbyte's declarative paginators: a strategy answers only "what comes next?" as a
 * RequestPatch; where a token goes is a RequestOption (`{in: query|header|body, name}`); stop
 * conditions wrap any strategy (index.ts).
 */
import type { RequestOption } from '../../config/source-schema.js';
import type { HttpResponse } from '../../http/client.js';
import { JsonNumber } from '../../util/json-numbers.js';

/** Changes to the configured request for one page. */
export interface RequestPatch {
  /** A complete next URL (Link header, next URL in body): replaces the URL and its query. */
  url?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Dotted body path → value (GraphQL `variables.after`). */
  body?: Record<string, unknown>;
}

export interface PageContext {
  response: HttpResponse;
  records: readonly unknown[];
}

export interface PaginationStrategy {
  /** The first request's patch (page size, first page/offset). */
  first(): RequestPatch;
  /** The next request's patch, or undefined when the last page was `page`. */
  next(page: PageContext): RequestPatch | undefined;
}

/** Puts `value` where `option` says, into `patch` (mutated and returned). */
export function place(patch: RequestPatch, option: RequestOption, value: unknown): RequestPatch {
  switch (option.in) {
    case 'query':
      patch.query = { ...patch.query, [option.name]: String(value) };
      break;
    case 'header':
      patch.headers = { ...patch.headers, [option.name]: String(value) };
      break;
    case 'body':
      patch.body = { ...patch.body, [option.name]: value };
      break;
  }
  return patch;
}

/** A patch carrying the page size, if configured to be sent. */
export function pageSizePatch(pageSize: number | undefined, option: RequestOption | undefined): RequestPatch {
  return pageSize !== undefined && option ? place({}, option, pageSize) : {};
}

/** A JSON number or numeric string as a number. */
export function asNumber(v: unknown): number | undefined {
  const n =
    typeof v === 'number' || v instanceof JsonNumber
      ? Number(v)
      : typeof v === 'string' && v.trim() !== ''
        ? Number(v)
        : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Truthiness of a "has more" flag: true, "true", 1. */
export function asFlag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  return undefined;
}
