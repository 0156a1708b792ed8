/**
 * What one sample response says about an API, for `floe config new`: where the records are (the
 * largest array of objects, as a JSONPath), how it pages (a `Link: rel="next"` header, next-token
 * or next-URL fields, `count`/`total`/`offset`/`page` fields), which record fields look like an
 * update time (incremental cursor candidates) and which like a key. Pure: it reads the parsed
 * body, the response headers and the request URL, and guesses nothing it cannot point at.
 */
import { parseLinkHeader } from '../source/paginate/link-header.js';

export interface RecordEnvelope {
  /** JSONPath to the records, e.g. `$.data.items`; `$` when the body is the list. */
  path: string;
  /** How many records the sample page holds. */
  count: number;
  /** Record field names (dotted for one level of nesting), in first-seen order. */
  fields: string[];
}

export type PaginationHint =
  | { type: 'link_header'; why: string; next: string }
  | { type: 'cursor'; why: string; cursorPath: string; tokenName: string }
  | { type: 'next_url'; why: string; nextUrlPath: string }
  | {
      type: 'offset';
      why: string;
      pageSize: number;
      offsetName: string;
      limitName: string;
      totalRecordsPath?: string;
    }
  | { type: 'page_number'; why: string; pageName: string; totalPagesPath?: string; totalRecordsPath?: string }
  | { type: 'none'; why: string };

export interface ResponseAnalysis {
  envelope?: RecordEnvelope;
  /** Best first. The first is what the config uses; the others are named in comments. */
  pagination: PaginationHint[];
  /** Fields (`count`, `total`, …) holding a record count, as JSONPaths. */
  totals: string[];
  /** Record fields that look like a last-update time, best first. */
  cursorCandidates: string[];
  /** Other date-time fields (created, due, …). */
  otherTimes: string[];
  /** A field that is present and unique in every sample record, named like a key. */
  primaryKey?: string;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$.a.b` / `$['odd key']` for a path of keys. */
export function jsonPath(keys: readonly string[]): string {
  return keys.reduce(
    (p, k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`),
    '$',
  );
}

/** The largest array of objects within a few levels of the body (ties: the shallowest). */
function findEnvelope(body: Json): { keys: string[]; records: Record<string, Json>[] } | undefined {
  let best: { keys: string[]; records: Record<string, Json>[] } | undefined;
  const visit = (v: Json, keys: string[]) => {
    if (keys.length > 5) return;
    if (Array.isArray(v)) {
      const objects = v.filter(isObject);
      if (objects.length > 0 && objects.length >= v.length / 2) {
        if (best === undefined || objects.length > best.records.length) best = { keys, records: objects };
      }
      return;
    }
    if (isObject(v)) for (const [k, child] of Object.entries(v)) visit(child, [...keys, k]);
  };
  visit(body, []);
  return best;
}

/** Record fields, one nesting level deep (`customer.id`), in first-seen order. */
function recordFields(records: readonly Record<string, Json>[]): Map<string, Json[]> {
  const fields = new Map<string, Json[]>();
  const add = (name: string, v: Json) => {
    const list = fields.get(name) ?? [];
    list.push(v);
    fields.set(name, list);
  };
  for (const r of records.slice(0, 100)) {
    for (const [k, v] of Object.entries(r)) {
      if (isObject(v)) for (const [k2, v2] of Object.entries(v)) add(`${k}.${k2}`, v2);
      else add(k, v);
    }
  }
  return fields;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A date-time value: an ISO-8601 text, or epoch seconds/milliseconds between 2000 and 2100. */
function isDateTime(v: Json): boolean {
  if (typeof v === 'string') return ISO_DATE_TIME.test(v.trim()) && !Number.isNaN(Date.parse(v));
  if (typeof v === 'number' && Number.isInteger(v)) {
    const ms = v < 1e11 ? v * 1000 : v;
    return ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2100, 0, 1);
  }
  return false;
}

const UPDATE_NAME = /(updated|modified|changed|last_?update|last_?modif|edited|mtime|sync)/i;
const KEY_NAME = /^(id|uuid|key|_id|[a-z]+_?id)$/i;

/** JSONPaths of scalar fields outside the records (the envelope's metadata), with values. */
function metadataFields(body: Json, skip: readonly string[]): { keys: string[]; value: Json }[] {
  const out: { keys: string[]; value: Json }[] = [];
  const visit = (v: Json, keys: string[]) => {
    if (keys.length > 4) return;
    if (keys.length === skip.length && keys.every((k, i) => k === skip[i])) return;
    if (isObject(v)) for (const [k, child] of Object.entries(v)) visit(child, [...keys, k]);
    else if (!Array.isArray(v) && keys.length > 0) out.push({ keys, value: v });
  };
  visit(body, []);
  return out;
}

const last = (keys: readonly string[]) => keys[keys.length - 1] ?? '';

/** Analyses one response: body (parsed JSON), headers, and the URL that was requested. */
export function analyzeResponse(
  body: Json,
  headers: Headers,
  requestUrl: string,
  opts: { recordsPath?: string } = {},
): ResponseAnalysis {
  const found = findEnvelope(body);
  const envelopeKeys = found?.keys ?? [];
  const records = found?.records ?? [];
  const fields = recordFields(records);
  const envelope: RecordEnvelope | undefined = found
    ? { path: opts.recordsPath ?? jsonPath(found.keys), count: records.length, fields: [...fields.keys()] }
    : undefined;

  const meta = metadataFields(body, envelopeKeys);
  const named = (re: RegExp) => meta.filter((m) => re.test(last(m.keys)));
  const totals = named(
    /^(count|total|total_?count|total_?records|total_?results|total_?items|record_?count)$/i,
  )
    .filter((m) => typeof m.value === 'number' || (typeof m.value === 'string' && /^\d+$/.test(m.value)))
    .map((m) => jsonPath(m.keys));
  const totalPages = named(/^(total_?pages|page_?count|pages)$/i).map((m) => jsonPath(m.keys))[0];

  const url = new URL(requestUrl);
  const query = [...url.searchParams.keys()];
  const pagination: PaginationHint[] = [];
  const link = headers.get('link');
  const next = link ? parseLinkHeader(link).get('next') : undefined;
  if (next !== undefined)
    pagination.push({ type: 'link_header', why: 'the response has a Link header with rel="next"', next });
  const token = named(
    /^(next_?(page_?)?(token|cursor)|cursor|next_?cursor|continuation(_?token)?|after|end_?cursor|page_?token)$/i,
  ).find((m) => typeof m.value === 'string' && m.value !== '' && !/^https?:\/\//.test(m.value));
  if (token)
    pagination.push({
      type: 'cursor',
      why: `the body has a next-page token at ${jsonPath(token.keys)}`,
      cursorPath: jsonPath(token.keys),
      tokenName: last(token.keys),
    });
  const nextUrl = named(/^(next|next_?url|next_?page_?url|next_?link|next_?href)$/i).find(
    (m) => typeof m.value === 'string' && /^(https?:\/\/|\/)/.test(m.value),
  );
  if (nextUrl)
    pagination.push({
      type: 'next_url',
      why: `the body has a next-page URL at ${jsonPath(nextUrl.keys)}`,
      nextUrlPath: jsonPath(nextUrl.keys),
    });
  const offsetName =
    query.find((q) => /^(offset|skip|start)$/i.test(q)) ?? last(named(/^(offset|skip)$/i)[0]?.keys ?? []);
  const limitName =
    query.find((q) => /^(limit|per_?page|page_?size|count|size|max_?results)$/i.test(q)) ??
    last(named(/^(limit|per_?page|page_?size)$/i)[0]?.keys ?? []);
  if (offsetName !== '' || (totals.length > 0 && !query.some((q) => /^page$/i.test(q)))) {
    const limitValue = Number(url.searchParams.get(limitName) ?? Number.NaN);
    pagination.push({
      type: 'offset',
      why: `${offsetName !== '' ? `an offset (${offsetName})` : 'no offset field, but'}${totals.length ? ` a record count at ${totals[0]}` : ''}`.trim(),
      pageSize: Number.isInteger(limitValue) && limitValue > 0 ? limitValue : Math.max(1, records.length),
      offsetName: offsetName || 'offset',
      limitName: limitName || 'limit',
      ...(totals[0] !== undefined ? { totalRecordsPath: totals[0] } : {}),
    });
  }
  const pageName =
    query.find((q) => /^(page|page_?number)$/i.test(q)) ??
    last(named(/^(page|page_?number|current_?page)$/i)[0]?.keys ?? []);
  if (pageName !== '' || totalPages !== undefined)
    pagination.push({
      type: 'page_number',
      why: `a page number${totalPages ? ` and a page count at ${totalPages}` : ''}`,
      pageName: pageName || 'page',
      ...(totalPages !== undefined ? { totalPagesPath: totalPages } : {}),
      ...(totals[0] !== undefined ? { totalRecordsPath: totals[0] } : {}),
    });
  if (pagination.length === 0)
    pagination.push({
      type: 'none',
      why: 'the response shows no next-page header, token, URL, offset or count',
    });

  const times = [...fields.entries()].filter(([, values]) => {
    const present = values.filter((v) => v !== null && v !== undefined && v !== '');
    return present.length > 0 && present.every(isDateTime);
  });
  const cursorCandidates = times.filter(([name]) => UPDATE_NAME.test(name)).map(([name]) => name);
  const otherTimes = times.filter(([name]) => !UPDATE_NAME.test(name)).map(([name]) => name);
  const keys = [...fields.entries()].filter(
    ([name, values]) =>
      !name.includes('.') &&
      KEY_NAME.test(name) &&
      values.length === Math.min(records.length, 100) &&
      values.every((v) => typeof v === 'string' || typeof v === 'number') &&
      new Set(values.map(String)).size === values.length,
  );
  // `id` itself first, then `<thing>_id` fields in record order.
  const primaryKey = (keys.find(([name]) => name.toLowerCase() === 'id') ?? keys[0])?.[0];

  return {
    ...(envelope ? { envelope } : {}),
    pagination,
    totals,
    cursorCandidates,
    otherTimes,
    ...(primaryKey !== undefined ? { primaryKey } : {}),
  };
}
