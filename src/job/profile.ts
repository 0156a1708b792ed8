/**
 * A profile: every environment port a job needs, opened once from the job parameters. The
 * embedded local profile (local-profile.ts) uses a project folder; the AWS profile uses DynamoDB,
 * Secrets Manager, CloudWatch, Lambda, S3 and Glue. The layers (l1/, l2/) receive these ports and
 * never know which profile they run in.
 */
import type { ConfigStore } from '../config/index.js';
import type { Catalog } from '../iceberg/index.js';
import type { HistoryStore } from '../runtime/ports/history-store.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { Notifier } from '../runtime/ports/notifier.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import type { StateStore } from '../runtime/ports/state-store.js';

/** Serialises runs of one config across processes (and hosts); see ConfigLocks in l1/. */
export interface ConfigLock {
  release(): Promise<void>;
}

export interface JobProfile {
  readonly name: string;
  readonly configs: ConfigStore;
  readonly state: StateStore;
  /** L1 history (the seed: each L1 config item's `history.dynamoTable`). */
  readonly history: HistoryStore;
  /** L2 history (the seed's `L2_HISTORY_TABLE`); locally the same store as L1's. */
  readonly l2History: HistoryStore;
  readonly secrets: SecretStore;
  readonly catalog: Catalog;
  /** The run's logger (console plus the profile's log sink). */
  readonly logger: Logger;
  readonly notifier: Notifier;
  /** Environment name for reports (CUSTOMER_ENVIRONMENT or the profile's default). */
  readonly environment: string;
  /** Report recipients (CUSTOMER_NOTIFICATION_TO or the profile's default). */
  readonly recipients: string[];
  /** How many configs run at once. */
  readonly parallelism: number;
  /** Where the run's spools and staged files go; removed with the run. */
  readonly scratchDir: string;
  /** Where the run's HTML report lands, if the profile keeps one. */
  readonly reportPath?: string;
  /**
   * Per-config locks, when the profile's runs are not serialised as a whole (several hosts
   * running different configs at once); the local profile locks the whole project instead.
   */
  lockConfig?(kind: 'L1' | 'L2', configId: string): Promise<ConfigLock>;
  /** Ends the run: closes stores and the catalog, removes scratch files, releases locks. */
  close(): Promise<void>;
}
