/**
 * The ConfigStore on the seed's DynamoDB tables: CONFIG_TABLE (L1) and L2_CONFIG_TABLE (L2),
 * key `configId`, items exactly as the seed shows them. Items are read with strongly consistent
 * reads, unmarshalled (`@aws-sdk/util-dynamodb`) and validated like file items: an invalid item
 * fails alone, naming the table, the config, the field and the fix.
 *
 * floe writes run state back into the same items (dynamo-state-store.ts) and keeps its lease
 * there (dynamo-config-lock.ts); those attributes are floe's, not the user's, and are set aside
 * before validation so they never read as unknown keys.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ConfigStore, InvalidConfig, L1Selection, L2Selection } from '../../config/config-store.js';
import { normalizeItem } from '../../config/dynamo-json.js';
import { configError } from '../../config/issues.js';
import type { L1Config } from '../../config/l1-schema.js';
import type { L2Config } from '../../config/l2-schema.js';
import { closest } from '../../config/suggest.js';
import { type ValidationResult, validateL1Item, validateL2Item } from '../../config/validate.js';
import { FloeError } from '../../errors.js';
import type { ProcessKind } from '../ports/state-store.js';
import { awsError } from './aws-error.js';

/** Attributes floe itself writes into config items (state it keeps and its per-config lease). */
export const FLOE_STATE_ATTR = 'floeState';
export const FLOE_LOCK_ATTR = 'floeLock';

export interface DynamoConfigTables {
  readonly l1?: string;
  readonly l2?: string;
}

interface LoadedItem<T> {
  readonly raw: Record<string, unknown>;
  readonly result: ValidationResult<T>;
}

export function tableParam(kind: ProcessKind): string {
  return kind === 'L1' ? 'CONFIG_TABLE' : 'L2_CONFIG_TABLE';
}

/** The user's part of an item: floe's own attributes removed (see the file comment). */
export function userPart(kind: ProcessKind, item: Record<string, unknown>): Record<string, unknown> {
  const { [FLOE_STATE_ATTR]: _s, [FLOE_LOCK_ATTR]: _l, ...rest } = item;
  // The seed's L1 items have no lastSuccessfulRun; floe records it there as the L2 items do.
  if (kind === 'L1') delete rest.lastSuccessfulRun;
  return rest;
}

export class DynamoConfigStore implements ConfigStore {
  private readonly scans = new Map<ProcessKind, Promise<LoadedItem<unknown>[]>>();

  constructor(
    private readonly ddb: DynamoDBClient,
    readonly tables: DynamoConfigTables,
  ) {}

  tableOf(kind: ProcessKind): string {
    const t = kind === 'L1' ? this.tables.l1 : this.tables.l2;
    if (!t)
      throw new FloeError(
        'config-invalid',
        `no ${kind} config table: pass --${tableParam(kind)} <DynamoDB table name>`,
        { context: { field: tableParam(kind) } },
      );
    return t;
  }

  private validate(kind: ProcessKind, raw: Record<string, unknown>): ValidationResult<unknown> {
    const origin = { file: `DynamoDB table ${this.tableOf(kind)}` };
    const item = userPart(kind, raw);
    return kind === 'L1' ? validateL1Item(item, origin) : validateL2Item(item, origin);
  }

  /** Every item of one table, read once per store (Scan, strongly consistent, all pages). */
  private all(kind: ProcessKind): Promise<LoadedItem<unknown>[]> {
    let p = this.scans.get(kind);
    if (!p) {
      p = this.scan(kind);
      this.scans.set(kind, p);
      p.catch(() => this.scans.delete(kind));
    }
    return p;
  }

  private async scan(kind: ProcessKind): Promise<LoadedItem<unknown>[]> {
    const table = this.tableOf(kind);
    const out: LoadedItem<unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      let r: ScanCommandOutput;
      try {
        r = await this.ddb.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
        );
      } catch (e) {
        throw awsError(e, {
          action: 'Scan',
          resource: `DynamoDB table ${table}`,
          iam: 'dynamodb:Scan',
          ifMissing: `create the table (key configId, type S) or pass the right --${tableParam(kind)}`,
        });
      }
      for (const item of r.Items ?? []) {
        const raw = normalizeItem(unmarshall(item)) as Record<string, unknown>;
        out.push({ raw, result: this.validate(kind, raw) });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.result.configId.localeCompare(b.result.configId));
  }

  /** One item by key, strongly consistent; undefined when absent. */
  async rawItem(kind: ProcessKind, configId: string): Promise<Record<string, unknown> | undefined> {
    const table = this.tableOf(kind);
    try {
      const r = await this.ddb.send(
        new GetItemCommand({ TableName: table, Key: { configId: { S: configId } }, ConsistentRead: true }),
      );
      return r.Item ? (normalizeItem(unmarshall(r.Item)) as Record<string, unknown>) : undefined;
    } catch (e) {
      throw awsError(e, {
        action: 'GetItem',
        resource: `DynamoDB table ${table}`,
        iam: 'dynamodb:GetItem',
        ifMissing: `create the table (key configId, type S) or pass the right --${tableParam(kind)}`,
        context: { configId },
      });
    }
  }

  private async one<T>(kind: ProcessKind, configId: string): Promise<T> {
    const raw = await this.rawItem(kind, configId);
    if (!raw) {
      const ids = (await this.all(kind)).map((i) => i.result.configId);
      const meant = closest(configId, ids);
      throw new FloeError(
        'not-found',
        `config ${configId} not found in DynamoDB table ${this.tableOf(kind)}${meant ? ` (did you mean ${meant}?)` : ''}. Fix: pass a configId the table holds (CONFIG_ID), or put the item into the table`,
        { context: { configId } },
      );
    }
    const r = this.validate(kind, raw);
    if (!r.ok || r.config === undefined) throw configError(r.problems);
    return r.config as T;
  }

  async selectL1(platform?: string): Promise<L1Selection> {
    const items = (await this.all('L1')) as LoadedItem<L1Config>[];
    const match = (p: string | undefined) =>
      platform === undefined || (p !== undefined && p.trim().toLowerCase() === platform.trim().toLowerCase());
    const configs: L1Config[] = [];
    const invalid: InvalidConfig[] = [];
    const platforms: Record<string, number> = {};
    for (const { raw, result } of items) {
      if (result.platform !== undefined) platforms[result.platform] = (platforms[result.platform] ?? 0) + 1;
      if (!match(result.platform)) continue;
      if (result.ok && result.config) configs.push(result.config);
      else
        invalid.push({
          configId: result.configId,
          hasId: typeof raw.configId === 'string' && raw.configId !== '',
          file: `DynamoDB table ${this.tableOf('L1')}`,
          ...(result.platform !== undefined ? { platform: result.platform } : {}),
          problems: result.problems.filter((p) => p.severity === 'error'),
        });
    }
    return { configs, invalid, platforms };
  }

  async listL1(platform?: string): Promise<L1Config[]> {
    const s = await this.selectL1(platform);
    if (s.invalid.length) throw configError(s.invalid.flatMap((i) => i.problems));
    return s.configs;
  }

  getL1(configId: string): Promise<L1Config> {
    return this.one<L1Config>('L1', configId);
  }

  async listL2(platform?: string): Promise<L2Config[]> {
    const items = (await this.all('L2')) as LoadedItem<L2Config>[];
    const bad = items.filter((i) => !i.result.ok);
    if (bad.length) throw configError(bad.flatMap((i) => i.result.problems));
    const all = items.map((i) => i.result.config!);
    if (platform === undefined) return all;
    const p = platform.trim().toLowerCase();
    return all.filter((c) => c.platform === undefined || c.platform.trim().toLowerCase() === p);
  }

  async selectL2(platform?: string): Promise<L2Selection> {
    const items = (await this.all('L2')) as LoadedItem<L2Config>[];
    // An item without a platform serves every platform (the seed's L2 items name none).
    const match = (p: string | undefined) =>
      platform === undefined || p === undefined || p.trim().toLowerCase() === platform.trim().toLowerCase();
    const configs: L2Config[] = [];
    const invalid: InvalidConfig[] = [];
    for (const { raw, result } of items) {
      if (!match(result.platform)) continue;
      if (result.ok && result.config) configs.push(result.config);
      else
        invalid.push({
          configId: result.configId,
          hasId: typeof raw.configId === 'string' && raw.configId !== '',
          file: `DynamoDB table ${this.tableOf('L2')}`,
          ...(result.platform !== undefined ? { platform: result.platform } : {}),
          problems: result.problems.filter((p) => p.severity === 'error'),
        });
    }
    return { configs, invalid };
  }

  getL2(configId: string): Promise<L2Config> {
    return this.one<L2Config>('L2', configId);
  }

  /** Raw items of a layer (valid or not), for routing history and notifications by config. */
  async rawItems(kind: ProcessKind): Promise<Record<string, unknown>[]> {
    return (await this.all(kind)).map((i) => i.raw);
  }
}
