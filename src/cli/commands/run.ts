/**
 * `floe run`: the job, with the seed's Glue-style parameters verbatim (`--SAAS_PLATFORM wrike
 * --PROCESS_TYPE L1 …`) or friendly flags (`--platform wrike --process-type L1 …`). Shows
 * progress on a terminal and a summary table at the end; exits non-zero if any config failed.
 */
import type { Command } from 'commander';
import { JOB_PARAMS, parseJobParams } from '../../config/job-params.js';
import { runJob } from '../../job/run-job.js';
import type { L1Progress } from '../../l1/sync-config.js';
import { formatTable, isTerminal, printLine, printRows } from '../output.js';

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
        printLine('usage: floe run [--PARAM value …] (Glue style) or [--param-name value …]');
        printLine(`parameters: ${JOB_PARAMS.join(', ')}`);
        printLine(
          'friendly flags: --platform, --process-type, --config-id, --load-type, --custom-configs, --project',
        );
        printLine(
          'env: AWS_REGION, CUSTOMER_ENVIRONMENT, CUSTOMER_NOTIFIER_LAMBDA, CUSTOMER_NOTIFICATION_TO',
        );
        return;
      }
      const params = parseJobParams(args, process.env);
      const outcome = await runJob(params, { onProgress: progressPrinter() });
      printSummary(outcome.results, outcome.unavailable, outcome.reportPath);
      if (!outcome.ok) process.exitCode = 1;
    });
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
    table: r.table ?? '',
  }));
  if (isTerminal()) {
    printLine();
    printLine(
      formatTable(rows, ['config', 'layer', 'status', 'records', 'snapshot_id', 'duration', 'table'], 60),
    );
    for (const r of results) if (r.error) printLine(`✗ ${r.configId}: ${r.error}`);
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
