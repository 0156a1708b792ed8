/**
 * `/api/configs`: every config of the project with its state and last run; `/api/configs/:id`:
 * one config as floe resolves it (secrets redacted), its state (cursor, status), its history for
 * the charts, and its last error with the fix the error names and the commands to look further.
 */
import type { HistoryEntry } from '../../runtime/ports/history-store.js';
import type { ConfigState, ProcessKind } from '../../runtime/ports/state-store.js';
import { redactValue } from '../../util/redact.js';
import type { ProjectSource } from '../project-source.js';
import { ApiError, type ConfigInfo, configIndex, intParam, layerParam } from './common.js';

export interface ConfigListItem {
  layer: ProcessKind;
  configId: string;
  platform?: string;
  table?: string;
  file: string;
  valid: boolean;
  status?: ConfigState['status'];
  cursor?: string;
  lastRun?: {
    at: string;
    runId: string;
    status: string;
    records: number;
    durationMs: number;
    error?: string;
  };
}

export async function listConfigs(source: ProjectSource): Promise<{ configs: ConfigListItem[] }> {
  const configs = await configIndex(source);
  const access = source.state();
  const states = new Map<string, ConfigState>();
  const latest = access?.runs.latestPerConfig(1) ?? new Map<string, HistoryEntry[]>();
  if (access)
    for (const layer of ['L1', 'L2'] as const)
      for (const s of await access.state.list(layer)) states.set(`${layer}:${s.configId}`, s);
  return {
    configs: configs.map((c) => {
      const key = `${c.layer}:${c.configId}`;
      const s = states.get(key);
      const last = latest.get(key)?.[0];
      return {
        layer: c.layer,
        configId: c.configId,
        ...(c.platform ? { platform: c.platform } : {}),
        ...(c.table ? { table: c.table } : {}),
        file: c.file,
        valid: c.problems.length === 0,
        ...(s?.status ? { status: s.status } : {}),
        ...(s?.lastSyncTime ? { cursor: s.lastSyncTime } : {}),
        ...(last
          ? {
              lastRun: {
                at: last.loadTimestamp,
                runId: last.runId,
                status: last.lastRunStatus,
                records: last.totalRecordsProcessed,
                durationMs: last.durationMs,
                ...(last.error ? { error: last.error } : {}),
              },
            }
          : {}),
      };
    }),
  };
}

export interface ConfigDetail {
  layer: ProcessKind;
  configId: string;
  platform?: string;
  table?: string;
  file: string;
  /** The config as floe resolves it (defaults applied), secrets redacted; absent when invalid. */
  config?: unknown;
  /** Why the config is invalid (each with its fix). */
  problems: { field: string; message: string; fix?: string }[];
  state?: ConfigState;
  /** Runs oldest first (at most `limit`), for the charts. */
  history: {
    at: string;
    runId: string;
    status: string;
    records: number;
    durationMs: number;
    snapshotId: string;
    error: string;
    loadType: string;
  }[];
  failures: number;
  lastError?: { message: string; fix?: string; at?: string; runId?: string };
  /** Commands that look further (preview the fetch, rerun the config, its state). */
  next: string[];
  /** The same id exists in the other layer too. */
  alsoIn?: ProcessKind;
}

export async function configDetail(
  source: ProjectSource,
  configId: string,
  p: { layer?: string; limit?: string },
): Promise<ConfigDetail> {
  const limit = intParam('limit', p.limit, 100, 1, 1000);
  const wanted = layerParam(p.layer);
  const all = (await configIndex(source)).filter((c) => c.configId === configId);
  const access = source.state();
  let info: ConfigInfo | undefined = wanted ? all.find((c) => c.layer === wanted) : all[0];
  // A config removed from the files still has its history and state: show those.
  let layer: ProcessKind | undefined = info?.layer ?? wanted;
  if (!info && access) {
    for (const l of wanted ? [wanted] : (['L1', 'L2'] as const))
      if ((await access.history.list({ configId, processType: l, limit: 1 })).length) {
        layer = l;
        break;
      }
  }
  if (!layer || (!info && !access)) throw new ApiError(404, `no config ${configId} in this project`);
  info ??= all.find((c) => c.layer === layer);
  const entries = access ? await access.history.list({ configId, processType: layer, limit }) : [];
  if (!info && entries.length === 0) throw new ApiError(404, `no config ${configId} in this project`);
  const state = access ? await access.state.get(layer, configId) : undefined;
  const lastFailed = entries.find((e) => e.lastRunStatus !== 'SUCCESS');
  const errorText = state?.lastError ?? (lastFailed?.error || undefined);
  const other = all.find((c) => c.layer !== layer);
  return {
    layer,
    configId,
    ...(info?.platform ? { platform: info.platform } : {}),
    ...(info?.table ? { table: info.table } : {}),
    file: info?.file ?? '',
    ...(info?.config ? { config: redactValue(info.config) } : {}),
    problems: (info?.problems ?? []).map((x) => ({
      field: x.field,
      message: x.message,
      ...(x.fix ? { fix: x.fix } : {}),
    })),
    ...(state ? { state } : {}),
    history: [...entries].reverse().map((e) => ({
      at: e.loadTimestamp,
      runId: e.runId,
      status: e.lastRunStatus,
      records: e.totalRecordsProcessed,
      durationMs: e.durationMs,
      snapshotId: e.snapshot_id,
      error: e.error,
      loadType: e.load_type,
    })),
    failures: entries.filter((e) => e.lastRunStatus !== 'SUCCESS').length,
    ...(errorText
      ? {
          lastError: {
            ...splitFix(errorText),
            ...(lastFailed ? { at: lastFailed.loadTimestamp, runId: lastFailed.runId } : {}),
          },
        }
      : {}),
    next: nextSteps(layer, configId),
    ...(other ? { alsoIn: other.layer } : {}),
  };
}

/**
 * floe's errors carry their fix in the message: `… (fix: …)`, `… Fix: …`, or a closing sentence
 * that says what to do (`… answered 404: …. Check source.request.url`), before the context
 * `(configId=…, url=…)` that describe() appends. Split the fix out so the page can show what to
 * do apart from what went wrong; the context stays with the message.
 */
export function splitFix(text: string): { message: string; fix?: string } {
  const ctx = /\s*\((?:[\w.-]+=[^()]*)\)\s*$/.exec(text);
  const body = ctx ? text.slice(0, ctx.index) : text;
  const context = ctx ? ctx[0] : '';
  const paren = /\s*\(fix: ([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$/i.exec(body);
  if (paren) return { message: body.slice(0, paren.index) + context, fix: paren[1]!.trim() };
  const sentence =
    /(?:^|[.;:]\s+)(?:Fix: ([\s\S]+)|((?:Check|Fix|Put|Set|Add|Create|Restore|Raise|Rename|Run|Remove|Pass) [^.]*(?:\.[^\s][^.]*)*\.?))\s*$/.exec(
      body,
    );
  if (sentence) {
    const fix = (sentence[1] ?? sentence[2] ?? '').trim();
    return { message: body.slice(0, sentence.index + 1).trim() + context, fix };
  }
  return { message: text };
}

function nextSteps(layer: ProcessKind, configId: string): string[] {
  return layer === 'L1'
    ? [
        `floe source preview ${configId}`,
        `floe run --config-id ${configId} --process-type L1`,
        `floe state show ${configId}`,
        `floe history --config ${configId} --failed`,
      ]
    : [
        `floe run --config-id ${configId} --process-type L2`,
        `floe state show ${configId}`,
        `floe history --config ${configId} --failed`,
      ];
}
