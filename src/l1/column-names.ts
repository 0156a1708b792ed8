/**
 * Source keys → column names, one struct level at a time, without ever putting two keys in one
 * column. `updatedDate` and `updated_date` (or `a.b` and `A B`, or `Name` and `name`, which
 * case-insensitive engines such as Spark and Athena cannot tell apart) map to the same name; the
 * first key to claim a name keeps it and each later one gets the first free `<name>_2`,
 * `<name>_3`, …. Names floe writes itself (the ingest columns) are never given to a key.
 *
 * Claims are stable across runs: the table records which key owns each column (the property
 * {@link COLUMN_SOURCES_PROPERTY}), and a run starts from those claims, so a key keeps its
 * column whichever order records arrive in later. A column the table has but the record does
 * not mention (tables written before floe recorded owners) goes to the first key that maps to it.
 */
import { type ColumnNaming, resolveColumnName } from '../config/naming.js';

/** Table property: `{ "<level path>": { "<column>": "<source key>" } }` as JSON. */
export const COLUMN_SOURCES_PROPERTY = 'floe.column-sources';

/** Level path → column → source key. */
export type ColumnSources = Record<string, Record<string, string>>;

/** The root level's path; nested levels append escaped segments (list elements: `[]`). */
export const ROOT_LEVEL = '';

export function childLevel(parent: string, column: string): string {
  // Escape so that a column named `a.b` or `[]` cannot be mistaken for two segments or an element.
  const seg = column.replace(/[\\.[]/g, '\\$&');
  return parent === ROOT_LEVEL ? seg : `${parent}.${seg}`;
}

export function elementLevel(parent: string): string {
  return parent === ROOT_LEVEL ? '[]' : `${parent}.[]`;
}

export interface Collision {
  readonly level: string;
  readonly key: string;
  /** The column the key got. */
  readonly column: string;
  /** The name it would have had, and the key that owns that name. */
  readonly wanted: string;
  readonly ownedBy: string;
}

export function parseColumnSources(text: string | undefined): ColumnSources {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: ColumnSources = {};
    for (const [level, cols] of Object.entries(v as Record<string, unknown>)) {
      if (!cols || typeof cols !== 'object') continue;
      out[level] = {};
      for (const [c, k] of Object.entries(cols as Record<string, unknown>))
        if (typeof k === 'string') out[level][c] = k;
    }
    return out;
  } catch {
    return {};
  }
}

/** The names of one struct level. */
export class LevelNames {
  private readonly byKey = new Map<string, string>();
  /** Lower-cased column → owning key. */
  private readonly owners = new Map<string, string>();
  /** Lower-cased names reserved for floe's own columns at this level. */
  private readonly reserved: ReadonlySet<string>;
  /** Claims made or confirmed by this run, column → key. */
  readonly claims = new Map<string, string>();

  constructor(
    readonly level: string,
    private readonly naming: ColumnNaming,
    known: Record<string, string> | undefined,
    reserved: readonly string[],
    private readonly onCollision: (c: Collision) => void,
  ) {
    this.reserved = new Set(reserved.map((r) => r.toLowerCase()));
    for (const [column, key] of Object.entries(known ?? {})) {
      this.owners.set(column.toLowerCase(), key);
      this.byKey.set(key, column);
      this.claims.set(column, key);
    }
  }

  /** The column `key` has at this level, if it has one (never claims). */
  lookup(key: string): string | undefined {
    return this.byKey.get(key);
  }

  column(key: string): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const wanted = resolveColumnName(key, this.naming);
    let column = wanted;
    for (let n = 2; ; n++) {
      const lower = column.toLowerCase();
      if (!this.reserved.has(lower) && !this.owners.has(lower)) break;
      column = `${wanted}_${n}`;
    }
    this.owners.set(column.toLowerCase(), key);
    this.byKey.set(key, column);
    this.claims.set(column, key);
    if (column !== wanted) {
      const lower = wanted.toLowerCase();
      this.onCollision({
        level: this.level,
        key,
        column,
        wanted,
        ownedBy: this.reserved.has(lower) ? '(floe)' : (this.owners.get(lower) ?? '?'),
      });
    }
    return column;
  }
}
