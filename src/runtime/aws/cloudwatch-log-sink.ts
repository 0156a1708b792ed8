/**
 * A log sink for CloudWatch Logs, as the seed logs: group LOG_GROUP (L2_LOG_GROUP), one stream per
 * run named `<JOB_RUN_ID or manual_run>_<YYYYMMDD_HHMMSS>`, both created when missing. Records are
 * buffered and sent in PutLogEvents batches within the service limits (at most 10,000 events and
 * 1,048,576 bytes counting 26 bytes per event, timestamps in order, one event at most 256 KiB),
 * every `flushMs` and when a batch is full, and flushed on close (the run's end, failure included).
 *
 * CloudWatch being slow, throttled or down never stops or loses a run's log: every record also
 * goes to the console (the caller tees this sink with the console), a failed batch is kept and
 * retried with backoff, and what still cannot be delivered when the run closes is counted in a
 * console warning. The buffer is bounded; beyond it the oldest events are dropped, and counted.
 */
import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  type InputLogEvent,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { formatJson } from '../local/console-logger.js';
import type { LogRecord, LogSink } from '../ports/logger.js';
import { awsErrorName } from './aws-error.js';

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD_BYTES;

/** `<runId>_<YYYYMMDD_HHMMSS>` (UTC), the seed's stream name. */
export function logStreamName(jobRunId: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}_${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
  // Stream names may not contain ':' or '*'.
  return `${jobRunId.replace(/[:*]/g, '_')}_${stamp}`;
}

export interface CloudWatchSinkOptions {
  readonly client: CloudWatchLogsClient;
  readonly group: string;
  readonly stream: string;
  /** Send buffered events at least this often (default 2000 ms). */
  readonly flushMs?: number;
  /** Events kept while CloudWatch cannot take them (default 100,000). */
  readonly maxBuffered?: number;
  /** How long close() keeps retrying undelivered events (default 15 s). */
  readonly closeTimeoutMs?: number;
  /** Where delivery problems are reported (the console; never this sink itself). */
  readonly warn: (message: string) => void;
}

interface Pending {
  readonly event: InputLogEvent;
  readonly bytes: number;
}

function utf8Truncate(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  const marker = ' …[truncated]';
  // Cut on a character boundary: decode, drop a trailing replacement char from a split sequence.
  return (
    buf
      .subarray(0, maxBytes - Buffer.byteLength(marker))
      .toString('utf8')
      .replace(/\uFFFD$/, '') + marker
  );
}

export class CloudWatchLogSink implements LogSink {
  private buffer: Pending[] = [];
  private dropped = 0;
  private ready: Promise<void> | undefined;
  private sending: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError = '';
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: CloudWatchSinkOptions) {
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 2000);
    this.timer.unref();
  }

  write(record: LogRecord): void {
    if (this.closed) return;
    const message = utf8Truncate(formatJson(record), MAX_EVENT_BYTES);
    const timestamp = Date.parse(record.time) || Date.now();
    this.buffer.push({
      event: { timestamp, message },
      bytes: Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES,
    });
    const max = this.opts.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      this.dropped += this.buffer.length - max;
      this.buffer.splice(0, this.buffer.length - max);
    }
    if (this.buffer.length >= MAX_BATCH_EVENTS) void this.flush();
  }

  /** Sends what is buffered (one batch at a time); resolves when this attempt is over. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.buffer.length === 0 || Date.now() < this.retryAt) return Promise.resolve();
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  private async sendAll(): Promise<void> {
    try {
      this.ready ??= this.ensureStream();
      await this.ready;
      while (this.buffer.length > 0) {
        const batch = this.nextBatch();
        await this.opts.client.send(
          new PutLogEventsCommand({
            logGroupName: this.opts.group,
            logStreamName: this.opts.stream,
            logEvents: batch.map((p) => p.event),
          }),
        );
        this.buffer.splice(0, batch.length);
        this.failures = 0;
      }
    } catch (e) {
      if (awsErrorName(e) === 'ResourceNotFoundException') this.ready = undefined; // recreate next time
      this.failures++;
      this.lastError = `${awsErrorName(e)}: ${(e as Error).message ?? ''}`;
      this.retryAt = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
      if (this.failures === 1)
        this.opts.warn(
          `CloudWatch Logs did not take this run's log events (${this.lastError}); they are on the console and will be retried (group ${this.opts.group}, stream ${this.opts.stream})`,
        );
    }
  }

  /** The longest prefix of the buffer within the limits, timestamps in order. */
  private nextBatch(): Pending[] {
    let bytes = 0;
    let n = 0;
    let last = Number.NEGATIVE_INFINITY;
    for (const p of this.buffer) {
      if (n >= MAX_BATCH_EVENTS || bytes + p.bytes > MAX_BATCH_BYTES) break;
      // Records come in time order; a clock step backwards would make PutLogEvents reject the batch.
      if (p.event.timestamp! < last) (p.event as { timestamp: number }).timestamp = last;
      last = p.event.timestamp!;
      bytes += p.bytes;
      n++;
    }
    const batch = this.buffer.slice(0, n);
    // Events more than 24 h apart may not share a batch; a run's log spans far less, but be safe.
    const first = batch[0]?.event.timestamp ?? 0;
    const within = batch.findIndex((p) => p.event.timestamp! - first > 23 * 3600_000);
    return within > 0 ? batch.slice(0, within) : batch;
  }

  private async ensureStream(): Promise<void> {
    const { client, group, stream } = this.opts;
    try {
      await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    } catch (e) {
      if (awsErrorName(e) !== 'ResourceAlreadyExistsException') throw e;
    }
    try {
      await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    } catch (e) {
      if (awsErrorName(e) !== 'ResourceAlreadyExistsException') throw e;
    }
  }

  /** Flushes with retries until delivered or `closeTimeoutMs`; reports what was lost. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    const deadline = Date.now() + (this.opts.closeTimeoutMs ?? 15_000);
    while (this.buffer.length > 0 && Date.now() < deadline) {
      this.retryAt = Math.min(this.retryAt, deadline);
      const wait = this.retryAt - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, deadline - Date.now())));
      await this.flush();
    }
    this.closed = true;
    if (this.buffer.length > 0 || this.dropped > 0)
      this.opts.warn(
        `${this.buffer.length + this.dropped} log event(s) of this run could not be delivered to CloudWatch Logs (group ${this.opts.group}, stream ${this.opts.stream}; last error: ${this.lastError || 'buffer full'}); they were written to the console`,
      );
    this.buffer = [];
  }
}
