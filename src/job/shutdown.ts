/**
 * Stopping a job the way ECS, Batch, Kubernetes and Ctrl-C do: SIGTERM or SIGINT. The first
 * signal aborts the run's AbortSignal: sources stop fetching, DuckDB work in flight is
 * interrupted, no config commits a partial sync, and the configs in flight are recorded as
 * INTERRUPTED (history, state, log, report) before the job returns. If that takes longer than the
 * grace period (ECS allows 30 s before SIGKILL; default 20 s), or a second signal arrives, the
 * process exits at once; what was committed stays committed and the next run finds the rest.
 */
import { interruptAll } from '../duck/session.js';
import { FloeError } from '../errors.js';

export interface ShutdownOptions {
  /** How long the first signal leaves for an orderly stop (default FLOE_STOP_GRACE_MS or 20 s). */
  readonly graceMs?: number;
  /** Ends the process (the CLI passes process.exit; nothing below the command layer exits). */
  readonly exit: (code: number) => void;
  /** Where the notices go (default stderr). */
  readonly notice?: (line: string) => void;
}

export interface Shutdown {
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers (when the job is over). */
  dispose(): void;
}

export const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export function defaultGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.FLOE_STOP_GRACE_MS);
  return Number.isFinite(v) && v >= 0 ? v : 20_000;
}

export function stopOnSignals(opts: ShutdownOptions): Shutdown {
  const ctrl = new AbortController();
  const notice = opts.notice ?? ((l: string) => process.stderr.write(`${l}\n`));
  const graceMs = opts.graceMs ?? defaultGraceMs();
  let got: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = EXIT_CODES[sig as 'SIGINT' | 'SIGTERM'] ?? 1;
    if (got) {
      notice(`floe: second ${sig}: exiting now; the next run cleans up what this one leaves`);
      opts.exit(code);
      return;
    }
    got = sig;
    notice(
      `floe: ${sig} received: stopping (no partial commit; configs in flight are recorded as INTERRUPTED), at most ${Math.round(graceMs / 1000)} s; send it again to exit at once`,
    );
    ctrl.abort(
      new FloeError('interrupted', `the run was stopped by ${sig} before this config finished`, {
        context: { signal: sig },
      }),
    );
    interruptAll();
    const timer = setTimeout(() => {
      notice(`floe: still stopping after ${Math.round(graceMs / 1000)} s: exiting now`);
      opts.exit(code);
    }, graceMs);
    timer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: ctrl.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
