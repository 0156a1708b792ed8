/**
 * One shared snapshot producer (after PyIceberg's `_SnapshotProducer` and iceberg-rust's
 * `SnapshotProducer`): an operation supplies the files it adds and the files it removes; this
 * writes the manifests, merges small manifests as they accumulate, writes the manifest list and
 * returns the new metadata with the summary filled in. Committing is the caller's business.
 */
import type { FileIO } from '../io/file-io.js';
import {
  type DataFile,
  EntryStatus,
  encodeManifestList,
  type ManifestEntry,
  type ManifestFile,
} from '../spec/manifest.js';
import {
  currentSnapshot,
  newSnapshotId,
  type Snapshot,
  type SnapshotOperation,
  type TableMetadata,
  withSnapshot,
} from '../spec/metadata.js';
import { failpoint } from '../util/failpoint.js';
import { newCommitId, readManifestEntries, readManifestList, writeManifest } from './manifest-io.js';
import { summarizePartitions } from './partition-summary.js';

export interface SnapshotChanges {
  readonly operation: SnapshotOperation;
  /** New data files, all in the table's default spec. */
  readonly addedDataFiles: readonly DataFile[];
  /** New position-delete files. */
  readonly addedDeleteFiles?: readonly DataFile[];
  /** Which live files (data or delete) this snapshot removes; `all` removes every live file. */
  readonly remove?: 'all' | ReadonlySet<string>;
  /** Extra summary properties (floe run id, sync cursor). */
  readonly summary?: Record<string, string>;
}

export interface ProducedSnapshot {
  readonly metadata: TableMetadata;
  readonly snapshot: Snapshot;
  /** Files written for this attempt (deleted again if the commit is abandoned). */
  readonly writtenFiles: string[];
  /** Paths of the files actually removed (a subset of `remove`). */
  readonly removedPaths: string[];
}

const DEFAULT_TARGET_MANIFEST_BYTES = 8 * 1024 * 1024;
const DEFAULT_MIN_COUNT_TO_MERGE = 100;

export async function produceSnapshot(
  io: FileIO,
  base: TableMetadata,
  changes: SnapshotChanges,
): Promise<ProducedSnapshot> {
  const parent = currentSnapshot(base);
  const snapshotId = newSnapshotId();
  const sequenceNumber = base['last-sequence-number'] + 1n;
  const commitId = newCommitId();
  const specId = base['default-spec-id'];
  const written: string[] = [];
  let manifestIndex = 0;

  const write = async (entries: ManifestEntry[], mSpecId: number, content: 0 | 1) => {
    const mf = await writeManifest(
      io,
      base,
      { entries, specId: mSpecId, content },
      snapshotId,
      sequenceNumber,
      commitId,
      manifestIndex++,
      summarizePartitions,
    );
    written.push(mf.manifest_path);
    failpoint('iceberg.manifest');
    return mf;
  };

  const previous = parent ? await readManifestList(io, parent['manifest-list']) : [];
  const kept: ManifestFile[] = [];
  const removedEntries: ManifestEntry[] = [];
  const removedPaths: string[] = [];

  // 1. Rewrite manifests that hold removed files: removed → DELETED, the rest → EXISTING.
  for (const m of previous) {
    const mayHold = changes.remove === 'all' ? liveFiles(m) > 0 : changes.remove && changes.remove.size > 0;
    if (!mayHold) {
      kept.push(m);
      continue;
    }
    const entries = await readManifestEntries(io, base, m);
    const hits = entries.filter(
      (e) =>
        e.status !== EntryStatus.DELETED &&
        (changes.remove === 'all' || (changes.remove as ReadonlySet<string>).has(e.data_file.file_path)),
    );
    if (hits.length === 0) {
      kept.push(m);
      continue;
    }
    const rewritten: ManifestEntry[] = [];
    for (const e of entries) {
      if (e.status === EntryStatus.DELETED) continue; // deletes of older snapshots are history, not state
      if (hits.includes(e)) {
        const gone = { ...e, status: EntryStatus.DELETED, snapshot_id: snapshotId };
        rewritten.push(gone);
        removedEntries.push(gone);
        removedPaths.push(e.data_file.file_path);
      } else {
        rewritten.push({ ...e, status: EntryStatus.EXISTING });
      }
    }
    kept.push(await write(rewritten, m.partition_spec_id, m.content === 0 ? 0 : 1));
  }

  // 2. New manifests for the added files (ADDED entries inherit snapshot id and sequence numbers).
  const added = (files: readonly DataFile[]): ManifestEntry[] =>
    files.map((f) => ({
      status: EntryStatus.ADDED,
      snapshot_id: snapshotId,
      sequence_number: null,
      file_sequence_number: null,
      data_file: f,
    }));
  const fresh: ManifestFile[] = [];
  if (changes.addedDataFiles.length) fresh.push(await write(added(changes.addedDataFiles), specId, 0));
  if (changes.addedDeleteFiles?.length) fresh.push(await write(added(changes.addedDeleteFiles), specId, 1));

  // 3. Merge small manifests (Java's MergeAppend: bin-pack by size; merge a bin holding the new
  //    manifest only once it reaches min-count-to-merge), so commit cost stays flat.
  let manifests = [...fresh, ...kept];
  if ((base.properties['commit.manifest-merge.enabled'] ?? 'true') === 'true') {
    manifests = await mergeManifests(
      io,
      base,
      manifests,
      new Set(fresh.map((m) => m.manifest_path)),
      snapshotId,
      write,
    );
  }

  // 4. Manifest list and snapshot.
  const listPath = `${base.location}/metadata/snap-${snapshotId}-1-${commitId}.avro`;
  await io.write(
    listPath,
    encodeManifestList(manifests, { snapshotId, parentSnapshotId: parent?.['snapshot-id'], sequenceNumber }),
    {
      exclusive: true,
    },
  );
  written.push(listPath);

  const summary = buildSummary(changes, parent, removedEntries, manifests);
  const snapshot: Snapshot = {
    'snapshot-id': snapshotId,
    ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
    'sequence-number': sequenceNumber,
    'timestamp-ms': Math.max(Date.now(), base['last-updated-ms']),
    'manifest-list': listPath,
    summary,
    'schema-id': base['current-schema-id'],
  };
  return { metadata: withSnapshot(base, snapshot), snapshot, writtenFiles: written, removedPaths };
}

function liveFiles(m: ManifestFile): number {
  return m.added_files_count + m.existing_files_count;
}

async function mergeManifests(
  io: FileIO,
  base: TableMetadata,
  manifests: ManifestFile[],
  fresh: Set<string>,
  snapshotId: bigint,
  write: (entries: ManifestEntry[], specId: number, content: 0 | 1) => Promise<ManifestFile>,
): Promise<ManifestFile[]> {
  const target = Number(
    base.properties['commit.manifest.target-size-bytes'] ?? DEFAULT_TARGET_MANIFEST_BYTES,
  );
  const minCount = Number(
    base.properties['commit.manifest.min-count-to-merge'] ?? DEFAULT_MIN_COUNT_TO_MERGE,
  );
  const out: ManifestFile[] = [];
  const groups = new Map<string, ManifestFile[]>();
  for (const m of manifests) {
    const key = `${m.content}:${m.partition_spec_id}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const group of groups.values()) {
    for (const bin of packEnd(group, target)) {
      const holdsNew = bin.some((m) => fresh.has(m.manifest_path));
      if (bin.length === 1 || (holdsNew && bin.length < minCount)) {
        out.push(...bin);
        continue;
      }
      const entries: ManifestEntry[] = [];
      for (const m of bin) {
        for (const e of await readManifestEntries(io, base, m)) {
          const mine = e.snapshot_id === snapshotId;
          if (e.status === EntryStatus.DELETED && !mine) continue;
          if (mine && e.status === EntryStatus.ADDED) {
            entries.push({ ...e, sequence_number: null, file_sequence_number: null });
          } else if (mine) entries.push(e);
          else entries.push({ ...e, status: EntryStatus.EXISTING });
        }
      }
      out.push(await write(entries, bin[0]!.partition_spec_id, bin[0]!.content === 0 ? 0 : 1));
    }
  }
  return out;
}

/** Java's ListPacker.packEnd with lookback 1: bins filled from the oldest end, order kept. */
function packEnd(items: ManifestFile[], target: number): ManifestFile[][] {
  const bins: ManifestFile[][] = [];
  let bin: ManifestFile[] = [];
  let size = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i]!;
    const w = Number(m.manifest_length);
    if (bin.length && size + w > target) {
      bins.push(bin.reverse());
      bin = [];
      size = 0;
    }
    bin.push(m);
    size += w;
  }
  if (bin.length) bins.push(bin.reverse());
  return bins.reverse();
}

function buildSummary(
  changes: SnapshotChanges,
  parent: Snapshot | undefined,
  removed: ManifestEntry[],
  manifests: ManifestFile[],
): Snapshot['summary'] {
  const s: Record<string, string> = { operation: changes.operation };
  const sum = (files: readonly DataFile[], f: (d: DataFile) => bigint) =>
    files.reduce((a, d) => a + f(d), 0n);
  const addedData = changes.addedDataFiles;
  const addedDeletes = changes.addedDeleteFiles ?? [];
  const removedData = removed.filter((e) => e.data_file.content === 0).map((e) => e.data_file);
  const removedDeletes = removed.filter((e) => e.data_file.content !== 0).map((e) => e.data_file);
  const put = (k: string, v: bigint | number) => {
    if (BigInt(v) !== 0n) s[k] = String(v);
  };
  put('added-data-files', addedData.length);
  put(
    'added-records',
    sum(addedData, (d) => d.record_count),
  );
  put(
    'added-files-size',
    sum(addedData, (d) => d.file_size_in_bytes) + sum(addedDeletes, (d) => d.file_size_in_bytes),
  );
  put('added-delete-files', addedDeletes.length);
  put('added-position-delete-files', addedDeletes.length);
  put(
    'added-position-deletes',
    sum(addedDeletes, (d) => d.record_count),
  );
  put('deleted-data-files', removedData.length);
  put(
    'deleted-records',
    sum(removedData, (d) => d.record_count),
  );
  put(
    'removed-files-size',
    sum([...removedData, ...removedDeletes], (d) => d.file_size_in_bytes),
  );
  put('removed-delete-files', removedDeletes.length);
  put('removed-position-delete-files', removedDeletes.length);
  put(
    'removed-position-deletes',
    sum(removedDeletes, (d) => d.record_count),
  );
  const partitions = new Set(
    [...addedData, ...removedData].map((d) =>
      JSON.stringify(d.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ),
  );
  s['changed-partition-count'] = String(partitions.size);

  // Totals: counts straight from the new manifest list (always right, even when the parent was
  // written by an engine that left totals out); sizes carried forward from the parent.
  const data = manifests.filter((m) => m.content === 0);
  const deletes = manifests.filter((m) => m.content !== 0);
  const live = (ms: ManifestFile[]) =>
    ms.reduce((a, m) => a + BigInt(m.added_files_count + m.existing_files_count), 0n);
  const liveRows = (ms: ManifestFile[]) =>
    ms.reduce((a, m) => a + m.added_rows_count + m.existing_rows_count, 0n);
  const prev = (k: string) => BigInt(parent?.summary[k] ?? '0');
  s['total-records'] = String(liveRows(data));
  s['total-files-size'] = String(
    prev('total-files-size') + BigInt(s['added-files-size'] ?? '0') - BigInt(s['removed-files-size'] ?? '0'),
  );
  s['total-data-files'] = String(live(data));
  s['total-delete-files'] = String(live(deletes));
  s['total-position-deletes'] = String(liveRows(deletes));
  s['total-equality-deletes'] = '0';
  Object.assign(s, changes.summary);
  return s as Snapshot['summary'];
}
