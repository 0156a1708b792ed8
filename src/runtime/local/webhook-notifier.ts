/**
 * POSTs `{ subject, report, html }` as JSON to a URL (Slack/Teams relay, an email Lambda behind API
 * Gateway, a test server). Bounded by a timeout; any failure (refused, timeout, non-2xx) is logged
 * as a warning and swallowed: a notification must never turn a successful run into a failed one.
 */
import { errorMessage } from '../../errors.js';
import { redact, redactValue } from '../../util/redact.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier, RunReport } from '../ports/notifier.js';
import { nullLogger } from '../structured-logger.js';
import { renderHtmlReport, reportSubject } from './html-report.js';

export interface WebhookNotifierOptions {
  url: string;
  /** Default 10 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  logger?: Logger;
}

export class WebhookNotifier implements Notifier {
  private readonly timeoutMs: number;
  private readonly logger: Logger;

  constructor(private readonly opts: WebhookNotifierOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.logger = opts.logger ?? nullLogger;
  }

  /** Whether the POST got a 2xx; `notify` is this without the result. */
  async send(report: RunReport): Promise<boolean> {
    // Webhook URLs often embed a token (Slack): log only the origin.
    const target = safeOrigin(this.opts.url);
    try {
      const body = JSON.stringify({
        subject: reportSubject(report),
        report: redactValue(report),
        html: renderHtmlReport(report),
      });
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.opts.headers },
        body: redact(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Drain the body so the connection is released.
      await res.text().catch(() => '');
      if (!res.ok) {
        this.logger.warn('webhook notification rejected', { webhook: target, status: res.status });
        return false;
      }
      this.logger.debug('webhook notification sent', { webhook: target, status: res.status });
      return true;
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      this.logger.warn(
        timedOut
          ? `webhook notification timed out after ${this.timeoutMs} ms`
          : 'webhook notification failed',
        {
          webhook: target,
          error: errorMessage(e) + causeOf(e),
        },
      );
      return false;
    }
  }

  async notify(report: RunReport): Promise<void> {
    await this.send(report);
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

/** fetch wraps the useful part ("ECONNREFUSED") in `cause`. */
function causeOf(e: unknown): string {
  const c = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = c?.code ?? c?.message;
  return detail ? ` (${detail})` : '';
}
