/**
 * Cvent's `filter=` expressions (developers.cvent.com/docs/rest-api/reference/filters; the
 * per-operation tables in the OpenAPI): `field comparisonType 'value'`, combined with `and`/`or`
 * and parentheses. Comparison types eq, ne, gt, ge, lt, le, sw (starts with), ew (ends with), co
 * (contains; the OpenAPI's operations spell it `contains`, so both are taken), in ('a','b');
 * values in single or double quotes. Each list operation accepts its own fields; anything else is
 * a 400 naming the field, as Cvent's is.
 */
export type Predicate = (record: Record<string, unknown>) => boolean;

const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'ew', 'co', 'in'] as const;
type Op = (typeof OPS)[number];

export class FilterError extends Error {}

interface Tok {
  kind: 'word' | 'str' | '(' | ')' | ',';
  text: string;
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c, text: c });
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        text += s[j];
        j++;
      }
      if (j >= s.length) throw new FilterError(`unterminated quote in filter at position ${i}`);
      out.push({ kind: 'str', text });
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && !/[\s(),'"]/.test(s[j]!)) j++;
      out.push({ kind: 'word', text: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function get(record: Record<string, unknown>, path: string): unknown {
  let cur: unknown = record;
  for (const k of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function compare(op: Op, actual: unknown, values: string[]): boolean {
  if (actual === undefined || actual === null) return op === 'ne';
  const a = String(actual);
  const v = values[0]!;
  const time = (x: string) => (/^\d{4}-\d{2}-\d{2}T/.test(x) ? Date.parse(x) : Number.NaN);
  const cmp = () => {
    const ta = time(a);
    const tv = time(v);
    if (!Number.isNaN(ta) && !Number.isNaN(tv)) return ta - tv;
    const na = Number(a);
    const nv = Number(v);
    if (a.trim() !== '' && v.trim() !== '' && Number.isFinite(na) && Number.isFinite(nv)) return na - nv;
    return a < v ? -1 : a > v ? 1 : 0;
  };
  switch (op) {
    case 'eq':
      return a === v;
    case 'ne':
      return a !== v;
    case 'gt':
      return cmp() > 0;
    case 'ge':
      return cmp() >= 0;
    case 'lt':
      return cmp() < 0;
    case 'le':
      return cmp() <= 0;
    case 'sw':
      return a.startsWith(v);
    case 'ew':
      return a.endsWith(v);
    case 'co':
      return a.includes(v);
    case 'in':
      return values.includes(a);
  }
}

/** Parses a filter for an operation whose filterable fields are `fields`. */
export function parseFilter(text: string, fields: readonly string[]): Predicate {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const expect = (kind: Tok['kind']) => {
    const t = toks[i++];
    if (!t || t.kind !== kind) throw new FilterError(`expected ${kind} in filter '${text}'`);
    return t;
  };
  const primary = (): Predicate => {
    if (peek()?.kind === '(') {
      i++;
      const p = orExpr();
      expect(')');
      return p;
    }
    const field = expect('word').text;
    if (!fields.includes(field)) {
      throw new FilterError(`'${field}' is not a filterable field here; filterable: ${fields.join(', ')}`);
    }
    const opWord = expect('word').text.toLowerCase();
    const opText = opWord === 'contains' ? 'co' : opWord;
    if (!(OPS as readonly string[]).includes(opText))
      throw new FilterError(`unknown comparison type '${opWord}'`);
    const op = opText as Op;
    let values: string[];
    if (op === 'in') {
      expect('(');
      values = [expect('str').text];
      while (peek()?.kind === ',') {
        i++;
        values.push(expect('str').text);
      }
      expect(')');
    } else values = [expect('str').text];
    return (r) => compare(op, get(r, field), values);
  };
  const andExpr = (): Predicate => {
    let p = primary();
    while (peek()?.kind === 'word' && peek()!.text.toLowerCase() === 'and') {
      i++;
      const a = p;
      const b = primary();
      p = (r) => a(r) && b(r);
    }
    return p;
  };
  const orExpr = (): Predicate => {
    let p = andExpr();
    while (peek()?.kind === 'word' && peek()!.text.toLowerCase() === 'or') {
      i++;
      const a = p;
      const b = andExpr();
      p = (r) => a(r) || b(r);
    }
    return p;
  };
  const p = orExpr();
  if (i < toks.length) throw new FilterError(`unexpected '${toks[i]!.text}' in filter '${text}'`);
  return p;
}
