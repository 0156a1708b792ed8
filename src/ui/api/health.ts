/**
 * `/api/health`: what needs a look. Tables whose metadata asks for maintenance (many small
 * files, many delete files, many snapshots: iceberg/maintenance/signals.ts), configs whose last
 * two runs both failed, and configs whose recent runs take clearly longer than before.
 */
import type { HistoryEntry } from '../../runtime/ports/history-store.js';
import type { ProjectSource } from '../project-source.js';
import { listTables, type TableReader } from './tables.js';

/** Runs compared for a slowdown: the median of the last RECENT against the median of BASELINE before. */
export const SLOWDOWN_RECENT = 3;
export const SLOWDOWN_BASELINE = 10;
/** Recent runs must take this many times the baseline, and this much longer in absolute terms. */
export const SLOWDOWN_RATIO = 1.5;
export const SLOWDOWN_MIN_MS = 1000;

export interface ConfigConcern {
  layer: string;
  configId: string;
  kind: 'failing' | 'slowing';
  message: string;
  /** The latest error (failing), as the history has it. */
  error?: string;
}

export async function health(source: ProjectSource, reader: TableReader) {
  const { tables } = await listTables(source, reader);
  const latest = source.state()?.runs.latestPerConfig(SLOWDOWN_RECENT + SLOWDOWN_BASELINE) ?? new Map();
  const configs: ConfigConcern[] = [];
  for (const entries of latest.values()) configs.push(...configConcerns(entries));
  return {
    tables: tables
      .filter((t) => t.signals.length > 0 || t.error !== undefined)
      .map((t) => ({
        name: t.name,
        signals: t.signals,
        ...(t.error !== undefined ? { error: t.error } : {}),
        dataFiles: t.dataFiles,
        deleteFiles: t.deleteFiles,
        snapshots: t.snapshots,
      })),
    configs: configs.sort((a, b) => a.configId.localeCompare(b.configId) || a.kind.localeCompare(b.kind)),
    checked: { tables: tables.length, configs: latest.size },
  };
}

/** What one config's latest rows (newest first) say is wrong with it. */
export function configConcerns(newestFirst: readonly HistoryEntry[]): ConfigConcern[] {
  const out: ConfigConcern[] = [];
  const first = newestFirst[0];
  if (!first) return out;
  const id = { layer: first.processType, configId: first.configId };
  const [a, b] = newestFirst;
  if (a && b && a.lastRunStatus !== 'SUCCESS' && b.lastRunStatus !== 'SUCCESS') {
    let streak = 0;
    while (streak < newestFirst.length && newestFirst[streak]!.lastRunStatus !== 'SUCCESS') streak++;
    out.push({
      ...id,
      kind: 'failing',
      message: `the last ${streak === newestFirst.length ? `${streak}+` : streak} runs did not succeed`,
      ...(a.error ? { error: a.error } : {}),
    });
  }
  // Only successful runs: a failure's duration says how fast it failed, not how long a sync takes.
  const ok = newestFirst.filter((e) => e.lastRunStatus === 'SUCCESS').map((e) => e.durationMs);
  if (ok.length >= SLOWDOWN_RECENT + Math.ceil(SLOWDOWN_BASELINE / 2)) {
    const recent = median(ok.slice(0, SLOWDOWN_RECENT));
    const before = median(ok.slice(SLOWDOWN_RECENT, SLOWDOWN_RECENT + SLOWDOWN_BASELINE));
    if (recent >= SLOWDOWN_RATIO * before && recent - before >= SLOWDOWN_MIN_MS)
      out.push({
        ...id,
        kind: 'slowing',
        message: `recent runs take ${seconds(recent)} (median of the last ${SLOWDOWN_RECENT}), against ${seconds(before)} before`,
      });
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
