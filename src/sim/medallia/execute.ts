/**
 * Resolves Query API operations against the simulated instance: `fields(first, after)` (the
 * field catalogue), `feedback(first, after, filter, orderBy)` with `fieldData(fieldId)` and
 * `fieldDataList(fieldIds, filterUnanswered)` per node, `rateLimit { cost }`; Relay connections
 * `{nodes, pageInfo {hasNextPage, endCursor}, totalCount}`. Every problem is a GraphQL error in
 * a 200 response (`{"errors": [...], "data": null}`), as Medallia's gateway answers them.
 *
 * Cost (docs.medallia.com "Restrictions and limits": "the cost of the query increases with the
 * size of the page and the number of fields queried", at most 3,000,000 units per query): here
 * first × (1 + field data per node) for each connection; over the limit, the query is rejected.
 * The wording and code of that error are not documented; this simulator's are its own.
 */
import type { FieldDef, MedalliaWorld } from './data.js';
import { type GqlField, type GqlOperation, GraphqlError, resolveValue } from './graphql.js';

type Vars = Record<string, unknown>;
type Rec = Record<string, unknown>;

const encodeCursor = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64');
function decodeCursor(c: unknown): number {
  if (c === undefined || c === null) return 0;
  try {
    const o = (JSON.parse(Buffer.from(String(c), 'base64').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {}
  throw new GraphqlError(`Invalid cursor "${String(c)}".`, { code: 'BAD_USER_INPUT' });
}

const key = (f: GqlField) => f.alias ?? f.name;

export class Executor {
  private readonly cache = new Map<string, number[]>();

  constructor(
    private readonly world: MedalliaWorld,
    private readonly maxCost: () => number,
  ) {}

  execute(op: GqlOperation, vars: Vars, nowS: number): { data: Rec } {
    for (const v of op.variables) {
      if (v.required && (vars[v.name] === undefined || vars[v.name] === null)) {
        throw new GraphqlError(`Variable "$${v.name}" of required type "${v.type}" was not provided.`, {
          code: 'BAD_USER_INPUT',
        });
      }
    }
    const cost = this.cost(op.selections, vars);
    if (cost > this.maxCost()) {
      throw new GraphqlError(`Query cost ${cost} exceeds the maximum allowed cost of ${this.maxCost()}.`, {
        code: 'QUERY_COST_EXCEEDED',
        cost,
      });
    }
    const data: Rec = {};
    for (const f of op.selections) {
      const args = Object.fromEntries(Object.entries(f.args).map(([k, v]) => [k, resolveValue(v, vars)]));
      switch (f.name) {
        case 'fields':
          data[key(f)] = this.connection(f, this.world.fields.length, args, (i) =>
            this.field(this.world.fields[i]!, f.selections.find((s) => s.name === 'nodes')?.selections ?? []),
          );
          break;
        case 'feedback': {
          const matches = this.matches(args, nowS);
          data[key(f)] = this.connection(f, matches.length, args, (k) =>
            this.feedbackNode(
              matches[k]!,
              f.selections.find((s) => s.name === 'nodes')?.selections ?? [],
              vars,
            ),
          );
          break;
        }
        case 'rateLimit':
          data[key(f)] = { cost };
          break;
        case '__typename':
          data[key(f)] = 'Query';
          break;
        default:
          throw new GraphqlError(`Cannot query field "${f.name}" on type "Query".`, {
            code: 'GRAPHQL_VALIDATION_FAILED',
          });
      }
    }
    return { data };
  }

  private cost(sel: GqlField[], vars: Vars): number {
    let total = 0;
    for (const f of sel) {
      if (f.name !== 'fields' && f.name !== 'feedback') continue;
      const first = Number(resolveValue(f.args.first, vars) ?? 10);
      const nodes = f.selections.find((s) => s.name === 'nodes')?.selections ?? [];
      let perNode = 1;
      for (const n of nodes) {
        if (n.name === 'fieldData') perNode++;
        if (n.name === 'fieldDataList') {
          const ids = resolveValue(n.args.fieldIds, vars);
          perNode += Array.isArray(ids) ? ids.length : this.world.fields.length;
        }
      }
      total += first * perNode;
    }
    return total;
  }

  private connection(f: GqlField, total: number, args: Rec, node: (i: number) => Rec): Rec {
    const first = args.first === undefined ? 10 : Number(args.first);
    if (!Number.isInteger(first) || first < 0)
      throw new GraphqlError('Argument "first" must be a non-negative integer.', { code: 'BAD_USER_INPUT' });
    const offset = decodeCursor(args.after);
    const end = Math.min(total, offset + first);
    const out: Rec = {};
    for (const s of f.selections) {
      switch (s.name) {
        case 'nodes': {
          const nodes: Rec[] = [];
          for (let i = offset; i < end; i++) nodes.push(node(i));
          out[key(s)] = nodes;
          break;
        }
        case 'totalCount':
          out[key(s)] = total;
          break;
        case 'pageInfo': {
          const info: Rec = {};
          for (const p of s.selections) {
            if (p.name === 'hasNextPage') info[key(p)] = end < total;
            else if (p.name === 'endCursor') info[key(p)] = end > offset ? encodeCursor(end) : null;
            else if (p.name === 'hasPreviousPage') info[key(p)] = offset > 0;
            else if (p.name === 'startCursor') info[key(p)] = offset > 0 ? encodeCursor(offset) : null;
            else
              throw new GraphqlError(`Cannot query field "${p.name}" on type "PageInfo".`, {
                code: 'GRAPHQL_VALIDATION_FAILED',
              });
          }
          out[key(s)] = info;
          break;
        }
        default:
          throw new GraphqlError(
            `Cannot query field "${s.name}" on type "${f.name === 'fields' ? 'FieldsConnection' : 'FeedbackConnection'}".`,
            { code: 'GRAPHQL_VALIDATION_FAILED' },
          );
      }
    }
    return out;
  }

  private field(fd: FieldDef, sel: GqlField[]): Rec {
    const out: Rec = {};
    for (const s of sel) {
      if (s.name === '__typename') out[key(s)] = fd.dataType === 'ENUM' ? 'EnumField' : 'Field';
      else if (s.name in fd) out[key(s)] = fd[s.name as keyof FieldDef];
      else
        throw new GraphqlError(`Cannot query field "${s.name}" on type "Field".`, {
          code: 'GRAPHQL_VALIDATION_FAILED',
        });
    }
    return out;
  }

  private fieldDef(id: unknown): FieldDef {
    const fd = this.world.fields.find((x) => x.id === id);
    if (!fd) throw new GraphqlError(`Unknown field id "${String(id)}".`, { code: 'BAD_USER_INPUT' });
    return fd;
  }

  private feedbackNode(i: number, sel: GqlField[], vars: Vars): Rec {
    const values = this.world.values(i);
    const out: Rec = {};
    const data = (fd: FieldDef, s: GqlField): Rec => {
      const r: Rec = {};
      for (const p of s.selections) {
        if (p.name === 'values') r[key(p)] = values[fd.id] ?? [];
        else if (p.name === 'field') r[key(p)] = this.field(fd, p.selections);
        else if (p.name === '__typename') r[key(p)] = 'FieldData';
        else
          throw new GraphqlError(`Cannot query field "${p.name}" on type "FieldData".`, {
            code: 'GRAPHQL_VALIDATION_FAILED',
          });
      }
      return r;
    };
    for (const s of sel) {
      if (s.name === 'id') out[key(s)] = this.world.id(i);
      else if (s.name === '__typename') out[key(s)] = 'Feedback';
      else if (s.name === 'fieldData')
        out[key(s)] = data(this.fieldDef(resolveValue(s.args.fieldId, vars)), s);
      else if (s.name === 'fieldDataList') {
        const ids = resolveValue(s.args.fieldIds, vars);
        if (!Array.isArray(ids))
          throw new GraphqlError('Argument "fieldIds" of type "[ID!]!" is required.', {
            code: 'BAD_USER_INPUT',
          });
        const unanswered = resolveValue(s.args.filterUnanswered, vars) === true;
        out[key(s)] = ids
          .map((id) => this.fieldDef(id))
          .filter((fd) => !unanswered || (values[fd.id]?.length ?? 0) > 0)
          .map((fd) => data(fd, s));
      } else
        throw new GraphqlError(`Cannot query field "${s.name}" on type "Feedback".`, {
          code: 'GRAPHQL_VALIDATION_FAILED',
        });
    }
    return out;
  }

  /** Feedback indices matching filter and order (cached per query shape and clock). */
  private matches(args: Rec, nowS: number): number[] {
    const cacheKey = JSON.stringify([args.filter ?? null, args.orderBy ?? null, nowS]);
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const n = this.world.count(nowS);
    const test = args.filter ? this.filter(args.filter) : undefined;
    let out: number[] = [];
    for (let i = 0; i < n; i++) if (!test || test(this.world.values(i))) out.push(i);
    const orders =
      args.orderBy === undefined || args.orderBy === null
        ? []
        : Array.isArray(args.orderBy)
          ? args.orderBy
          : [args.orderBy];
    if (orders.length > 0) {
      const specs = orders.map((o) => {
        const { fieldId, direction } = (o ?? {}) as Rec;
        const fd = this.fieldDef(fieldId);
        if (!fd.sortable)
          throw new GraphqlError(`Field "${fd.id}" is not sortable.`, { code: 'BAD_USER_INPUT' });
        return { id: fd.id, numeric: fd.dataType === 'INT', desc: direction === 'DESC' };
      });
      const vals = new Map(out.map((i) => [i, this.world.values(i)]));
      out = [...out].sort((a, b) => {
        for (const s of specs) {
          const x = vals.get(a)![s.id]?.[0] ?? '';
          const y = vals.get(b)![s.id]?.[0] ?? '';
          const d = s.numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
          if (d !== 0) return s.desc ? -d : d;
        }
        return a - b;
      });
    }
    if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, out);
    return out;
  }

  private filter(spec: unknown): (v: Record<string, string[]>) => boolean {
    const f = (spec ?? {}) as Rec;
    if (Array.isArray(f.and)) {
      const parts = f.and.map((x) => this.filter(x));
      return (v) => parts.every((p) => p(v));
    }
    if (Array.isArray(f.or)) {
      const parts = f.or.map((x) => this.filter(x));
      return (v) => parts.some((p) => p(v));
    }
    if (!Array.isArray(f.fieldIds) || f.fieldIds.length === 0)
      throw new GraphqlError('A filter needs "fieldIds" (or "and"/"or").', { code: 'BAD_USER_INPUT' });
    const fds = f.fieldIds.map((id) => this.fieldDef(id));
    for (const fd of fds)
      if (!fd.filterable)
        throw new GraphqlError(`Field "${fd.id}" is not filterable.`, { code: 'BAD_USER_INPUT' });
    const cmp = (a: string, b: unknown, numeric: boolean) =>
      numeric ? Number(a) - Number(b) : a < String(b) ? -1 : a > String(b) ? 1 : 0;
    return (v) =>
      fds.some((fd) => {
        const a = v[fd.id]?.[0];
        if (a === undefined) return false;
        const num = fd.dataType === 'INT';
        if (f.gt !== undefined && !(cmp(a, f.gt, num) > 0)) return false;
        if (f.gte !== undefined && !(cmp(a, f.gte, num) >= 0)) return false;
        if (f.lt !== undefined && !(cmp(a, f.lt, num) < 0)) return false;
        if (f.lte !== undefined && !(cmp(a, f.lte, num) <= 0)) return false;
        if (f.in !== undefined && !(Array.isArray(f.in) && f.in.map(String).includes(a))) return false;
        return true;
      });
  }
}
