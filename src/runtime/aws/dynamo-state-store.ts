/**
 * The StateStore in the config items themselves, where the seed keeps run state:
 *  - L1: `destination.lastSyncTime` (the cursor; "" = never), `status.{state, updatedAt}` (state in
 *    the seed's lower case: running, completed, failed, interrupted) and `lastSuccessfulRun`;
 *  - L2: `status` (COMPLETED, FAILED, RUNNING, INTERRUPTED), `updatedAt`, `lastSuccessfulRun` and
 *    `source.<name>.lastSuccessfulFetchTime`.
 * What the seed has no field for (the run id that holds the RUNNING marker, when it started, the
 * last error, per-source snapshot ids, a version counter) goes into one `floeState` map.
 *
 * Every update is a compare-and-swap: read the item (strongly consistent), merge the patch
 * (`applyPatch`, shared with the local store), write it back on the condition that
 * `floeState.version` is still what was read. Two jobs updating one config therefore serialise
 * instead of overwriting each other; the loser re-reads and applies its patch on top.
 * A user who edits the seed fields by hand (say, clears lastSyncTime to re-sync) is obeyed: those
 * fields are read from where the seed keeps them, not from floe's copy.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { FloeError } from '../../errors.js';
import { applyPatch } from '../local/sqlite-state.js';
import type {
  ConfigRunStatus,
  ConfigState,
  ProcessKind,
  SourceFetchState,
  StatePatch,
  StateStore,
  UpdateCondition,
} from '../ports/state-store.js';
import { awsError, awsErrorName } from './aws-error.js';
import { type DynamoConfigStore, FLOE_STATE_ATTR, tableParam } from './dynamo-config-store.js';

interface FloeStateAttr {
  version?: number;
  status?: ConfigRunStatus;
  statusUpdatedAt?: string;
  lastRunId?: string;
  lastRunStartedAt?: string;
  lastError?: string;
  updatedAt?: string;
  sources?: Record<string, { lastSnapshotId?: string; lastSuccessfulFetchTime?: string }>;
}

const STATUSES: Record<string, ConfigRunStatus> = {
  running: 'RUNNING',
  completed: 'COMPLETED',
  success: 'COMPLETED',
  succeeded: 'COMPLETED',
  failed: 'FAILED',
  failure: 'FAILED',
  interrupted: 'INTERRUPTED',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The state a config item holds (seed fields first, floe's map for the rest). */
export function stateFromItem(
  kind: ProcessKind,
  configId: string,
  item: Record<string, unknown>,
): ConfigState {
  const f = (obj(item[FLOE_STATE_ATTR]) ?? {}) as FloeStateAttr;
  const statusField = item.status;
  const statusText = typeof statusField === 'string' ? statusField : str(obj(statusField)?.state);
  const s: ConfigState = {
    kind,
    configId,
    sources: {},
    version: typeof f.version === 'number' ? f.version : 0,
    updatedAt: f.updatedAt ?? str(item.updatedAt) ?? '',
  };
  const status = statusText ? STATUSES[statusText.trim().toLowerCase()] : undefined;
  if (status) s.status = status;
  const statusAt =
    f.statusUpdatedAt ?? (kind === 'L1' ? str(obj(statusField)?.updatedAt) : str(item.updatedAt));
  if (statusAt && !Number.isNaN(Date.parse(statusAt))) s.statusUpdatedAt = statusAt;
  const cursor = kind === 'L1' ? str(obj(item.destination)?.lastSyncTime) : undefined;
  if (cursor) s.lastSyncTime = cursor;
  const lastRun = str(item.lastSuccessfulRun);
  if (lastRun) s.lastSuccessfulRun = lastRun;
  if (f.lastRunId) s.lastRunId = f.lastRunId;
  if (f.lastRunStartedAt) s.lastRunStartedAt = f.lastRunStartedAt;
  if (f.lastError) s.lastError = f.lastError;
  if (kind === 'L2') {
    const sources = obj(item.source) ?? {};
    const names = new Set([...Object.keys(sources), ...Object.keys(f.sources ?? {})]);
    for (const name of names) {
      const src: SourceFetchState = {};
      const t =
        str(obj(sources[name])?.lastSuccessfulFetchTime) ?? f.sources?.[name]?.lastSuccessfulFetchTime;
      if (t) src.lastSuccessfulFetchTime = t;
      const snap = f.sources?.[name]?.lastSnapshotId;
      if (snap) src.lastSnapshotId = snap;
      if (Object.keys(src).length) s.sources[name] = src;
    }
  }
  return s;
}

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly configs: DynamoConfigStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(kind: ProcessKind, configId: string): Promise<ConfigState | undefined> {
    const item = await this.configs.rawItem(kind, configId);
    if (!item) return undefined;
    const s = stateFromItem(kind, configId, item);
    // An item floe never ran has no state yet, whatever its seed fields say.
    return s.version === 0 && s.lastSyncTime === undefined && s.lastSuccessfulRun === undefined
      ? undefined
      : s;
  }

  async list(kind: ProcessKind): Promise<ConfigState[]> {
    const items = await this.configs.rawItems(kind);
    return items
      .filter((i) => typeof i.configId === 'string')
      .map((i) => stateFromItem(kind, i.configId as string, i))
      .sort((a, b) => a.configId.localeCompare(b.configId));
  }

  async update(
    kind: ProcessKind,
    configId: string,
    patch: StatePatch,
    cond: UpdateCondition = {},
  ): Promise<ConfigState> {
    const table = this.configs.tableOf(kind);
    for (let attempt = 1; ; attempt++) {
      const item = await this.configs.rawItem(kind, configId);
      if (!item)
        throw new FloeError(
          'not-found',
          `cannot record the state of ${kind} config ${configId}: its item is gone from DynamoDB table ${table} (fix: restore the item, or pass the right --${tableParam(kind)})`,
          { context: { configId } },
        );
      const current = stateFromItem(kind, configId, item);
      if (cond.ifLastRunId !== undefined && current.lastRunId !== cond.ifLastRunId) {
        throw new FloeError(
          'commit-conflict',
          `state of ${kind} config ${configId} now belongs to run ${current.lastRunId ?? '(none)'}, not ${cond.ifLastRunId}`,
          { context: { configId, kind } },
        );
      }
      const nowIso = this.now().toISOString();
      const next = applyPatch(current, kind, configId, patch, nowIso);
      const expr = updateExpression(kind, item, next, current.version, nowIso);
      try {
        await this.ddb.send(
          new UpdateItemCommand({ TableName: table, Key: { configId: { S: configId } }, ...expr }),
        );
        return next;
      } catch (e) {
        // Another job updated the item since we read it: apply the patch on top of its write.
        if (awsErrorName(e) === 'ConditionalCheckFailedException' && attempt < 50) continue;
        throw awsError(e, {
          action: 'UpdateItem',
          resource: `DynamoDB table ${table}`,
          iam: 'dynamodb:UpdateItem',
          context: { configId },
        });
      }
    }
  }
}

function updateExpression(
  kind: ProcessKind,
  item: Record<string, unknown>,
  s: ConfigState,
  readVersion: number,
  nowIso: string,
) {
  const names: Record<string, string> = { '#fs': FLOE_STATE_ATTR };
  const values: Record<string, unknown> = { ':v': readVersion };
  const sets: string[] = [];
  const set = (path: string, key: string, value: unknown) => {
    values[key] = value;
    sets.push(`${path} = ${key}`);
  };
  const floe: FloeStateAttr = {
    version: s.version,
    updatedAt: s.updatedAt,
    ...(s.status ? { status: s.status } : {}),
    ...(s.statusUpdatedAt ? { statusUpdatedAt: s.statusUpdatedAt } : {}),
    ...(s.lastRunId ? { lastRunId: s.lastRunId } : {}),
    ...(s.lastRunStartedAt ? { lastRunStartedAt: s.lastRunStartedAt } : {}),
    ...(s.lastError ? { lastError: s.lastError } : {}),
  };
  if (kind === 'L1') {
    if (s.status) {
      names['#status'] = 'status';
      set('#status', ':status', { state: s.status.toLowerCase(), updatedAt: s.statusUpdatedAt ?? nowIso });
    }
    if (obj(item.destination)) {
      names['#dest'] = 'destination';
      set('#dest.lastSyncTime', ':cursor', s.lastSyncTime ?? '');
    }
  } else {
    if (s.status) {
      names['#status'] = 'status';
      set('#status', ':status', s.status);
    }
    set('updatedAt', ':updatedAt', nowIso);
    const sources = obj(item.source) ?? {};
    const kept: NonNullable<FloeStateAttr['sources']> = {};
    Object.entries(s.sources).forEach(([name, src], i) => {
      if (src.lastSnapshotId) kept[name] = { lastSnapshotId: src.lastSnapshotId };
      if (obj(sources[name])) {
        names['#src'] = 'source';
        names[`#s${i}`] = name;
        set(`#src.#s${i}.lastSuccessfulFetchTime`, `:s${i}`, src.lastSuccessfulFetchTime ?? '');
      } else if (src.lastSuccessfulFetchTime) {
        kept[name] = { ...kept[name], lastSuccessfulFetchTime: src.lastSuccessfulFetchTime };
      }
    });
    if (Object.keys(kept).length) floe.sources = kept;
  }
  set('lastSuccessfulRun', ':lastRun', s.lastSuccessfulRun ?? '');
  set('#fs', ':fs', floe);
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression:
      'attribute_exists(configId) AND (attribute_not_exists(#fs) OR #fs.version = :v)' +
      (readVersion === 0 ? ' OR (attribute_exists(configId) AND attribute_not_exists(#fs.version))' : ''),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
  };
}
