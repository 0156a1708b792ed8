/**
 * `/api/runs`: the project's runs, newest first, a page at a time, filtered by platform, config,
 * status, layer and date; `/api/runs/:runId`: one run's configs, as the report renders them
 * (`renderRunSection`, the same function that writes `.floe/reports/<run>.html`), and its log.
 */

import { type RunSummary, runCursor } from '../../runtime/local/history-read-model.js';
import { renderRunSection } from '../../runtime/local/html-report.js';
import { type RunLog, readRunLog } from '../../runtime/local/run-log.js';
import type { HistoryEntry, RunOutcome } from '../../runtime/ports/history-store.js';
import type { ConfigRunResult, RunReport } from '../../runtime/ports/notifier.js';
import type { ProjectSource } from '../project-source.js';
import {
  ApiError,
  type ConfigInfo,
  configIndex,
  intParam,
  layerParam,
  platformsOf,
  timeParam,
} from './common.js';

export const DEFAULT_RUNS = 50;
export const MAX_RUNS = 500;
const STATUSES: readonly RunOutcome[] = ['SUCCESS', 'FAILED', 'INTERRUPTED'];

export interface RunsParams {
  platform?: string;
  config?: string;
  status?: string;
  layer?: string;
  since?: string;
  until?: string;
  limit?: string;
  before?: string;
}

export interface RunsPage {
  runs: (RunSummary & { platforms: string[] })[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: string | null;
  /** What the filters can choose from. */
  facets: { platforms: string[]; configs: string[]; statuses: readonly RunOutcome[] };
}

export async function listRuns(source: ProjectSource, p: RunsParams): Promise<RunsPage> {
  const limit = intParam('limit', p.limit, DEFAULT_RUNS, 1, MAX_RUNS);
  const configs = await configIndex(source);
  const facets = {
    platforms: platformsOf(configs),
    configs: [...new Set(configs.map((c) => c.configId))].sort(),
    statuses: STATUSES,
  };
  const statuses = p.status ? p.status.split(',').map((s) => s.trim().toUpperCase()) : undefined;
  for (const s of statuses ?? [])
    if (!STATUSES.includes(s as RunOutcome))
      throw new ApiError(400, `status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(s)}`);
  let configIds: string[] | undefined;
  if (p.platform) {
    const platform = p.platform.toLowerCase();
    configIds = configs.filter((c) => c.platform?.toLowerCase() === platform).map((c) => c.configId);
  }
  if (p.config) configIds = configIds ? configIds.filter((id) => id === p.config) : [p.config];
  const access = source.state();
  if (!access) return { runs: [], next: null, facets };
  const sinceMs = timeParam('since', p.since);
  const untilMs = timeParam('until', p.until);
  const processType = layerParam(p.layer);
  const runs = access.runs.runs({
    limit: limit + 1,
    ...(p.before ? { before: p.before } : {}),
    ...(configIds ? { configIds } : {}),
    ...(statuses ? { statuses: statuses as RunOutcome[] } : {}),
    ...(processType ? { processType } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(untilMs !== undefined ? { untilMs } : {}),
  });
  const page = runs.slice(0, limit);
  const platformOf = platformIndex(configs);
  // Which platforms each run touched: one small query for the page's rows.
  const touched = new Map<string, Set<string>>();
  for (const e of access.runs.entriesOf(page.map((r) => r.runId))) {
    const platform = platformOf.get(`${e.processType}:${e.configId}`);
    if (!platform) continue;
    const set = touched.get(e.runId) ?? new Set<string>();
    set.add(platform);
    touched.set(e.runId, set);
  }
  return {
    runs: page.map((r) => ({ ...r, platforms: [...(touched.get(r.runId) ?? [])].sort() })),
    next: runs.length > limit ? runCursor(page[page.length - 1]!) : null,
    facets,
  };
}

export interface RunDetail {
  run: RunSummary;
  platform?: string;
  /** Each config of the run, failures first (as the report orders them). */
  results: (ConfigRunResult & {
    cursor?: string;
    note?: string;
    recordsFetched?: number;
    platform?: string;
  })[];
  /** The run as the HTML report renders it (the same function, so they cannot disagree). */
  html: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export async function runDetail(source: ProjectSource, runId: string): Promise<RunDetail> {
  if (!RUN_ID.test(runId)) throw new ApiError(400, `not a run id: ${JSON.stringify(runId)}`);
  const access = source.state();
  const entries = access ? access.runs.entriesOf([runId]) : [];
  const run = access?.runs.runs({ limit: 1, runIds: [runId] })[0];
  if (!run) throw new ApiError(404, `no run ${runId} in this project's history`);
  const configs = await configIndex(source);
  const platformOf = platformIndex(configs);
  const results = entries.map((e) => {
    const platform = platformOf.get(`${e.processType}:${e.configId}`);
    return { ...resultOf(e), ...(platform ? { platform } : {}) };
  });
  const platforms = [...new Set(results.flatMap((r) => (r.platform ? [r.platform] : [])))];
  const report: RunReport = {
    runId,
    ...(platforms.length === 1 ? { platform: platforms[0]! } : {}),
    environment: source.project.environment,
    recipients: [...source.project.notifications.recipients],
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    results,
  };
  const order: Record<RunOutcome, number> = { FAILED: 0, INTERRUPTED: 1, SUCCESS: 2 };
  return {
    run,
    ...(report.platform ? { platform: report.platform } : {}),
    results: [...results].sort((a, b) => order[a.status] - order[b.status]),
    html: renderRunSection(report, {
      config: (r) => `#/configs/${encodeURIComponent(r.configId)}?layer=${r.processType}`,
      table: (r) => (r.table ? `#/tables/${encodeURIComponent(r.table)}` : undefined),
    }),
  };
}

export async function runLog(
  source: ProjectSource,
  runId: string,
  p: { config?: string; level?: string; limit?: string },
): Promise<RunLog> {
  if (!RUN_ID.test(runId)) throw new ApiError(400, `not a run id: ${JSON.stringify(runId)}`);
  const level = p.level?.toLowerCase();
  if (level !== undefined && !['debug', 'info', 'warn', 'error'].includes(level))
    throw new ApiError(400, `level must be debug, info, warn or error, got ${JSON.stringify(p.level)}`);
  return readRunLog(source.project.logs.dir, runId, {
    limit: intParam('limit', p.limit, 200, 1, 5000),
    ...(p.config ? { configId: p.config } : {}),
    ...(level ? { minLevel: level as 'debug' | 'info' | 'warn' | 'error' } : {}),
  });
}

/** A history row as the report's result (the fields the report shows, by the report's names). */
export function resultOf(
  e: HistoryEntry,
): ConfigRunResult & { cursor?: string; note?: string; recordsFetched?: number } {
  return {
    configId: e.configId,
    processType: e.processType,
    status: e.lastRunStatus,
    records: e.totalRecordsProcessed,
    ...(e.snapshot_id ? { snapshotId: e.snapshot_id } : {}),
    ...(e.error ? { error: e.error } : {}),
    durationMs: e.durationMs,
    ...(e.table !== undefined ? { table: e.table } : {}),
    ...(e.load_type ? { loadType: e.load_type } : {}),
    ...(e.warnings !== undefined ? { warnings: e.warnings } : {}),
    ...(e.cursor !== undefined ? { cursor: e.cursor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
    ...(e.recordsFetched !== undefined ? { recordsFetched: e.recordsFetched } : {}),
  };
}

function platformIndex(configs: readonly ConfigInfo[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of configs) if (c.platform) out.set(`${c.layer}:${c.configId}`, c.platform.toLowerCase());
  return out;
}
