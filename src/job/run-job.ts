/**
 * The job: parameters → profile (the ports of one environment, opened once: the embedded local
 * profile today, see local-profile.ts) → L1 and/or L2 per PROCESS_TYPE → report → exit status.
 * The layers receive ports and never know which profile they run in.
 */
import { randomBytes } from 'node:crypto';
import type { ConfigStore, JobParams } from '../config/index.js';
import { runL1 } from '../l1/handler.js';
import type { L1Progress, L1Result } from '../l1/sync-config.js';
import { runL2 } from '../l2/handler.js';
import { parsersForProject } from '../l2/parsers/project-parsers.js';
import type { TextStream } from '../runtime/local/console-logger.js';
import type { ConfigRunResult, RunReport } from '../runtime/ports/notifier.js';
import type { AwsProfileOptions } from './aws-profile.js';
import { openLocalProfile } from './local-profile.js';
import { wantsAwsProfile } from './profile-choice.js';

/** A config's result; L1 results also carry the cursor the run reached. */
export type JobResult = ConfigRunResult & { readonly cursor?: string };

export interface JobOutcome {
  readonly runId: string;
  readonly results: JobResult[];
  /** Set when the run was stopped by its signal (SIGTERM/SIGINT) before it finished. */
  readonly interrupted?: boolean;
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
  /** Aborted to stop the run (see shutdown.ts): nothing is committed after it fires. */
  readonly signal?: AbortSignal;
  /** Wait this long for another run of the project to finish (default: fail at once). */
  readonly waitForLockMs?: number;
  /** AWS profile settings (tests pass wrapped SDK clients, a short lease). */
  readonly aws?: Pick<AwsProfileOptions, 'clients' | 'leaseMs'>;
}

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Whether to run L2: always when PROCESS_TYPE asked for it; when PROCESS_TYPE was left out (both
 * layers by default), only if the project has L2 configs for the selection, so an L1-only project
 * hears nothing about L2.
 */
async function wantsL2(params: JobParams, configs: ConfigStore): Promise<boolean> {
  if (params.raw.PROCESS_TYPE !== undefined && params.raw.PROCESS_TYPE.trim() !== '') return true;
  const s = await configs.selectL2(params.platform);
  return s.configs.length > 0 || s.invalid.length > 0;
}

export async function runJob(params: JobParams, opts: JobOptions = {}): Promise<JobOutcome> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const jobId = params.raw.JOB_RUN_ID ?? runId;
  const common = {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
    ...(opts.waitForLockMs ? { waitForLockMs: opts.waitForLockMs } : {}),
  };
  // The seed's table parameters (or --PROFILE aws) mean the AWS profile; otherwise a local project.
  const profile = wantsAwsProfile(params, opts.env)
    ? await (await import('./aws-profile.js')).openAwsProfile(params, runId, {
        ...common,
        ...(opts.aws ?? {}),
      })
    : await openLocalProfile(params, runId, common);
  const log = profile.logger;
  for (const w of params.warnings) log.warn(w);
  const results: JobResult[] = [];
  const unavailable: string[] = [];
  try {
    if (params.processTypes.includes('L1')) {
      const l1: L1Result[] = await runL1(
        profile.configs,
        {
          platform: params.platform,
          configId: params.configId,
          parallelism: profile.parallelism,
        },
        { runId, jobId, loadType: params.loadType, startedAt },
        {
          catalog: profile.catalog,
          secrets: profile.secrets,
          state: profile.state,
          history: profile.history,
          logger: log,
          scratchDir: profile.scratchDir,
          ...(profile.lockConfig ? { lockConfig: profile.lockConfig.bind(profile) } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.now ? { now: opts.now } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
      results.push(...l1);
    }
    if (params.processTypes.includes('L2') && (await wantsL2(params, profile.configs))) {
      const l2 = await runL2(
        profile.configs,
        {
          platform: params.platform,
          configId: params.configId,
          parallelism: profile.parallelism,
          ...(params.processTypes.includes('L1') ? { l1Results: results } : {}),
        },
        { runId, jobId, loadType: params.loadType, startedAt },
        {
          catalog: profile.catalog,
          state: profile.state,
          history: profile.l2History,
          logger: log,
          parsers: await parsersForProject(params.project),
          ...(profile.lockConfig ? { lockConfig: profile.lockConfig.bind(profile) } : {}),
          ...(opts.now ? { now: opts.now } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
      results.push(...l2);
    }
    const report: RunReport = {
      runId,
      ...(params.platform ? { platform: params.platform } : {}),
      environment: params.customerEnvironment ?? profile.environment,
      recipients: params.notificationTo.length ? params.notificationTo : profile.recipients,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      // L2 results carry their config's notifications.onSuccess/onFailure choice.
      results: results.filter((r) => (r as { notify?: boolean }).notify !== false),
    };
    await profile.notifier.notify(report);
    const interrupted = opts.signal?.aborted === true;
    if (interrupted) log.warn('the run was stopped; configs in flight are recorded as INTERRUPTED');
    return {
      runId,
      results,
      unavailable,
      ...(interrupted ? { interrupted } : {}),
      ...(profile.reportPath ? { reportPath: profile.reportPath } : {}),
      ok: !interrupted && results.every((r) => r.status === 'SUCCESS'),
    };
  } finally {
    await profile.close();
  }
}
