/** RFC 8288 `Link: <https://…?page=2>; rel="next"`; relative targets resolve against the request URL. */
import type { PageContext, PaginationStrategy, RequestPatch } from './types.js';

export class LinkHeaderPagination implements PaginationStrategy {
  constructor(private readonly opts: { rel: string; sizePatch: RequestPatch }) {}

  first(): RequestPatch {
    return { ...this.opts.sizePatch };
  }

  next(p: PageContext): RequestPatch | undefined {
    const header = p.response.headers.get('link');
    if (!header) return undefined;
    const target = parseLinkHeader(header).get(this.opts.rel);
    return target === undefined ? undefined : { url: new URL(target, p.response.url).toString() };
  }
}

/** rel → target of a Link header (first occurrence wins; a rel list counts each). */
export function parseLinkHeader(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter((r) => r !== '');
    for (const r of rels) if (!out.has(r.toLowerCase())) out.set(r.toLowerCase(), m[1]!);
  }
  return out;
}
