/**
 * The job: parameters → runtime (the embedded local profile; AWS comes with its issue) → L1
 * and/or L2 per PROCESS_TYPE → report → exit status. Adapters are chosen here, once; the
 * layers receive ports.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { FileConfigStore, type JobParams } from '../config/index.js';
import { SqlCatalog } from '../iceberg/index.js';
import { runL1 } from '../l1/handler.js';
import type { L1Progress, L1Result } from '../l1/sync-config.js';
import type { TextStream } from '../runtime/local/console-logger.js';
import { openLocalRuntime } from '../runtime/local/open-local-runtime.js';
import type { ConfigRunResult, RunReport } from '../runtime/ports/notifier.js';
import { checkProjectIntegrity, integrityTargetOf } from './preflight.js';

/** A config's result; L1 results also carry the cursor the run reached. */
export type JobResult = ConfigRunResult & { readonly cursor?: string };

export interface JobOutcome {
  readonly runId: string;
  readonly results: JobResult[];
  /** Layers that were asked for but do not exist yet (L2 until its issue lands). */
  readonly unavailable: string[];
  readonly reportPath?: string;
  readonly ok: boolean;
}

export interface JobOptions {
  readonly onProgress?: (p: L1Progress) => void;
  readonly logStream?: TextStream;
  readonly env?: NodeJS.ProcessEnv;
  /** Clock for source windows (the demo and tests pass the simulator's). */
  readonly now?: () => Date;
}

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function runJob(params: JobParams, opts: JobOptions = {}): Promise<JobOutcome> {
  const projectDir = resolve(params.project ?? '.');
  // Before anything opens, and so creates, the catalog or state database: a lost one stops here.
  await checkProjectIntegrity(integrityTargetOf(projectDir, params));
  const runtime = await openLocalRuntime(projectDir, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const jobId = params.raw.JOB_RUN_ID ?? runId;
  const log = runtime.logger(runId);
  const project = runtime.project;
  const cc = params.customConfigs;
  const catalog = new SqlCatalog({
    name: cc.catalogName ?? project.catalog.name,
    path: cc.uri?.startsWith('jdbc:sqlite:') ? cc.uri.slice('jdbc:sqlite:'.length) : project.catalog.path,
    warehouse: cc.warehouse ?? project.warehouse,
  });
  for (const w of params.warnings) log.warn(w);
  const results: JobResult[] = [];
  const unavailable: string[] = [];
  try {
    if (params.processTypes.includes('L1')) {
      const configs = new FileConfigStore(projectDir);
      const l1: L1Result[] = await runL1(
        configs,
        { platform: params.platform, configId: params.configId, parallelism: project.parallelism },
        { runId, jobId, loadType: params.loadType, startedAt },
        {
          catalog,
          secrets: runtime.secrets,
          state: runtime.state,
          history: runtime.history,
          logger: log,
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.now ? { now: opts.now } : {}),
        },
      );
      results.push(...l1);
    }
    if (params.processTypes.includes('L2')) {
      unavailable.push('L2');
      log.warn('L2 (processing) is not available yet in this version of floe; skipped');
    }
    const report: RunReport = {
      runId,
      ...(params.platform ? { platform: params.platform } : {}),
      environment: params.customerEnvironment ?? runtime.environment,
      recipients: params.notificationTo.length ? params.notificationTo : runtime.recipients,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      results,
    };
    await runtime.notifier.notify(report);
    return {
      runId,
      results,
      unavailable,
      reportPath: resolve(project.notifications.reportDir, `${runId}.html`),
      ok: results.every((r) => r.status === 'SUCCESS'),
    };
  } finally {
    await catalog.close();
    await runtime.close();
  }
}
