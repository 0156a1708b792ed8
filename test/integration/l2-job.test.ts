/**
 * L2 inside the job: in a run of both layers, an L2 config whose source an L1 config failed to
 * update is skipped with the reason (unless runOnSourceFailure), configs reading another config's
 * table run after it, a stop signal records INTERRUPTED with nothing committed, and a state
 * database that lost the L2 positions is reconciled from the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileConfigStore } from '../../src/config/index.js';
import type { FieldInput } from '../../src/iceberg/index.js';
import { runL2 } from '../../src/l2/handler.js';
import { parsersForProject } from '../../src/l2/parsers/project-parsers.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { nullLogger } from '../../src/runtime/structured-logger.js';
import { l1Item, SIM_TOKEN_SECRET } from '../support/l1-project.js';
import { type L2TestProject, l2Config, l2Project, l2Result } from '../support/l2-project.js';

const FIELDS: FieldInput[] = [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
];
const ROWS = `SELECT i::BIGINT AS id, 'n' || i AS name FROM range(1, 4) t(i)`;

const FLOE_YAML = `parallelism: 3
parsers:
  - sql: parsers/copy.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string }
  - sql: parsers/count.sql
    sources: [src]
    primaryKey: [n]
    schema: { n: long }
  - module: parsers/slow.ts
`;

let p: L2TestProject;
beforeAll(async () => {
  p = await l2Project(FLOE_YAML);
  p.file('.floe/secrets.yaml', `${SIM_TOKEN_SECRET}: token\n`);
  p.file('parsers/copy.sql', 'SELECT id, name FROM src');
  p.file('parsers/count.sql', 'SELECT count(*) AS n FROM src');
  p.file(
    'parsers/slow.ts',
    `export default {
  name: 'slow_copy',
  sources: ['src'],
  primaryKey: ['id'],
  schema: { id: 'long', name: 'string' },
  async transform(ctx) {
    await new Promise((r) => setTimeout(r, 1500));
    return \`SELECT id, name FROM \${ctx.source('src')}\`;
  },
};
`,
  );
  await p.seed('wrike_staging.broken', FIELDS, ROWS);
  await p.seed('raw.ok', FIELDS, ROWS);
});
afterAll(() => p?.cleanup());

describe('L2 in the job', () => {
  it('skips an L2 config whose source an L1 config of the run failed to update, unless runOnSourceFailure', async () => {
    // An L1 config whose API is unreachable: it fails, and its table stays as it was.
    const down = l1Item({ baseUrl: 'http://127.0.0.1:9/api/v4' } as never, {
      configId: 'Broken_L1',
      object: 'tasks',
      path: '/tasks',
      table: 'broken',
      writeMode: 'OVERWRITE',
    });
    (down.retryPolicy as Record<string, unknown>).maxAttempts = 1;
    p.file('configs/l1/broken.json', JSON.stringify(down));
    const reads = (configId: string, table: string, extra: Record<string, unknown> = {}) =>
      p.config(
        l2Config({
          configId,
          parser: 'copy',
          sources: { src: table },
          destination: `out.${configId}`,
          extra,
        }),
      );
    reads('stale', 'wrike_staging.broken');
    reads('tolerant', 'wrike_staging.broken', { runOnSourceFailure: true });
    reads('unrelated', 'raw.ok');
    const out = await p.run(['--process-type', 'both', '--platform', 'wrike']);
    expect(out.results.find((r) => r.configId === 'Broken_L1')?.status).toBe('FAILED');
    const stale = l2Result(out, 'stale');
    expect(stale.status).toBe('FAILED');
    expect(stale.error).toContain(
      'skipped: source table(s) wrike_staging.broken (source src: L1 config Broken_L1 (FAILED) failed in this run)',
    );
    expect(stale.error).toContain('runOnSourceFailure: true');
    expect(await p.catalog((c) => c.tableExists({ namespace: ['out'], name: 'stale' }))).toBe(false);
    expect((await p.history('stale'))[0]).toMatchObject({ lastRunStatus: 'FAILED', runId: out.runId });
    expect(l2Result(out, 'tolerant').status).toBe('SUCCESS');
    expect(l2Result(out, 'unrelated').status).toBe('SUCCESS');
    // Run alone (PROCESS_TYPE L2), nothing failed before it: it runs.
    expect(l2Result(await p.run(['--config-id', 'stale']), 'stale').status).toBe('SUCCESS');
    for (const id of ['stale', 'tolerant', 'unrelated']) p.file(`configs/l2/${id}.json`, '[]');
    p.file('configs/l1/broken.json', '[]');
  });

  it('runs a config that reads another config’s table after it', async () => {
    // "a_count" sorts first but reads "z_copy"'s table, so it must wait for it.
    p.config(
      l2Config({ configId: 'z_copy', parser: 'copy', sources: { src: 'raw.ok' }, destination: 'out.z_copy' }),
    );
    p.config(
      l2Config({
        configId: 'a_count',
        parser: 'count',
        sources: { src: 'out.z_copy' },
        destination: 'out.a_count',
      }),
    );
    const out = await p.run();
    expect(l2Result(out, 'z_copy').status).toBe('SUCCESS');
    expect(l2Result(out, 'a_count').status).toBe('SUCCESS');
    const [row] = await (await p.table('out.a_count')).scan({ select: ['n'] }).toRows();
    expect(row).toEqual({ n: 3n });
    p.file('configs/l2/a_count.json', '[]');
    p.file('configs/l2/z_copy.json', '[]');
  });

  it('a stop signal during a config records INTERRUPTED and commits nothing', async () => {
    p.config(
      l2Config({
        configId: 'slow',
        parser: 'slow_copy',
        sources: { src: 'raw.ok' },
        destination: 'out.slow',
      }),
    );
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const out = await p.run(['--config-id', 'slow'], { signal: stop.signal });
    const r = l2Result(out, 'slow');
    expect(r.status).toBe('INTERRUPTED');
    expect(r.error).toContain('nothing of this run was written to out.slow');
    expect(out.interrupted).toBe(true);
    expect(await p.catalog((c) => c.tableExists({ namespace: ['out'], name: 'slow' }))).toBe(false);
    expect((await p.state('slow'))?.status).toBe('INTERRUPTED');
    expect((await p.history('slow'))[0]?.lastRunStatus).toBe('INTERRUPTED');
    // Stopped before it began: not started, recorded, nothing changed.
    const before = new AbortController();
    before.abort();
    const skipped = l2Result(await p.run(['--config-id', 'slow'], { signal: before.signal }), 'slow');
    expect(skipped).toMatchObject({ status: 'INTERRUPTED' });
    expect(skipped.error).toContain('not started');
    p.file('configs/l2/slow.json', '[]');
  });

  it('positions lost from the state are taken from the table: nothing is read twice', async () => {
    await p.seed('raw.grow', FIELDS, ROWS);
    p.config(
      l2Config({
        configId: 'grow',
        parser: 'copy',
        sources: { src: { table: 'raw.grow', fetchMode: 'INCREMENTAL' } },
        destination: 'out.grow',
        loadType: 'INCREMENTAL',
        writeMode: 'MERGE',
      }),
    );
    expect(l2Result(await p.run(['--config-id', 'grow']), 'grow').records).toBe(3);
    const state = new SqliteStateStore(`${p.dir}/.floe/state.db`);
    try {
      await state.update('L2', 'grow', {
        sources: { src: { lastSnapshotId: null, lastSuccessfulFetchTime: null } },
      });
    } finally {
      state.close();
    }
    await p.seed('raw.grow', FIELDS, `SELECT 10::BIGINT AS id, 'n10' AS name`);
    const r = l2Result(await p.run(['--config-id', 'grow']), 'grow');
    expect(r.sources?.[0]).toMatchObject({ mode: 'SNAPSHOT', rows: 1 });
    expect(r.written).toBe(1);
    const snapshot = String((await p.table('raw.grow')).currentSnapshot()!['snapshot-id']);
    expect((await p.state('grow'))?.sources.src?.lastSnapshotId).toBe(snapshot);
  });

  it('takes the profile’s per-config lock around each config; a lock that cannot be taken fails that config alone', async () => {
    p.config(
      l2Config({
        configId: 'locked_a',
        parser: 'copy',
        sources: { src: 'raw.ok' },
        destination: 'out.locked_a',
      }),
    );
    p.config(
      l2Config({
        configId: 'locked_b',
        parser: 'copy',
        sources: { src: 'raw.ok' },
        destination: 'out.locked_b',
      }),
    );
    const events: string[] = [];
    const configs = new FileConfigStore(p.dir);
    const state = new SqliteStateStore(`${p.dir}/.floe/state.db`);
    const history = new SqliteHistoryStore(`${p.dir}/.floe/state.db`);
    try {
      const results = await p.catalog(async (catalog) =>
        runL2(
          configs,
          { parallelism: 1 },
          { runId: 'run-lock-test', jobId: 'run-lock-test', startedAt: new Date() },
          {
            catalog,
            state,
            history,
            logger: nullLogger,
            parsers: await parsersForProject(p.dir),
            lockConfig: async (kind, configId) => {
              if (configId === 'locked_b') throw new Error(`${configId} is locked by another host`);
              events.push(`lock ${kind} ${configId}`);
              return { release: async () => void events.push(`release ${configId}`) };
            },
          },
        ),
      );
      expect(events.filter((e) => e.includes('locked_'))).toEqual(['lock L2 locked_a', 'release locked_a']);
      expect(results.find((r) => r.configId === 'locked_a')?.status).toBe('SUCCESS');
      const b = results.find((r) => r.configId === 'locked_b')!;
      expect(b.status).toBe('FAILED');
      expect(b.error).toContain('locked_b is locked by another host');
    } finally {
      state.close();
      history.close();
      p.file('configs/l2/locked_a.json', '[]');
      p.file('configs/l2/locked_b.json', '[]');
    }
  });
});
