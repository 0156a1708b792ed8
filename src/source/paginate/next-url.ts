/** A next-page URL in the body (`$.next`, `$.links.next`, `$.paging._links.next.href`). */
import type { CompiledPath } from '../select/jsonpath.js';
import type { PageContext, PaginationStrategy, RequestPatch } from './types.js';

export class NextUrlPagination implements PaginationStrategy {
  constructor(private readonly opts: { nextUrl: CompiledPath; sizePatch: RequestPatch }) {}

  first(): RequestPatch {
    return { ...this.opts.sizePatch };
  }

  next(p: PageContext): RequestPatch | undefined {
    const v = this.opts.nextUrl.first(p.response.body);
    if (typeof v !== 'string' || v === '') return undefined;
    return { url: new URL(v, p.response.url).toString() };
  }
}
