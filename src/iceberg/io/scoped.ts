/**
 * A FileIO that writes and deletes only inside one root (the warehouse). The second wall behind
 * name validation: whatever a table name, a location in metadata or a bug produces, a write,
 * a staged write or a delete whose URI resolves outside the root (`..` segments included) is
 * refused before it reaches the file system or the object store. Reads are not restricted: a
 * table may legitimately read files registered from elsewhere.
 *
 * Not covered: a symlink inside the root that points out of it (the file system follows it).
 */
import { FloeError } from '../../errors.js';
import type { FileIO, ListedFile, StagedWrite } from './file-io.js';
import { formatLocation, isInside, resolveLocation } from './location.js';

export class ScopedFileIO implements FileIO {
  constructor(
    private readonly inner: FileIO,
    /** The root every write must resolve inside: a URI (`file:///…`, `s3://bucket/prefix`) or absolute path. */
    readonly root: string,
  ) {}

  read(uri: string): Promise<Buffer> {
    return this.inner.read(uri);
  }

  async write(uri: string, data: Buffer | string, opts?: { exclusive?: boolean }): Promise<void> {
    this.check(uri, 'write');
    return this.inner.write(uri, data, opts);
  }

  exists(uri: string): Promise<boolean> {
    return this.inner.exists(uri);
  }

  async delete(uri: string): Promise<void> {
    this.check(uri, 'delete');
    return this.inner.delete(uri);
  }

  list(prefixUri: string): Promise<string[]> {
    return this.inner.list(prefixUri);
  }

  listDetailed(prefixUri: string): Promise<ListedFile[]> {
    if (!this.inner.listDetailed) return Promise.reject(new Error('this FileIO cannot list file ages'));

    return this.inner.listDetailed(prefixUri);
  }

  async stageWrite(uri: string): Promise<StagedWrite> {
    this.check(uri, 'write');
    return this.inner.stageWrite(uri);
  }

  localCopy(uri: string): Promise<{ path: string; release(): Promise<void> }> {
    return this.inner.localCopy(uri);
  }

  private check(uri: string, op: 'write' | 'delete'): void {
    if (isInside(uri, this.root)) return;
    const resolved = formatLocation(resolveLocation(uri));
    throw new FloeError(
      'io',
      `refusing to ${op} ${uri}: it resolves to ${resolved}, which is not inside the warehouse ${this.root}. ` +
        `A table name or location with '..' segments, or a table registered with a location elsewhere, points there; ` +
        'rename the table or fix its location',
      { context: { file: uri } },
    );
  }
}
