/**
 * `floe run`: the job, with the seed's Glue-style parameters verbatim (`--SAAS_PLATFORM wrike
 * --PROCESS_TYPE L1 …`) or friendly flags (`--platform wrike --process-type L1 …`). Shows
 * progress on a terminal and a summary table at the end; exits non-zero if any config failed.
 */
import type { Command } from 'commander';
import { JOB_PARAMS, parseJobParams } from '../../config/job-params.js';
import { FloeError } from '../../errors.js';
import { type DryRunOutcome, dryRunJob } from '../../job/dry-run.js';
import { runJob } from '../../job/run-job.js';
import { EXIT_CODES, stopOnSignals } from '../../job/shutdown.js';
import type { L1Progress } from '../../l1/sync-config.js';
import { formatTable, isTerminal, printLine, printRows } from '../output.js';
import { l2DryRunLines, previewLines } from '../preview-output.js';
import { previewOk } from './source.js';

/** `floe run --help`: run takes Glue-style job parameters, which commander cannot describe. */
export const RUN_HELP: readonly string[] = [
  'usage: floe run [--PARAM value …] (Glue style) or [--param-name value …]',
  `parameters: ${JOB_PARAMS.join(', ')}`,
  'friendly flags: --platform, --process-type, --config-id, --load-type, --custom-configs, --project',
  'dry run: --dry-run (or --DRY_RUN true) previews every selected config and writes nothing: L1 fetches --pages <n> pages (default 1) and shows requests, records, inferred schema and what it would write; L2 lists what it would read and write',
  'run control: --wait-for-lock <seconds> (wait for another run of the project; default: fail at once; env FLOE_LOCK_WAIT_SECONDS)',
  'stopping: SIGTERM/SIGINT stop in order within FLOE_STOP_GRACE_MS (default 20000); a second signal exits at once',
  'env: AWS_REGION, CUSTOMER_ENVIRONMENT, CUSTOMER_NOTIFIER_LAMBDA, CUSTOMER_NOTIFICATION_TO',
];

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('run the job: L1 (staging) and/or L2 (processing), as PROCESS_TYPE says')
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[parameters...]')
    .action(async (args: string[]) => {
      if (args.includes('--help') || args.includes('-h')) {
        for (const line of RUN_HELP) printLine(line);
        return;
      }
      const { rest: afterDryRun, dryRun, pages } = takeDryRun(args);
      const { rest, waitMs } = takeWaitForLock(afterDryRun, process.env);
      const params = parseJobParams(rest, process.env);
      if (dryRun) {
        const outcome = await dryRunJob(params, { pages });
        if (!printDryRun(outcome)) process.exitCode = 1;
        return;
      }
      // SIGTERM/SIGINT stop the run in order (shutdown.ts); only this layer may end the process.
      const stop = stopOnSignals({ exit: (code) => process.exit(code) });
      try {
        const outcome = await runJob(params, {
          onProgress: progressPrinter(),
          signal: stop.signal,
          ...(waitMs ? { waitForLockMs: waitMs } : {}),
        });
        printSummary(outcome.results, outcome.unavailable, outcome.reportPath);
        const sig = stop.received();
        if (sig) process.exitCode = EXIT_CODES[sig as 'SIGINT' | 'SIGTERM'] ?? 1;
        else if (!outcome.ok) process.exitCode = 1;
      } finally {
        stop.dispose();
      }
    });
}

/** `--wait-for-lock <seconds>` (or FLOE_LOCK_WAIT_SECONDS): run control, not a job parameter. */
function takeWaitForLock(args: string[], env: NodeJS.ProcessEnv): { rest: string[]; waitMs: number } {
  const rest: string[] = [];
  let value: string | undefined = env.FLOE_LOCK_WAIT_SECONDS;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--wait-for-lock') value = args[++i];
    else if (a.startsWith('--wait-for-lock=')) value = a.slice('--wait-for-lock='.length);
    else rest.push(a);
  }
  if (value === undefined || value === '') return { rest, waitMs: 0 };
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new FloeError(
      'config-invalid',
      `--wait-for-lock must be a number of seconds, got ${JSON.stringify(value)} (fix: e.g. --wait-for-lock 600)`,
    );
  return { rest, waitMs: seconds * 1000 };
}

/**
 * `--dry-run` (`--dry-run true|false`, `--dry-run=…`; the Glue spelling `--DRY_RUN true`) and
 * `--pages <n>`: run control, not job parameters.
 */
function takeDryRun(args: string[]): { rest: string[]; dryRun: boolean; pages: number } {
  const rest: string[] = [];
  let dryRun = false;
  let pages: string | undefined;
  const bool = (name: string, v: string): boolean => {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '') return true;
    if (t === 'false') return false;
    throw new FloeError(
      'config-invalid',
      `${name} takes true or false, got ${JSON.stringify(v)} (fix: --dry-run alone, or --DRY_RUN true)`,
    );
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--(dry-run|DRY_RUN)(?:=(.*))?$/i.exec(a);
    if (m) {
      const next = args[i + 1];
      if (m[2] !== undefined) dryRun = bool(a, m[2]);
      else if (next !== undefined && /^(true|false)$/i.test(next)) dryRun = bool(a, args[++i]!);
      else dryRun = true;
    } else if (a === '--pages') pages = args[++i];
    else if (a.startsWith('--pages=')) pages = a.slice('--pages='.length);
    else rest.push(a);
  }
  if (pages !== undefined && !dryRun)
    throw new FloeError('config-invalid', '--pages applies to a dry run only (fix: add --dry-run)');
  const n = pages === undefined ? 1 : Number(pages);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new FloeError(
      'config-invalid',
      `--pages must be a whole number of pages, at least 1, got ${JSON.stringify(pages)} (fix: e.g. --pages 2)`,
    );
  return { rest, dryRun, pages: n };
}

/** Prints a dry run; false when a run would fail some config. */
function printDryRun(outcome: DryRunOutcome): boolean {
  let ok = true;
  for (const bad of outcome.invalid) {
    printLine(`config ${bad.configId} (L1): invalid, a run fails it: ${bad.error}`);
    printLine('');
    ok = false;
  }
  for (const p of outcome.l1) {
    for (const line of previewLines(p)) printLine(line);
    printLine('');
    if (!previewOk(p)) ok = false;
  }
  for (const c of outcome.l2) {
    for (const line of l2DryRunLines(c)) printLine(line);
    printLine('');
  }
  printLine(
    `dry run: ${outcome.l1.length} L1 config(s) previewed, ${outcome.l2.length} L2 config(s) listed${outcome.invalid.length ? `, ${outcome.invalid.length} invalid` : ''}; nothing was written`,
  );
  return ok;
}

/** One status line per config on a terminal, redrawn in place; nothing when piped (logs say it). */
export function progressPrinter(): ((p: L1Progress) => void) | undefined {
  if (!isTerminal()) return undefined;
  const state = new Map<string, L1Progress>();
  let last = 0;
  return (p) => {
    state.set(p.configId, p);
    const now = Date.now();
    if (now - last < 200 && p.phase === 'fetching') return;
    last = now;
    const parts = [...state.values()]
      .filter((x) => x.phase === 'fetching' || x.phase === 'writing')
      .map(
        (x) =>
          `${x.configId} ${x.phase} ${x.records} rec (${Math.round(x.records / Math.max(0.001, x.elapsedMs / 1000))}/s)`,
      );
    process.stderr.write(`\r\x1b[K${parts.join(' │ ').slice(0, (process.stderr.columns ?? 120) - 1)}`);
    if (p.phase === 'done' || p.phase === 'failed') process.stderr.write('\r\x1b[K');
  };
}

export function printSummary(
  results: readonly {
    configId: string;
    processType: string;
    status: string;
    records: number;
    snapshotId?: string;
    durationMs: number;
    error?: string;
    table?: string;
    warnings?: number;
  }[],
  unavailable: readonly string[],
  reportPath?: string,
): void {
  const rows = results.map((r) => ({
    config: r.configId,
    layer: r.processType,
    status: r.status,
    records: r.records,
    snapshot_id: r.snapshotId ?? '',
    duration: `${(r.durationMs / 1000).toFixed(1)}s`,
    warnings: r.warnings ?? 0,
    table: r.table ?? '',
  }));
  if (isTerminal()) {
    printLine();
    printLine(
      formatTable(
        rows,
        ['config', 'layer', 'status', 'records', 'snapshot_id', 'duration', 'warnings', 'table'],
        60,
      ),
    );
    for (const r of results) if (r.error) printLine(`✗ ${r.configId}: ${r.error}`);
    const warned = results.filter((r) => (r.warnings ?? 0) > 0);
    if (warned.length)
      printLine(
        `! ${warned.map((r) => `${r.configId} (${r.warnings})`).join(', ')}: schema warnings; see the run log (lines "schema: column …")`,
      );
    for (const u of unavailable)
      printLine(`! ${u} is not available yet in this version of floe; it was skipped`);
    if (reportPath) printLine(`report: ${reportPath}`);
  } else {
    printRows(results.map((r) => ({ ...r })));
    for (const u of unavailable)
      printRows([
        {
          processType: u,
          status: 'NOT_AVAILABLE',
          error: `${u} is not available yet in this version of floe`,
        },
      ]);
  }
}
