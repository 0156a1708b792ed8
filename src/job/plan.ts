/**
 * The plan of a platform's run, for an orchestrator (a Step Functions Map, a CI matrix): which
 * configs there are and what each must wait for. L1 configs depend on nothing; an L2 config runs
 * after the L1 configs that write the tables it reads (matched by namespace and table name), so
 * `stages` is L1 (in parallel), then L2. An L2 source no L1 config of the platform writes is
 * listed under `external` (a table maintained elsewhere), not silently dropped.
 */
import type { ConfigStore, L1Config, L2Config } from '../config/index.js';

export interface PlannedConfig {
  readonly configId: string;
  readonly layer: 'L1' | 'L2';
  /** Destination table, `namespace.table`. */
  readonly table: string;
  /** Config ids that must finish first. */
  readonly after: string[];
  /** L2: source tables no L1 config of this platform writes. */
  readonly external?: string[];
}

export interface RunPlan {
  readonly platform?: string;
  readonly configs: PlannedConfig[];
  /** Config ids by stage: every config of a stage may run at once. */
  readonly stages: { layer: 'L1' | 'L2'; configIds: string[] }[];
  /** L1 items that fail validation: a run of them fails (and is recorded), so they are named here. */
  readonly invalid?: string[];
}

const enabled = (c: { enabled?: boolean }) => c.enabled !== false;

export function planRun(l1: readonly L1Config[], l2: readonly L2Config[], platform?: string): RunPlan {
  const writers = new Map<string, string[]>();
  const l1Planned: PlannedConfig[] = l1.filter(enabled).map((c) => {
    const table = `${c.destination.namespace}.${c.destination.tableName}`;
    writers.set(table, [...(writers.get(table) ?? []), c.configId]);
    return { configId: c.configId, layer: 'L1', table, after: [] };
  });
  const l2Planned: PlannedConfig[] = l2.filter(enabled).map((c) => {
    const sources = Object.values(c.source).map((s) => `${s.namespace}.${s.tableName}`);
    const after = [...new Set(sources.flatMap((t) => writers.get(t) ?? []))].sort();
    const external = sources.filter((t) => !writers.has(t));
    return {
      configId: c.configId,
      layer: 'L2',
      table: `${c.destination.namespace}.${c.destination.tableName}`,
      after,
      ...(external.length ? { external } : {}),
    };
  });
  const stages = [
    { layer: 'L1' as const, configIds: l1Planned.map((c) => c.configId) },
    { layer: 'L2' as const, configIds: l2Planned.map((c) => c.configId) },
  ].filter((s) => s.configIds.length > 0);
  return { ...(platform ? { platform } : {}), configs: [...l1Planned, ...l2Planned], stages };
}

/** The plan of one platform (all when undefined) from a config store (project or DynamoDB). */
export async function planFromStore(
  store: ConfigStore,
  platform: string | undefined,
  layers: { l1: boolean; l2: boolean },
): Promise<RunPlan> {
  const selection = layers.l1 ? await store.selectL1(platform) : undefined;
  const l2 = layers.l2 ? await store.listL2(platform) : [];
  const plan = planRun(selection?.configs ?? [], l2, platform);
  const invalid = (selection?.invalid ?? []).map((i) => i.configId);
  return invalid.length ? { ...plan, invalid } : plan;
}
