import { describe, expect, it } from 'vitest';
import { PaginationSchema } from '../../src/config/source-schema.js';
import type { HttpResponse } from '../../src/http/client.js';
import { paginatorFactory } from '../../src/source/paginate/index.js';
import { parseLinkHeader } from '../../src/source/paginate/link-header.js';

const res = (
  body: unknown,
  headers: Record<string, string> = {},
  url = 'https://api.example.com/v1/x?a=1',
): HttpResponse => ({
  status: 200,
  url,
  headers: new Headers(headers),
  body,
  bytes: 0,
});
const make = (cfg: unknown) => paginatorFactory(PaginationSchema.parse(cfg), 'Cfg')();
const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));

describe('pagination strategies', () => {
  it('cursor: token from the body into a header, page size on every request, stops without token', () => {
    const p = make({
      type: 'CURSOR',
      cursorPath: '$.paging.nextToken',
      tokenOption: { in: 'header', name: 'X-Page-Token' },
      pageSize: 2,
      pageSizeOption: { in: 'query', name: 'limit' },
    });
    expect(p.first()).toEqual({ query: { limit: '2' } });
    expect(p.next({ response: res({ paging: { nextToken: 'abc' } }), records: recs(2) })).toEqual({
      query: { limit: '2' },
      headers: { 'X-Page-Token': 'abc' },
    });
    expect(p.next({ response: res({ paging: {} }), records: recs(2) })).toBeUndefined();
  });

  it('cursor: hasMorePath false wins over a token; empty page stops by default', () => {
    const p = make({
      type: 'cursor',
      cursorPath: '$.next',
      hasMorePath: '$.more',
      tokenOption: { name: 't' },
    });
    p.first();
    expect(p.next({ response: res({ next: 'x', more: false }), records: recs(1) })).toBeUndefined();
    const q = make({ type: 'cursor', cursorPath: '$.next', tokenOption: { name: 't' } });
    q.first();
    expect(q.next({ response: res({ next: 'x' }), records: [] })).toBeUndefined();
  });

  it('cursor: the same token twice is a pagination loop error', () => {
    const p = make({
      type: 'cursor',
      cursorPath: '$.next',
      tokenOption: { name: 't' },
      stopOnEmptyPage: false,
    });
    p.first();
    expect(p.next({ response: res({ next: 'A' }), records: recs(1) })).toEqual({ query: { t: 'A' } });
    expect(() => p.next({ response: res({ next: 'A' }), records: recs(1) })).toThrow(/Cfg: pagination loop/);
  });

  it('page number: short page ends without totals; totalPages ends exactly', () => {
    const p = make({ type: 'page_number', pageSize: 3, pageSizeOption: { name: 'count' } });
    expect(p.first()).toEqual({ query: { count: '3', page: '1' } });
    expect(p.next({ response: res({}), records: recs(3) })).toEqual({ query: { count: '3', page: '2' } });
    expect(p.next({ response: res({}), records: recs(2) })).toBeUndefined();
    const t = make({ type: 'page_number', startPage: 0, totalPagesPath: '$.pages' });
    expect(t.first()).toEqual({ query: { page: '0' } });
    expect(t.next({ response: res({ pages: 2 }), records: recs(5) })).toEqual({ query: { page: '1' } });
    expect(t.next({ response: res({ pages: 2 }), records: recs(5) })).toBeUndefined();
  });

  it('offset: advances by records received; totalRecords and hasMore stop it', () => {
    const p = make({ type: 'offset', pageSize: 10, totalRecordsPath: '$.total' });
    expect(p.first()).toEqual({ query: { offset: '0', limit: '10' } });
    expect(p.next({ response: res({ total: 25 }), records: recs(10) })).toEqual({
      query: { offset: '10', limit: '10' },
    });
    expect(p.next({ response: res({ total: 25 }), records: recs(10) })).toEqual({
      query: { offset: '20', limit: '10' },
    });
    expect(p.next({ response: res({ total: 25 }), records: recs(5) })).toBeUndefined();
    const h = make({
      type: 'offset',
      pageSize: 10,
      hasMorePath: '$.hasMore',
      offsetOption: { in: 'body', name: 'o' },
    });
    expect(h.first()).toEqual({ body: { o: 0 }, query: { limit: '10' } });
    expect(h.next({ response: res({ hasMore: true }), records: recs(4) })).toEqual({
      body: { o: 4 },
      query: { limit: '10' },
    });
    expect(h.next({ response: res({ hasMore: 'false' }), records: recs(4) })).toBeUndefined();
  });

  it('link header: resolves relative next links; parses several rels', () => {
    expect(parseLinkHeader('<https://a/x?p=2>; rel="next", </x?p=9>; rel="last prev"')).toEqual(
      new Map([
        ['next', 'https://a/x?p=2'],
        ['last', '/x?p=9'],
        ['prev', '/x?p=9'],
      ]),
    );
    const p = make({ type: 'link-header' });
    p.first();
    expect(p.next({ response: res([], { link: '</v1/x?page=2>; rel=next' }), records: recs(1) })).toEqual({
      url: 'https://api.example.com/v1/x?page=2',
    });
    expect(p.next({ response: res([], {}), records: recs(1) })).toBeUndefined();
  });

  it('next url from the body; maxPages truncates and says so', () => {
    const p = make({ type: 'next_url', nextUrlPath: '$.links.next', maxPages: 2 });
    p.first();
    expect(p.next({ response: res({ links: { next: '?page=2' } }), records: recs(1) })).toEqual({
      url: 'https://api.example.com/v1/x?page=2',
    });
    expect(p.next({ response: res({ links: { next: '?page=3' } }), records: recs(1) })).toBeUndefined();
    expect(p.truncated).toBe(true);
  });

  it('graphql: endCursor into the body variable while hasNextPage', () => {
    const p = make({
      type: 'graphql',
      pageInfoPath: '$.data.c.pageInfo',
      pageSize: 5,
      pageSizeOption: { in: 'body', name: 'variables.first' },
    });
    expect(p.first()).toEqual({ body: { 'variables.first': 5 } });
    expect(
      p.next({
        response: res({ data: { c: { pageInfo: { hasNextPage: true, endCursor: 'Y3Vy' } } } }),
        records: recs(5),
      }),
    ).toEqual({
      body: { 'variables.first': 5, 'variables.after': 'Y3Vy' },
    });
    expect(
      p.next({
        response: res({ data: { c: { pageInfo: { hasNextPage: false, endCursor: 'Z' } } } }),
        records: recs(5),
      }),
    ).toBeUndefined();
  });

  it('none: one request', () => {
    const p = make({ type: 'none' });
    expect(p.first()).toEqual({});
    expect(p.next({ response: res({}), records: recs(3) })).toBeUndefined();
  });
});
