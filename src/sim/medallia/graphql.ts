/**
 * Just enough GraphQL for the simulator: parses an executable document (one operation, variable
 * definitions, fields with aliases and arguments, nested selections, inline fragments) and
 * resolves argument values against the request's variables. Syntax errors become GraphQL
 * errors with a location, as a GraphQL server reports them (in a 200 response).
 */
export class GraphqlError extends Error {
  constructor(
    message: string,
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type GqlValue =
  | { kind: 'var'; name: string }
  | { kind: 'lit'; value: unknown }
  | { kind: 'list'; items: GqlValue[] }
  | { kind: 'obj'; fields: Record<string, GqlValue> };

export interface GqlField {
  name: string;
  alias?: string;
  args: Record<string, GqlValue>;
  selections: GqlField[];
}

export interface GqlOperation {
  variables: { name: string; type: string; required: boolean }[];
  selections: GqlField[];
}

type Tok = { t: 'punct' | 'name' | 'str' | 'num' | 'var' | 'spread'; v: string; at: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/[\s,]/.test(c) || c === '\ufeff') {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if ('{}()[]:!=@'.includes(c)) {
      out.push({ t: 'punct', v: c, at: i++ });
    } else if (src.startsWith('...', i)) {
      out.push({ t: 'spread', v: '...', at: i });
      i += 3;
    } else if (c === '$') {
      let j = i + 1;
      while (j < src.length && /\w/.test(src[j]!)) j++;
      out.push({ t: 'var', v: src.slice(i + 1, j), at: i });
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const e = src[j + 1]!;
          s +=
            e === 'n'
              ? '\n'
              : e === 't'
                ? '\t'
                : e === 'u'
                  ? String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16))
                  : e;
          j += e === 'u' ? 6 : 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw syntax(src, i, 'Unterminated string.');
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
    } else if (/[-\d]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[\d.eE+-]/.test(src[j]!)) j++;
      out.push({ t: 'num', v: src.slice(i, j), at: i });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /\w/.test(src[j]!)) j++;
      out.push({ t: 'name', v: src.slice(i, j), at: i });
      i = j;
    } else throw syntax(src, i, `Unexpected character "${c}".`);
  }
  return out;
}

function syntax(src: string, at: number, msg: string): GraphqlError {
  const before = src.slice(0, at).split('\n');
  return new GraphqlError(`Syntax Error: ${msg}`, {
    code: 'GRAPHQL_PARSE_FAILED',
    line: before.length,
    column: before[before.length - 1]!.length + 1,
  });
}

export function parseOperation(src: string): GqlOperation {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const fail = (msg: string): never => {
    throw syntax(src, toks[i]?.at ?? src.length, msg);
  };
  const expect = (v: string) => {
    const t = toks[i];
    if (!t || t.v !== v || (t.t !== 'punct' && t.t !== 'name'))
      fail(`Expected "${v}", found ${t ? `"${t.v}"` : '<EOF>'}.`);
    i++;
  };
  const value = (): GqlValue => {
    const t = toks[i++];
    if (!t) return fail('Unexpected <EOF>.');
    if (t.t === 'var') return { kind: 'var', name: t.v };
    if (t.t === 'str') return { kind: 'lit', value: t.v };
    if (t.t === 'num') return { kind: 'lit', value: Number(t.v) };
    if (t.t === 'name')
      return {
        kind: 'lit',
        value: t.v === 'true' ? true : t.v === 'false' ? false : t.v === 'null' ? null : t.v,
      };
    if (t.v === '[') {
      const items: GqlValue[] = [];
      while (peek() && peek()!.v !== ']') items.push(value());
      expect(']');
      return { kind: 'list', items };
    }
    if (t.v === '{') {
      const fields: Record<string, GqlValue> = {};
      while (peek() && peek()!.v !== '}') {
        const k = toks[i++]!;
        if (k.t !== 'name') fail('Expected Name.');
        expect(':');
        fields[k.v] = value();
      }
      expect('}');
      return { kind: 'obj', fields };
    }
    return fail(`Unexpected "${t.v}".`);
  };
  const selectionSet = (): GqlField[] => {
    expect('{');
    const out: GqlField[] = [];
    while (peek() && peek()!.v !== '}') {
      if (peek()!.t === 'spread') {
        i++;
        if (peek()?.v === 'on') {
          i += 2; // on TypeName
          out.push(...selectionSet());
          continue;
        }
        fail('Named fragments are not supported by this server.');
      }
      const n = toks[i++]!;
      if (n.t !== 'name') fail(`Expected Name, found "${n.v}".`);
      let name = n.v;
      let alias: string | undefined;
      if (peek()?.v === ':') {
        i++;
        alias = name;
        const m = toks[i++];
        if (m?.t !== 'name') fail('Expected Name.');
        name = m!.v;
      }
      const args: Record<string, GqlValue> = {};
      if (peek()?.v === '(') {
        i++;
        while (peek() && peek()!.v !== ')') {
          const a = toks[i++]!;
          if (a.t !== 'name') fail('Expected Name.');
          expect(':');
          args[a.v] = value();
        }
        expect(')');
      }
      const selections = peek()?.v === '{' ? selectionSet() : [];
      out.push({ name, ...(alias ? { alias } : {}), args, selections });
    }
    expect('}');
    return out;
  };
  const variables: GqlOperation['variables'] = [];
  if (peek()?.t === 'name' && peek()!.v === 'query') {
    i++;
    if (peek()?.t === 'name') i++;
    if (peek()?.v === '(') {
      i++;
      while (peek() && peek()!.v !== ')') {
        const v = toks[i++]!;
        if (v.t !== 'var') fail('Expected Variable.');
        expect(':');
        let type = '';
        while (peek() && !(peek()!.t === 'var' || peek()!.v === ')' || peek()!.v === '='))
          type += toks[i++]!.v;
        if (peek()?.v === '=') {
          i++;
          value();
        }
        variables.push({ name: v.v, type, required: type.endsWith('!') });
      }
      expect(')');
    }
  } else if (peek()?.t === 'name' && peek()!.v !== 'query' && peek()!.v !== '{') {
    fail(`Unexpected Name "${peek()!.v}": only queries are supported.`);
  }
  const selections = selectionSet();
  if (i < toks.length) fail(`Unexpected "${toks[i]!.v}".`);
  return { variables, selections };
}

/** The value of an argument with the request's variables filled in. */
export function resolveValue(v: GqlValue | undefined, vars: Record<string, unknown>): unknown {
  if (!v) return undefined;
  switch (v.kind) {
    case 'var':
      return vars[v.name];
    case 'lit':
      return v.value;
    case 'list':
      return v.items.map((x) => resolveValue(x, vars));
    case 'obj':
      return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, resolveValue(x, vars)]));
  }
}
