/**
 * Walks a zod schema alongside an input value. Used to report unknown keys (config objects are
 * loose, so zod itself keeps unknown keys silently) and to find the schema, description and
 * allowed keys at an issue's path. Reads zod v4's public `def` data; no zod internals beyond it.
 */
import { z } from 'zod';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  entries?: Record<string, string>;
  values?: unknown[];
};

const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/**
 * Other names people write for a field (`header` for API_KEY's `name`, `primaryKeys` for
 * `primaryKey`) that are too far from the field's name for edit distance to catch. An unknown key
 * equal to an alias is reported as a typo of the field, with `fix` saying what to write.
 */
export const keyAliases = z.registry<{ aliases: readonly string[]; fix?: string }>();

/** The aliases registered on a field or on any wrapper inside it. */
function aliasesOf(field: z.ZodType): { aliases: readonly string[]; fix?: string } | undefined {
  let s: z.ZodType = field;
  for (let i = 0; i < 32; i++) {
    const meta = keyAliases.get(s);
    if (meta !== undefined) return meta;
    const d = defOf(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in && d.out) s = defOf(d.in).type === 'transform' ? d.out : d.in;
    else return undefined;
  }
  return undefined;
}

/** Strips optional/default/… wrappers and pipes (preprocess → target schema; transform → input). */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const d = defOf(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in && d.out) s = defOf(d.in).type === 'transform' ? d.out : d.in;
    else return s;
  }
  return s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Literal values a schema accepts (enums and literals), for matching union discriminators. */
function literalValues(schema: z.ZodType): string[] {
  const d = defOf(unwrap(schema));
  if (d.type === 'enum' && d.entries) return Object.values(d.entries).map(String);
  if (d.type === 'literal' && d.values) return d.values.map(String);
  return [];
}

/** The union member a value belongs to, or undefined when it cannot be told cheaply. */
function pickOption(d: Def, value: unknown): z.ZodType | undefined {
  const options = d.options ?? [];
  if (d.discriminator !== undefined) {
    if (!isPlainObject(value)) return undefined;
    const tag = value[d.discriminator];
    if (typeof tag !== 'string') return undefined;
    const t = tag.trim().toLowerCase();
    return options.find((o) => {
      const field = defOf(unwrap(o)).shape?.[d.discriminator!];
      return field !== undefined && literalValues(field).some((v) => v.toLowerCase() === t);
    });
  }
  // A plain union (e.g. string | object): only an object value can have unknown keys.
  const objects = options.filter((o) => defOf(unwrap(o)).type === 'object');
  return isPlainObject(value) && objects.length === 1 ? objects[0] : undefined;
}

/** The schema at `path` inside `root`, following the value where unions need it. */
export function schemaAt(
  root: z.ZodType,
  path: readonly PropertyKey[],
  value: unknown,
): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  let v = value;
  for (const key of path) {
    if (s === undefined) return undefined;
    const u = unwrap(s);
    const d = defOf(u);
    if (d.type === 'union') {
      const o = pickOption(d, v);
      if (o === undefined) return undefined;
      s = defOf(unwrap(o)).shape?.[String(key)];
    } else if (d.type === 'object') s = d.shape?.[String(key)];
    else if (d.type === 'record') s = d.valueType;
    else if (d.type === 'array') s = d.element;
    else return undefined;
    v = isPlainObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[String(key)] : undefined;
  }
  return s;
}

/** Keys an object schema declares at `path` (empty when it is not an object). */
export function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[], value: unknown): string[] {
  const s = schemaAt(root, path, value);
  if (s === undefined) return [];
  const u = unwrap(s);
  const d = defOf(u);
  if (d.type === 'union') {
    const o = pickOption(d, valueAt(value, path));
    return o ? Object.keys(defOf(unwrap(o)).shape ?? {}) : [];
  }
  return Object.keys(d.shape ?? {});
}

/** The `.describe()` text of the field at `path`, if any. */
export function descriptionAt(
  root: z.ZodType,
  path: readonly PropertyKey[],
  value: unknown,
): string | undefined {
  const s = schemaAt(root, path, value);
  if (s === undefined) return undefined;
  return s.description ?? unwrap(s).description;
}

export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (isPlainObject(v) || Array.isArray(v)) v = (v as Record<string, unknown>)[String(key)];
    else return undefined;
  }
  return v;
}

export interface UnknownKey {
  /** Path of the object holding the key. */
  path: PropertyKey[];
  key: string;
  /** Keys that object's schema declares. */
  known: string[];
  /** Set when the key is a registered alias of a declared key (see `keyAliases`). */
  aliasOf?: { key: string; fix?: string };
}

function aliasMatch(
  shape: Record<string, z.ZodType>,
  key: string,
): { key: string; fix?: string } | undefined {
  const k = key.toLowerCase().replace(/[-_\s]/g, '');
  for (const [name, field] of Object.entries(shape)) {
    const meta = aliasesOf(field);
    if (meta?.aliases.some((a) => a.toLowerCase().replace(/[-_\s]/g, '') === k))
      return { key: name, ...(meta.fix !== undefined ? { fix: meta.fix } : {}) };
  }
  return undefined;
}

/** Every key in `value` that its schema does not declare (records and free-form values excepted). */
export function findUnknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[] = []): UnknownKey[] {
  const out: UnknownKey[] = [];
  const d = defOf(unwrap(schema));
  if (d.type === 'union') {
    const o = pickOption(d, value);
    if (o !== undefined) out.push(...findUnknownKeys(o, value, path));
  } else if (d.type === 'object' && isPlainObject(value)) {
    const shape = d.shape ?? {};
    const known = Object.keys(shape);
    for (const [k, v] of Object.entries(value)) {
      const field = shape[k];
      if (field === undefined) {
        const alias = aliasMatch(shape, k);
        out.push({ path, key: k, known, ...(alias ? { aliasOf: alias } : {}) });
      } else out.push(...findUnknownKeys(field, v, [...path, k]));
    }
  } else if (d.type === 'record' && d.valueType && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) out.push(...findUnknownKeys(d.valueType, v, [...path, k]));
  } else if (d.type === 'array' && d.element && Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...findUnknownKeys(d.element!, v, [...path, i]));
    });
  }
  return out;
}
