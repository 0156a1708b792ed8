/**
 * The record spool: a run's rows on local disk as NDJSON while the schema is still being
 * learned, so memory stays flat however many records come and the table's schema is settled
 * (inferred over *all* records) before a single data file is written.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class RecordSpool {
  private out: WriteStream | undefined;
  private buf = '';
  count = 0;

  private constructor(
    private readonly dir: string,
    private readonly path: string,
  ) {}

  /** A new spool in `parent` (a run's scratch folder; default the OS temp folder). */
  static async open(parent = tmpdir()): Promise<RecordSpool> {
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(join(parent, 'floe-spool-'));
    const spool = new RecordSpool(dir, join(dir, 'records.ndjson'));
    spool.out = createWriteStream(spool.path, { highWaterMark: 1 << 20 });
    return spool;
  }

  /**
   * Appends encoded rows: each is an open JSON object (`{"a":1,"b":2` — see RowLineEncoder);
   * the spool closes it with `__floe_seq`, the row's position in the run, which MERGE uses to
   * let the last of several versions of a record win when their update times tie.
   */
  async writeOpenLines(lines: readonly string[]): Promise<void> {
    for (const l of lines) this.buf += `${l},"__floe_seq":${this.count++}}\n`;
    if (this.buf.length >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const out = this.out!;
    const chunk = this.buf;
    this.buf = '';
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }

  /** Ends writing; the rows can then be read back once. */
  async finish(): Promise<void> {
    if (this.buf) await this.flush();
    const out = this.out!;
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }

  /** The NDJSON file, for a writer that reads it in bulk (valid after `finish`). */
  get file(): string {
    return this.path;
  }

  async dispose(): Promise<void> {
    this.out?.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
