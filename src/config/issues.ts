/**
 * Turns zod issues and unknown keys into `ConfigProblem`s that name the config, the field path and
 * the fix, e.g. `config Wrike_Tasks: destination.defaultwriteMode: expected one of APPEND | OVERWRITE
 * | MERGE, got "UPSERT" (fix: set it to MERGE to upsert by primaryKey)`. One formatter for every
 * config error, so messages read the same everywhere (CLI, run failures, history rows).
 */
import type { z } from 'zod';
import { FloeError } from '../errors.js';
import { isAttributeValue } from './dynamo-json.js';
import { descriptionAt, findUnknownKeys, valueAt } from './schema-walk.js';
import { closest } from './suggest.js';

export interface ConfigProblem {
  /** The item's configId, or `<file>#<n>` when it has none; absent for file-level problems. */
  configId?: string;
  /** Dotted path into the item, e.g. `destination.primaryKey` or `source.contacts.fetchMode`. */
  field: string;
  message: string;
  fix?: string;
  /** Errors make the item invalid; warnings (e.g. ignored unknown keys) do not. */
  severity: 'error' | 'warning';
  /** Project-relative file the item came from, when it came from a file. */
  file?: string;
}

/** `config X: field: message (fix: …)`, the one line printed for a problem. */
export function formatProblem(p: ConfigProblem): string {
  const fix = p.fix ? ` (fix: ${p.fix})` : '';
  const field = p.field === '' ? '' : `${p.field}: `;
  const config = p.configId === undefined ? '' : `config ${p.configId}: `;
  return `${config}${field}${p.message}${fix}`;
}

/** One FloeError('config-invalid') carrying every error of one or more items (warnings omitted). */
export function configError(problems: readonly ConfigProblem[]): FloeError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0] ?? problems[0];
  const lines = errors.map((p) => (p.file ? `${p.file}: ${formatProblem(p)}` : formatProblem(p)));
  const message =
    lines.length <= 1
      ? (lines[0] ?? 'invalid config')
      : `${lines.length} config problems:\n  ${lines.join('\n  ')}`;
  return new FloeError('config-invalid', message, {
    context: { configId: first?.configId, field: first?.field, file: first?.file },
  });
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}

const MAX_SHOWN = 60;

/** A value as a message shows it: strings quoted and clipped, containers by kind. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = JSON.stringify(v);
    return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 2)}…"` : s;
  }
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object')
    return isAttributeValue(v) ? `DynamoDB typed JSON ${JSON.stringify(v)}` : 'an object';
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** Words people use for the seed's enum values; each maps to the value and why. */
const SYNONYMS: Record<string, { value: string; why: string }> = {
  UPSERT: { value: 'MERGE', why: 'to upsert by primaryKey' },
  UPDATE: { value: 'MERGE', why: 'to upsert by primaryKey' },
  INSERT: { value: 'APPEND', why: 'to add rows' },
  REPLACE: { value: 'OVERWRITE', why: 'to replace the table contents' },
  TRUNCATE: { value: 'OVERWRITE', why: 'to replace the table contents' },
  DELTA: { value: 'INCREMENTAL', why: 'to read only what changed since the last sync' },
  INCR: { value: 'INCREMENTAL', why: 'to read only what changed since the last sync' },
  CDC: { value: 'INCREMENTAL', why: 'to read only what changed since the last sync' },
  ALL: { value: 'FULL', why: 'to re-read everything' },
  SNAPSHOT: { value: 'FULL', why: 'to re-read everything' },
};

function enumFix(got: unknown, allowed: readonly string[]): string {
  if (typeof got === 'string') {
    const key = got.trim().toUpperCase().replace(/[-\s]/g, '_');
    const syn = SYNONYMS[key];
    if (syn && allowed.includes(syn.value)) return `set it to ${syn.value} ${syn.why}`;
    const c = closest(got, allowed);
    if (c !== undefined) return `did you mean ${c}?`;
  }
  return `use one of ${allowed.join(' | ')}`;
}

/** Hints for a wrong type that say exactly what to write instead. */
function typeFix(expected: string, got: unknown): string | undefined {
  if (isAttributeValue(got)) {
    return 'this value is DynamoDB typed JSON inside a plain item; write the whole item in one form';
  }
  if (expected === 'array' && typeof got === 'string') return `write it as a list: [${JSON.stringify(got)}]`;
  if (expected === 'boolean' && (got === 'true' || got === 'false')) return `write ${got} without quotes`;
  if ((expected === 'number' || expected === 'int') && typeof got === 'string' && got.trim() !== '') {
    if (Number.isFinite(Number(got))) return `write ${got} without quotes`;
  }
  return undefined;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  options?: unknown[];
  keys?: string[];
  discriminator?: string;
  note?: string;
  errors?: Issue[][];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  prefix?: string;
  params?: { fix?: string; expected?: string };
}

interface Ctx {
  schema: z.ZodType;
  input: unknown;
  configId: string;
}

function problem(ctx: Ctx, path: readonly PropertyKey[], message: string, fix?: string): ConfigProblem {
  return { configId: ctx.configId, field: formatPath(path), message, fix, severity: 'error' };
}

function fromIssue(ctx: Ctx, issue: Issue, base: readonly PropertyKey[] = []): ConfigProblem[] {
  const path = [...base, ...issue.path];
  const got = valueAt(ctx.input, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected ?? 'value';
      if (got === undefined) return [missing(ctx, path)];
      return [
        problem(
          ctx,
          path,
          `expected ${TYPE_NAMES[expected] ?? expected}, got ${describeValue(got)}`,
          typeFix(expected, got),
        ),
      ];
    }
    case 'invalid_value': {
      const allowed = (issue.values ?? []).map(String);
      return [
        problem(
          ctx,
          path,
          `expected one of ${allowed.join(' | ')}, got ${describeValue(got)}`,
          enumFix(got, allowed),
        ),
      ];
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        // zod reports a bad discriminator at the union's own path (or at the tag, depending on version).
        const tagPath = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
        const tag = valueAt(ctx.input, tagPath);
        const allowed = (issue.options ?? []).map(String);
        if (tag === undefined) return [problem(ctx, tagPath, `is required: one of ${allowed.join(' | ')}`)];
        return [
          problem(
            ctx,
            tagPath,
            `expected one of ${allowed.join(' | ')}, got ${describeValue(tag)}`,
            enumFix(tag, allowed),
          ),
        ];
      }
      return unionProblem(ctx, issue, path, got);
    }
    case 'too_small': {
      const min = issue.minimum;
      if ((issue.origin === 'array' || issue.origin === 'string') && Number(min) === 1) {
        return [problem(ctx, path, 'must not be empty')];
      }
      const what = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return [problem(ctx, path, `must be at least ${String(min)}${what}, got ${describeValue(got)}`)];
    }
    case 'too_big': {
      const what = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return [
        problem(ctx, path, `must be at most ${String(issue.maximum)}${what}, got ${describeValue(got)}`),
      ];
    }
    case 'invalid_format': {
      if (issue.format === 'url')
        return [problem(ctx, path, `expected an absolute URL, got ${describeValue(got)}`)];
      if (issue.format === 'starts_with') {
        return [
          problem(ctx, path, `must start with ${JSON.stringify(issue.prefix)}, got ${describeValue(got)}`),
        ];
      }
      const expected = issue.format === 'regex' ? issue.message : issue.format;
      return [problem(ctx, path, `expected ${expected}, got ${describeValue(got)}`)];
    }
    case 'custom':
      // Refinements that check a value's form say what they expected (params.expected).
      if (issue.params?.expected !== undefined) {
        return [
          problem(
            ctx,
            path,
            `expected ${issue.params.expected}, got ${describeValue(got)}`,
            issue.params.fix,
          ),
        ];
      }
      return [problem(ctx, path, issue.message, issue.params?.fix)];
    default:
      return [problem(ctx, path, `${issue.message}, got ${describeValue(got)}`)];
  }
}

/** A required field is missing; look for a misspelled sibling before saying "add it". */
function missing(ctx: Ctx, path: readonly PropertyKey[]): ConfigProblem {
  const key = String(path[path.length - 1] ?? '');
  const parent = valueAt(ctx.input, path.slice(0, -1));
  if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) {
    const typo = Object.keys(parent).find((k) => closest(k, [key]) === key);
    if (typo !== undefined)
      return problem(ctx, path, 'is required', `rename ${JSON.stringify(typo)} to ${key}`);
  }
  const about = descriptionAt(ctx.schema, path, ctx.input);
  return problem(ctx, path, 'is required', about ? `add ${key}: ${about.replace(/\.$/, '')}` : `add ${key}`);
}

/**
 * A value matched none of a union's members. If one member got further (its issues are deeper
 * than the union itself), report that member's issues; otherwise list the accepted kinds.
 */
function unionProblem(ctx: Ctx, issue: Issue, path: PropertyKey[], got: unknown): ConfigProblem[] {
  const branches = issue.errors ?? [];
  const deep = branches.find(
    (b) => b.length > 0 && b.every((i) => i.path.length > 0 || i.code !== 'invalid_type'),
  );
  if (deep !== undefined) return deep.flatMap((i) => fromIssue(ctx, i, path));
  const kinds = branches
    .map((b) => b[0])
    .filter((i): i is Issue => i !== undefined && i.code === 'invalid_type' && i.path.length === 0)
    .map((i) => TYPE_NAMES[i.expected ?? ''] ?? i.expected ?? 'value');
  if (got === undefined) return [missing(ctx, path)];
  const expected = kinds.length > 0 ? [...new Set(kinds)].join(' or ') : 'a different value';
  return [problem(ctx, path, `expected ${expected}, got ${describeValue(got)}`)];
}

/**
 * All problems of one parsed item: zod's issues plus unknown keys. An unknown key close to a
 * declared one, or one of its registered aliases (schema-walk's `keyAliases`), is an error (a typo
 * like `defaultWriteMode` or `primaryKeys` would otherwise silently fall back to a default), listed
 * before the problems it causes; any other unknown key is a warning, and is ignored (seed items
 * carry extra fields of their own).
 */
export function collectProblems(
  schema: z.ZodType,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
  configId: string,
): ConfigProblem[] {
  const ctx: Ctx = { schema, input, configId };
  const problems = issues.flatMap((i) => fromIssue(ctx, i as unknown as Issue));
  const typos: ConfigProblem[] = [];
  for (const u of findUnknownKeys(schema, input)) {
    const field = formatPath([...u.path, u.key]);
    const holder = valueAt(input, u.path) as Record<string, unknown>;
    const meant = u.aliasOf?.key ?? closest(u.key, u.known);
    const meantField = meant === undefined ? '' : formatPath([...u.path, meant]);
    // Already reported as "required (fix: rename …)" by the missing-field check.
    if (meant !== undefined && problems.some((p) => p.field === meantField && p.fix?.startsWith('rename ')))
      continue;
    if (meant !== undefined && !(meant in holder)) {
      typos.push({
        configId,
        field,
        message: `unknown key (did you mean ${meant}?)`,
        fix: u.aliasOf?.fix ?? `rename it to ${meant}`,
        severity: 'error',
      });
    } else {
      problems.push({ configId, field, message: 'unknown key, ignored', severity: 'warning' });
    }
  }
  // A typo comes first: what it causes (`MERGE needs a primaryKey` for `primaryKeys:`) follows from it.
  problems.unshift(...typos);
  return dedupe(problems);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.severity}|${p.field}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
