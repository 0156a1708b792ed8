/**
 * The L2 handler (the seed's L2WrikeHandler): which L2 configs run (all of a platform, those
 * naming none, or one CONFIG_ID), in what order, with what parallelism. An invalid config fails
 * alone (status, history row, error naming file, field and fix) while the valid ones run.
 *
 * Order: a config that reads another config's destination table runs after it, and configs
 * writing the same table run one after the other; the rest run in parallel, bounded by the
 * profile's parallelism. A config whose sources were not brought up to date in this run (an L1
 * config writing one of them failed, or the L2 config producing it did) is skipped, with that
 * reason, unless it sets `runOnSourceFailure: true`.
 */
import type { ConfigStore, InvalidConfig, L2Config } from '../config/index.js';
import { configError } from '../config/index.js';
import { errorMessage, FloeError } from '../errors.js';
import { redact } from '../util/redact.js';
import { type L2Deps, type L2Result, type L2RunContext, processL2Config } from './process-config.js';

export interface L2HandlerOptions {
  readonly platform?: string;
  readonly configId?: string;
  readonly parallelism?: number;
  /**
   * The L1 results of this run (PROCESS_TYPE both): tables an L1 config failed to update make the
   * L2 configs reading them skip.
   */
  readonly l1Results?: readonly { configId: string; status: string; table?: string }[];
}

export async function runL2(
  configs: ConfigStore,
  opts: L2HandlerOptions,
  ctx: L2RunContext,
  deps: L2Deps,
): Promise<L2Result[]> {
  const { selected, invalid } = await select(configs, opts);
  const results: L2Result[] = [];
  for (const bad of invalid) results.push(await failInvalid(bad, ctx, deps));
  if (selected.length === 0) {
    if (invalid.length === 0) deps.logger.info('no L2 configs to run');
    return results;
  }
  const order = schedule(selected);
  // Tables this run failed to bring up to date, and which config failed on each.
  const stale = new Map<string, string>();
  for (const r of opts.l1Results ?? [])
    if (r.status !== 'SUCCESS' && r.table) stale.set(r.table, `L1 config ${r.configId} (${r.status})`);
  const out = new Map<string, L2Result>();
  const done = new Set<string>();
  const pending = [...order];
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, opts.parallelism ?? 4);
  while (pending.length > 0 || running.size > 0) {
    const i = pending.findIndex((n) => n.after.every((a) => done.has(a)));
    if (i >= 0 && running.size < limit) {
      const node = pending.splice(i, 1)[0]!;
      const c = node.config;
      const task = (async () => {
        const r = await runOne(c, node.cycle, stale, ctx, deps).catch((e: unknown) =>
          // processL2Config reports its own failures; this catches the lock's.
          notRun(c, ctx, deps, 'FAILED', redact(errorMessage(e))),
        );
        out.set(c.configId, r);
        // What reads this config's table must not run on a table this run failed to update.
        if (r.status !== 'SUCCESS') stale.set(tableOf(c), `L2 config ${c.configId} (${r.status})`);
      })().finally(() => {
        done.add(c.configId);
        running.delete(c.configId);
      });
      running.set(c.configId, task);
      continue;
    }
    // Every pending config waits for a running one (cycles were cut in `schedule`).
    await Promise.race(running.values());
  }
  return [...results, ...order.map((o) => out.get(o.config.configId)!)];
}

async function runOne(
  config: L2Config,
  cycle: string | undefined,
  stale: ReadonlyMap<string, string>,
  ctx: L2RunContext,
  deps: L2Deps,
): Promise<L2Result> {
  if (deps.signal?.aborted)
    return notRun(
      config,
      ctx,
      deps,
      'INTERRUPTED',
      'not started: the run was stopped before this config began; nothing changed',
    );
  if (cycle)
    return notRun(
      config,
      ctx,
      deps,
      'FAILED',
      `configs read each other's tables in a cycle (${cycle}), so none of them can run first. Fix: break the cycle in their source sections`,
    );
  const failedSources = Object.entries(config.source)
    .map(([name, s]) => ({ name, table: `${s.namespace}.${s.tableName}` }))
    .filter((s) => stale.has(s.table));
  if (failedSources.length && !config.runOnSourceFailure)
    return notRun(
      config,
      ctx,
      deps,
      'FAILED',
      `skipped: source table(s) ${failedSources.map((s) => `${s.table} (source ${s.name}: ${stale.get(s.table)} failed in this run)`).join(', ')} were not brought up to date, so this config was not run and nothing changed. ` +
        'Fix the failing config and run again, or set runOnSourceFailure: true to run this config on the tables as they are',
    );
  const lock = await deps.lockConfig?.('L2', config.configId);
  try {
    return await processL2Config(config, ctx, deps);
  } finally {
    await lock?.release();
  }
}

interface Node {
  readonly config: L2Config;
  /** Config ids this one runs after. */
  readonly after: string[];
  /** Set when the config is part of a dependency cycle (a description of it). */
  readonly cycle?: string;
}

const tableOf = (c: L2Config) => `${c.destination.namespace}.${c.destination.tableName}`;

/** Dependencies between configs (see the file comment), in configId order. */
function schedule(configs: readonly L2Config[]): Node[] {
  const sorted = [...configs].sort((a, b) => a.configId.localeCompare(b.configId));
  const after = new Map<string, Set<string>>(sorted.map((c) => [c.configId, new Set()]));
  sorted.forEach((c, i) => {
    const reads = new Set(Object.values(c.source).map((s) => `${s.namespace}.${s.tableName}`));
    sorted.forEach((d, j) => {
      if (c === d) return;
      if (reads.has(tableOf(d))) after.get(c.configId)!.add(d.configId);
      // Writers of one table: one at a time, in configId order.
      else if (tableOf(c) === tableOf(d) && j < i) after.get(c.configId)!.add(d.configId);
    });
  });
  const cyclic = new Map<string, string>();
  for (const c of sorted) {
    const path = findCycle(c.configId, after);
    if (path) cyclic.set(c.configId, path.join(' → '));
  }
  return sorted.map((c) => ({
    config: c,
    after: cyclic.has(c.configId) ? [] : [...after.get(c.configId)!].filter((d) => !cyclic.has(d)),
    ...(cyclic.has(c.configId) ? { cycle: cyclic.get(c.configId)! } : {}),
  }));
}

function findCycle(start: string, after: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (stack.includes(id)) return id === start ? [...stack, id] : undefined;
    stack.push(id);
    for (const d of after.get(id) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    return undefined;
  };
  return visit(start);
}

async function select(
  configs: ConfigStore,
  opts: L2HandlerOptions,
): Promise<{ selected: L2Config[]; invalid: InvalidConfig[] }> {
  const enabled = (c: L2Config) => c.enabled !== false;
  if (opts.configId) {
    try {
      return { selected: [await configs.getL2(opts.configId)], invalid: [] };
    } catch (e) {
      // In a run of both layers, CONFIG_ID may name an L1 config, which the L1 layer ran.
      if (
        e instanceof FloeError &&
        e.kind === 'not-found' &&
        opts.l1Results?.some((r) => r.configId === opts.configId)
      )
        return { selected: [], invalid: [] };
      if (!(e instanceof FloeError) || e.kind !== 'config-invalid') throw e;
      return {
        selected: [],
        invalid: [
          {
            configId: opts.configId,
            hasId: true,
            file: String(e.context.file ?? ''),
            problems: [{ field: '', message: e.message, severity: 'error' }],
          },
        ],
      };
    }
  }
  const s = await configs.selectL2(opts.platform);
  return { selected: s.configs.filter(enabled), invalid: s.invalid };
}

/** Records an invalid config's failure like any other: state, history row, result. */
async function failInvalid(bad: InvalidConfig, ctx: L2RunContext, deps: L2Deps): Promise<L2Result> {
  const error = bad.problems.length
    ? redact(configError(bad.problems).message)
    : redact(`config ${bad.configId} is invalid (see \`floe config validate\`)`);
  const message = `${error}${bad.file ? ` [${bad.file}]` : ''}`;
  deps.logger.child({ configId: bad.configId, layer: 'L2' }).error(`invalid config, not run: ${message}`);
  if (bad.hasId) {
    await deps.state.update('L2', bad.configId, { status: 'FAILED', lastError: message }).catch(() => {});
    await deps.history
      .record({
        configId: bad.configId,
        'job-id': ctx.jobId,
        load_type: ctx.loadType ?? '',
        loadTimestamp: new Date().toISOString(),
        snapshot_id: '',
        error: message,
        lastRunStatus: 'FAILED',
        totalRecordsProcessed: 0,
        runId: ctx.runId,
        processType: 'L2',
        durationMs: 0,
      })
      .catch(() => {});
  }
  return {
    configId: bad.configId,
    processType: 'L2',
    status: 'FAILED',
    records: 0,
    error: message,
    durationMs: 0,
    notify: true,
  };
}

/** A config that was not run (stopped, skipped, in a cycle): history and result, positions untouched. */
async function notRun(
  config: L2Config,
  ctx: L2RunContext,
  deps: L2Deps,
  status: 'FAILED' | 'INTERRUPTED',
  error: string,
): Promise<L2Result> {
  const table = tableOf(config);
  const log = deps.logger.child({ configId: config.configId, layer: 'L2' });
  if (status === 'FAILED') log.error(error);
  else log.warn(error);
  if (status === 'FAILED')
    await deps.state.update('L2', config.configId, { status, lastError: error }).catch(() => {});
  await deps.history
    .record({
      configId: config.configId,
      'job-id': ctx.jobId,
      load_type: ctx.loadType ?? config.loadType,
      loadTimestamp: new Date().toISOString(),
      snapshot_id: '',
      error,
      lastRunStatus: status,
      totalRecordsProcessed: 0,
      runId: ctx.runId,
      processType: 'L2',
      durationMs: 0,
      table,
    })
    .catch(() => {});
  return {
    configId: config.configId,
    processType: 'L2',
    status,
    records: 0,
    error,
    durationMs: 0,
    table,
    loadType: ctx.loadType ?? config.loadType,
    notify: config.notifications.onFailure,
  };
}
