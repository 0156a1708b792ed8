/**
 * One run of a config at a time, across processes and hosts: a lease kept in the config item
 * itself (`floeLock`: run id, host, pid, since, expiresAtMs), so the user's tables need nothing new.
 * Taking it is one conditional UpdateItem that succeeds when nobody holds it, its lease has
 * expired, or we already hold it; DynamoDB applies conditions atomically, so two runs can never
 * both take it. The holder renews the lease (heartbeat) every quarter of its length; a run that
 * died stops renewing, and the next run takes the lock over once the lease has expired and is
 * told whose it was, so it can clean up after that run (see aws-profile.ts).
 *
 * A second run fails at once naming the holder, or waits for it (`--wait-for-lock`).
 */
import { hostname } from 'node:os';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { FloeError } from '../../errors.js';
import type { Logger } from '../ports/logger.js';
import type { ProcessKind } from '../ports/state-store.js';
import { awsError, awsErrorName } from './aws-error.js';
import { type DynamoConfigStore, FLOE_LOCK_ATTR } from './dynamo-config-store.js';

export interface LeaseHolder {
  readonly runId: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  readonly expiresAtMs: number;
}

export interface ConfigLockOptions {
  /** Lease length; a holder silent for this long is taken over (default 60 s). */
  readonly leaseMs?: number;
  /** Wait up to this long for a live holder (default 0: fail at once). */
  readonly waitMs?: number;
  /** Called after taking over the lease of a run that stopped renewing it. */
  readonly onTakeover?: (dead: LeaseHolder, kind: ProcessKind, configId: string) => Promise<void>;
  readonly logger?: Logger;
  readonly host?: string;
}

export interface HeldLease {
  release(): Promise<void>;
  /** False once the lease was lost (another run took it over after missed heartbeats). */
  readonly held: boolean;
}

const POLL_MS = 500;

export class DynamoConfigLocks {
  private readonly leaseMs: number;
  private readonly host: string;
  /** Leases this run holds now, by `<kind>:<configId>`. */
  private readonly holding = new Map<string, { kind: ProcessKind; configId: string; table: string }>();

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly configs: DynamoConfigStore,
    private readonly runId: string,
    private readonly opts: ConfigLockOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.host = opts.host ?? hostname();
  }

  async acquire(kind: ProcessKind, configId: string): Promise<HeldLease> {
    const table = this.configs.tableOf(kind);
    const deadline = Date.now() + (this.opts.waitMs ?? 0);
    const since = new Date().toISOString();
    for (;;) {
      const now = Date.now();
      const holder: LeaseHolder = {
        runId: this.runId,
        host: this.host,
        pid: process.pid,
        since,
        expiresAtMs: now + this.leaseMs,
      };
      try {
        const r = await this.ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { configId: { S: configId } },
            UpdateExpression: 'SET #lock = :holder',
            ConditionExpression:
              'attribute_exists(configId) AND (attribute_not_exists(#lock) OR #lock.expiresAtMs < :now OR #lock.runId = :me)',
            ExpressionAttributeNames: { '#lock': FLOE_LOCK_ATTR },
            ExpressionAttributeValues: marshall({ ':holder': holder, ':now': now, ':me': this.runId }),
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = r.Attributes
          ? (unmarshall(r.Attributes)[FLOE_LOCK_ATTR] as LeaseHolder | undefined)
          : undefined;
        if (old && old.runId !== this.runId) {
          this.opts.logger?.warn(
            `took over the lock of ${kind} config ${configId} from run ${old.runId} (pid ${old.pid} on ${old.host}, since ${old.since}): its lease expired ${new Date(old.expiresAtMs).toISOString()} without renewal, so that run is gone`,
            { configId, deadRun: old.runId },
          );
          await this.opts.onTakeover?.(old, kind, configId);
        }
        return this.held(kind, configId, table);
      } catch (e) {
        if (awsErrorName(e) !== 'ConditionalCheckFailedException')
          throw awsError(e, {
            action: 'UpdateItem',
            resource: `DynamoDB table ${table}`,
            iam: 'dynamodb:UpdateItem',
            context: { configId },
          });
      }
      const item = await this.configs.rawItem(kind, configId);
      if (!item)
        throw new FloeError('not-found', `config ${configId} not found in DynamoDB table ${table}`, {
          context: { configId },
        });
      const current = item[FLOE_LOCK_ATTR] as LeaseHolder | undefined;
      if (!current) continue; // released between our try and our read
      if (Date.now() >= deadline) throw lockedError(kind, configId, table, current, this.opts.waitMs ?? 0);
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(10, deadline - Date.now()))));
    }
  }

  /**
   * Throws unless every lease this run holds is still its own in DynamoDB. Called before each
   * catalog commit: a process that froze past its lease (and was taken over, its uncommitted files
   * removed by the new holder) must not commit on waking up.
   */
  async assertHeld(): Promise<void> {
    for (const [key, { kind, configId, table }] of [...this.holding.entries()]) {
      const item = await this.configs.rawItem(kind, configId);
      const lock = item?.[FLOE_LOCK_ATTR] as LeaseHolder | undefined;
      if (lock?.runId === this.runId) continue;
      // Released while we read it (that config's run ended, e.g. failed, beside this commit):
      // its lease is gone because we gave it back, not because another run took it.
      if (!this.holding.has(key)) continue;
      throw new FloeError(
        'commit-conflict',
        `this run lost the lock of ${kind} config ${configId} (${lock ? `run ${lock.runId} on ${lock.host} holds it now` : 'nobody holds it now'}): it stopped renewing its lease for longer than the lease lasts, so another run took over. Nothing more is committed by this run; rerun it if needed (DynamoDB table ${table})`,
        { context: { configId } },
      );
    }
  }

  private held(kind: ProcessKind, configId: string, table: string): HeldLease {
    let held = true;
    let released = false;
    const key0 = `${kind}:${configId}`;
    this.holding.set(key0, { kind, configId, table });
    const key = { configId: { S: configId } };
    const names = { '#lock': FLOE_LOCK_ATTR };
    const renew = async () => {
      try {
        await this.ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'SET #lock.expiresAtMs = :exp',
            ConditionExpression: '#lock.runId = :me',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: marshall({ ':exp': Date.now() + this.leaseMs, ':me': this.runId }),
          }),
        );
      } catch (e) {
        if (awsErrorName(e) === 'ConditionalCheckFailedException' && !released) {
          held = false;
          clearInterval(timer);
          this.opts.logger?.error(
            `lost the lock of ${kind} config ${configId}: another run took it over after this run missed its heartbeats`,
            { configId },
          );
        }
        // Other failures (throttling, a network blip): the next beat tries again within the lease.
      }
    };
    const timer = setInterval(() => void renew(), Math.max(250, Math.floor(this.leaseMs / 4)));
    timer.unref();
    return {
      get held() {
        return held;
      },
      release: async () => {
        if (released) return;
        released = true;
        this.holding.delete(key0);
        clearInterval(timer);
        await this.ddb
          .send(
            new UpdateItemCommand({
              TableName: table,
              Key: key,
              UpdateExpression: 'REMOVE #lock',
              ConditionExpression: '#lock.runId = :me',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: marshall({ ':me': this.runId }),
            }),
          )
          .catch(() => {
            // Not ours any more, or DynamoDB unreachable: the lease then expires by itself.
          });
      },
    };
  }
}

function lockedError(
  kind: ProcessKind,
  configId: string,
  table: string,
  h: LeaseHolder,
  waitedMs: number,
): FloeError {
  const waited = waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : '';
  return new FloeError(
    'commit-conflict',
    `${kind} config ${configId} is being run by another floe run: run ${h.runId}, pid ${h.pid} on ${h.host}, since ${h.since}, lease until ${new Date(h.expiresAtMs).toISOString()}${waited}. ` +
      `Two runs of one config would fetch and commit the same changes, so this one did not start it. ` +
      `Fix: wait for that run (or pass --wait-for-lock <seconds>); if it is gone, its lease expires and floe takes the lock over by itself (DynamoDB table ${table}, attribute ${FLOE_LOCK_ATTR})`,
    { context: { configId, holderRunId: h.runId, holderHost: h.host, holderPid: h.pid } },
  );
}
