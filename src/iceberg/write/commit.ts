/**
 * Optimistic commits. A transaction produces a snapshot against the metadata it read; the
 * catalog swaps the metadata pointer only if nobody committed in between. On a conflict the
 * snapshot is produced again on top of the fresh metadata (the data files are reused) after
 * re-validating: appends never conflict; an overwrite or delete fails if a file it removes is
 * already gone, so concurrent writers never lose or resurrect rows; a caller's `validate` may
 * refuse a base (MERGE refuses one with data added after its plan, see validate.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FloeError, isFloeError } from '../../errors.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { identifierString } from '../catalog/catalog.js';
import { commitMetadata } from '../catalog/metastore.js';
import type { Snapshot, TableMetadata } from '../spec/metadata.js';
import { produceSnapshot, type SnapshotChanges } from './snapshot-producer.js';
import { REPLAN } from './validate.js';

export interface CommitResult {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
  readonly snapshot: Snapshot;
  readonly attempts: number;
}

export interface TableState {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}

export async function commitSnapshot(
  catalog: Catalog,
  id: TableIdentifier,
  start: TableState,
  changes: (base: TableMetadata) => SnapshotChanges | Promise<SnapshotChanges>,
  /**
   * Runs against every base the snapshot is produced on (the start state, then each fresh state
   * after a lost race); throwing abandons the commit. See validate.ts.
   */
  validate?: (base: TableMetadata) => void,
): Promise<CommitResult> {
  const props = start.metadata.properties;
  const retries = Number(props['commit.retry.num-retries'] ?? 20);
  const minWait = Number(props['commit.retry.min-wait-ms'] ?? 20);
  const maxWait = Number(props['commit.retry.max-wait-ms'] ?? 2000);
  let state = start;
  for (let attempt = 1; ; attempt++) {
    validate?.(state.metadata);
    const c = await changes(state.metadata);
    const produced = await produceSnapshot(catalog.io, state.metadata, c);
    if (c.remove && c.remove !== 'all') {
      const missing = [...c.remove].filter((p) => !produced.removedPaths.includes(p));
      if (missing.length) {
        await Promise.all(produced.writtenFiles.map((f) => catalog.io.delete(f)));
        throw new FloeError(
          'commit-conflict',
          `cannot commit: ${missing.length} file(s) this operation replaces were removed by a concurrent commit`,
          {
            context: { table: identifierString(id), file: missing[0], reason: REPLAN },
          },
        );
      }
    }
    try {
      const written = await commitMetadata(catalog, id, state.metadataLocation, produced.metadata);
      return {
        metadata: written.metadata,
        metadataLocation: written.location,
        snapshot: produced.snapshot,
        attempts: attempt,
      };
    } catch (e) {
      await Promise.all(produced.writtenFiles.map((f) => catalog.io.delete(f)));
      if (!isFloeError(e, 'commit-conflict') || !e.retryable || attempt > retries) throw e;
      const wait = Math.min(maxWait, minWait * 2 ** (attempt - 1));
      await sleep(wait / 2 + Math.random() * (wait / 2));
      state = await catalog.loadTableMetadata(id);
    }
  }
}
