/**
 * The L1 handler: which configs run (all of a platform, or one CONFIG_ID), with the LOAD_TYPE
 * override applied, at bounded parallelism. One config failing never stops the others: an
 * invalid config fails alone (status, history row, error naming file, field and fix) while the
 * valid ones run. Selecting nothing is an error, never a silent success: a misspelt platform
 * lists the platforms the project has.
 */
import {
  type ConfigStore,
  configError,
  type InvalidConfig,
  type L1Config,
  withLoadType,
} from '../config/index.js';
import { closest } from '../config/suggest.js';
import { errorMessage, FloeError } from '../errors.js';
import { redact } from '../util/redact.js';
import { type L1Deps, type L1Result, type L1RunContext, syncL1Config } from './sync-config.js';

export interface L1HandlerOptions {
  readonly platform?: string;
  readonly configId?: string;
  readonly parallelism?: number;
}

export async function runL1(
  configs: ConfigStore,
  opts: L1HandlerOptions,
  ctx: L1RunContext,
  deps: L1Deps,
): Promise<L1Result[]> {
  const { selected, invalid } = await select(configs, opts);
  const results: L1Result[] = [];
  for (const bad of invalid) results.push(await failInvalid(bad, ctx, deps));
  const out: L1Result[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= selected.length) return;
      const base = selected[i]!;
      if (deps.signal?.aborted) {
        out[i] = await notStarted(base, ctx, deps);
        continue;
      }
      try {
        const lock = await deps.lockConfig?.('L1', base.configId);
        try {
          out[i] = await syncL1Config(withLoadType(base, ctx.loadType), ctx, deps);
        } finally {
          await lock?.release();
        }
      } catch (e) {
        // syncL1Config reports its own failures; this catches config-level ones (LOAD_TYPE override).
        out[i] = {
          configId: base.configId,
          processType: 'L1',
          status: 'FAILED',
          records: 0,
          error: redact(errorMessage(e)),
          durationMs: 0,
        };
      }
    }
  };
  const n = Math.max(1, Math.min(opts.parallelism ?? 4, selected.length));
  await Promise.all(Array.from({ length: n }, worker));
  return [...results, ...out];
}

async function select(
  configs: ConfigStore,
  opts: L1HandlerOptions,
): Promise<{ selected: L1Config[]; invalid: InvalidConfig[] }> {
  const enabled = (c: L1Config) => (c as { enabled?: boolean }).enabled !== false;
  if (opts.configId) {
    try {
      return { selected: [await configs.getL1(opts.configId)], invalid: [] };
    } catch (e) {
      if (!(e instanceof FloeError) || e.kind !== 'config-invalid') throw e;
      // The one config asked for is invalid: it fails (recorded), as a run of it would.
      return {
        selected: [],
        invalid: [
          {
            configId: opts.configId,
            hasId: true,
            file: String(e.context.file ?? ''),
            // The message already names the config and every problem.
            problems: [{ field: '', message: e.message, severity: 'error' }],
          },
        ],
      };
    }
  }
  const s = await configs.selectL1(opts.platform);
  if (s.configs.length === 0 && s.invalid.length === 0) throw nothingSelected(opts.platform, s.platforms);
  return { selected: s.configs.filter(enabled), invalid: s.invalid };
}

function nothingSelected(platform: string | undefined, platforms: Record<string, number>): FloeError {
  const have = Object.entries(platforms)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, n]) => `${p} (${n} config${n === 1 ? '' : 's'})`);
  if (platform === undefined) {
    return new FloeError(
      'not-found',
      'the project has no L1 configs: nothing to run. Fix: create one for your API with `floe config new l1 --name <Name> --url <endpoint URL>` (it probes the endpoint and writes configs/l1/<name>.yaml), or start from a connector pack with `floe init --platform <name>`; docs/getting-started.md walks through it',
    );
  }
  const meant = closest(platform, Object.keys(platforms));
  return new FloeError(
    'not-found',
    `no L1 config has platform "${platform}"${meant ? ` (did you mean ${meant}?)` : ''}; ` +
      (have.length ? `the project has: ${have.join(', ')}` : 'the project has no L1 configs') +
      '. Fix: pass SAAS_PLATFORM as one of those, or add configs with that platform under configs/l1',
    { context: { platform } },
  );
}

/** Records an invalid config's failure like any other: state, history row, result. */
async function failInvalid(bad: InvalidConfig, ctx: L1RunContext, deps: L1Deps): Promise<L1Result> {
  const error = bad.problems.length
    ? redact(configError(bad.problems).message)
    : redact(`config ${bad.configId} is invalid (see \`floe config validate\`)`);
  const message = `${error}${bad.file ? ` [${bad.file}]` : ''}`;
  deps.logger.child({ configId: bad.configId }).error(`invalid config, not run: ${message}`);
  if (bad.hasId) {
    await deps.state.update('L1', bad.configId, { status: 'FAILED', lastError: message }).catch(() => {});
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
        processType: 'L1',
        durationMs: 0,
      })
      .catch(() => {});
  }
  return {
    configId: bad.configId,
    processType: 'L1',
    status: 'FAILED',
    records: 0,
    error: message,
    durationMs: 0,
  };
}

/** A config the run never started because it was stopped first: in history and the report, state untouched. */
async function notStarted(config: L1Config, ctx: L1RunContext, deps: L1Deps): Promise<L1Result> {
  const table = `${config.destination.namespace}.${config.destination.tableName}`;
  const error = 'not started: the run was stopped before this config began; nothing changed';
  await deps.history
    .record({
      configId: config.configId,
      'job-id': ctx.jobId,
      load_type: ctx.loadType ?? config.destination.loadType,
      loadTimestamp: new Date().toISOString(),
      snapshot_id: '',
      error,
      lastRunStatus: 'INTERRUPTED',
      totalRecordsProcessed: 0,
      runId: ctx.runId,
      processType: 'L1',
      durationMs: 0,
      table,
    })
    .catch(() => {});
  return {
    configId: config.configId,
    processType: 'L1',
    status: 'INTERRUPTED',
    records: 0,
    error,
    durationMs: 0,
    table,
  };
}
