/**
 * Wrike's task pagination: the first request sends `pageSize` (1 … 1000); the response carries
 * `responseSize` (total matches) and, unless it is the last page, `nextPageToken`. A follow-up
 * request sends only `nextPageToken`, which "overrides any other parameters in request": the
 * original filters travel inside the token, with the position to resume from and the total.
 * Tokens are RFC 4648 base32 (uppercase, unpadded, like Wrike's) of a small JSON document.
 */
import { WrikeApiError } from './errors.js';

export const MAX_PAGE_SIZE = 1000;

export interface PageToken {
  /** API path the token belongs to (after /api/v4). */
  path: string;
  /** The original query parameters, minus paging and auth ones. */
  query: Array<[string, string]>;
  pageSize: number;
  /** Record index to resume scanning from. */
  offset: number;
  /** responseSize computed on the first page. */
  total: number;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(s: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    const d = B32.indexOf(ch);
    if (d < 0) return undefined;
    value = ((value << 5) | d) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

export function encodePageToken(t: PageToken): string {
  const json = JSON.stringify({ v: 1, p: t.path, q: t.query, s: t.pageSize, o: t.offset, n: t.total });
  return base32(new TextEncoder().encode(json));
}

export function decodePageToken(raw: string): PageToken {
  const invalid = new WrikeApiError('invalid_parameter', "Parameter 'nextPageToken' value is invalid");
  const bytes = unbase32(raw);
  if (!bytes) throw invalid;
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid;
  }
  if (typeof o !== 'object' || o === null) throw invalid;
  const r = o as Record<string, unknown>;
  if (
    r.v !== 1 ||
    typeof r.p !== 'string' ||
    !Array.isArray(r.q) ||
    !Number.isInteger(r.s) ||
    !Number.isInteger(r.o) ||
    !Number.isInteger(r.n)
  ) {
    throw invalid;
  }
  return {
    path: r.p,
    query: r.q as Array<[string, string]>,
    pageSize: r.s as number,
    offset: r.o as number,
    total: r.n as number,
  };
}

export function parsePageSize(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new WrikeApiError(
      'invalid_parameter',
      `Parameter 'pageSize' value is invalid: expected an integer from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return n;
}

/** Indexes in [from, end) that match, at most `limit`, plus the next matching index (if any) to resume from. */
export function scan(
  from: number,
  end: number,
  limit: number,
  match: ((i: number) => boolean) | null,
): { items: number[]; next: number | undefined } {
  const items: number[] = [];
  let i = from;
  if (match === null) {
    const stop = Math.min(end, from + limit);
    for (; i < stop; i++) items.push(i);
    return { items, next: i < end ? i : undefined };
  }
  for (; i < end && items.length < limit; i++) if (match(i)) items.push(i);
  for (; i < end; i++) if (match(i)) return { items, next: i };
  return { items, next: undefined };
}

export function countMatches(end: number, match: ((i: number) => boolean) | null): number {
  if (match === null) return end;
  let n = 0;
  for (let i = 0; i < end; i++) if (match(i)) n++;
  return n;
}
