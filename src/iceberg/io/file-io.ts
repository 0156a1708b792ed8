/**
 * FileIO: how Iceberg files are read and written, by URI. Local files today; S3 plugs in behind
 * the same interface (DuckDB cannot reach S3 here, so data files are staged locally and
 * uploaded by `stageWrite`/`localCopy`).
 */
export interface StagedWrite {
  /** Local path the writer (DuckDB) writes to. */
  readonly localPath: string;
  /** Publishes the staged file at its URI; returns its size in bytes. */
  publish(): Promise<number>;
  /** Drops the staged file (on failure). */
  discard(): Promise<void>;
}

export interface ListedFile {
  readonly uri: string;
  readonly size: number;
  /** Milliseconds since the epoch. */
  readonly lastModifiedMs: number;
}

export interface FileIO {
  read(uri: string): Promise<Buffer>;
  /** Writes a whole file. With `exclusive`, fails if it exists (metadata files are never overwritten). */
  write(uri: string, data: Buffer | string, opts?: { exclusive?: boolean }): Promise<void>;
  exists(uri: string): Promise<boolean>;
  delete(uri: string): Promise<void>;
  /** All file URIs under a prefix (for orphan cleanup and tests). */
  list(prefixUri: string): Promise<string[]>;
  /**
   * All files under a prefix with their size and last-modified time (orphan removal only
   * removes files older than a safety age). Optional: a FileIO without it cannot remove orphans.
   */
  listDetailed?(prefixUri: string): Promise<ListedFile[]>;
  /** A place to write a data file that becomes `uri` on publish. */
  stageWrite(uri: string): Promise<StagedWrite>;
  /** A local path with the file's bytes, for readers that need one (DuckDB). */
  localCopy(uri: string): Promise<{ path: string; release(): Promise<void> }>;
}
