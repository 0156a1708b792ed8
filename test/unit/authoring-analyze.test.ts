/** What `floe config new` reads from one sample response: records, pagination, cursor and key. */
import { describe, expect, it } from 'vitest';
import { analyzeResponse, jsonPath } from '../../src/authoring/analyze-response.js';

const h = (headers: Record<string, string> = {}) => new Headers(headers);
const items = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `n${i}`, ...extra(i) }));

describe('analyzeResponse', () => {
  it('finds the largest list of objects, nested, as a JSONPath', () => {
    const body = { meta: { tags: [{ a: 1 }] }, result: { page: { rows: items(5) } } };
    const a = analyzeResponse(body, h(), 'https://x.test/r');
    expect(a.envelope).toEqual({ path: '$.result.page.rows', count: 5, fields: ['id', 'name'] });
  });

  it('a body that is the list is `$`; odd keys are quoted', () => {
    expect(analyzeResponse(items(2), h(), 'https://x.test/r').envelope?.path).toBe('$');
    expect(jsonPath(['data', 'the items'])).toBe('$.data["the items"]');
  });

  it('no list of objects: no envelope, pagination none', () => {
    const a = analyzeResponse({ ok: true, values: [1, 2, 3] }, h(), 'https://x.test/r');
    expect(a.envelope).toBeUndefined();
    expect(a.pagination.map((p) => p.type)).toEqual(['none']);
  });

  it('--records-path wins over the detected one', () => {
    const a = analyzeResponse({ data: items(3) }, h(), 'https://x.test/r', { recordsPath: '$.data[*]' });
    expect(a.envelope?.path).toBe('$.data[*]');
  });

  it('a Link rel=next header means link_header, with offset/count named as well', () => {
    const a = analyzeResponse(
      { total: 40, data: items(10) },
      h({ link: '<https://x.test/r?offset=10&limit=10>; rel="next"' }),
      'https://x.test/r?limit=10',
    );
    expect(a.pagination.map((p) => p.type)).toEqual(['link_header', 'offset']);
    expect(a.pagination[1]).toMatchObject({ pageSize: 10, limitName: 'limit', totalRecordsPath: '$.total' });
    expect(a.totals).toEqual(['$.total']);
  });

  it('a next-page token in the body means cursor pagination', () => {
    const a = analyzeResponse({ data: items(3), paging: { nextToken: 'abc==' } }, h(), 'https://x.test/r');
    expect(a.pagination[0]).toMatchObject({
      type: 'cursor',
      cursorPath: '$.paging.nextToken',
      tokenName: 'nextToken',
    });
  });

  it('a next URL in the body means next_url; a page number means page_number', () => {
    const nextUrl = analyzeResponse(
      { results: items(3), next: 'https://x.test/r?page=2' },
      h(),
      'https://x.test/r',
    );
    expect(nextUrl.pagination[0]).toMatchObject({ type: 'next_url', nextUrlPath: '$.next' });
    const pages = analyzeResponse({ items: items(3), total_pages: 4 }, h(), 'https://x.test/r?page=1');
    expect(pages.pagination[0]).toMatchObject({
      type: 'page_number',
      pageName: 'page',
      totalPagesPath: '$.total_pages',
    });
  });

  it('cursor candidates are date-time fields named like an update; other date-times listed apart', () => {
    const a = analyzeResponse(
      {
        data: items(4, (i) => ({
          created_at: `2024-01-0${i + 1}T00:00:00Z`,
          meta: { lastModified: 1_706_000_000 + i },
          updated_label: 'yesterday',
          updatedDate: i === 2 ? null : `2024-02-0${i + 1}T10:00:00.123+02:00`,
        })),
      },
      h(),
      'https://x.test/r',
    );
    expect(a.cursorCandidates).toEqual(['meta.lastModified', 'updatedDate']);
    expect(a.otherTimes).toEqual(['created_at']);
  });

  it('the key is `id` when unique; a repeated value is no key', () => {
    expect(analyzeResponse({ data: items(3) }, h(), 'https://x.test/r').primaryKey).toBe('id');
    const dup = [
      { id: 1, user_id: 'a' },
      { id: 1, user_id: 'b' },
    ];
    expect(analyzeResponse(dup, h(), 'https://x.test/r').primaryKey).toBe('user_id');
    expect(analyzeResponse([{ id: 1 }, { id: 1 }], h(), 'https://x.test/r').primaryKey).toBeUndefined();
  });
});
