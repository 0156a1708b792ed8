/**
 * The record spool: a run's rows on local disk as NDJSON while the schema is still being
 * learned, so memory stays flat however many records come and the table's schema is settled
 * (inferred over *all* records) before a single data file is written.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class RecordSpool {
  private out: WriteStream | undefined;
  private buf = '';
  count = 0;

  private constructor(
    private readonly dir: string,
    private readonly path: string,
  ) {}

  static async open(): Promise<RecordSpool> {
    const dir = await mkdtemp(join(tmpdir(), 'floe-spool-'));
    const spool = new RecordSpool(dir, join(dir, 'records.ndjson'));
    spool.out = createWriteStream(spool.path, { highWaterMark: 1 << 20 });
    return spool;
  }

  async write(rows: readonly Record<string, unknown>[]): Promise<void> {
    for (const r of rows) this.buf += `${JSON.stringify(r)}\n`;
    this.count += rows.length;
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

  async *rows(): AsyncGenerator<Record<string, unknown>> {
    const lines = createInterface({
      input: createReadStream(this.path, { highWaterMark: 1 << 20 }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) if (line) yield JSON.parse(line) as Record<string, unknown>;
  }

  async dispose(): Promise<void> {
    this.out?.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
