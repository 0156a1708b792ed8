/**
 * Reading and writing manifest files through a FileIO, with the table's spec and schema
 * resolved so partition tuples come back keyed by partition field name.
 */
import { randomUUID } from 'node:crypto';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import {
  decodeManifest,
  decodeManifestList,
  encodeManifest,
  type ManifestEntry,
  type ManifestFile,
  type PartitionFieldType,
  partitionFieldTypes,
} from '../spec/manifest.js';
import { currentSchema, schemaById, specById, type TableMetadata } from '../spec/metadata.js';
import type { PartitionSpec } from '../spec/partition.js';
import { indexSchema, type Schema } from '../spec/schema.js';
import { transformResultType } from '../spec/transforms.js';

export function partitionTypeFor(
  metadata: TableMetadata,
  specId: number,
  schema?: Schema,
): PartitionFieldType[] {
  const spec = specById(metadata, specId);
  if (!spec) throw new FloeError('metadata-corrupt', `partition spec ${specId} is not in the table metadata`);
  // A partition source may have been dropped from the current schema; look through all schemas.
  const schemas = schema ? [schema, ...metadata.schemas] : [currentSchema(metadata), ...metadata.schemas];
  const indexes = schemas.map((s) => indexSchema(s));
  return partitionFieldTypes(
    spec,
    (t, src) => transformResultType(t, src),
    (id) => {
      for (const idx of indexes) {
        const f = idx.get(id);
        if (f) return f.type;
      }
      return undefined;
    },
  );
}

export async function readManifestList(io: FileIO, location: string): Promise<ManifestFile[]> {
  try {
    return decodeManifestList(await io.read(location));
  } catch (e) {
    throw wrap(e, location, 'manifest list');
  }
}

export async function readManifestEntries(
  io: FileIO,
  metadata: TableMetadata,
  manifest: ManifestFile,
): Promise<ManifestEntry[]> {
  const spec = specById(metadata, manifest.partition_spec_id);
  try {
    const buf = await io.read(manifest.manifest_path);
    const decoded = decodeManifest(buf, spec, partitionTypeFor(metadata, manifest.partition_spec_id));
    // Inherit sequence numbers and snapshot id for ADDED entries (spec §Sequence Number Inheritance).
    for (const e of decoded.entries) {
      e.snapshot_id ??= manifest.added_snapshot_id;
      if (e.status === 1) {
        e.sequence_number ??= manifest.sequence_number;
        e.file_sequence_number ??= manifest.sequence_number;
      }
      e.data_file.record_count = BigInt(e.data_file.record_count);
      e.data_file.file_size_in_bytes = BigInt(e.data_file.file_size_in_bytes);
    }
    return decoded.entries;
  } catch (e) {
    throw wrap(e, manifest.manifest_path, 'manifest');
  }
}

function wrap(e: unknown, file: string, what: string): FloeError {
  if (isFloeError(e)) return e.withContext({ file });
  return new FloeError('metadata-corrupt', `cannot read ${what}: ${(e as Error).message}`, {
    context: { file },
    cause: e,
  });
}

export interface NewManifest {
  entries: ManifestEntry[];
  specId: number;
  content: 0 | 1;
}

/** Writes one manifest and returns its manifest-list entry (counts, partition summaries). */
export async function writeManifest(
  io: FileIO,
  metadata: TableMetadata,
  m: NewManifest,
  snapshotId: bigint,
  sequenceNumber: bigint,
  commitId: string,
  index: number,
  summarize: (
    spec: PartitionSpec,
    type: PartitionFieldType[],
    entries: ManifestEntry[],
  ) => ManifestFile['partitions'],
): Promise<ManifestFile> {
  const spec = specById(metadata, m.specId)!;
  const partitionType = partitionTypeFor(metadata, m.specId);
  const schema = schemaById(metadata, undefined);
  const buf = encodeManifest({
    schema,
    spec,
    partitionType,
    content: m.content === 0 ? 'data' : 'deletes',
    entries: m.entries,
  });
  const path = `${metadata.location}/metadata/${commitId}-m${index}.avro`;
  await io.write(path, buf, { exclusive: true });
  let added = 0;
  let existing = 0;
  let deleted = 0;
  let addedRows = 0n;
  let existingRows = 0n;
  let deletedRows = 0n;
  let minSeq: bigint | undefined;
  for (const e of m.entries) {
    const rows = BigInt(e.data_file.record_count);
    if (e.status === 1) {
      added++;
      addedRows += rows;
    } else if (e.status === 0) {
      existing++;
      existingRows += rows;
    } else {
      deleted++;
      deletedRows += rows;
    }
    if (e.status !== 2) {
      const seq = e.sequence_number ?? sequenceNumber;
      if (minSeq === undefined || seq < minSeq) minSeq = seq;
    }
  }
  return {
    manifest_path: path,
    manifest_length: BigInt(buf.length),
    partition_spec_id: m.specId,
    content: m.content,
    sequence_number: sequenceNumber,
    min_sequence_number: minSeq ?? sequenceNumber,
    added_snapshot_id: snapshotId,
    added_files_count: added,
    existing_files_count: existing,
    deleted_files_count: deleted,
    added_rows_count: addedRows,
    existing_rows_count: existingRows,
    deleted_rows_count: deletedRows,
    partitions: summarize(spec, partitionType, m.entries),
    key_metadata: null,
  };
}

export function newCommitId(): string {
  return randomUUID();
}
