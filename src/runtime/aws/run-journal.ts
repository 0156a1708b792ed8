/**
 * The durable half of a run's write journal on AWS. A run's scratch folder is local to its
 * container and dies with it, so the local journal (io/journal.ts) cannot tell the next run what
 * a killed run left behind. Every file a run is about to create is therefore also noted in S3,
 * before the file is created, as one small object `<journal root>/<runId>/<sha1 of the URI>`
 * holding the URI (an object per file: S3 cannot append, and a note must land before its file).
 *
 * Who reads it: a run that takes over a config's lease from a run that stopped renewing it (see
 * dynamo-config-lock.ts) reads the dead run's notes, removes the files no table refers to
 * (maintenance/uncommitted.ts: only listed files, only if unreferenced) and deletes the notes. A
 * run that ends normally deletes its own notes: its uncommitted files were removed as it went.
 */
import { createHash } from 'node:crypto';
import type { FileIO, ListedFile, StagedWrite } from '../../iceberg/io/file-io.js';

export class S3RunJournal {
  constructor(
    private readonly io: FileIO,
    /** `s3://bucket/<warehouse>/_floe/journal`. */
    readonly root: string,
  ) {}

  private dir(runId: string): string {
    return `${this.root.replace(/\/+$/, '')}/${encodeURIComponent(runId)}`;
  }

  async note(runId: string, uri: string): Promise<void> {
    const name = createHash('sha1').update(uri).digest('hex');
    await this.io.write(`${this.dir(runId)}/${name}`, uri);
  }

  /** The files a run noted (committed or not). */
  async written(runId: string): Promise<string[]> {
    const out: string[] = [];
    for (const note of await this.io.list(this.dir(runId))) {
      try {
        out.push((await this.io.read(note)).toString('utf8'));
      } catch {
        // A note deleted meanwhile: nothing to clean for it.
      }
    }
    return out;
  }

  async remove(runId: string): Promise<void> {
    for (const note of await this.io.list(this.dir(runId))) await this.io.delete(note);
  }
}

/** A FileIO that notes each file in the run's S3 journal before creating it. */
export class DurablyJournaledFileIO implements FileIO {
  constructor(
    private readonly inner: FileIO,
    private readonly journal: S3RunJournal,
    private readonly runId: string,
  ) {}

  async write(uri: string, data: Buffer | string, opts?: { exclusive?: boolean }): Promise<void> {
    await this.journal.note(this.runId, uri);
    return this.inner.write(uri, data, opts);
  }

  async stageWrite(uri: string): Promise<StagedWrite> {
    await this.journal.note(this.runId, uri);
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
