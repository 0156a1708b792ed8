/**
 * Builds a paginator from `source.pagination`: a strategy wrapped in stop conditions that make an
 * endless loop impossible: the first empty page (`stopOnEmptyPage`, default on), `maxPages`,
 * and a next request identical to one already sent (an API handing out the same token or URL
 * again), which is an error: stopping silently could drop data.
 */
import type { PaginationConfig } from '../../config/source-schema.js';
import { FloeError } from '../../errors.js';
import { redact } from '../../util/redact.js';
import { compilePath } from '../select/jsonpath.js';
import { CursorPagination } from './cursor.js';
import { GraphqlPagination } from './graphql.js';
import { LinkHeaderPagination } from './link-header.js';
import { NextUrlPagination } from './next-url.js';
import { NoPagination } from './none.js';
import { OffsetPagination } from './offset.js';
import { PageNumberPagination } from './page-number.js';
import { type PageContext, type PaginationStrategy, pageSizePatch, type RequestPatch } from './types.js';

export type { PageContext, PaginationStrategy, RequestPatch } from './types.js';

/** How many distinct next requests are remembered for loop detection. */
const SEEN_LIMIT = 100_000;

export interface Paginator extends PaginationStrategy {
  /** Set when `maxPages` ended the run early. */
  readonly truncated: boolean;
}

/** Returns a factory: one fresh paginator per time window. */
export function paginatorFactory(cfg: PaginationConfig, configId: string): () => Paginator {
  const path = (text: string, field: string) => compilePath(text, configId, `source.pagination.${field}`);
  const size = pageSizePatch(cfg.pageSize, cfg.pageSizeOption);
  let make: () => PaginationStrategy;
  switch (cfg.type) {
    case 'none':
      make = () => new NoPagination(size);
      break;
    case 'cursor': {
      const cursor = path(cfg.cursorPath, 'cursorPath');
      const hasMore = cfg.hasMorePath ? path(cfg.hasMorePath, 'hasMorePath') : undefined;
      make = () => new CursorPagination({ cursor, tokenOption: cfg.tokenOption, hasMore, sizePatch: size });
      break;
    }
    case 'page_number': {
      const totalPages = cfg.totalPagesPath ? path(cfg.totalPagesPath, 'totalPagesPath') : undefined;
      const totalRecords = cfg.totalRecordsPath ? path(cfg.totalRecordsPath, 'totalRecordsPath') : undefined;
      make = () =>
        new PageNumberPagination({
          pageOption: cfg.pageOption,
          startPage: cfg.startPage,
          pageSize: cfg.pageSize,
          totalPages,
          totalRecords,
          sizePatch: size,
        });
      break;
    }
    case 'offset': {
      const totalRecords = cfg.totalRecordsPath ? path(cfg.totalRecordsPath, 'totalRecordsPath') : undefined;
      const hasMore = cfg.hasMorePath ? path(cfg.hasMorePath, 'hasMorePath') : undefined;
      make = () =>
        new OffsetPagination({
          offsetOption: cfg.offsetOption,
          limitOption: cfg.limitOption,
          limit: cfg.pageSize,
          startOffset: cfg.startOffset,
          totalRecords,
          hasMore,
        });
      break;
    }
    case 'link_header':
      make = () => new LinkHeaderPagination({ rel: cfg.rel.toLowerCase(), sizePatch: size });
      break;
    case 'next_url': {
      const nextUrl = path(cfg.nextUrlPath, 'nextUrlPath');
      make = () => new NextUrlPagination({ nextUrl, sizePatch: size });
      break;
    }
    case 'graphql': {
      const pageInfo = path(cfg.pageInfoPath, 'pageInfoPath');
      make = () => new GraphqlPagination({ pageInfo, cursorVariable: cfg.cursorVariable, sizePatch: size });
      break;
    }
  }
  return () => new StopConditions(make(), cfg, configId);
}

class StopConditions implements Paginator {
  truncated = false;
  private pages = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly inner: PaginationStrategy,
    private readonly cfg: PaginationConfig,
    private readonly configId: string,
  ) {}

  first(): RequestPatch {
    const p = this.inner.first();
    this.remember(p);
    return p;
  }

  next(page: PageContext): RequestPatch | undefined {
    this.pages++;
    if (this.cfg.stopOnEmptyPage && page.records.length === 0) return undefined;
    const p = this.inner.next(page);
    if (p === undefined) return undefined;
    if (this.cfg.maxPages !== undefined && this.pages >= this.cfg.maxPages) {
      this.truncated = true;
      return undefined;
    }
    if (!this.remember(p)) {
      throw new FloeError(
        'http',
        `${this.configId}: pagination loop: after page ${this.pages} the API asked for a page it had already served ` +
          `(${redact(JSON.stringify(p)).slice(0, 200)}). Check source.pagination (${this.cfg.type}): the token or URL path may be wrong`,
        { context: { configId: this.configId, page: this.pages } },
      );
    }
    return p;
  }

  /** False if an identical request was already made. */
  private remember(p: RequestPatch): boolean {
    const key = JSON.stringify(p);
    if (this.seen.has(key)) return false;
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(key);
    return true;
  }
}
