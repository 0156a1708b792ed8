/**
 * L2 processing on small hand-made source tables: parsers registered in floe.yaml (SQL and
 * TypeScript), primary-key validation (duplicates and nulls fail the run naming the keys, with
 * nothing committed and every position where it was, or are resolved by a declared rule),
 * dropExtraColumns, incremental reads by column and by snapshot (a late row), and the errors a
 * config can run into (unknown parser, output not matching the declared schema, a missing source).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldInput } from '../../src/iceberg/index.js';
import { type L2TestProject, l2Config, l2Project, l2Result } from '../support/l2-project.js';

const SRC_FIELDS: FieldInput[] = [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
  { name: 'version', type: 'long' },
  { name: 'ingest_timestamp', type: 'timestamptz' },
];

/** Rows id from..to: name n<id>, version = id, ingested at the given time. */
function rows(from: number, to: number, at = '2024-01-01T00:00:00Z'): string {
  return `SELECT i::BIGINT AS id, 'n' || i AS name, i::BIGINT AS version, TIMESTAMPTZ '${at}' AS ingest_timestamp FROM range(${from}, ${to + 1}) t(i)`;
}

const FLOE_YAML = `parsers:
  - sql: parsers/people.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string, version: long }
  - sql: parsers/narrow.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string }
  - sql: parsers/doubled.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string, version: long }
  - sql: parsers/versions.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string, version: long }
  - sql: parsers/null_keys.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string }
  - sql: parsers/wrong_type.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string, version: long }
  - sql: parsers/camel.sql
    sources: [src]
    primaryKey: [personId]
    schema: { personId: long, displayName: string }
  - sql: parsers/latest.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string, version: long }
  - module: parsers/upper.ts
`;

let p: L2TestProject;
beforeAll(async () => {
  p = await l2Project(FLOE_YAML);
  p.file('parsers/people.sql', '-- every row\nSELECT id, name, version FROM src;\n');
  p.file('parsers/narrow.sql', 'SELECT id, name FROM src');
  p.file(
    'parsers/doubled.sql',
    'SELECT id, name, version FROM src UNION ALL SELECT id, name, version FROM src',
  );
  p.file(
    'parsers/versions.sql',
    "SELECT id, name, version FROM src UNION ALL SELECT id, name || ' (old)', version - 1 FROM src WHERE id <= 2",
  );
  p.file('parsers/null_keys.sql', 'SELECT CASE WHEN id IN (3, 4) THEN NULL ELSE id END AS id, name FROM src');
  p.file('parsers/wrong_type.sql', "SELECT id, name, 'v' || version AS version, 1 AS surplus FROM src");
  p.file('parsers/camel.sql', 'SELECT id AS personId, name AS displayName FROM src');
  p.file(
    'parsers/latest.sql',
    'SELECT id, arg_max(name, ingest_timestamp) AS name, max(version) AS version FROM src GROUP BY id',
  );
  p.file(
    'parsers/upper.ts',
    `// A TypeScript parser: prepares an intermediate table, then returns its SELECT.
interface Ctx {
  source(name: string): string;
  all(name: string): string;
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
}
export default {
  name: 'upper_names',
  sources: ['src'],
  primaryKey: ['id'],
  schema: { id: 'long', name_upper: 'string', total: 'long' },
  async transform(ctx: Ctx): Promise<string> {
    await ctx.run(\`CREATE TEMP TABLE upper_t AS SELECT id, upper(name) AS n FROM \${ctx.source('src')}\`);
    const [{ total }] = await ctx.query(\`SELECT count(*)::BIGINT AS total FROM \${ctx.all('src')}\`);
    return \`SELECT id, n AS name_upper, \${Number(total)}::BIGINT AS total FROM upper_t\`;
  },
};
`,
  );
  await p.seed('raw.src', SRC_FIELDS, rows(1, 5));
});
afterAll(() => p?.cleanup());

async function ids(table: string): Promise<number[]> {
  return (await (await p.table(table)).scan().toRows())
    .map((r) => Number(r.id ?? r.person_id))
    .sort((a, b) => a - b);
}

describe('parsers registered in floe.yaml', () => {
  it('runs a SQL parser and a TypeScript parser over the source tables', async () => {
    p.config(
      l2Config({
        configId: 'people',
        parser: 'people',
        sources: { src: 'raw.src' },
        destination: 'out.people',
      }),
    );
    p.config(
      l2Config({
        configId: 'upper',
        parser: 'upper_names',
        sources: { src: 'raw.src' },
        destination: 'out.upper',
      }),
    );
    const a = await p.run(['--config-id', 'people']);
    expect(l2Result(a, 'people')).toMatchObject({ status: 'SUCCESS', records: 5 });
    const t = await p.table('out.people');
    expect(t.schema().fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'long'],
      ['name', 'string'],
      ['version', 'long'],
      ['ingest_timestamp', 'timestamptz'],
      ['ingest_run_id', 'string'],
    ]);
    const people = await t.scan().toRows();
    expect(people.every((r) => r.ingest_run_id === a.runId)).toBe(true);
    const b = await p.run(['--config-id', 'upper']);
    expect(l2Result(b, 'upper').status).toBe('SUCCESS');
    const upper = await (await p.table('out.upper')).scan({ select: ['id', 'name_upper', 'total'] }).toRows();
    expect(upper.sort((x, y) => Number(x.id) - Number(y.id))[0]).toEqual({
      id: 1n,
      name_upper: 'N1',
      total: 5n,
    });
  });

  it('applies the column naming to the output and the configured key (snake_case by default)', async () => {
    p.config(
      l2Config({
        configId: 'camel',
        parser: 'camel',
        sources: { src: 'raw.src' },
        destination: 'out.camel',
        writeMode: 'MERGE',
        primaryKey: ['personId'],
      }),
    );
    expect(l2Result(await p.run(['--config-id', 'camel']), 'camel').status).toBe('SUCCESS');
    expect(
      (await p.table('out.camel'))
        .schema()
        .fields.map((f) => f.name)
        .slice(0, 2),
    ).toEqual(['person_id', 'display_name']);
  });
});

describe('primary-key validation', () => {
  it('duplicate keys fail the run listing them: nothing committed, FAILED, history written, positions unchanged', async () => {
    await p.seed('raw.inc', SRC_FIELDS, rows(1, 3, '2024-01-01T00:00:00Z'));
    const config = (parser: string) =>
      l2Config({
        configId: 'dup',
        parser,
        sources: {
          src: { table: 'raw.inc', fetchMode: 'INCREMENTAL', incrementalColumn: 'ingest_timestamp' },
        },
        destination: 'out.dup',
        loadType: 'INCREMENTAL',
        writeMode: 'MERGE',
      });
    p.config(config('people'));
    const ok = await p.run(['--config-id', 'dup']);
    expect(l2Result(ok, 'dup').status).toBe('SUCCESS');
    const before = {
      snapshot: (await p.table('out.dup')).currentSnapshot()!['snapshot-id'],
      state: await p.state('dup'),
    };
    expect(before.state?.sources.src?.lastSuccessfulFetchTime).toBe('2024-01-01T00:00:00.000000Z');

    await p.seed('raw.inc', SRC_FIELDS, rows(4, 6, '2024-01-02T00:00:00Z'));
    p.config(config('doubled'));
    const bad = await p.run(['--config-id', 'dup']);
    const r = l2Result(bad, 'dup');
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('3 key(s) occur more than once');
    expect(r.error).toContain('{"id":"4"} ×2, {"id":"5"} ×2, {"id":"6"} ×2');
    expect(r.error).toContain('destination.duplicateKeys');
    expect((await p.table('out.dup')).currentSnapshot()!['snapshot-id']).toBe(before.snapshot);
    const after = await p.state('dup');
    expect(after?.status).toBe('FAILED');
    expect(after?.sources).toEqual(before.state?.sources);
    const history = await p.history('dup');
    expect(history[0]).toMatchObject({ lastRunStatus: 'FAILED', snapshot_id: '', runId: bad.runId });
    expect(history[0]!.error).toContain('{"id":"4"} ×2');

    // Fixed, the next run reads from the same position: the rows the failed run did not write.
    p.config(config('people'));
    const fixed = await p.run(['--config-id', 'dup']);
    expect(l2Result(fixed, 'dup')).toMatchObject({ status: 'SUCCESS', records: 3 });
    expect(await ids('out.dup')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('null keys fail the run listing them, and no table is created', async () => {
    p.config(
      l2Config({
        configId: 'nulls',
        parser: 'null_keys',
        sources: { src: 'raw.src' },
        destination: 'out.nulls',
      }),
    );
    const r = l2Result(await p.run(['--config-id', 'nulls']), 'nulls');
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('2 row(s) have a null primary key');
    expect(await p.catalog((c) => c.tableExists({ namespace: ['out'], name: 'nulls' }))).toBe(false);
  });

  it('duplicateKeys resolves duplicates by its rule, and a tie still fails', async () => {
    const config = (parser: string) =>
      l2Config({
        configId: 'resolve',
        parser,
        sources: { src: 'raw.src' },
        destination: 'out.resolve',
        destinationExtra: { duplicateKeys: { keep: 'LATEST', orderBy: 'version' } },
      });
    p.config(config('versions'));
    const ok = l2Result(await p.run(['--config-id', 'resolve']), 'resolve');
    expect(ok).toMatchObject({ status: 'SUCCESS', records: 5 });
    const names = (await (await p.table('out.resolve')).scan().toRows()).map((r) => r.name).sort();
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    p.config(config('doubled'));
    const tie = l2Result(await p.run(['--config-id', 'resolve']), 'resolve');
    expect(tie.status).toBe('FAILED');
    expect(tie.error).toContain('have several rows with the same version');
  });
});

describe('destination', () => {
  it('dropExtraColumns false keeps a column the parser no longer produces; true drops it', async () => {
    const config = (parser: string, drop: boolean) =>
      l2Config({
        configId: 'extra',
        parser,
        sources: { src: 'raw.src' },
        destination: 'out.extra',
        destinationExtra: { dropExtraColumns: drop },
      });
    p.config(config('people', false));
    await p.run(['--config-id', 'extra']);
    p.config(config('narrow', false));
    expect(l2Result(await p.run(['--config-id', 'extra']), 'extra').status).toBe('SUCCESS');
    let t = await p.table('out.extra');
    expect(t.schema().fields.map((f) => f.name)).toContain('version');
    expect((await t.scan().toRows()).every((r) => r.version === null)).toBe(true);
    p.config(config('narrow', true));
    expect(l2Result(await p.run(['--config-id', 'extra']), 'extra').status).toBe('SUCCESS');
    t = await p.table('out.extra');
    expect(t.schema().fields.map((f) => f.name)).toEqual(['id', 'name', 'ingest_timestamp', 'ingest_run_id']);
    expect(await ids('out.extra')).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('incremental reads', () => {
  it('by column: reads rows above the greatest value read so far, which a late row below it escapes; by snapshot nothing escapes', async () => {
    await p.seed('raw.late', SRC_FIELDS, rows(1, 2, '2024-03-01T00:00:00Z'));
    const config = (id: string, by: 'COLUMN' | 'SNAPSHOT') =>
      l2Config({
        configId: id,
        parser: 'people',
        sources: {
          src: {
            table: 'raw.late',
            fetchMode: 'INCREMENTAL',
            incrementalColumn: 'ingest_timestamp',
            incrementalBy: by,
          },
        },
        destination: `out.${id}`,
        loadType: 'INCREMENTAL',
        writeMode: 'MERGE',
      });
    p.config(config('by_column', 'COLUMN'));
    p.config(config('by_snapshot', 'SNAPSHOT'));
    await p.run(['--config-id', 'by_column']);
    await p.run(['--config-id', 'by_snapshot']);
    // The cursor is the greatest value read, not the time of the run.
    expect((await p.state('by_column'))?.sources.src?.lastSuccessfulFetchTime).toBe(
      '2024-03-01T00:00:00.000000Z',
    );
    // A newer row, and a row committed late with an older value.
    await p.seed('raw.late', SRC_FIELDS, rows(3, 3, '2024-03-02T00:00:00Z'));
    await p.seed('raw.late', SRC_FIELDS, rows(4, 4, '2024-02-15T00:00:00Z'));
    const col = l2Result(await p.run(['--config-id', 'by_column']), 'by_column');
    const snap = l2Result(await p.run(['--config-id', 'by_snapshot']), 'by_snapshot');
    expect(col.sources?.[0]).toMatchObject({ mode: 'COLUMN', rows: 1 });
    expect(snap.sources?.[0]).toMatchObject({ mode: 'SNAPSHOT', rows: 2 });
    expect(await ids('out.by_column')).toEqual([1, 2, 3]);
    expect(await ids('out.by_snapshot')).toEqual([1, 2, 3, 4]);
    const s = await p.state('by_snapshot');
    expect(s?.sources.src?.lastSnapshotId).toBe(
      String((await p.table('raw.late')).currentSnapshot()!['snapshot-id']),
    );
    expect(s?.sources.src?.lastSuccessfulFetchTime).toBe('2024-03-02T00:00:00.000000Z');
  });
});

describe('config errors', () => {
  it('an unknown parserName fails the config listing the known parsers', async () => {
    p.config(
      l2Config({ configId: 'unknown', parser: 'peeple', sources: { src: 'raw.src' }, destination: 'out.u' }),
    );
    const r = l2Result(await p.run(['--config-id', 'unknown']), 'unknown');
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('parserName "peeple" is not a registered parser (did you mean people?)');
    expect(r.error).toMatch(
      /known parsers: .*camel.*people.*project_parser.*task_parser.*timelog_daily_parser.*upper_names/,
    );
  });

  it('output that does not match the declared schema fails naming the columns', async () => {
    p.config(
      l2Config({
        configId: 'types',
        parser: 'wrong_type',
        sources: { src: 'raw.src' },
        destination: 'out.t',
      }),
    );
    const r = l2Result(await p.run(['--config-id', 'types']), 'types');
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('column "version" is string but its schema declares long');
    expect(r.error).toContain('it produces column "surplus", which its schema does not declare');
  });

  it('a missing source table, or a source the parser needs that the config lacks, fails naming it', async () => {
    p.config(
      l2Config({ configId: 'missing', parser: 'people', sources: { src: 'raw.nope' }, destination: 'out.m' }),
    );
    const a = l2Result(await p.run(['--config-id', 'missing']), 'missing');
    expect(a.error).toContain('source "src" reads table raw.nope, which does not exist');
    p.config(
      l2Config({ configId: 'lacks', parser: 'people', sources: { other: 'raw.src' }, destination: 'out.l' }),
    );
    const b = l2Result(await p.run(['--config-id', 'lacks']), 'lacks');
    expect(b.error).toContain("parser people reads source(s) src, which the config's source section lacks");
  });

  it('an invalid L2 config fails alone; the others run; the report follows onSuccess/onFailure', async () => {
    p.file(
      'configs/l2/broken.json',
      JSON.stringify({ configId: 'broken', parserName: 'people', source: {}, destination: {} }),
    );
    p.config(
      l2Config({
        configId: 'quiet_success',
        parser: 'people',
        sources: { src: 'raw.src' },
        destination: 'out.quiet',
        extra: { notifications: { onSuccess: false, onFailure: true } },
      }),
    );
    p.config(
      l2Config({
        configId: 'quiet_failure',
        parser: 'peeple',
        sources: { src: 'raw.src' },
        destination: 'out.quiet2',
        extra: { notifications: { onSuccess: true, onFailure: false } },
      }),
    );
    const out = await p.run();
    const broken = l2Result(out, 'broken');
    expect(broken.status).toBe('FAILED');
    expect(broken.error).toMatch(/destination\.glueDatabase/);
    expect(l2Result(out, 'people').status).toBe('SUCCESS');
    expect(l2Result(out, 'quiet_success').status).toBe('SUCCESS');
    expect(l2Result(out, 'quiet_failure').status).toBe('FAILED');
    // The run's report (the notification) lists the configs whose notifications ask for it.
    const report = readFileSync(out.reportPath!, 'utf8');
    expect(report).toContain('>broken<');
    expect(report).toContain('>people<');
    expect(report).not.toContain('quiet_success');
    expect(report).not.toContain('quiet_failure');
  });
});

describe('destination.maintenance.afterRun on an L2 table', () => {
  it('after each MERGE that replaced rows, deletes are applied and files merged; the rows are exact', async () => {
    await p.seed('raw.m', SRC_FIELDS, rows(1, 40));
    p.config(
      l2Config({
        configId: 'maintained',
        parser: 'latest',
        sources: { src: 'raw.m' },
        destination: 'out.maintained',
        writeMode: 'MERGE',
        primaryKey: ['id'],
        destinationExtra: { maintenance: { afterRun: true, minInputFiles: 2 } },
      }),
    );
    expect(l2Result(await p.run(['--config-id', 'maintained']), 'maintained').status).toBe('SUCCESS');
    for (let round = 1; round <= 3; round++) {
      // Newer versions of some rows, and new rows.
      await p.seed(
        'raw.m',
        SRC_FIELDS,
        `SELECT i::BIGINT AS id, 'v${round}-' || i AS name, (i + ${round * 100})::BIGINT AS version, TIMESTAMPTZ '2024-01-0${round + 1}T00:00:00Z' AS ingest_timestamp FROM range(${round * 10}, ${round * 10 + 15}) t(i)`,
      );
      const r = await p.run(['--config-id', 'maintained']);
      expect(l2Result(r, 'maintained').status).toBe('SUCCESS');
      const t = await p.table('out.maintained');
      expect(t.currentSnapshot()!.summary.operation).toBe('replace');
      const tasks = (await t.scan().plan()).tasks;
      expect(tasks.flatMap((x) => x.deletes)).toEqual([]);
      expect(tasks.length).toBe(1);
      const got = (await t.scan({ select: ['id', 'name'] }).toRows()).map((x) => `${x.id}:${x.name}`).sort();
      const expected = new Map<number, string>();
      for (let i = 1; i <= 40; i++) expected.set(i, `n${i}`);
      for (let k = 1; k <= round; k++)
        for (let i = k * 10; i < k * 10 + 15; i++) expected.set(i, `v${k}-${i}`);
      expect(got).toEqual([...expected].map(([id, name]) => `${id}:${name}`).sort());
    }
  });
});
