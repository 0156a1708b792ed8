/**
 * Relay-style GraphQL connections (Medallia `feedback(first, after) { pageInfo { hasNextPage endCursor } }`):
 * the cursor goes into a body variable of the POSTed query; `hasNextPage: false` ends the run.
 */
import type { CompiledPath } from '../select/jsonpath.js';
import { asFlag, type PageContext, type PaginationStrategy, type RequestPatch } from './types.js';

export class GraphqlPagination implements PaginationStrategy {
  constructor(
    private readonly opts: { pageInfo: CompiledPath; cursorVariable: string; sizePatch: RequestPatch },
  ) {}

  first(): RequestPatch {
    return { ...this.opts.sizePatch };
  }

  next(p: PageContext): RequestPatch | undefined {
    const info = this.opts.pageInfo.first(p.response.body);
    if (!info || typeof info !== 'object') return undefined;
    const { hasNextPage, endCursor } = info as { hasNextPage?: unknown; endCursor?: unknown };
    if (asFlag(hasNextPage) !== true) return undefined;
    if (endCursor === undefined || endCursor === null || endCursor === '') return undefined;
    return {
      ...this.opts.sizePatch,
      body: { ...this.opts.sizePatch.body, [this.opts.cursorVariable]: endCursor },
    };
  }
}
