/**
 * Eloqua Bulk API 2.0 exports (docs.oracle.com "Export data from Eloqua", "Filtering", "Bulk API
 * limits", "Sync status types"): an export definition names its fields as EML statements
 * (`"Email": "{{Contact.Field(C_EmailAddress)}}"`, at most 250) and a filter
 * (`'{{EML}}' <op> '<value>'` with AND/OR/NOT and parentheses, at most 1000 characters; activity
 * exports must filter on `{{Activity.Type}}`); `POST /syncs` with its uri starts a sync whose
 * status goes pending → active → success (or error); `GET /syncs/{id}/data?limit&offset` (limit
 * ≤ 50000) pages the staged rows as `{totalResults, limit, offset, count, hasMore, items}`. The
 * rows are fixed when the sync starts, as Eloqua stages them.
 */
import { ACTIVITY_TYPES, type ActivityType, bulkDate, type EloquaWorld } from './data.js';

export type BulkEntity = 'contacts' | 'accounts' | 'activities';

export class BulkError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}

const failure = (field: string, value: unknown, constraint: string) =>
  new BulkError(400, { failures: [{ field, value, constraint }] });

interface Definition {
  id: number;
  entity: BulkEntity;
  uri: string;
  body: Record<string, unknown>;
  fields: Record<string, string>;
  predicate: (row: Record<string, string | number>) => boolean;
  activityType?: ActivityType;
  utc: boolean;
}

interface Sync {
  id: number;
  uri: string;
  syncedInstanceUri: string;
  startedWallMs: number;
  createdAt: string;
  fail: boolean;
  stuck: boolean;
  items: Record<string, string>[];
}

export interface BulkFaults {
  /** Syncs end in `error` (with a log entry saying why). */
  failSyncs?: boolean;
  /** Syncs stay `active` forever. */
  stuckSyncs?: boolean;
  /** Wall-clock time a sync takes to succeed (default 300 ms). */
  syncDurationMs?: number;
}

// ---- filters ------------------------------------------------------------------------------------

type Tok = { k: 'str' | 'op' | 'word' | '(' | ')'; t: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') {
      out.push({ k: c, t: c });
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let t = '';
      while (j < s.length && s[j] !== "'") t += s[j++];
      if (j >= s.length) throw failure('filter', s, 'Unterminated quote');
      out.push({ k: 'str', t });
      i = j + 1;
    } else if ('<>=!~'.includes(c)) {
      const two = s.slice(i, i + 2);
      const op = ['>=', '<=', '!='].includes(two) ? two : c;
      out.push({ k: 'op', t: op });
      i += op.length;
    } else {
      let j = i;
      while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
      if (j === i) throw failure('filter', s, `Unexpected character '${c}'`);
      out.push({ k: 'word', t: s.slice(i, j).toUpperCase() });
      i = j;
    }
  }
  return out;
}

/** A filter value for a date field: `YYYY-MM-DD[ HH:MM:SS[.fff]]`, in UTC or US Eastern time. */
function dateValue(text: string, utc: boolean): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}Z`);
  if (Number.isNaN(ms) || utc) return ms;
  // Eastern: the same wall time is later in UTC; bulkDate(x, false) shows x in Eastern.
  const shown = Date.parse(`${bulkDate(ms, false).replace(' ', 'T')}Z`);
  return ms + (ms - shown);
}

function parseFilter(text: string, known: ReadonlySet<string>, utc: boolean) {
  if (text.length > 1000) throw failure('filter', text, 'Filters have a 1000 character limit');
  const toks = tokenize(text);
  let i = 0;
  const types: string[] = [];
  const need = (k: Tok['k']) => {
    const t = toks[i++];
    if (!t || t.k !== k) throw failure('filter', text, `Expected ${k} at token ${i}`);
    return t.t;
  };
  type P = (r: Record<string, string | number>) => boolean;
  const primary = (): P => {
    const t = toks[i];
    if (t?.k === 'word' && t.t === 'NOT') {
      i++;
      const p = primary();
      return (r) => !p(r);
    }
    if (t?.k === '(') {
      i++;
      const p = or();
      need(')');
      return p;
    }
    const eml = need('str');
    if (!known.has(eml)) throw failure('filter', text, `Unknown field statement ${eml}`);
    const op = need('op');
    const value = need('str');
    if (eml === '{{Activity.Type}}' && op === '=') types.push(value);
    return (r) => {
      const a = r[eml];
      if (a === undefined) return false;
      if (typeof a === 'number') {
        const v = dateValue(value, utc);
        if (v === undefined) throw failure('filter', text, `'${value}' is not a date (YYYY-MM-DD HH:MM:SS)`);
        return cmp(op, a - v);
      }
      if (op === '~') return a.toLowerCase().includes(value.replaceAll('*', '').toLowerCase());
      return cmp(op, a < value ? -1 : a > value ? 1 : 0);
    };
  };
  const and = (): P => {
    let p = primary();
    while (toks[i]?.k === 'word' && toks[i]!.t === 'AND') {
      i++;
      const a = p;
      const b = primary();
      p = (r) => a(r) && b(r);
    }
    return p;
  };
  const or = (): P => {
    let p = and();
    while (toks[i]?.k === 'word' && toks[i]!.t === 'OR') {
      i++;
      const a = p;
      const b = and();
      p = (r) => a(r) || b(r);
    }
    return p;
  };
  const p = or();
  if (i < toks.length) throw failure('filter', text, `Unexpected '${toks[i]!.t}'`);
  return { predicate: p, types };
}

function cmp(op: string, d: number): boolean {
  switch (op) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
  }
  return false;
}

// ---- definitions, syncs, data -------------------------------------------------------------------

export class BulkStore {
  private nextId = 1000;
  readonly definitions = new Map<string, Definition>();
  private readonly syncs = new Map<number, Sync>();
  faults: BulkFaults = {};

  constructor(private readonly world: EloquaWorld) {}

  private statements(entity: BulkEntity): Set<string> {
    if (entity === 'contacts') return new Set(Object.keys(this.world.contact(0, 0)));
    if (entity === 'accounts') return new Set(Object.keys(this.world.account(0, 0)));
    return new Set([
      '{{Activity.Id}}',
      '{{Activity.Type}}',
      '{{Activity.CreatedAt}}',
      '{{Activity.Contact.Id}}',
      '{{Activity.Field(EmailAddress)}}',
      '{{Activity.Asset.Id}}',
      '{{Activity.Asset.Name}}',
      '{{Activity.Campaign.Id}}',
      '{{Activity.Field(EmailRecipientId)}}',
      '{{Activity.Field(IpAddress)}}',
      '{{Activity.Field(EmailClickedThruLink)}}',
    ]);
  }

  /** `POST /{entity}/exports` → 201 with the definition and its uri. */
  createExport(entity: BulkEntity, body: unknown, nowMs: number): Record<string, unknown> {
    if (!body || typeof body !== 'object') throw failure('body', null, 'Must be a JSON object');
    const b = body as Record<string, unknown>;
    if (typeof b.name !== 'string' || b.name === '') throw failure('name', b.name, 'Is required');
    const fields = b.fields;
    if (!fields || typeof fields !== 'object' || Object.keys(fields).length === 0)
      throw failure('fields', fields, 'Is required');
    if (Object.keys(fields).length > 250)
      throw failure('fields', Object.keys(fields).length, 'At most 250 fields');
    const known = this.statements(entity);
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v !== 'string' || !known.has(v))
        throw failure(`fields.${k}`, v, 'Must be a valid field statement');
    }
    const utc = b.areSystemTimestampsInUTC === true;
    let predicate: Definition['predicate'] = () => true;
    let activityType: ActivityType | undefined;
    if (b.filter !== undefined) {
      if (typeof b.filter !== 'string') throw failure('filter', b.filter, 'Must be a string');
      const f = parseFilter(b.filter, known, utc);
      predicate = f.predicate;
      if (entity === 'activities') {
        const t = f.types.find((x) => (ACTIVITY_TYPES as readonly string[]).includes(x));
        activityType = t as ActivityType | undefined;
      }
    }
    if (entity === 'activities' && !activityType) {
      throw failure(
        'filter',
        b.filter ?? null,
        "Activity exports must filter on '{{Activity.Type}}' = '<type>'",
      );
    }
    const id = this.nextId++;
    const uri = `/${entity}/exports/${id}`;
    const def: Definition = {
      id,
      entity,
      uri,
      body: b,
      fields: fields as Record<string, string>,
      predicate,
      activityType,
      utc,
    };
    this.definitions.set(uri, def);
    const at = new Date(nowMs).toISOString();
    return {
      ...b,
      dataRetentionDuration: b.dataRetentionDuration ?? 'PT12H',
      uri,
      createdBy: 'Sim.User',
      createdAt: at,
      updatedBy: 'Sim.User',
      updatedAt: at,
    };
  }

  deleteExport(entity: BulkEntity, id: string): void {
    const uri = `/${entity}/exports/${id}`;
    if (!this.definitions.delete(uri))
      throw new BulkError(404, { failures: [{ field: 'id', value: id, constraint: 'Not found' }] });
  }

  /** `POST /syncs` → 201, status pending; the rows are staged now. */
  createSync(body: unknown, nowMs: number): Record<string, unknown> {
    const uri = (body as { syncedInstanceUri?: unknown } | null)?.syncedInstanceUri;
    if (typeof uri !== 'string') throw failure('syncedInstanceUri', uri ?? null, 'Is required');
    const def = this.definitions.get(uri);
    if (!def) throw failure('syncedInstanceUri', uri, 'Must reference an existing definition');
    const nowS = Math.floor(nowMs / 1000);
    const rows: Record<string, string | number>[] = [];
    if (def.entity === 'contacts') {
      const n = this.world.count('contacts', nowS);
      for (let i = 0; i < n; i++) rows.push(this.world.contact(i, nowS));
    } else if (def.entity === 'accounts') {
      const n = this.world.count('accounts', nowS);
      for (let i = 0; i < n; i++) rows.push(this.world.account(i, nowS));
    } else for (const r of this.world.activities(def.activityType!, nowS)) rows.push(r);
    const items = rows.filter(def.predicate).map((r) => {
      const out: Record<string, string> = {};
      for (const [name, eml] of Object.entries(def.fields)) {
        const v = r[eml];
        out[name] = v === undefined ? '' : typeof v === 'number' ? bulkDate(v, def.utc) : v;
      }
      return out;
    });
    const id = this.nextId++;
    const sync: Sync = {
      id,
      uri: `/syncs/${id}`,
      syncedInstanceUri: uri,
      startedWallMs: Date.now(),
      createdAt: new Date(nowMs).toISOString(),
      fail: this.faults.failSyncs === true,
      stuck: this.faults.stuckSyncs === true,
      items,
    };
    this.syncs.set(id, sync);
    return {
      syncedInstanceUri: uri,
      status: 'pending',
      createdAt: sync.createdAt,
      createdBy: 'Sim.User',
      uri: sync.uri,
    };
  }

  private sync(id: string): Sync {
    const s = this.syncs.get(Number(id));
    if (!s) throw new BulkError(404, { failures: [{ field: 'id', value: id, constraint: 'Not found' }] });
    return s;
  }

  status(s: Sync): 'pending' | 'active' | 'success' | 'error' {
    const took = Date.now() - s.startedWallMs;
    const dur = this.faults.syncDurationMs ?? 300;
    if (took < dur / 3) return 'pending';
    if (s.stuck || took < dur) return 'active';
    return s.fail ? 'error' : 'success';
  }

  getSync(id: string): Record<string, unknown> {
    const s = this.sync(id);
    const status = this.status(s);
    return {
      syncedInstanceUri: s.syncedInstanceUri,
      ...(status !== 'pending' ? { syncStartedAt: s.createdAt } : {}),
      ...(status === 'success' || status === 'error' ? { syncEndedAt: s.createdAt } : {}),
      status,
      createdAt: s.createdAt,
      createdBy: 'Sim.User',
      uri: s.uri,
    };
  }

  logs(id: string): Record<string, unknown> {
    const s = this.sync(id);
    const items =
      this.status(s) === 'error'
        ? [
            {
              syncUri: s.uri,
              count: 0,
              severity: 'error',
              statusCode: 'ELQ-00107',
              message: 'There was an error processing the export.',
              createdAt: s.createdAt,
            },
          ]
        : [
            {
              syncUri: s.uri,
              count: s.items.length,
              severity: 'information',
              statusCode: 'ELQ-00102',
              message: `Total records staged for export: ${s.items.length}.`,
              createdAt: s.createdAt,
            },
          ];
    return { items, totalResults: items.length, limit: 1000, offset: 0, count: items.length, hasMore: false };
  }

  data(id: string, q: URLSearchParams): Record<string, unknown> {
    const s = this.sync(id);
    if (this.status(s) !== 'success') {
      throw failure('id', id, `Sync is ${this.status(s)}; data is available once it succeeds`);
    }
    const limit = q.has('limit') ? Number(q.get('limit')) : 1000;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50_000)
      throw failure('limit', q.get('limit'), 'Must be from 1 to 50000');
    if (!Number.isInteger(offset) || offset < 0)
      throw failure('offset', q.get('offset'), 'Must be a non-negative integer');
    const items = s.items.slice(offset, offset + limit);
    return {
      totalResults: s.items.length,
      limit,
      offset,
      count: items.length,
      hasMore: offset + items.length < s.items.length,
      items,
    };
  }
}
