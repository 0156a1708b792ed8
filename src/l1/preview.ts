/**
 * What one L1 config would do, without doing it (`floe source preview`, `floe run --dry-run`):
 * the source's request chain runs for real (auth, pagination, incremental parameters from the
 * cursor a run would start from) for a few pages; the records go through the same encoder a run
 * uses (row-line.ts), so the schema shown is the schema a run would infer, notes included; and
 * the table is only read, to say what a run would add to it. Nothing is written: no table, no
 * state, no history, no spool. (An OAuth2 provider that rotates refresh tokens still gets its new
 * token stored: a refresh spends the old one, and a run after the preview needs the new one.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type L1Config, withLoadType } from '../config/index.js';
import { errorMessage } from '../errors.js';
import {
  type Catalog,
  type FieldInput,
  loadTable,
  type Table,
  type TableIdentifier,
  type TypeInput,
} from '../iceberg/index.js';
import type { StateStore } from '../runtime/ports/state-store.js';
import { buildSource, type LoadType, type SecretStore, type SourceEvent } from '../source/index.js';
import { isJsonNumber, parseJsonPreservingNumbers } from '../util/json-numbers.js';
import { redact, redactSnippet, redactValue } from '../util/redact.js';
import {
  COLUMN_SOURCES_PROPERTY,
  type ColumnSources,
  childLevel,
  elementLevel,
  parseColumnSources,
} from './column-names.js';
import {
  type ColumnTypePlan,
  checkDeclaredValues,
  planColumnTypes,
  quoteExamples,
  typedFields,
  type ValueCheck,
} from './column-types.js';
import { reconcile } from './reconcile-schema.js';
import { INGEST_COLUMNS } from './records.js';
import { RowLineEncoder, type SchemaNote } from './row-line.js';
import { lookBack } from './sync-config.js';
import { cursorAfter, latestFloeCommit } from './table-cursor.js';

export interface PreviewOptions {
  /** Pages to fetch (a run fetches them all). */
  readonly pages: number;
  /** Keep the first response body, redacted and cut to `rawLimit` characters. */
  readonly raw?: boolean;
  readonly rawLimit?: number;
  /** LOAD_TYPE override, as `floe run --load-type` would apply it. */
  readonly loadType?: LoadType;
  /** How many selected records to show. */
  readonly sampleSize?: number;
  /** Clock for incremental ranges (tests pass a simulator's). */
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

export interface PreviewDeps {
  readonly secrets: SecretStore;
  /** Read only: the saved cursor. Undefined when the project has no state yet. */
  readonly state?: Pick<StateStore, 'get'>;
  /** Read only: the destination table, if it exists. Undefined when there is no catalog yet. */
  readonly catalog?: Catalog;
}

export interface PreviewRequest {
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly attempt: number;
  /** Request headers, credentials redacted (`X-Api-Key: ***`). */
  readonly headers: Record<string, string>;
  /** Undefined when no HTTP answer came (reset, timeout, stopped). */
  readonly status?: number;
  readonly ms?: number;
  readonly bytes?: number;
  /** Records the dataPath selected from this answer (page requests only). */
  readonly records?: number;
}

export interface PreviewColumn {
  /** As readers see it: `requester.email`, list elements `tags[]`. */
  readonly column: string;
  /** Iceberg type; nested columns are listed under their own path. */
  readonly type: string;
  /** The API key it comes from (`requester.email`), or `(floe)` for the ingest columns. */
  readonly source: string;
  /** Why the type is not the obvious one (a type conflict, a wide number, a name collision). */
  readonly note?: string;
}

export interface SourcePreview {
  readonly configId: string;
  readonly loadType: LoadType;
  /** Where an INCREMENTAL fetch starts and why; FULL fetches have no start. */
  readonly cursor: { readonly start?: string; readonly why: string };
  readonly requests: PreviewRequest[];
  readonly pages: number;
  /** True when the preview stopped at `pages` (a run goes on while the API has more). */
  readonly stoppedAtLimit: boolean;
  readonly records: number;
  /** The first records as the dataPath selects them, redacted. */
  readonly sample: unknown[];
  readonly raw?: {
    readonly url: string;
    readonly status: number;
    readonly body: string;
    readonly truncated: boolean;
  };
  readonly schema: PreviewColumn[];
  /** Every schema decision a run would log (`schema: column …`), all-null fields included. */
  readonly schemaNotes: SchemaNote[];
  readonly write: WritePlan;
  /** Source warnings (maxPages reached, range notes). */
  readonly warnings: string[];
  /** Set when the fetch failed; what came before it is still reported. */
  readonly error?: string;
}

export interface WritePlan {
  /** `namespace.name`. */
  readonly table: string;
  readonly exists: boolean;
  readonly mode: 'APPEND' | 'OVERWRITE' | 'MERGE';
  /** primaryKey as columns (a key the records lack is flagged in `problems`). */
  readonly primaryKey: string[];
  readonly lastUpdatedColumn?: string;
  /** Columns a run would add to the existing table (all of them when it does not exist yet). */
  readonly newColumns: string[];
  /** New columns schemaEvolution would refuse (the run would fail). */
  readonly refusedColumns: string[];
  /** Differences no data can bridge (the run would fail), and keys the records lack. */
  readonly problems: string[];
}

const DEFAULT_SAMPLE = 3;
const DEFAULT_RAW_LIMIT = 4000;

/** Runs the preview of one L1 config. Throws only for a config error; fetch errors are reported. */
export async function previewL1Config(
  base: L1Config,
  opts: PreviewOptions,
  deps: PreviewDeps,
): Promise<SourcePreview> {
  // The same LOAD_TYPE check a run makes (INCREMENTAL needs a cursor column).
  const config = withLoadType(base, opts.loadType);
  const dest = config.destination;
  const id: TableIdentifier = { namespace: [dest.namespace], name: dest.tableName };
  const loadType: LoadType = opts.loadType ?? dest.loadType;
  const tbl = await loadIfExists(deps.catalog, id);
  const cursor = await startCursor(config, loadType, tbl, deps.state);

  const requests: PreviewRequest[] = [];
  const warnings: string[] = [];
  let raw: SourcePreview['raw'];
  const rawLimit = opts.rawLimit ?? DEFAULT_RAW_LIMIT;
  const onEvent = (e: SourceEvent) => {
    switch (e.type) {
      case 'request':
        requests.push({ method: e.method, url: e.url, attempt: e.attempt, headers: e.headers ?? {} });
        break;
      case 'response': {
        const i = requests.findLastIndex((r) => r.url === e.url && r.status === undefined);
        if (i >= 0) requests[i] = { ...requests[i]!, status: e.status, ms: e.ms, bytes: e.bytes };
        break;
      }
      case 'response-body':
        if (opts.raw && raw === undefined) {
          const body = abridge(e.body);
          raw = {
            url: e.url,
            status: e.status,
            body: redactSnippet(body, rawLimit),
            truncated: body.length > rawLimit,
          };
        }
        break;
      case 'page': {
        const i = requests.findLastIndex((r) => r.status !== undefined);
        if (i >= 0) requests[i] = { ...requests[i]!, records: e.records };
        break;
      }
      case 'warning':
        warnings.push(e.message);
        break;
    }
  };
  const source = buildSource(config as unknown as Record<string, unknown>, {
    secrets: deps.secrets,
    loadType,
    ...(cursor.start ? { cursor: cursor.start } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    // Exactly the pages asked for: no request for a page the preview would not show.
    prefetch: false,
    responseBodies: opts.raw === true,
    onEvent,
  });

  // The run's own encoder, with the column owners the table recorded, so names and types match.
  const types = planColumnTypes(config.configId, dest, tbl?.metadata.properties);
  const encoder = new RowLineEncoder(
    dest.columnNaming,
    { timestamp: new Date().toISOString(), runId: 'preview' },
    {
      columnSources: parseColumnSources(tbl?.metadata.properties[COLUMN_SOURCES_PROPERTY]),
      declared: types.declared,
      detectTimestamps: types.detectTimestamps,
    },
  );
  // The declared columns' values are checked as a run checks them: by DuckDB, over the rows.
  const checkDeclared = [...types.declared.values()].some((d) => d.type !== 'string');
  const lines: string[] = [];
  const sampleSize = opts.sampleSize ?? DEFAULT_SAMPLE;
  const sample: unknown[] = [];
  let pages = 0;
  let records = 0;
  let error: string | undefined;
  try {
    for await (const page of source.pages(opts.signal ? { signal: opts.signal } : {})) {
      pages++;
      for (const r of page.records) {
        records++;
        if (sample.length < sampleSize) sample.push(redactRecord(r));
        if (r && typeof r === 'object' && !Array.isArray(r)) {
          const line = encoder.encode(r as Record<string, unknown>);
          if (checkDeclared) lines.push(`${line}}`);
        }
      }
      if (pages >= opts.pages) break;
    }
  } catch (e) {
    error = redact(errorMessage(e));
  }

  const checks =
    checkDeclared && lines.length ? await checkLines(lines, types.declared) : new Map<string, ValueCheck>();
  const detected = new Set(encoder.detectedTimestamps());
  const fields = typedFields(encoder.fields(), types.declared, checks, new Set());
  const notes = encoder.schemaNotes();
  const typeNotes = new Map<string, string>();
  for (const c of detected)
    typeNotes.set(
      c,
      'every value is an ISO-8601 date-time: stored as timestamptz (destination.detectTimestamps)',
    );
  for (const [c, d] of types.declared) {
    const check = checks.get(c);
    typeNotes.set(
      c,
      `declared ${d.type} in destination.columns.${d.key}${
        check?.bad
          ? `; ${check.bad} value(s) in these pages do not convert (e.g. ${quoteExamples(check)}): onError ${d.onError} ${d.onError === 'reject' ? 'fails the run' : d.onError === 'null' ? 'writes them as null' : 'keeps the column as text'}`
          : ''
      }`,
    );
  }
  const schema = describeColumns(fields, encoder.columnSources(), notes, typeNotes);
  return {
    configId: config.configId,
    loadType,
    cursor,
    requests,
    pages,
    stoppedAtLimit: error === undefined && pages >= opts.pages,
    records,
    sample,
    ...(raw ? { raw } : {}),
    schema,
    schemaNotes: notes,
    write: writePlan(config, tbl, fields, encoder, records),
    warnings,
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * A record for showing: plain JSON (JsonNumbers as numbers, bigints as text), redacted as text so
 * credential-named members (`"api_key": "…"`) are hidden too, not only registered secrets.
 */
function redactRecord(r: unknown): unknown {
  const text = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
  try {
    return JSON.parse(redact(text));
  } catch {
    return redactValue(JSON.parse(text));
  }
}

/** Lists longer than this show their first items and how many more there are. */
const RAW_LIST_ITEMS = 2;

/**
 * A response body for reading: long lists cut to their first items (so the envelope around the
 * records, `meta.total` and the like, stays in view), indented. The text is already redacted.
 */
function abridge(text: string): string {
  let body: unknown;
  try {
    body = parseJsonPreservingNumbers(text);
  } catch {
    return text;
  }
  const cut = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.length > RAW_LIST_ITEMS + 1
        ? [...v.slice(0, RAW_LIST_ITEMS).map(cut), `… ${v.length - RAW_LIST_ITEMS} more`]
        : v.map(cut);
    if (v && typeof v === 'object' && !isJsonNumber(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]));
    return v;
  };
  return JSON.stringify(cut(body), null, 2) ?? 'null';
}

async function loadIfExists(catalog: Catalog | undefined, id: TableIdentifier): Promise<Table | undefined> {
  if (!catalog || !(await catalog.tableExists(id))) return undefined;
  return loadTable(catalog, id);
}

/**
 * Where a run's fetch would start. Mirrors the run's reconciliation with the table
 * (sync-config.ts) for the cases a preview meets: the saved cursor, unless it is past the
 * table's newest commit of this config (the table wins); without one, the table's commit, else
 * the config's lastSyncTime; then lookbackSeconds.
 */
async function startCursor(
  config: L1Config,
  loadType: LoadType,
  tbl: Table | undefined,
  state: PreviewDeps['state'],
): Promise<SourcePreview['cursor']> {
  if (loadType === 'FULL') return { why: 'loadType FULL: every record, whatever the saved cursor' };
  const saved = (await state?.get('L1', config.configId))?.lastSyncTime ?? undefined;
  const commit = tbl ? latestFloeCommit(tbl, config.configId) : undefined;
  const fromConfig = config.destination.lastSyncTime || undefined;
  let cursor: string | undefined;
  let why: string;
  if (saved && commit?.cursor && cursorAfter(saved, commit.cursor)) {
    cursor = commit.cursor;
    why = `the saved cursor ${saved} is past the table's newest commit (snapshot ${commit.snapshotId}); the run resumes from the table's`;
  } else if (saved) {
    cursor = saved;
    why = 'the saved cursor, as `floe state show` prints it';
  } else if (commit?.cursor) {
    cursor = commit.cursor;
    why = `no saved cursor; the table's newest commit of this config (snapshot ${commit.snapshotId})`;
  } else if (fromConfig) {
    cursor = fromConfig;
    why = 'destination.lastSyncTime in the config (no run yet)';
  } else {
    return {
      why: 'no cursor yet: the first run fetches everything (incremental.startDate bounds it, if set)',
    };
  }
  const seconds = config.destination.lookbackSeconds;
  const start = lookBack(cursor, seconds);
  return { start, why: seconds ? `${why}, minus lookbackSeconds ${seconds}` : why };
}

/** The inferred fields as one row per column path (nested ones too), with source key and note. */
function describeColumns(
  fields: readonly FieldInput[],
  sources: ColumnSources,
  notes: readonly SchemaNote[],
  typeNotes: ReadonlyMap<string, string> = new Map(),
): PreviewColumn[] {
  const noteOf = new Map<string, string>(typeNotes);
  for (const n of notes) if (n.kind !== 'all-null') noteOf.set(n.column, n.message);
  const out: PreviewColumn[] = [];
  const visit = (list: readonly FieldInput[], level: string, display: string, sourcePath: string): void => {
    for (const f of list) {
      const column = display ? `${display}.${f.name}` : f.name;
      const key = sources[level]?.[f.name] ?? f.name;
      const source = sourcePath ? `${sourcePath}.${key}` : key;
      row(f.type, column, childLevel(level, f.name), source);
    }
  };
  const row = (type: TypeInput, column: string, level: string, source: string): void => {
    const note = noteOf.get(column);
    out.push({ column, type: typeName(type), source, ...(note ? { note } : {}) });
    if (typeof type === 'string') return;
    if (type.type === 'struct') visit(type.fields, level, column, source);
    else if (type.type === 'list' && typeof type.element !== 'string')
      row(type.element, `${column}[]`, elementLevel(level), `${source}[]`);
  };
  visit(fields, '', '', '');
  for (const n of notes)
    if (n.kind === 'all-null')
      out.push({ column: n.column, type: '(left out)', source: n.column, note: n.message });
  for (const c of INGEST_COLUMNS) out.push({ column: c.name, type: c.type, source: '(floe)' });
  return out;
}

/** checkDeclaredValues over rows held in memory (a preview's few pages), via a scratch file. */
async function checkLines(
  lines: readonly string[],
  declared: ColumnTypePlan['declared'],
): Promise<Map<string, ValueCheck>> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-preview-'));
  try {
    const file = join(dir, 'rows.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    return await checkDeclaredValues(file, declared);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function typeName(t: TypeInput): string {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return 'struct';
  if (t.type === 'list') return `list<${typeName(t.element)}>`;
  if (t.type === 'map') return `map<${typeName(t.key)}, ${typeName(t.value)}>`;
  return String((t as { type: string }).type);
}

function writePlan(
  config: L1Config,
  tbl: Table | undefined,
  fields: FieldInput[],
  encoder: RowLineEncoder,
  records: number,
): WritePlan {
  const dest = config.destination;
  const primaryKey = dest.primaryKey.map((k) => encoder.rootColumnFor(k));
  const lastUpdatedColumn =
    dest.lastUpdatedColumn === undefined ? undefined : encoder.rootColumnFor(dest.lastUpdatedColumn);
  const problems: string[] = [];
  const inferred = new Set(fields.map((f) => f.name));
  const existing = new Set(tbl?.schema().fields.map((f) => f.name) ?? []);
  if (records > 0) {
    for (const [i, k] of dest.primaryKey.entries())
      if (!inferred.has(primaryKey[i]!) && !existing.has(primaryKey[i]!))
        problems.push(
          `destination.primaryKey names "${k}", but no fetched record has it (fix: name a field the records hold, e.g. ${[...inferred].slice(0, 3).join(', ')})`,
        );
    if (
      lastUpdatedColumn &&
      dest.lastUpdatedColumn &&
      !inferred.has(lastUpdatedColumn) &&
      !existing.has(lastUpdatedColumn)
    )
      problems.push(
        `destination.lastUpdatedColumn names "${dest.lastUpdatedColumn}", but no fetched record has it (fix: name the field that holds the update time)`,
      );
  }
  const withIngest: FieldInput[] = [
    ...fields.filter((f) => !INGEST_COLUMNS.some((c) => c.name === f.name)),
    ...INGEST_COLUMNS.map((c) => ({ name: c.name, type: c.type, required: false })),
  ];
  let newColumns: string[];
  let refusedColumns: string[] = [];
  if (tbl) {
    const r = reconcile(tbl.schema(), withIngest);
    newColumns = r.newColumns;
    for (const c of r.conflicts) problems.push(`${c.message} (a run would fail)`);
    const evolution = dest.icebergOptimizations.schemaEvolution;
    refusedColumns =
      evolution === true ? [] : newColumns.filter((c) => evolution === false || !evolution.includes(c));
  } else {
    newColumns = withIngest.map((f) => f.name);
  }
  return {
    table: `${dest.namespace}.${dest.tableName}`,
    exists: tbl !== undefined,
    mode: dest.defaultwriteMode,
    primaryKey,
    ...(lastUpdatedColumn ? { lastUpdatedColumn } : {}),
    newColumns,
    refusedColumns,
    problems,
  };
}
