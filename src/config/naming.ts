/**
 * Column naming. SaaS APIs speak camelCase (`updatedDate`, `customFieldID`); lakehouse SQL is
 * happiest with snake_case, which needs no quoting in Athena, Spark or Trino. The same function
 * resolves data columns, `primaryKey` and `lastUpdatedColumn`, so a config can name columns the
 * way the API does and still match the table.
 */

/** How source field names become column names: `snake_case` (default) or kept as the API sends them. */
export type ColumnNaming = 'snake_case' | 'source';

/**
 * `updatedDate` → `updated_date`, `customFieldID` → `custom_field_id`, `HTMLParser` → `html_parser`,
 * `v2API` → `v2_api`, `address2` → `address2`; already-snake names are unchanged; runs of characters
 * that cannot appear in an identifier become one `_` (dropped at either end). Two rules make every
 * result a name SQL engines take unquoted: a key with no letter or digit (`""`, `???`) becomes
 * `unnamed`, and a name starting with a digit gets the prefix `col_` (`2fa` → `col_2fa`). Keys that
 * land on the same name are told apart by the L1 encoder (see src/l1/column-names.ts).
 */
export function toSnakeCase(name: string): string {
  const cleaned = name.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, '').replace(/[^\p{L}\p{N}_]+/gu, '_');
  const split = cleaned
    // lower or digit followed by upper: updatedDate → updated_Date
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    // an acronym followed by a word: HTMLParser → HTML_Parser
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2');
  const out = split.toLowerCase();
  if (!/[\p{L}\p{N}]/u.test(out)) return UNNAMED;
  return /^\p{N}/u.test(out) ? `col_${out}` : out;
}

/** The column of a key with no letter or digit (`""`, `???`). */
export const UNNAMED = 'unnamed';

/** The column name a source field (or a key/cursor column named in a config) maps to. */
export function resolveColumnName(name: string, mode: ColumnNaming): string {
  if (mode === 'snake_case') return toSnakeCase(name);
  // Kept as the API sends it, but a column needs a name.
  return name === '' ? UNNAMED : name;
}

/** The table columns a destination's key, cursor and partition settings refer to, resolved once. */
export function resolveKeyColumns(d: {
  primaryKey: readonly string[];
  lastUpdatedColumn?: string;
  partitionBy?: readonly { source: string }[];
  columnNaming: ColumnNaming;
}): { primaryKey: string[]; lastUpdatedColumn?: string; partitionSources: string[] } {
  const r = (n: string) => resolveColumnName(n, d.columnNaming);
  return {
    primaryKey: d.primaryKey.map(r),
    lastUpdatedColumn: d.lastUpdatedColumn === undefined ? undefined : r(d.lastUpdatedColumn),
    partitionSources: (d.partitionBy ?? []).map((p) => r(p.source)),
  };
}
