/**
 * Column types for L1 tables beyond what JSON says: `destination.columns` (declared types, with
 * an epoch format and what to do with values that do not convert) and ISO-8601 date-time
 * detection (`destination.detectTimestamps`). The spool keeps every value as the API sent it;
 * DuckDB converts in bulk while it writes (iceberg/write/staged-conversions.ts) and, for declared
 * columns, counts the values that do not convert in one pass over the spool before anything is
 * committed (`checkDeclaredValues`). No value is converted in JavaScript.
 */
import { declaredDecimal } from '../config/column-types-schema.js';
import type { L1Destination } from '../config/l1-schema.js';
import { resolveColumnName } from '../config/naming.js';
import { sqlIdent, sqlString, withDuck } from '../duck/session.js';
import { FloeError } from '../errors.js';
import type { FieldInput, NestedField, StagedConversions, TypeInput } from '../iceberg/index.js';
import { INGEST_COLUMNS } from './records.js';

/** Table property: floe detects ISO date-time columns for this table (set on tables floe creates). */
export const DETECT_TIMESTAMPS_PROPERTY = 'floe.detect-timestamps';

type Declared = NonNullable<L1Destination['columns']>[string];

/** A declared column, by the column name it resolves to. */
export interface DeclaredColumnType {
  /** The key as written in `destination.columns`. */
  readonly key: string;
  /** Iceberg type, canonical (`decimal(10, 2)`). */
  readonly type: string;
  readonly format: 'iso8601' | 'epoch_seconds' | 'epoch_millis';
  readonly onError: 'reject' | 'null' | 'string';
  readonly keep: boolean;
}

export interface ColumnTypePlan {
  readonly declared: ReadonlyMap<string, DeclaredColumnType>;
  readonly detectTimestamps: boolean;
}

/**
 * The config's column types, by column name (keys resolved with columnNaming, as primaryKey's
 * are), and whether date-times are detected: the config says, else the table (tables floe
 * created since detection exists carry DETECT_TIMESTAMPS_PROPERTY), else on for a new table.
 */
export function planColumnTypes(
  configId: string,
  dest: L1Destination,
  tableProperties: Readonly<Record<string, string>> | undefined,
): ColumnTypePlan {
  const declared = new Map<string, DeclaredColumnType>();
  const ingest = new Set<string>(INGEST_COLUMNS.map((c) => c.name));
  for (const [key, d] of Object.entries(dest.columns ?? {}) as [string, Declared][]) {
    const column = resolveColumnName(key, dest.columnNaming);
    if (ingest.has(column))
      throw new FloeError(
        'config-invalid',
        `${configId}: destination.columns.${key} names floe's own ingest column "${column}", whose type is fixed; remove it`,
        { context: { configId, field: `destination.columns.${key}` } },
      );
    if (declared.has(column))
      throw new FloeError(
        'config-invalid',
        `${configId}: destination.columns.${key} and destination.columns.${declared.get(column)!.key} both name column "${column}"; keep one`,
        { context: { configId, field: `destination.columns.${key}` } },
      );
    const dec = declaredDecimal(d.type);
    declared.set(column, {
      key,
      type: dec ? `decimal(${dec.precision}, ${dec.scale})` : d.type,
      format: d.format ?? 'iso8601',
      onError: d.onError,
      keep: d.keep,
    });
  }
  const detectTimestamps =
    dest.detectTimestamps ??
    (tableProperties === undefined ? true : tableProperties[DETECT_TIMESTAMPS_PROPERTY] === 'true');
  return { declared, detectTimestamps };
}

/** What `checkDeclaredValues` found for one declared column. */
export interface ValueCheck {
  /** Non-blank values that do not convert to the declared type. */
  readonly bad: number;
  /** A few of them, as sent. */
  readonly examples: readonly string[];
}

/**
 * SQL of a staged text value converted to `type` (with `format` for timestamps); NULL where it
 * does not convert, and for blank text. Stricter than DuckDB's casts where those would change
 * a value: `9.5` is not an int (TRY_CAST rounds it to 10), `1.234` is not a decimal(10, 2)
 * (rounded to 1.23), and a timestamp with an offset is converted to UTC, not stripped of it.
 */
export function conversionSql(
  type: string,
  format: DeclaredColumnType['format'] = 'iso8601',
): (v: string) => string {
  const n = (v: string) => `NULLIF(trim(${v}), '')`;
  const integral = (v: string, duck: string) =>
    `CASE WHEN regexp_full_match(${n(v)}, '[+-]?[0-9]+(\\.0*)?') THEN TRY_CAST(regexp_replace(${n(v)}, '\\.0*$', '') AS ${duck}) END`;
  const dec = declaredDecimal(type);
  if (dec)
    return (v) =>
      `CASE WHEN regexp_full_match(${n(v)}, '[+-]?([0-9]+(\\.[0-9]{0,${dec.scale}})?|\\.[0-9]{1,${Math.max(1, dec.scale)}})') THEN TRY_CAST(${n(v)} AS DECIMAL(${dec.precision}, ${dec.scale})) END`;
  switch (type) {
    case 'string':
      return (v) => v;
    case 'boolean':
      return (v) =>
        `CASE lower(${n(v)}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '1' THEN true WHEN '0' THEN false END`;
    case 'int':
      return (v) => integral(v, 'INTEGER');
    case 'long':
      return (v) => integral(v, 'BIGINT');
    case 'float':
      return (v) => `TRY_CAST(${n(v)} AS FLOAT)`;
    case 'double':
      return (v) => `TRY_CAST(${n(v)} AS DOUBLE)`;
    case 'date':
      return (v) =>
        `CASE WHEN regexp_full_match(${n(v)}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(${n(v)} AS DATE) END`;
    case 'timestamp':
    case 'timestamptz': {
      // DuckDB runs in UTC (duck/session.ts), so TIMESTAMPTZ → TIMESTAMP is the UTC wall time.
      const cast = type === 'timestamp' ? '::TIMESTAMP' : '';
      if (format === 'iso8601')
        return (v) =>
          `CASE WHEN regexp_full_match(${n(v)}, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?)?\\s*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?') THEN TRY_CAST(${n(v)} AS TIMESTAMPTZ)${cast} END`;
      const scale = format === 'epoch_seconds' ? 1_000_000 : 1_000;
      return (v) =>
        `CASE WHEN regexp_full_match(${n(v)}, '[+-]?[0-9]+(\\.[0-9]+)?') THEN TRY_CAST(make_timestamp(TRY_CAST(round(TRY_CAST(${n(v)} AS DECIMAL(38, 6)) * ${scale}) AS BIGINT)) AS TIMESTAMPTZ)${cast} END`;
    }
  }
  throw new FloeError('config-invalid', `cannot convert values to ${type}`);
}

/**
 * One pass over the spool: for each declared column (but `string`), the values that are neither
 * null, blank nor convertible, with a few examples. Runs before the commit it guards.
 */
export async function checkDeclaredValues(
  spoolFile: string,
  columns: ReadonlyMap<string, DeclaredColumnType>,
): Promise<Map<string, ValueCheck>> {
  const typed = [...columns].filter(([, d]) => d.type !== 'string');
  const out = new Map<string, ValueCheck>();
  if (typed.length === 0) return out;
  const reader = `read_json(${sqlString(spoolFile)}, format = 'newline_delimited', columns = {${typed
    .map(([c]) => `${sqlIdent(c)}: 'VARCHAR'`)
    .join(', ')}})`;
  const badWhere = (c: string, d: DeclaredColumnType) =>
    `(${sqlIdent(c)} IS NOT NULL AND trim(${sqlIdent(c)}) <> '' AND (${conversionSql(d.type, d.format)(sqlIdent(c))}) IS NULL)`;
  await withDuck(async (duck) => {
    const counts = await duck.json(
      `SELECT ${typed.map(([c, d], i) => `count(*) FILTER (WHERE ${badWhere(c, d)}) AS b${i}`).join(', ')} FROM ${reader}`,
    );
    for (let i = 0; i < typed.length; i++) {
      const [c, d] = typed[i]!;
      const bad = Number(counts[0]?.[`b${i}`] ?? 0);
      let examples: string[] = [];
      if (bad > 0) {
        const rows = await duck.json(
          `SELECT DISTINCT ${sqlIdent(c)} AS v FROM ${reader} WHERE ${badWhere(c, d)} LIMIT 3`,
        );
        examples = rows.map((r) => String(r.v));
      }
      out.set(c, { bad, examples });
    }
  });
  return out;
}

/** The examples of a check, quoted and shortened for a message. */
export function quoteExamples(check: ValueCheck): string {
  return check.examples.map((e) => JSON.stringify(e.length > 60 ? `${e.slice(0, 57)}...` : e)).join(', ');
}

/**
 * The columns to create or evolve the table with: the inferred ones, with declared types instead
 * of inferred ones (`string` where onError: string met values that do not convert), and declared
 * `keep` columns no record had yet.
 */
export function typedFields(
  inferred: readonly FieldInput[],
  declared: ReadonlyMap<string, DeclaredColumnType>,
  checks: ReadonlyMap<string, ValueCheck>,
  asText: ReadonlySet<string>,
): FieldInput[] {
  const typeOf = (column: string, d: DeclaredColumnType): TypeInput =>
    asText.has(column) || (d.onError === 'string' && (checks.get(column)?.bad ?? 0) > 0)
      ? 'string'
      : (d.type as TypeInput);
  const out = inferred.map((f) => {
    const d = declared.get(f.name);
    return d ? { ...f, type: typeOf(f.name, d) } : f;
  });
  for (const [column, d] of declared)
    if (d.keep && !out.some((f) => f.name === column))
      out.push({ name: column, type: typeOf(column, d), required: false });
  return out;
}

/**
 * How each top-level column of the table is written from the spool: declared columns converted
 * to the table's type for them (with TRY semantics: the values that do not convert were counted
 * before, and `reject` failed the run then); detected date-times cast strictly (detection saw
 * every value parse, so a failure here is a bug to surface, never a silent null).
 */
export function stagedConversions(
  tableFields: readonly NestedField[],
  declared: ReadonlyMap<string, DeclaredColumnType>,
  dateTimes: ReadonlySet<string>,
): StagedConversions {
  const out = new Map<string, { sql: (v: string) => string; rawParses: boolean }>();
  for (const f of tableFields) {
    if (typeof f.type !== 'string' || f.type === 'string') continue;
    const d = declared.get(f.name);
    if (d && d.type !== 'string') {
      out.set(f.name, {
        sql: conversionSql(f.type, d.format),
        rawParses:
          d.format === 'iso8601' &&
          d.onError === 'reject' &&
          (f.type === 'timestamptz' || f.type === 'timestamp' || f.type === 'date'),
      });
    } else if (!d && dateTimes.has(f.name) && f.type === 'timestamptz') {
      out.set(f.name, { sql: (v) => `CAST(NULLIF(trim(${v}), '') AS TIMESTAMPTZ)`, rawParses: true });
    }
  }
  return out;
}
