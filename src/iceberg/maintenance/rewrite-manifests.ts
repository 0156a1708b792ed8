/**
 * Rewrite manifests (after Iceberg Java's RewriteManifests): the current snapshot's manifests are
 * regrouped per content (data / deletes) and partition spec, their live entries sorted by
 * partition (so readers prune whole manifests) and packed into manifests of about
 * `commit.manifest.target-size-bytes` (default 8 MiB); entries recorded as DELETED by earlier
 * snapshots are history, not state, and are left out. A group is rewritten only when that gains
 * something: more than one manifest smaller than the target, or manifests holding DELETED entries.
 * The new snapshot (`replace`) holds exactly the same live files with the same sequence numbers,
 * so every reader reads the same rows. Committed with a compare-and-swap; after a lost race it is
 * done again on the new state (a rewrite never conflicts with other writers).
 */
import { isFloeError } from '../../errors.js';
import { commitMetadata } from '../catalog/metastore.js';
import { EntryStatus, encodeManifestList, type ManifestEntry, type ManifestFile } from '../spec/manifest.js';
import {
  currentSnapshot,
  newSnapshotId,
  type Snapshot,
  type SnapshotId,
  withSnapshot,
} from '../spec/metadata.js';
import type { Table } from '../table.js';
import { newCommitId, readManifestEntries, readManifestList, writeManifest } from '../write/manifest-io.js';
import { summarizePartitions } from '../write/partition-summary.js';

const DEFAULT_TARGET_MANIFEST_BYTES = 8 * 1024 * 1024;

export interface RewriteManifestsOptions {
  readonly dryRun?: boolean;
  /** Default: `commit.manifest.target-size-bytes`, else 8 MiB. */
  readonly targetManifestSizeBytes?: number;
  readonly summary?: Record<string, string>;
}

export interface RewriteManifestsResult {
  /** Manifests replaced (or, on a dry run, that would be). */
  readonly replaced: number;
  readonly created: number;
  readonly kept: number;
  readonly snapshotId?: SnapshotId;
  readonly dryRun: boolean;
}

export async function rewriteManifests(
  table: Table,
  opts: RewriteManifestsOptions = {},
): Promise<RewriteManifestsResult> {
  const io = table.catalog.io;
  for (let attempt = 1; ; attempt++) {
    await table.refresh();
    const base = table.metadata;
    const parent = currentSnapshot(base);
    if (!parent) return { replaced: 0, created: 0, kept: 0, dryRun: !!opts.dryRun };
    const target =
      opts.targetManifestSizeBytes ??
      Number(base.properties['commit.manifest.target-size-bytes'] ?? DEFAULT_TARGET_MANIFEST_BYTES);
    const manifests = await readManifestList(io, parent['manifest-list']);
    const groups = new Map<string, ManifestFile[]>();
    for (const m of manifests) {
      const key = `${m.content}:${m.partition_spec_id}`;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    const rewrite: ManifestFile[][] = [];
    const kept: ManifestFile[] = [];
    for (const g of groups.values()) {
      const small = g.filter((m) => Number(m.manifest_length) < target).length;
      const withDeleted = g.some((m) => m.deleted_files_count > 0);
      if (small > 1 || withDeleted) rewrite.push(g);
      else kept.push(...g);
    }
    const replaced = rewrite.reduce((a, g) => a + g.length, 0);
    if (replaced === 0 || opts.dryRun)
      return {
        replaced,
        created: 0,
        kept: kept.length,
        dryRun: !!opts.dryRun,
      };

    const snapshotId = newSnapshotId();
    const sequenceNumber = base['last-sequence-number'] + 1n;
    const commitId = newCommitId();
    const written: string[] = [];
    let index = 0;
    const created: ManifestFile[] = [];
    try {
      for (const g of rewrite) {
        const entries: ManifestEntry[] = [];
        for (const m of g)
          for (const e of await readManifestEntries(io, base, m))
            if (e.status !== EntryStatus.DELETED) entries.push({ ...e, status: EntryStatus.EXISTING });
        entries.sort((a, b) => {
          const x = partitionKey(a.data_file.partition);
          const y = partitionKey(b.data_file.partition);
          return x < y ? -1 : x > y ? 1 : 0;
        });
        // Split by the average entry size so each new manifest is about the target size.
        const bytes = g.reduce((a, m) => a + Number(m.manifest_length), 0);
        const perEntry = entries.length
          ? bytes /
            Math.max(
              1,
              g.reduce((a, m) => a + liveAndDeleted(m), 0),
            )
          : 0;
        const perManifest = Math.max(1, Math.floor(target / Math.max(1, perEntry)));
        for (let i = 0; i < entries.length; i += perManifest) {
          const mf = await writeManifest(
            io,
            base,
            {
              entries: entries.slice(i, i + perManifest),
              specId: g[0]!.partition_spec_id,
              content: g[0]!.content === 0 ? 0 : 1,
            },
            snapshotId,
            sequenceNumber,
            commitId,
            index++,
            summarizePartitions,
          );
          written.push(mf.manifest_path);
          created.push(mf);
        }
      }
      const all = [...created, ...kept];
      const listPath = `${base.location}/metadata/snap-${snapshotId}-1-${commitId}.avro`;
      await io.write(
        listPath,
        encodeManifestList(all, { snapshotId, parentSnapshotId: parent['snapshot-id'], sequenceNumber }),
        { exclusive: true },
      );
      written.push(listPath);
      const snapshot: Snapshot = {
        'snapshot-id': snapshotId,
        'parent-snapshot-id': parent['snapshot-id'],
        'sequence-number': sequenceNumber,
        'timestamp-ms': Math.max(Date.now(), base['last-updated-ms']),
        'manifest-list': listPath,
        summary: summary(parent, replaced, created.length, kept.length, opts.summary),
        'schema-id': base['current-schema-id'],
      };
      await commitMetadata(
        table.catalog,
        table.identifier,
        table.metadataLocation,
        withSnapshot(base, snapshot),
      );
    } catch (e) {
      // Only a conflict says for sure that nothing was committed (else: left for orphan removal).
      if (isFloeError(e, 'commit-conflict')) {
        await Promise.all(written.map((f) => io.delete(f).catch(() => {})));
        if (e.retryable && attempt < 10) continue;
      }
      if (isFloeError(e)) throw e.withContext({ table: table.name });
      throw e;
    }
    await table.refresh();
    return { replaced, created: created.length, kept: kept.length, snapshotId, dryRun: false };
  }
}

function liveAndDeleted(m: ManifestFile): number {
  return m.added_files_count + m.existing_files_count + m.deleted_files_count;
}

function partitionKey(p: Record<string, unknown>): string {
  return JSON.stringify(p, (_k, x) =>
    typeof x === 'bigint'
      ? x.toString().padStart(20, '0')
      : x instanceof Uint8Array
        ? Buffer.from(x).toString('hex')
        : x,
  );
}

function summary(
  parent: Snapshot,
  replaced: number,
  created: number,
  kept: number,
  extra: Record<string, string> | undefined,
): Snapshot['summary'] {
  const s: Record<string, string> = { operation: 'replace' };
  for (const k of [
    'total-records',
    'total-files-size',
    'total-data-files',
    'total-delete-files',
    'total-position-deletes',
    'total-equality-deletes',
  ])
    if (parent.summary[k] !== undefined) s[k] = parent.summary[k]!;
  s['manifests-created'] = String(created);
  s['manifests-replaced'] = String(replaced);
  s['manifests-kept'] = String(kept);
  s['changed-partition-count'] = '0';
  return { ...s, ...extra } as Snapshot['summary'];
}
