/**
 * Names from configs that reach a file path, a catalog or SQL, and the rules of where they go.
 * A table name becomes a folder under the warehouse (`glueTable: ../../../x` wrote outside it),
 * a namespace becomes a Glue database and a folder (`x"; DROP TABLE y; --` became both), a column
 * becomes a SQL identifier and a partition folder, a parser name is a registry key. So each is
 * checked against the strictest rule of the places it reaches, when the config is validated:
 *
 *  - Glue/Athena names (databases = namespaces, tables, L2 source table aliases): ASCII letters,
 *    digits and `_`, 1 to 255 characters — Athena's rule. Glue stores names in lower case and
 *    Athena requires it; the local catalog keeps case, so upper case is accepted with a warning
 *    (`upperCaseWarning`) rather than rejected: the seed's items are all lower case, and a
 *    mixed-case name works locally but names a different table on AWS.
 *  - Column references (primaryKey, lastUpdatedColumn, partitionBy.source, L2 incrementalColumn):
 *    ASCII letters, digits, `_` and `-`, with `.` only between the parts of a nested field;
 *    at most 255 characters (Glue's column limit). They are resolved through columnNaming
 *    (naming.ts), but a look-alike or a control character must not reach it.
 *  - Partition field names (partitionBy.name): a column name without dots.
 *  - Secret names (source.auth.tokenKey): AWS Secrets Manager's rule, 1 to 512 of
 *    `A-Za-z0-9/_+=.@-`, and, since `/` separates a path-like name (`wrike/prod`), no empty,
 *    `.` or `..` part.
 *  - Parser names: a registry key, never a path: ASCII letters, digits and `_`.
 *
 * Unicode look-alikes (fullwidth `ｓｔａｇｉｎｇ`, Cyrillic `а`) fail every rule: each is ASCII.
 */
import { z } from 'zod';

export interface IdentifierRule {
  /** What the rule accepts, in words: `expected <this>, got "…"`. */
  readonly expected: string;
  /** Why `value` breaks the rule and what to write instead; undefined when it is fine. */
  problem(value: string): string | undefined;
}

const CONTROL = /\p{Cc}/u;

/** `"/" (U+002F)`, and what kind of character it is when that is not obvious. */
function describeChar(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (CONTROL.test(c)) return `a control character (${code})`;
  if (/\s/u.test(c)) return `a space (${code})`;
  if (c.codePointAt(0)! > 0x7f)
    return `"${c}" (${code}), which is not ASCII (a look-alike of a Latin letter?)`;
  return JSON.stringify(c);
}

/** The first character outside `allowed`, described; or the length/emptiness problem. */
function charProblem(value: string, allowed: RegExp, max: number): string | undefined {
  if (value === '') return 'it is empty';
  if (value.trim() !== value) return 'it has spaces around it; remove them';
  const length = [...value].length;
  if (length > max) return `it is ${length} characters long (at most ${max})`;
  for (const c of value) if (!allowed.test(c)) return `it contains ${describeChar(c)}`;
  return undefined;
}

/** A Glue-safe spelling of `value` to suggest, when one exists. */
function glueSuggestion(value: string): string | undefined {
  const s = value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 255);
  return s === '' ? undefined : s;
}

function withSuggestion(problem: string, suggestion: string | undefined, value: string): string {
  return suggestion !== undefined && suggestion !== value
    ? `${problem}; write e.g. "${suggestion}"`
    : problem;
}

const WORD = /^[A-Za-z0-9_]$/;
const COLUMN_CHAR = /^[A-Za-z0-9_.-]$/;
const SECRET_CHAR = /^[A-Za-z0-9/_+=.@-]$/;

/** Glue databases (= Iceberg namespaces), Glue tables, L2 source table aliases. */
export const GLUE_NAME: IdentifierRule = {
  expected: 'a Glue/Athena name: 1 to 255 ASCII letters, digits and _',
  problem(value) {
    const p = charProblem(value, WORD, 255);
    return p === undefined ? undefined : withSuggestion(p, glueSuggestion(value), value);
  },
};

/** Columns a config refers to (resolved through columnNaming). */
export const COLUMN_REFERENCE: IdentifierRule = {
  expected: 'a column name: ASCII letters, digits, _ and -, with . only between the parts of a nested field',
  problem(value) {
    const p = charProblem(value, COLUMN_CHAR, 255);
    if (p !== undefined) return withSuggestion(p, glueSuggestion(value), value);
    if (value.split('.').some((part) => part === '')) {
      return 'it has an empty part (a leading, trailing or doubled "."); write the field\'s name, or a.b for a nested field';
    }
    return undefined;
  },
};

/** Partition field names: they become folder names in the table's data path. */
export const COLUMN_NAME: IdentifierRule = {
  expected: 'a column name: 1 to 255 ASCII letters, digits, _ and -',
  problem(value) {
    const p = charProblem(value, /^[A-Za-z0-9_-]$/, 255);
    return p === undefined ? undefined : withSuggestion(p, glueSuggestion(value), value);
  },
};

/** Secret names: AWS Secrets Manager's rule, and no empty or dot parts between slashes. */
export const SECRET_NAME: IdentifierRule = {
  expected:
    'a secret name: 1 to 512 of A-Za-z0-9 / _ + = . @ - (AWS Secrets Manager), like wrike-token or wrike/prod',
  problem(value) {
    const p = charProblem(value, SECRET_CHAR, 512);
    if (p !== undefined) return p;
    if (value.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      return 'it has an empty, "." or ".." part between slashes';
    }
    return undefined;
  },
};

/** Parser names: keys of the parser registry, never paths. */
export const PARSER_NAME: IdentifierRule = {
  expected: 'a registered parser name: 1 to 255 ASCII letters, digits and _',
  problem(value) {
    const p = charProblem(value, WORD, 255);
    return p === undefined ? undefined : withSuggestion(p, glueSuggestion(value), value);
  },
};

/**
 * A table location (s3Location): any URI, but no control characters and no `.`/`..` segments,
 * which some readers resolve and others keep as folder names (two tables, one location).
 */
export const TABLE_LOCATION: IdentifierRule = {
  expected: 'a table location URI without . or .. segments, like s3://bucket/warehouse/db/table',
  problem(value) {
    for (const c of value) if (CONTROL.test(c)) return `it contains ${describeChar(c)}`;
    const path = value.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
    if (path.split('/').some((part) => part === '.' || part === '..')) return 'it has a "." or ".." segment';
    return undefined;
  },
};

/** A string schema that enforces `rule`, reporting through the config issue machinery. */
export function identifier(rule: IdentifierRule) {
  return z.string().superRefine((value, ctx) => {
    const problem = rule.problem(value);
    if (problem === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message: `${problem}`,
      params: { expected: rule.expected, fix: problem },
    });
  });
}

/**
 * The warning for a valid Glue name with upper case (accepted, but stored lower case on AWS).
 * An invalid name gets its error only.
 */
export function upperCaseWarning(value: string): string | undefined {
  if (!/[A-Z]/.test(value) || GLUE_NAME.problem(value) !== undefined) return undefined;
  return (
    `"${value}" has upper-case letters: Glue and Athena store names in lower case ("${value.toLowerCase()}"), ` +
    'while the local catalog keeps them as written, so this config names different tables locally and on AWS'
  );
}
