/** The partition spec's JSON shape (spec §Partition Specs), shared by metadata and manifests. */
export interface PartitionFieldLike {
  readonly 'source-id': number;
  readonly 'field-id': number;
  readonly name: string;
  readonly transform: string;
}
export interface PartitionSpecLike {
  readonly 'spec-id': number;
  readonly fields: readonly PartitionFieldLike[];
}
