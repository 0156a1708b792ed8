/**
 * Parsing of Wrike's query parameters. Several parameters carry JSON in the query string:
 * `fields=["description","customFields"]` (Airbyte also sends the unquoted `[description,customFields]`),
 * and date ranges `updatedDate={"start":"2024-01-02T03:04:05Z","end":"…"}`, a semi-open interval:
 * start inclusive, end exclusive, either bound optional.
 */
import { parseDate, parseTimestamp } from './dates.js';
import { WrikeApiError } from './errors.js';

export interface Range {
  /** Epoch ms, inclusive. */
  start?: number;
  /** Epoch ms, exclusive. */
  end?: number;
}

export function parseFields(raw: string | null, allowed: readonly string[], param = 'fields'): Set<string> {
  const out = new Set<string>();
  if (raw === null || raw === '') return out;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    // Unquoted form: [a,b,c]
    const m = /^\[([A-Za-z0-9_,\s]*)\]$/.exec(raw.trim());
    if (!m) throw new WrikeApiError('invalid_parameter', `Parameter '${param}' value is invalid`);
    list = m[1]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (!Array.isArray(list))
    throw new WrikeApiError('invalid_parameter', `Parameter '${param}' must be a JSON array`);
  for (const f of list) {
    if (typeof f !== 'string' || !allowed.includes(f)) {
      throw new WrikeApiError('invalid_parameter', `Parameter '${param}' value '${String(f)}' is invalid`);
    }
    out.add(f);
  }
  return out;
}

/** A timestamp range parameter; undefined when absent. */
export function parseRange(
  raw: string | null,
  param: string,
  kind: 'timestamp' | 'date' = 'timestamp',
): Range | undefined {
  if (raw === null) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw new WrikeApiError(
      'invalid_parameter',
      `Parameter '${param}' must be a JSON object like {"start":"2024-01-02T03:04:05Z"}`,
    );
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new WrikeApiError('invalid_parameter', `Parameter '${param}' must be a JSON object`);
  }
  const parse = kind === 'timestamp' ? parseTimestamp : parseDate;
  const range: Range = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== 'start' && k !== 'end' && !(kind === 'date' && k === 'equal')) {
      throw new WrikeApiError('invalid_parameter', `Parameter '${param}' has unknown key '${k}'`);
    }
    const ms = parse(v);
    if (ms === undefined) {
      throw new WrikeApiError(
        'invalid_parameter',
        `Parameter '${param}.${k}' value '${String(v)}' is invalid, expected ${kind === 'timestamp' ? 'yyyy-MM-ddTHH:mm:ssZ' : 'yyyy-MM-dd'}`,
      );
    }
    if (k === 'equal') {
      range.start = ms;
      range.end = ms + 86_400_000;
    } else range[k] = ms;
  }
  if (range.start !== undefined && range.end !== undefined && range.end < range.start) {
    throw new WrikeApiError('invalid_parameter', `Parameter '${param}' end is before start`);
  }
  return range;
}

export function inRange(ms: number, r: Range | undefined): boolean {
  if (!r) return true;
  if (r.start !== undefined && ms < r.start) return false;
  if (r.end !== undefined && ms >= r.end) return false;
  return true;
}

export function parseBool(raw: string | null, param: string): boolean | undefined {
  if (raw === null) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new WrikeApiError('invalid_parameter', `Parameter '${param}' must be true or false`);
}

export function parseIds(raw: string, max: number): string[] {
  const ids = raw.split(',').filter((s) => s !== '');
  if (ids.length === 0) throw new WrikeApiError('invalid_parameter', 'Ids are required');
  if (ids.length > max)
    throw new WrikeApiError('invalid_parameter', `Too many ids: at most ${max} per request`);
  return ids;
}
