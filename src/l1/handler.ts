/**
 * The L1 handler: which configs run (all of a platform, or one CONFIG_ID), with the LOAD_TYPE
 * override applied, at bounded parallelism. One config failing never stops the others; an
 * invalid config is reported as that config's failure.
 */
import { type ConfigStore, type L1Config, withLoadType } from '../config/index.js';
import { errorMessage } from '../errors.js';
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
  let selected: L1Config[];
  if (opts.configId) selected = [await configs.getL1(opts.configId)];
  else
    selected = (await configs.listL1(opts.platform)).filter(
      (c) => (c as { enabled?: boolean }).enabled !== false,
    );
  const results: L1Result[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= selected.length) return;
      const base = selected[i]!;
      try {
        results[i] = await syncL1Config(withLoadType(base, ctx.loadType), ctx, deps);
      } catch (e) {
        // syncL1Config reports its own failures; this catches config-level ones (LOAD_TYPE override).
        results[i] = {
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
  return results;
}
