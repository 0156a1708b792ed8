/**
 * `offset`/`limit` (Eloqua Bulk `offset`+`limit`, `hasMore`). Ends at a short page, at
 * totalRecords, or when `hasMorePath` says false.
 */
import type { RequestOption } from '../../config/source-schema.js';
import type { CompiledPath } from '../select/jsonpath.js';
import {
  asFlag,
  asNumber,
  type PageContext,
  type PaginationStrategy,
  place,
  type RequestPatch,
} from './types.js';

export class OffsetPagination implements PaginationStrategy {
  private offset: number;

  constructor(
    private readonly opts: {
      offsetOption: RequestOption;
      limitOption: RequestOption;
      limit: number;
      startOffset: number;
      totalRecords?: CompiledPath;
      hasMore?: CompiledPath;
    },
  ) {
    this.offset = opts.startOffset;
  }

  private patch(): RequestPatch {
    const p = place({}, this.opts.offsetOption, this.offset);
    return place(p, this.opts.limitOption, this.opts.limit);
  }

  first(): RequestPatch {
    return this.patch();
  }

  next(p: PageContext): RequestPatch | undefined {
    const { opts } = this;
    this.offset += p.records.length;
    const body = p.response.body;
    if (opts.hasMore) {
      const more = asFlag(opts.hasMore.first(body));
      if (more === false) return undefined;
    }
    const total = opts.totalRecords ? asNumber(opts.totalRecords.first(body)) : undefined;
    if (total !== undefined && this.offset >= total) return undefined;
    if (!opts.hasMore && total === undefined && p.records.length < opts.limit) return undefined;
    return this.patch();
  }
}
