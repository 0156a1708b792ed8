/**
 * The L1 hot path in one pass per record: walks the API record once, writing its JSON line with
 * column names (nested keys too, see column-names.ts) and the ingest columns, while updating the
 * inferred schema in place. No intermediate row object, no second walk for inference: per-record
 * JavaScript is a single traversal, as the architecture asks of the hot path.
 *
 * Values are never silently changed. Numbers arrive as doubles or, where a double would change
 * them, as JsonNumbers with their exact text (src/util/json-numbers.ts): integers within 64 bits
 * are `long`, larger ones up to 38 digits `decimal(38, 0)`, floats `double` (`1.0` and `-0.0`
 * stay floats). Every schema decision that is not the obvious one (a type conflict falling back
 * to string, a field left out because it was always null, two keys sharing a name) is kept as a
 * {@link SchemaNote} for the run log and summary.
 */
import { type ColumnNaming, resolveColumnName } from '../config/naming.js';
import type { FieldInput } from '../iceberg/index.js';
import { JsonNumber } from '../util/json-numbers.js';
import { DateValue, TimestampValue } from '../util/typed-values.js';
import { type ColumnSources, childLevel, elementLevel, LevelNames, ROOT_LEVEL } from './column-names.js';
import { type Inferred, toFields } from './infer-schema.js';
import { INGEST_COLUMNS, type IngestInfo } from './records.js';

type Kind =
  | 'null'
  | 'boolean'
  | 'long'
  | 'decimal'
  | 'double'
  | 'string'
  | 'timestamptz'
  | 'date'
  | 'struct'
  | 'list';

export type SchemaNoteKind = 'type-conflict' | 'all-null' | 'name-collision' | 'wide-number';

/** A schema decision the run log reports once per column. */
export interface SchemaNote {
  readonly kind: SchemaNoteKind;
  /** Column path as a reader sees it: `nested.x_y`, list elements as `tags[]`. */
  readonly column: string;
  readonly message: string;
}

/** The spool's own per-row column (see spool.ts): no API field may take its name. */
export const SEQ_COLUMN = '__floe_seq';
const RESERVED_ROOT = [...INGEST_COLUMNS.map((c) => c.name), SEQ_COLUMN];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_DIGITS = 38;

/** Mutable inference node; `string` absorbs every conflict. */
class TypeNode {
  kind: Kind = 'null';
  fields: Map<string, TypeNode> | undefined;
  names: LevelNames | undefined;
  element: TypeNode | undefined;
  /** Saw an integer a double cannot hold exactly (beyond ±2^53). */
  wide = false;
  /** Typed by `destination.columns`: its values are written raw and its conflicts are not noted. */
  declared = false;
  /** Timestamp detection: every non-blank value so far was an ISO-8601 date-time (top level only). */
  iso = false;
  /** …and at least one was. */
  isoSeen = false;
  /** The first value that ended `iso`, for error messages. */
  notIso: string | undefined;

  constructor(
    /** Level path (column-names.ts) of this node's own keys, when it is a struct. */
    readonly level: string,
    /** Path as readers see it, for notes. */
    readonly display: string,
  ) {}

  toInferred(): Inferred {
    switch (this.kind) {
      case 'struct': {
        const fields = new Map<string, Inferred>();
        for (const [k, n] of this.fields!) fields.set(k, n.toInferred());
        return { kind: 'struct', fields };
      }
      case 'list':
        return { kind: 'list', element: this.element!.toInferred() };
      default:
        return { kind: this.kind };
    }
  }
}

export interface RowLineOptions {
  /** Column owners recorded by the table (COLUMN_SOURCES_PROPERTY), so names stay stable. */
  readonly columnSources?: ColumnSources;
  /** Top-level columns typed by `destination.columns` (column name → whether it is kept while null). */
  readonly declared?: ReadonlyMap<string, { readonly keep: boolean }>;
  /** Find top-level text columns whose every value is an ISO-8601 date-time (see isIsoDateTime). */
  readonly detectTimestamps?: boolean;
}

export class RowLineEncoder {
  private readonly root: TypeNode;
  private readonly ingestJson: string;
  private readonly known: ColumnSources;
  private readonly notes = new Map<string, SchemaNote>();
  private readonly declared: ReadonlyMap<string, { readonly keep: boolean }>;
  private readonly detect: boolean;

  constructor(
    private readonly naming: ColumnNaming,
    ingest: IngestInfo,
    opts: RowLineOptions = {},
  ) {
    this.known = opts.columnSources ?? {};
    this.declared = opts.declared ?? new Map();
    this.detect = opts.detectTimestamps ?? false;
    this.root = new TypeNode(ROOT_LEVEL, '');
    this.makeStruct(this.root);
    this.ingestJson = `"ingest_timestamp":${JSON.stringify(ingest.timestamp)},"ingest_date":${JSON.stringify(ingest.timestamp.slice(0, 10))},"ingest_run_id":${JSON.stringify(ingest.runId)}`;
  }

  /** `{…record with column names…,ingest columns` — the caller closes the object. */
  encode(record: Record<string, unknown>): string {
    const root = this.root;
    const names = root.names!;
    let out = '{';
    for (const key in record) {
      const v = record[key];
      if (v === undefined) continue;
      const name = names.column(key);
      out += `${JSON.stringify(name)}:${this.value(v, this.child(root, name))},`;
    }
    return out + this.ingestJson;
  }

  /**
   * The inferred columns (fields never seen non-null are left out; see infer-schema.ts), with
   * detected date-time columns as timestamptz. Declared types are applied by the caller.
   */
  fields(): FieldInput[] {
    const detected = new Set(this.detectedTimestamps());
    return toFields(this.root.toInferred()).map((f) =>
      detected.has(f.name) ? { ...f, type: 'timestamptz' } : f,
    );
  }

  /** Top-level columns whose values were all ISO-8601 date-times (text in the spool). */
  detectedTimestamps(): string[] {
    const out: string[] = [];
    for (const [name, n] of this.root.fields!) if (n.kind === 'string' && n.iso && n.isoSeen) out.push(name);
    return out;
  }

  /**
   * Top-level text columns that may be written as date-times: every non-blank value was an
   * ISO-8601 date-time (none at all, for a column of blanks). A table column that is already
   * timestamptz takes them.
   */
  maybeDateTimes(): Set<string> {
    const out = new Set<string>();
    for (const [name, n] of this.root.fields!) if (n.kind === 'string' && n.iso) out.add(name);
    return out;
  }

  /** Why a top-level column is not a date-time column: its first value that is not one. */
  notDateTime(column: string): string | undefined {
    return this.root.fields!.get(column)?.notIso;
  }

  /**
   * The column a top-level field named in a config (primaryKey, lastUpdatedColumn) refers to:
   * the column its key was written to when the API sent that key, else the name resolved the
   * usual way (configs may name the column itself).
   */
  rootColumnFor(key: string): string {
    return this.root.names?.lookup(key) ?? resolveColumnName(key, this.naming);
  }

  /** Every key → column claim of this run's struct levels (recorded, as column → key, on the table). */
  columnSources(): ColumnSources {
    const out: ColumnSources = { ...this.known };
    const walk = (n: TypeNode | undefined) => {
      if (!n) return;
      if (n.kind === 'struct' && n.names) {
        if (n.names.claims.size) out[n.level] = Object.fromEntries(n.names.claims);
        for (const c of n.fields!.values()) walk(c);
      } else if (n.kind === 'list') walk(n.element);
    };
    walk(this.root);
    return out;
  }

  /** Schema decisions worth a log line, one per column and kind; all-null fields included. */
  schemaNotes(): SchemaNote[] {
    const out = [...this.notes.values()];
    const walk = (n: TypeNode) => {
      if (n.kind === 'struct') {
        for (const [name, c] of n.fields!) {
          if (n === this.root && this.declared.get(name)?.keep) continue;
          if (c.kind === 'null' || (c.kind === 'list' && c.element!.kind === 'null')) {
            out.push({
              kind: 'all-null',
              column: c.display,
              message:
                c.kind === 'null'
                  ? 'was null in every record of this run; left out of the schema until a record has a value (guessing its type would fix it forever)'
                  : 'held only empty lists in this run; left out of the schema until a list has an element',
            });
          } else walk(c);
        }
      } else if (n.kind === 'list') walk(n.element!);
    };
    walk(this.root);
    return out;
  }

  private note(kind: SchemaNoteKind, column: string, message: string, node?: TypeNode): void {
    // A declared column's type is the config's: what its values looked like is not news.
    if (node?.declared && kind !== 'name-collision') return;
    const key = `${kind}\u0000${column}`;
    if (!this.notes.has(key)) this.notes.set(key, { kind, column, message });
  }

  private makeStruct(node: TypeNode): void {
    node.kind = 'struct';
    node.fields = new Map();
    node.names = new LevelNames(
      node.level,
      this.naming,
      this.known[node.level],
      node.level === ROOT_LEVEL ? RESERVED_ROOT : [],
      (c) =>
        this.note(
          'name-collision',
          displayChild(node.display, c.column),
          `source field ${JSON.stringify(c.key)} would be column "${c.wanted}", which ${c.ownedBy === '(floe)' ? 'floe uses for its own ingest column' : `field ${JSON.stringify(c.ownedBy)} already has`}; it is stored as "${c.column}"`,
        ),
    );
  }

  private child(parent: TypeNode, name: string): TypeNode {
    let n = parent.fields!.get(name);
    if (!n) {
      n = new TypeNode(childLevel(parent.level, name), displayChild(parent.display, name));
      if (parent === this.root) {
        n.declared = this.declared.has(name);
        n.iso = this.detect && !n.declared;
      }
      parent.fields!.set(name, n);
    }
    return n;
  }

  private value(v: unknown, node: TypeNode): string {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'string':
        this.see(node, 'string');
        if (node.iso) this.checkIso(node, v);
        return JSON.stringify(v);
      case 'number':
        if (Number.isSafeInteger(v)) {
          this.see(node, 'long');
          return String(v);
        }
        // A JSON.parse'd number is exact unless it is an integer beyond 2^53, which the parser
        // in json-numbers.ts never hands out; rows built in code may hold such doubles.
        this.see(node, 'double');
        return Number.isFinite(v) ? String(v) : 'null';
      case 'boolean':
        this.see(node, 'boolean');
        return v ? 'true' : 'false';
      case 'bigint':
        return this.integer(String(v), v, node);
      case 'object':
        if (v instanceof JsonNumber) return this.jsonNumber(v, node);
        // Typed by the source's config (source.response.fieldTypes): canonical text DuckDB reads.
        if (v instanceof TimestampValue) {
          this.see(node, 'timestamptz');
          return JSON.stringify(v.iso);
        }
        if (v instanceof DateValue) {
          this.see(node, 'date');
          return JSON.stringify(v.iso);
        }
        if (Array.isArray(v)) {
          this.see(node, 'list');
          const el = node.kind === 'list' ? node.element! : undefined;
          let out = '[';
          for (let i = 0; i < v.length; i++)
            out += (i ? ',' : '') + (el ? this.value(v[i], el) : plainJson(v[i], this.naming));
          return `${out}]`;
        } else {
          this.see(node, 'struct');
          if (node.kind !== 'struct') return plainJson(v, this.naming);
          const names = node.names!;
          let out = '{';
          let first = true;
          for (const key in v as Record<string, unknown>) {
            const x = (v as Record<string, unknown>)[key];
            if (x === undefined) continue;
            const name = names.column(key);
            out += `${first ? '' : ','}${JSON.stringify(name)}:${this.value(x, this.child(node, name))}`;
            first = false;
          }
          return `${out}}`;
        }
      default:
        this.see(node, 'string');
        return JSON.stringify(String(v));
    }
  }

  /** Timestamp detection: blank text is null; anything else must be an ISO-8601 date-time. */
  private checkIso(node: TypeNode, v: string): void {
    if (isIsoDateTime(v)) node.isoSeen = true;
    else if (v.trim() !== '') {
      node.iso = false;
      node.notIso = v;
    }
  }

  private jsonNumber(v: JsonNumber, node: TypeNode): string {
    if (v.kind === 'integer') return this.integer(v.text, BigInt(v.text), node);
    if (Number.isFinite(v.toNumber())) {
      this.see(node, 'double');
      return v.text; // `1.0`, `-0.0`, `1e308`: DuckDB reads the literal exactly as written
    }
    this.note(
      'wide-number',
      node.display,
      `value ${v.text} is beyond the range of a double; the column is stored as text so it is kept exactly`,
      node,
    );
    this.toString(node);
    return JSON.stringify(v.text);
  }

  /** An exact integer (from a bigint or a JsonNumber's text). */
  private integer(text: string, big: bigint, node: TypeNode): string {
    if (big >= INT64_MIN && big <= INT64_MAX) {
      if (big > 9007199254740991n || big < -9007199254740991n) node.wide = true;
      this.see(node, 'long');
      return text;
    }
    const digits = text.replace(/^-/, '').length;
    if (digits <= DECIMAL_DIGITS) {
      this.note(
        'wide-number',
        node.display,
        `value ${text} does not fit a 64-bit long; the column is decimal(38, 0), which holds it exactly`,
        node,
      );
      this.see(node, 'decimal');
      // Quoted: DuckDB casts the text to DECIMAL exactly, where a bare literal would pass through a double.
      return `"${text}"`;
    }
    this.note(
      'wide-number',
      node.display,
      `value with ${digits} digits does not fit decimal(38, 0); the column is stored as text so it is kept exactly`,
      node,
    );
    this.toString(node);
    return `"${text}"`;
  }

  /** Merges an observed kind into the node; every lossy merge becomes string and is noted. */
  private see(node: TypeNode, kind: Kind): void {
    if (node.iso && kind !== 'string') {
      node.iso = false;
      node.notIso = `a ${describe(kind)} value`;
    }
    const cur = node.kind;
    if (cur === kind) {
      if (kind === 'double' && node.wide) this.conflict(node, 'long', 'double');
      return;
    }
    if (cur === 'string') return;
    if (cur === 'null') {
      if (kind === 'struct') this.makeStruct(node);
      else {
        node.kind = kind;
        if (kind === 'list') node.element = new TypeNode(elementLevel(node.level), `${node.display}[]`);
      }
      if (kind === 'double' && node.wide) this.conflict(node, 'long', 'double');
      return;
    }
    const pair = `${cur}+${kind}`;
    switch (pair) {
      case 'long+double':
      case 'double+long':
        if (node.wide) this.conflict(node, 'long', 'double');
        else node.kind = 'double';
        return;
      case 'long+decimal':
      case 'decimal+long':
        node.kind = 'decimal';
        return;
    }
    this.conflict(node, cur, kind);
  }

  private conflict(node: TypeNode, a: Kind, b: Kind): void {
    const why =
      (a === 'long' && b === 'double') || (a === 'double' && b === 'long')
        ? 'holds integers beyond 2^53 and fractions, and a double cannot hold those integers exactly'
        : `holds both ${describe(a)} and ${describe(b)} values`;
    this.note(
      'type-conflict',
      node.display,
      `${why}; the column is stored as text (string) so no value is changed`,
      node,
    );
    this.toString(node);
  }

  private toString(node: TypeNode): void {
    node.kind = 'string';
    node.fields = undefined;
    node.names = undefined;
    node.element = undefined;
  }
}

const ISO_DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO-8601 date-time with seconds, `T` or a space between date and time, an optional fraction
 * and an optional `Z` or ±HH[:MM] offset: the forms DuckDB's TIMESTAMPTZ cast reads exactly
 * (checked: `10:00Z` without seconds and `20240105T100000Z` it does not). Dates that do not
 * exist (2023-02-29) are not date-times. Cheap first checks keep ordinary text fast.
 */
export function isIsoDateTime(v: string): boolean {
  if (v.length < 19 || v.length > 35 || v.charCodeAt(4) !== 45 /* - */) return false;
  const m = ISO_DATE_TIME.exec(v);
  if (!m) return false;
  const day = Number(m[3]);
  if (day <= 28) return true;
  const month = Number(m[2]);
  if (day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month !== 2 || day !== 29) return true;
  const year = Number(m[1]);
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function displayChild(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

function describe(k: Kind): string {
  switch (k) {
    case 'struct':
      return 'object';
    case 'list':
      return 'array';
    case 'long':
      return 'integer';
    case 'double':
      return 'fractional number';
    case 'decimal':
      return 'wide integer';
    case 'timestamptz':
      return 'timestamp';
    default:
      return k;
  }
}

/**
 * JSON text of a value under a node that became `string` (kept as JSON text): keys renamed like
 * the rest, two keys of one object that land on one name told apart in place (`x_y`, `x_y_2`),
 * numbers exactly as the API wrote them.
 */
function plainJson(v: unknown, naming: ColumnNaming): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonNumber) return v.text;
  if (v instanceof TimestampValue || v instanceof DateValue) return JSON.stringify(v.iso);
  if (typeof v === 'bigint') return String(v);
  if (typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => plainJson(x, naming)).join(',')}]`;
  const names = new LevelNames('', naming, undefined, [], () => {});
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as object)) {
    if (x === undefined) continue;
    parts.push(`${JSON.stringify(names.column(k))}:${plainJson(x, naming)}`);
  }
  return `{${parts.join(',')}}`;
}
