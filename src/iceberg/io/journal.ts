/**
 * A FileIO that writes down every file it is asked to create, before creating it, one URI per
 * line in a journal file. If the process dies between writing a file and committing it, the
 * journal says exactly which files were its own, so they can be removed later without guessing
 * from ages (see maintenance/uncommitted.ts). Reads and deletes pass straight through.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FileIO, ListedFile, StagedWrite } from './file-io.js';

export class JournalingFileIO implements FileIO {
  constructor(
    private readonly inner: FileIO,
    /** Local path of the journal (created with its folder on first write). */
    readonly journalPath: string,
  ) {
    mkdirSync(dirname(journalPath), { recursive: true });
  }

  private note(uri: string): void {
    // Synchronous append: the line is in the file before the data file exists.
    appendFileSync(this.journalPath, `${uri}\n`);
  }

  write(uri: string, data: Buffer | string, opts?: { exclusive?: boolean }): Promise<void> {
    this.note(uri);
    return this.inner.write(uri, data, opts);
  }

  stageWrite(uri: string): Promise<StagedWrite> {
    this.note(uri);
    return this.inner.stageWrite(uri);
  }

  read(uri: string): Promise<Buffer> {
    return this.inner.read(uri);
  }

  exists(uri: string): Promise<boolean> {
    return this.inner.exists(uri);
  }

  delete(uri: string): Promise<void> {
    return this.inner.delete(uri);
  }

  list(prefixUri: string): Promise<string[]> {
    return this.inner.list(prefixUri);
  }

  listDetailed(prefixUri: string): Promise<ListedFile[]> {
    if (!this.inner.listDetailed) return Promise.reject(new Error('this FileIO cannot list file ages'));

    return this.inner.listDetailed(prefixUri);
  }

  localCopy(uri: string): Promise<{ path: string; release(): Promise<void> }> {
    return this.inner.localCopy(uri);
  }
}
