/**
 * A row filter written as text (`floe table read --where`), parsed into the scan's Expr so it
 * prunes files by partition and statistics like any filter:
 *
 *   status = 'Active' AND (importance = 'High' OR id >= 100)
 *   completed_date IS NULL      owner NOT IN ('a', 'b')      NOT archived = true
 *
 * Comparisons are column-op-literal (= != <> < <= > >=, IS [NOT] NULL, [NOT] IN (…)), combined with
 * AND, OR, NOT and parentheses. Literals: 'text' ('' inside for a quote), numbers, true, false.
 * Columns are names, or "quoted names".
 */
import { FloeError } from '../../errors.js';
import { type CompareOp, type Expr, where } from './expr.js';

type Token = { kind: 'word' | 'ident' | 'string' | 'number' | 'op' | 'punct'; text: string; at: number };

export function parseFilter(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (why: string, at = peek()?.at ?? text.length): never => {
    throw new FloeError(
      'config-invalid',
      `filter ${JSON.stringify(text)}: ${why} at position ${at + 1}. Write e.g. status = 'Active' AND id >= 10`,
    );
  };
  const keyword = (w: string) => {
    const t = peek();
    if (t?.kind === 'word' && t.text.toUpperCase() === w) {
      i++;
      return true;
    }
    return false;
  };
  const expectPunct = (p: string) => {
    const t = peek();
    if (t?.kind !== 'punct' || t.text !== p) fail(`expected "${p}"`);
    i++;
  };
  const literal = (): unknown => {
    const t = peek();
    if (!t) return fail('expected a value');
    i++;
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') {
      const n = Number(t.text);
      return Number.isSafeInteger(n) || !/^-?\d+$/.test(t.text) ? n : t.text;
    }
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    return fail(`expected a value, got ${JSON.stringify(t.text)}`, t.at);
  };
  const comparison = (): Expr => {
    const t = peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'ident')) return fail('expected a column name');
    i++;
    const column = t.text;
    if (keyword('IS')) {
      const not = keyword('NOT');
      if (!keyword('NULL')) fail('expected NULL');
      return not ? where.notNull(column) : where.isNull(column);
    }
    const notIn = keyword('NOT');
    if (keyword('IN')) {
      expectPunct('(');
      const values = [literal()];
      while (peek()?.kind === 'punct' && peek()!.text === ',') {
        i++;
        values.push(literal());
      }
      expectPunct(')');
      const e = where.in(column, values);
      return notIn ? where.not(e) : e;
    }
    if (notIn) fail('expected IN after NOT');
    const op = peek();
    if (op?.kind !== 'op') return fail('expected a comparison (=, !=, <, <=, >, >=, IS NULL, IN)');
    i++;
    const o = (op.text === '<>' ? '!=' : op.text) as CompareOp;
    return { op: o, column, value: literal() };
  };
  const primary = (): Expr => {
    if (peek()?.kind === 'punct' && peek()!.text === '(') {
      i++;
      const e = or();
      expectPunct(')');
      return e;
    }
    return comparison();
  };
  const not = (): Expr => (keyword('NOT') ? where.not(not()) : primary());
  const and = (): Expr => {
    const parts = [not()];
    while (keyword('AND')) parts.push(not());
    return parts.length === 1 ? parts[0]! : where.and(...parts);
  };
  const or = (): Expr => {
    const parts = [and()];
    while (keyword('OR')) parts.push(and());
    return parts.length === 1 ? parts[0]! : where.or(...parts);
  };
  if (tokens.length === 0) fail('it is empty', 0);
  const e = or();
  if (i < tokens.length) fail(`unexpected ${JSON.stringify(tokens[i]!.text)}`);
  return e;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new FloeError(
            'config-invalid',
            `filter ${JSON.stringify(text)}: unclosed ${c} at position ${at + 1}`,
          );
        if (text[i] === c) {
          if (text[i + 1] === c) {
            s += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += text[i++];
      }
      out.push({ kind: c === "'" ? 'string' : 'ident', text: s, at });
      continue;
    }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[0], at });
      i += op[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ kind: 'number', text: num[0], at });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word) {
      out.push({ kind: 'word', text: word[0], at });
      i += word[0].length;
      continue;
    }
    if ('(),'.includes(c)) {
      out.push({ kind: 'punct', text: c, at });
      i++;
      continue;
    }
    throw new FloeError(
      'config-invalid',
      `filter ${JSON.stringify(text)}: unexpected ${JSON.stringify(c)} at position ${at + 1}`,
    );
  }
  return out;
}
