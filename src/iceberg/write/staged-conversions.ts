/**
 * Columns a rows file holds in another form than the table's type, converted by DuckDB while it
 * writes: an L1 spool keeps `"90"` or `"2024-01-05T10:00:00Z"` as the API sent them, and the
 * write's SELECT turns them into int or timestamptz in bulk. Such a column is read from the file
 * as VARCHAR (JSON numbers and objects read as their text) and its value is `sql(column)`.
 * Every reader of a rows file (the write itself, MERGE's key lookup, APPEND's skip of rows
 * already present) goes through `stagedColumnTypes` and `finalValue`, so they agree.
 */
import { sqlIdent, sqlString } from '../../duck/session.js';
import type { NestedField } from '../spec/types.js';
import { castFromStaging, stagingType } from './duck-types.js';

export interface StagedConversion {
  /** SQL of the column's value from the staged VARCHAR expression; NULL where it does not convert. */
  readonly sql: (staged: string) => string;
  /**
   * Whether the raw text, read as the column's type by floe's own value parser, is the same
   * value (ISO-8601 date-times; blank text is null). Partition routing parses values in
   * JavaScript, so only such a column can be a partition source.
   */
  readonly rawParses: boolean;
}

/** Top-level column name → its conversion. */
export type StagedConversions = ReadonlyMap<string, StagedConversion>;

/** read_json's `columns` entries for `fields`: staged types, VARCHAR for converted columns. */
export function stagedColumnTypes(
  fields: readonly NestedField[],
  convert: StagedConversions | undefined,
): string[] {
  return fields.map(
    (f) => `${sqlIdent(f.name)}: ${sqlString(convert?.has(f.name) ? 'VARCHAR' : stagingType(f.type))}`,
  );
}

/** SQL of a field's final value from its staged expression `expr`. */
export function finalValue(f: NestedField, expr: string, convert: StagedConversions | undefined): string {
  const c = convert?.get(f.name);
  return c ? c.sql(expr) : castFromStaging(f.type, expr);
}
