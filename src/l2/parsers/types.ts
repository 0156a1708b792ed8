/**
 * What a parser is: a name, the sources it reads (the keys of an L2 config's `source`), the
 * primary key and the schema of its output, and a transform that returns one SELECT over the
 * sources, run by DuckDB. A parser never sees rows: sources are DuckDB relations (views over the
 * planned Parquet files of the L1 tables), so a parser scales with DuckDB, not with JavaScript.
 *
 * SQL parsers are a `.sql` file whose SELECT names the sources as tables; TypeScript parsers
 * build their SELECT in `transform`, and may prepare intermediate tables or read small lookups
 * first through the context. Both run in the same per-config DuckDB workspace (workspace.ts):
 *
 *   <name>          the rows this run reads from source <name>: all of them for a FULL read,
 *                   only the new or changed ones for an INCREMENTAL read;
 *   all_rows.<name> every current row of source <name>, whatever the read, for lookups a change
 *                   needs (a changed task's whole timelog history);
 *   floe_as_of()    the run's clock (TIMESTAMPTZ), for columns that depend on the date;
 *   floe_incremental() true when the run reads any source incrementally.
 */
import type { TypeInput } from '../../iceberg/index.js';

export interface ParserContext {
  readonly configId: string;
  /** True when the run reads at least one source incrementally. */
  readonly incremental: boolean;
  /** The run's clock: the time output columns that depend on "today" are computed for. */
  readonly asOf: Date;
  /** The source names the config provides. */
  readonly sources: readonly string[];
  has(source: string): boolean;
  /** Whether this run reads `source` incrementally (its relation holds only new or changed rows). */
  isIncremental(source: string): boolean;
  /** SQL name of the rows this run reads from `source` (see the file comment). */
  source(source: string): string;
  /** SQL name of every current row of `source`. */
  all(source: string): string;
  /** A quoted SQL identifier. */
  ident(name: string): string;
  /** A quoted SQL string literal. */
  literal(value: string): string;
  /** Runs a statement in the workspace (e.g. CREATE TEMP TABLE for an intermediate result). */
  run(sql: string): Promise<void>;
  /** Runs a query and returns its rows as JSON values (for small lookups only). */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface ParserDefinition {
  readonly name: string;
  readonly description?: string;
  /** Sources the parser needs; a config without one of them fails, naming it. */
  readonly sources: readonly string[];
  /** Sources it uses when the config has them. */
  readonly optionalSources?: readonly string[];
  /** Output columns identifying a row (the config's destination.primaryKey wins when set). */
  readonly primaryKey: readonly string[];
  /**
   * The output columns and their Iceberg types, in order: `string`, `long`, `int`, `double`,
   * `boolean`, `date`, `timestamp`, `timestamptz`, `decimal(P, S)`, `list<T>`, `map<K, V>`,
   * `struct<a: T, b: U>`. The output is checked against it after every transform.
   */
  readonly schema: Readonly<Record<string, string | TypeInput>>;
  /**
   * The output depends on the run's clock (floe_as_of(), ctx.asOf), not only on the sources: an
   * incremental run then recomputes even when no source table changed.
   */
  readonly usesClock?: boolean;
  /**
   * Output columns only the sources can tell, for a parser whose columns are data (a pivot with
   * one column per row of a lookup table): called once a run, before `transform`, with the same
   * context. Its columns follow `schema`'s, take the same type notation and are checked the
   * same way; `schema` keeps the columns known beforehand, the primary key among them. Names must
   * be unique, also among `schema`'s and L2's own columns (the run fails naming any clash).
   */
  readonly dynamicSchema?: (
    ctx: ParserContext,
  ) => Readonly<Record<string, string | TypeInput>> | Promise<Readonly<Record<string, string | TypeInput>>>;
  /** Returns the SELECT that produces the output. */
  transform(ctx: ParserContext): string | Promise<string>;
}

/** Where a registered parser comes from, for `floe parsers list` and errors. */
export interface ParserOrigin {
  readonly kind: 'sql' | 'typescript';
  /** `built-in (wrike)` or the project file it was loaded from. */
  readonly from: string;
}

export interface RegisteredParser extends ParserDefinition {
  readonly origin: ParserOrigin;
}

/** Typing help for TypeScript parsers: returns its argument (the registry validates it). */
export function defineParser(p: ParserDefinition): ParserDefinition {
  return p;
}
