/**
 * A next-page token read from the body (Wrike `$.nextPageToken`, Cvent `$.paging.nextToken`) and
 * sent back where `tokenOption` says. No token (absent, null, "") or `hasMorePath` false = last page.
 */
import type { RequestOption } from '../../config/source-schema.js';
import type { CompiledPath } from '../select/jsonpath.js';
import { asFlag, type PageContext, type PaginationStrategy, place, type RequestPatch } from './types.js';

export class CursorPagination implements PaginationStrategy {
  constructor(
    private readonly opts: {
      cursor: CompiledPath;
      tokenOption: RequestOption;
      hasMore?: CompiledPath;
      sizePatch: RequestPatch;
    },
  ) {}

  first(): RequestPatch {
    return { ...this.opts.sizePatch };
  }

  next(page: PageContext): RequestPatch | undefined {
    const body = page.response.body;
    if (this.opts.hasMore && asFlag(this.opts.hasMore.first(body)) === false) return undefined;
    const token = this.opts.cursor.first(body);
    if (token === undefined || token === null || token === '') return undefined;
    const value = typeof token === 'object' ? JSON.stringify(token) : token;
    return place({ ...this.opts.sizePatch }, this.opts.tokenOption, value);
  }
}
