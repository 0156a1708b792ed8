/**
 * A parser's dynamicSchema: output columns only the sources can tell (here one column per row of
 * a lookup table, as a pivot has). They are checked like declared ones, create and evolve the
 * table, show in `floe parsers test`, and a run fails naming the problem when the columns clash
 * with the declared ones, carry a bad type, or are not what the transform produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldInput } from '../../src/iceberg/index.js';
import { tryParser } from '../../src/l2/parser-trial.js';
import { parsersForProject } from '../../src/l2/parsers/project-parsers.js';
import { ParserRegistry } from '../../src/l2/parsers/registry.js';
import { type L2TestProject, l2Config, l2Project, l2Result } from '../support/l2-project.js';

const FLOE_YAML = `parsers:
  - module: parsers/pivot.ts
`;

// A pivot of `facts` (entity, key, value) into one column per key listed in `keys`. Variants
// break one rule each: a column the schema declares already, an unknown type, a column the
// transform does not produce.
const PARSER = `
interface Ctx {
  all(name: string): string;
  ident(name: string): string;
  literal(value: string): string;
  query(sql: string): Promise<Record<string, unknown>[]>;
}
const keys = async (ctx: Ctx) =>
  (await ctx.query(\`SELECT key FROM \${ctx.all('keys')} ORDER BY key\`)).map((r) => String(r.key));
const pivot = (name: string, columns: (ctx: Ctx, k: string[]) => Record<string, string>, produce = (k: string[]) => k) => ({
  name,
  sources: ['facts', 'keys'],
  primaryKey: ['entity'],
  schema: { entity: 'string' },
  dynamicSchema: async (ctx: Ctx) => columns(ctx, await keys(ctx)),
  async transform(ctx: Ctx) {
    const cols = produce(await keys(ctx)).map(
      (k) => \`max(value) FILTER (WHERE key = \${ctx.literal(k)})::BIGINT AS \${ctx.ident(k)}\`,
    );
    return \`SELECT entity\${cols.map((c) => \`, \${c}\`).join('')} FROM \${ctx.all('facts')} GROUP BY entity\`;
  },
});
const longs = (_: Ctx, k: string[]) => Object.fromEntries(k.map((x) => [x, 'long']));
export default [
  pivot('pivot', longs),
  pivot('pivot_clash', (_, k) => ({ ...longs(_, k), entity: 'string' })),
  pivot('pivot_bad_type', (_, k) => ({ ...longs(_, k), extra: 'bigint' })),
  pivot('pivot_missing', longs, (k) => k.slice(1)),
];
`;

const FACTS: FieldInput[] = [
  { name: 'entity', type: 'string' },
  { name: 'key', type: 'string' },
  { name: 'value', type: 'long' },
];
const KEYS: FieldInput[] = [{ name: 'key', type: 'string' }];

let p: L2TestProject;
beforeAll(async () => {
  p = await l2Project(FLOE_YAML);
  p.file('parsers/pivot.ts', PARSER);
  await p.seed(
    'raw.facts',
    FACTS,
    "SELECT * FROM (VALUES ('a', 'height', 10::BIGINT), ('a', 'width', 3::BIGINT), ('b', 'height', 7::BIGINT)) v(entity, key, value)",
  );
  await p.seed('raw.keys', KEYS, "SELECT * FROM (VALUES ('height'), ('width')) v(key)");
});
afterAll(() => p?.cleanup());

const config = (configId: string, parser: string) =>
  l2Config({
    configId,
    parser,
    sources: { facts: 'raw.facts', keys: 'raw.keys' },
    destination: `out.${configId}`,
    primaryKey: ['entity'],
    destinationExtra: { dropExtraColumns: true },
  });

describe('dynamicSchema', () => {
  it('its columns create the table, and a new lookup row becomes a new column on the next run', async () => {
    p.config(config('pivoted', 'pivot'));
    const first = l2Result(await p.run(['--config-id', 'pivoted']), 'pivoted');
    expect(first.status, first.error).toBe('SUCCESS');
    let t = await p.table('out.pivoted');
    expect(t.schema().fields.map((f) => [f.name, f.type])).toEqual([
      ['entity', 'string'],
      ['height', 'long'],
      ['width', 'long'],
      ['ingest_timestamp', 'timestamptz'],
      ['ingest_run_id', 'string'],
    ]);
    const rows = (await t.scan({ select: ['entity', 'height', 'width'] }).toRows()).sort((x, y) =>
      String(x.entity).localeCompare(String(y.entity)),
    );
    expect(rows).toEqual([
      { entity: 'a', height: 10n, width: 3n },
      { entity: 'b', height: 7n, width: null },
    ]);

    await p.seed('raw.facts', FACTS, "SELECT 'b' AS entity, 'depth' AS key, 2::BIGINT AS value");
    await p.seed('raw.keys', KEYS, "SELECT 'depth' AS key");
    const second = l2Result(await p.run(['--config-id', 'pivoted']), 'pivoted');
    expect(second.status, second.error).toBe('SUCCESS');
    t = await p.table('out.pivoted');
    expect(t.schema().fields.map((f) => f.name)).toEqual([
      'entity',
      'height',
      'width',
      'ingest_timestamp',
      'ingest_run_id',
      'depth',
    ]);
    const b = (await t.scan({ select: ['entity', 'depth'] }).toRows()).find((r) => r.entity === 'b');
    expect(b?.depth).toBe(2n);
  });

  it('floe parsers test shows the dynamic columns as declared', async () => {
    const registry = await parsersForProject(p.dir);
    const trial = await p.catalog((catalog) =>
      tryParser({
        catalog,
        parsers: registry,
        parser: 'pivot',
        sources: { facts: 'raw.facts', keys: 'raw.keys' },
      }),
    );
    expect(trial.problems).toEqual([]);
    expect(trial.declared.map((c) => c.name)).toEqual(['entity', 'depth', 'height', 'width']);
  });

  it('a clash with a declared column, an unknown type or a column not produced fails the run, naming it', async () => {
    const cases: [string, RegExp][] = [
      ['pivot_clash', /dynamicSchema returned column "entity", which its schema declares already/],
      ['pivot_bad_type', /parser pivot_bad_type \(dynamicSchema\), column extra: .*unknown type "bigint"/],
      ['pivot_missing', /it declares column "depth" \(long\) but does not produce it/],
    ];
    for (const [parser, error] of cases) {
      p.config(config(parser, parser));
      const r = l2Result(await p.run(['--config-id', parser]), parser);
      expect(r.status, parser).toBe('FAILED');
      expect(r.error, parser).toMatch(error);
      // Nothing was written: not even the table.
      await expect(p.table(`out.${parser}`), parser).rejects.toThrow();
    }
  });

  it('the registry keeps a dynamicSchema and refuses one that is not a function', () => {
    const base = {
      name: 'x',
      sources: ['a'],
      primaryKey: ['id'],
      schema: { id: 'long' },
      transform: () => 'SELECT 1 AS id',
    };
    const from = { kind: 'typescript' as const, from: 'parsers/x.ts' };
    const dynamicSchema = () => ({ y: 'string' });
    expect(new ParserRegistry().register({ ...base, dynamicSchema }, from).dynamicSchema).toBe(dynamicSchema);
    expect(() => new ParserRegistry().register({ ...base, dynamicSchema: 'y' } as never, from)).toThrow(
      /dynamicSchema, when given, must be a function/,
    );
  });
});
