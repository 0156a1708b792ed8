/**
 * Where config items come from: the port. Adapters: `FileConfigStore` (a project folder's
 * `configs/l1` and `configs/l2`) and, on AWS, a DynamoDB store over the seed's CONFIG_TABLE and
 * L2_CONFIG_TABLE. Every adapter returns parsed, validated configs; runtime code never sees raw
 * items.
 *
 * A store is read-only. Mutable state (lastSyncTime, status, lastSuccessfulRun) lives in the
 * StateStore; the values in a config item are initial values only.
 */
import type { ConfigProblem } from './issues.js';
import type { L1Config } from './l1-schema.js';
import type { L2Config } from './l2-schema.js';

/** An item that failed validation: it fails alone, the rest of its layer still runs. */
export interface InvalidConfig {
  /** Its configId, or `<file>#<n> (no configId)` / the file name when it has none or cannot be read. */
  configId: string;
  /** True when `configId` is the item's own id (so state and history can be keyed by it). */
  hasId: boolean;
  file: string;
  platform?: string;
  problems: ConfigProblem[];
}

/** The L1 configs a run selects: the valid ones run, the invalid ones fail alone. */
export interface L1Selection {
  configs: L1Config[];
  invalid: InvalidConfig[];
  /** Every platform the store has, with its number of configs (for "did you mean" errors). */
  platforms: Record<string, number>;
}

/** The L2 configs a run selects: the valid ones run, the invalid ones fail alone. */
export interface L2Selection {
  configs: L2Config[];
  invalid: InvalidConfig[];
}

export interface ConfigStore {
  /**
   * The L1 configs of one platform (all when undefined), valid and invalid apart, so one bad item
   * never stops the others.
   */
  selectL1(platform?: string): Promise<L1Selection>;
  /**
   * All L1 configs, or those of one platform (case-insensitive). Throws FloeError('config-invalid')
   * listing every problem when any L1 item is invalid.
   */
  listL1(platform?: string): Promise<L1Config[]>;
  /** One L1 config; FloeError('not-found') (with a "did you mean") when there is none. */
  getL1(configId: string): Promise<L1Config>;
  /** All L2 configs; with a platform, those of that platform plus those that name none. */
  listL2(platform?: string): Promise<L2Config[]>;
  /**
   * The L2 configs `listL2` would return, valid and invalid apart, so one bad item never stops
   * the others.
   */
  selectL2(platform?: string): Promise<L2Selection>;
  getL2(configId: string): Promise<L2Config>;
}
