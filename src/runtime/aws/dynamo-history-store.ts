/**
 * Run history in DynamoDB, one item per config per run in the seed's shape (`configId`, `job-id`,
 * `load_type`, `loadTimestamp`, `snapshot_id`, `error`, `lastRunStatus`, `totalRecordsProcessed`)
 * plus floe's extras (`runId`, `processType`, `durationMs`, `table`, `cursor`, `warnings`, `note`,
 * `recordsFetched`, `checkpoints`).
 *
 * L1 configs name their history table in `history.dynamoTable`; L2 uses L2_HISTORY_TABLE. The
 * user's tables keep their own key schema: it is read once (DescribeTable) and must be made of
 * item attributes (the seed's is `configId` + `loadTimestamp`; `configId` + `job-id` and others
 * work too). Recording the same (runId, processType, configId) again replaces the earlier item,
 * even when the key changed (a later loadTimestamp), so a retried write never duplicates a row.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { FloeError } from '../../errors.js';
import { redact } from '../../util/redact.js';
import type { HistoryEntry, HistoryQuery, HistoryStore } from '../ports/history-store.js';
import type { ProcessKind } from '../ports/state-store.js';
import { awsError } from './aws-error.js';

/** Which history table a config's rows go to (undefined: the config names none). */
export type HistoryRouter = (configId: string) => Promise<string | undefined>;

interface KeySchema {
  readonly hash: string;
  readonly range?: string;
}

const STRING_FIELDS = [
  'configId',
  'job-id',
  'load_type',
  'loadTimestamp',
  'snapshot_id',
  'error',
  'runId',
  'table',
  'cursor',
  'note',
] as const;

export class DynamoHistoryStore implements HistoryStore {
  private readonly keys = new Map<string, Promise<KeySchema>>();

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly route: HistoryRouter,
    /** Every table this store may hold rows in (for `list` without a configId). */
    private readonly tables: () => Promise<string[]>,
    private readonly what: string,
  ) {}

  private keySchema(table: string): Promise<KeySchema> {
    let p = this.keys.get(table);
    if (!p) {
      p = this.describe(table);
      this.keys.set(table, p);
      p.catch(() => this.keys.delete(table));
    }
    return p;
  }

  private async describe(table: string): Promise<KeySchema> {
    try {
      const r = await this.ddb.send(new DescribeTableCommand({ TableName: table }));
      const ks = r.Table?.KeySchema ?? [];
      const hash = ks.find((k) => k.KeyType === 'HASH')?.AttributeName ?? 'configId';
      const range = ks.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      return { hash, ...(range ? { range } : {}) };
    } catch (e) {
      throw awsError(e, {
        action: 'DescribeTable',
        resource: `DynamoDB history table ${table}`,
        iam: 'dynamodb:DescribeTable',
        ifMissing: `create it (e.g. key configId (S) + loadTimestamp (S)), or correct ${this.what}`,
      });
    }
  }

  private async tableFor(configId: string): Promise<string> {
    const t = await this.route(configId);
    if (!t)
      throw new FloeError(
        'config-invalid',
        `config ${configId} names no history table: set history.dynamoTable in its item (${this.what})`,
        { context: { configId, field: 'history.dynamoTable' } },
      );
    return t;
  }

  async record(entry: HistoryEntry): Promise<void> {
    const table = await this.tableFor(entry.configId);
    const keys = await this.keySchema(table);
    const item = toItem(entry);
    for (const k of [keys.hash, keys.range]) {
      if (k !== undefined && (item[k] === undefined || item[k] === ''))
        throw new FloeError(
          'config-invalid',
          `history table ${table} is keyed by ${k}, which floe's history items ${item[k] === '' ? 'leave empty here' : 'do not have'} (fix: key the table by configId + loadTimestamp, the seed's history fields)`,
          { context: { configId: entry.configId } },
        );
    }
    const earlier = await this.findIn(table, keys, entry.runId, entry.processType, entry.configId);
    try {
      await this.ddb.send(
        new PutItemCommand({ TableName: table, Item: marshall(item, { removeUndefinedValues: true }) }),
      );
      if (earlier && !sameKey(earlier, item, keys)) {
        await this.ddb.send(new DeleteItemCommand({ TableName: table, Key: marshall(keyOf(earlier, keys)) }));
      }
    } catch (e) {
      throw awsError(e, {
        action: 'PutItem',
        resource: `DynamoDB history table ${table}`,
        iam: 'dynamodb:PutItem and dynamodb:DeleteItem',
        context: { configId: entry.configId },
      });
    }
  }

  async list(query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    const tables = query.configId ? [await this.tableFor(query.configId)] : [...new Set(await this.tables())];
    const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
    const out: HistoryEntry[] = [];
    for (const table of tables) {
      const keys = await this.keySchema(table);
      for (const item of await this.items(table, keys, query.configId)) {
        const e = fromItem(item);
        if (query.processType && e.processType !== query.processType) continue;
        if (since && e.loadTimestamp < since) continue;
        if (query.failedOnly && e.lastRunStatus === 'SUCCESS') continue;
        out.push(e);
      }
    }
    out.sort((a, b) => b.loadTimestamp.localeCompare(a.loadTimestamp));
    return out.slice(0, query.limit ?? 100);
  }

  async find(runId: string, processType: ProcessKind, configId: string): Promise<HistoryEntry | undefined> {
    const table = await this.tableFor(configId);
    const item = await this.findIn(table, await this.keySchema(table), runId, processType, configId);
    return item ? fromItem(item) : undefined;
  }

  private async findIn(
    table: string,
    keys: KeySchema,
    runId: string,
    processType: ProcessKind,
    configId: string,
  ): Promise<Record<string, unknown> | undefined> {
    return (await this.items(table, keys, configId)).find(
      (i) => (i.runId ?? i['job-id']) === runId && (i.processType ?? processType) === processType,
    );
  }

  /** A config's items (Query when the table is keyed by configId, else a filtered Scan). */
  private async items(table: string, keys: KeySchema, configId?: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    const byQuery = configId !== undefined && keys.hash === 'configId';
    do {
      let r: QueryCommandOutput | ScanCommandOutput;
      try {
        r = byQuery
          ? await this.ddb.send(
              new QueryCommand({
                TableName: table,
                KeyConditionExpression: '#c = :c',
                ExpressionAttributeNames: { '#c': 'configId' },
                ExpressionAttributeValues: { ':c': { S: configId } },
                ConsistentRead: true,
                ExclusiveStartKey: start,
              }),
            )
          : await this.ddb.send(
              new ScanCommand({
                TableName: table,
                ConsistentRead: true,
                ExclusiveStartKey: start,
                ...(configId !== undefined
                  ? {
                      FilterExpression: '#c = :c',
                      ExpressionAttributeNames: { '#c': 'configId' },
                      ExpressionAttributeValues: { ':c': { S: configId } },
                    }
                  : {}),
              }),
            );
      } catch (e) {
        throw awsError(e, {
          action: byQuery ? 'Query' : 'Scan',
          resource: `DynamoDB history table ${table}`,
          iam: byQuery ? 'dynamodb:Query' : 'dynamodb:Scan',
        });
      }
      for (const i of r.Items ?? []) out.push(unmarshall(i));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

function toItem(e: HistoryEntry): Record<string, unknown> {
  const item: Record<string, unknown> = { ...e };
  // Errors and notes may quote request URLs or bodies: redact before they are stored.
  for (const k of STRING_FIELDS) if (typeof item[k] === 'string') item[k] = redact(item[k] as string);
  return item;
}

function fromItem(i: Record<string, unknown>): HistoryEntry {
  const s = (k: string) =>
    typeof i[k] === 'string' ? (i[k] as string) : i[k] === undefined ? '' : String(i[k]);
  const e: HistoryEntry = {
    configId: s('configId'),
    'job-id': s('job-id'),
    load_type: s('load_type'),
    loadTimestamp: s('loadTimestamp'),
    snapshot_id: s('snapshot_id'),
    error: s('error'),
    lastRunStatus: (s('lastRunStatus') || 'FAILED') as HistoryEntry['lastRunStatus'],
    totalRecordsProcessed: Number(i.totalRecordsProcessed ?? 0),
    runId: s('runId') || s('job-id'),
    processType: (s('processType') || 'L1') as ProcessKind,
    durationMs: Number(i.durationMs ?? 0),
  };
  if (typeof i.table === 'string') e.table = i.table;
  if (typeof i.cursor === 'string') e.cursor = i.cursor;
  if (typeof i.warnings === 'number') e.warnings = i.warnings;
  if (typeof i.note === 'string') e.note = i.note;
  if (typeof i.recordsFetched === 'number') e.recordsFetched = i.recordsFetched;
  if (typeof i.checkpoints === 'number') e.checkpoints = i.checkpoints;
  return e;
}

function keyOf(item: Record<string, unknown>, keys: KeySchema): Record<string, unknown> {
  return { [keys.hash]: item[keys.hash], ...(keys.range ? { [keys.range]: item[keys.range] } : {}) };
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>, keys: KeySchema): boolean {
  return a[keys.hash] === b[keys.hash] && (keys.range === undefined || a[keys.range] === b[keys.range]);
}
