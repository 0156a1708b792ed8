/**
 * Writes the HTML run report to `<reportDir>/<runId>.html` (the local stand-in for the seed's
 * notification email) and logs where it is. Like every notifier it never fails the run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier, RunReport } from '../ports/notifier.js';
import { nullLogger } from '../structured-logger.js';
import { safeFileStem } from './console-logger.js';
import { writeAtomic } from './file-secrets.js';
import { renderHtmlReport, reportSubject } from './html-report.js';

export class FileNotifier implements Notifier {
  constructor(
    readonly reportDir: string,
    private readonly logger: Logger = nullLogger,
  ) {}

  /** Where the report of `runId` is written. */
  reportPath(runId: string): string {
    return join(this.reportDir, `${safeFileStem(runId)}.html`);
  }

  async notify(report: RunReport): Promise<void> {
    const path = this.reportPath(report.runId);
    try {
      mkdirSync(this.reportDir, { recursive: true });
      writeAtomic(path, renderHtmlReport(report), 0o644);
      this.logger.info(`run report written: ${reportSubject(report)}`, { report: path });
    } catch (e) {
      this.logger.warn('could not write the run report', { report: path, error: errorMessage(e) });
    }
  }
}

/** Sends to every notifier; one failing (or throwing despite the contract) never stops the others. */
export class MultiNotifier implements Notifier {
  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger = nullLogger,
  ) {}

  async notify(report: RunReport): Promise<void> {
    await Promise.all(
      this.notifiers.map(async (n) => {
        try {
          await n.notify(report);
        } catch (e) {
          this.logger.warn('notifier failed', { notifier: n.constructor.name, error: errorMessage(e) });
        }
      }),
    );
  }
}
