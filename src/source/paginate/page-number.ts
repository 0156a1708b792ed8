/**
 * `page=1,2,3…` (Eloqua REST: `page`/`count`). Ends at totalPages/totalRecords when the body
 * says, else at the first page shorter than `pageSize` (or empty, via the stop conditions).
 */
import type { RequestOption } from '../../config/source-schema.js';
import type { CompiledPath } from '../select/jsonpath.js';
import { asNumber, type PageContext, type PaginationStrategy, place, type RequestPatch } from './types.js';

export class PageNumberPagination implements PaginationStrategy {
  private page: number;
  private seen = 0;

  constructor(
    private readonly opts: {
      pageOption: RequestOption;
      startPage: number;
      pageSize?: number;
      totalPages?: CompiledPath;
      totalRecords?: CompiledPath;
      sizePatch: RequestPatch;
    },
  ) {
    this.page = opts.startPage;
  }

  first(): RequestPatch {
    return place({ ...this.opts.sizePatch }, this.opts.pageOption, this.page);
  }

  next(p: PageContext): RequestPatch | undefined {
    const { opts } = this;
    this.seen += p.records.length;
    const pagesSoFar = this.page - opts.startPage + 1;
    const totalPages = opts.totalPages ? asNumber(opts.totalPages.first(p.response.body)) : undefined;
    const totalRecords = opts.totalRecords ? asNumber(opts.totalRecords.first(p.response.body)) : undefined;
    if (totalPages !== undefined && pagesSoFar >= totalPages) return undefined;
    if (totalRecords !== undefined && this.seen >= totalRecords) return undefined;
    if (totalPages === undefined && totalRecords === undefined && opts.pageSize !== undefined) {
      if (p.records.length < opts.pageSize) return undefined;
    }
    this.page++;
    return place({ ...opts.sizePatch }, opts.pageOption, this.page);
  }
}
