/**
 * SQL parsers: a `.sql` file holding one SELECT over the sources (by their names, and
 * `all_rows.<name>` for every current row; see types.ts), with its sources, primary key and
 * schema declared beside it (floe.yaml, or the pack's parser index).
 */
import { FloeError } from '../../errors.js';
import type { TypeInput } from '../../iceberg/index.js';
import type { ParserDefinition } from './types.js';

export interface SqlParserSpec {
  readonly name: string;
  readonly description?: string;
  /** The SELECT; a trailing `;` is fine. */
  readonly sql: string;
  readonly sources: readonly string[];
  readonly optionalSources?: readonly string[];
  readonly primaryKey: readonly string[];
  readonly schema: Readonly<Record<string, string | TypeInput>>;
}

export function sqlParser(spec: SqlParserSpec): ParserDefinition {
  const sql = spec.sql.trim().replace(/;\s*$/, '');
  if (sql === '')
    throw new FloeError(
      'config-invalid',
      `SQL parser "${spec.name}" has no SELECT; write one query over its sources`,
    );
  return {
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    sources: spec.sources,
    ...(spec.optionalSources ? { optionalSources: spec.optionalSources } : {}),
    primaryKey: spec.primaryKey,
    schema: spec.schema,
    transform: () => sql,
  };
}
