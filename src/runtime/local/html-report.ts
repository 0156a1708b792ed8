/**
 * The run report as HTML, after the seed's notification email: per config its status, records
 * processed, snapshot id or error, for one environment; plus totals. Inline styles only (email
 * clients drop <style> blocks and external CSS). Every text is redacted, then HTML-escaped.
 */
import { redact } from '../../util/redact.js';
import type { ConfigRunResult, RunReport } from '../ports/notifier.js';

export interface ReportTotals {
  configs: number;
  succeeded: number;
  failed: number;
  interrupted: number;
  records: number;
  durationMs: number;
}

export function reportTotals(report: RunReport): ReportTotals {
  const started = Date.parse(report.startedAt);
  const finished = Date.parse(report.finishedAt);
  return {
    configs: report.results.length,
    succeeded: report.results.filter((r) => r.status === 'SUCCESS').length,
    failed: report.results.filter((r) => r.status === 'FAILED').length,
    interrupted: report.results.filter((r) => r.status === 'INTERRUPTED').length,
    records: report.results.reduce((a, r) => a + (Number.isFinite(r.records) ? r.records : 0), 0),
    durationMs: Number.isNaN(started) || Number.isNaN(finished) ? 0 : Math.max(0, finished - started),
  };
}

/** `[floe][prod] wrike: 3 succeeded, 1 failed`: the email subject / webhook title. */
export function reportSubject(report: RunReport): string {
  const t = reportTotals(report);
  const what = report.platform ? `${report.platform} run` : 'run';
  const parts = [
    ...(t.failed > 0 ? [`${t.failed} failed`] : []),
    ...(t.interrupted > 0 ? [`${t.interrupted} interrupted`] : []),
    `${t.succeeded} succeeded`,
  ];
  const outcome = parts.join(', ');
  return redact(`[floe][${report.environment}] ${what} ${report.runId}: ${outcome}`);
}

/** Redact first (a secret may contain `&`), then escape. */
export function escapeHtml(text: string): string {
  return redact(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const CELL = 'padding:6px 10px;border:1px solid #d0d7de;text-align:left;vertical-align:top';
const HEAD = `${CELL};background:#f6f8fa;font-weight:600`;
const NUM = `${CELL};text-align:right;font-variant-numeric:tabular-nums`;
const STATUS_STYLE: Record<ConfigRunResult['status'], string> = {
  SUCCESS: 'color:#1a7f37;font-weight:600',
  FAILED: 'color:#cf222e;font-weight:600',
  INTERRUPTED: 'color:#9a6700;font-weight:600',
};

const STATUS_ORDER: Record<ConfigRunResult['status'], number> = { FAILED: 0, INTERRUPTED: 1, SUCCESS: 2 };

/**
 * Links a rendering may put on a run's config ids and tables (the dashboard links them to its
 * views; the report file and the email have none). Hrefs are escaped by the renderer.
 */
export interface RunLinks {
  config(r: ConfigRunResult): string;
  table(r: ConfigRunResult): string | undefined;
}

/** The headline of a run: `All 9 configs succeeded`, `1 of 9 configs failed`, … */
export function runHeadline(t: ReportTotals): string {
  const notOk = t.failed + t.interrupted;
  return notOk === 0
    ? `All ${t.configs} configs succeeded`
    : t.interrupted === 0
      ? `${t.failed} of ${t.configs} configs failed`
      : `${notOk} of ${t.configs} configs did not finish (${t.failed} failed, ${t.interrupted} interrupted)`;
}

/**
 * One run as HTML: the headline, the run's facts and the table of its configs (failures first,
 * with totals). The report file, the email and `floe ui` all show a run through this one
 * function, so they cannot disagree on what a run was.
 */
export function renderRunSection(report: RunReport, links?: RunLinks): string {
  const t = reportTotals(report);
  const e = escapeHtml;
  const link = (href: string | undefined, text: string) =>
    href === undefined ? e(text) : `<a href="${e(href)}">${e(text)}</a>`;
  // Failures first: they are what the reader needs to act on.
  const rows = [...report.results]
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
    .map(
      (r) => `      <tr data-config="${e(r.configId)}" data-layer="${e(r.processType)}">
        <td style="${CELL}">${link(links?.config(r), r.configId)}</td>
        <td style="${CELL}">${e(r.processType)}</td>
        <td style="${CELL}">${r.table ? link(links?.table(r), r.table) : ''}</td>
        <td style="${CELL}">${e(r.loadType ?? '')}</td>
        <td style="${CELL};${STATUS_STYLE[r.status] ?? ''}">${e(r.status)}</td>
        <td style="${NUM}">${e(formatCount(r.records))}</td>
        <td style="${CELL};font-family:monospace">${e(r.snapshotId ?? '')}</td>
        <td style="${NUM}">${e(formatDuration(r.durationMs))}</td>
        <td style="${CELL};white-space:pre-wrap;font-family:monospace;font-size:12px">${e(r.error ?? '')}</td>
      </tr>`,
    )
    .join('\n');
  const notOk = t.failed + t.interrupted;
  const facts: [string, string, string?][] = [
    ['Environment', report.environment],
    ['Run id', report.runId, ';font-family:monospace'],
    ['Started', report.startedAt],
    ['Finished', report.finishedAt],
    ['Duration', formatDuration(t.durationMs)],
    ['Recipients', report.recipients.length > 0 ? report.recipients.join(', ') : '(none)'],
  ];
  return `  <p class="floe-run-headline" style="margin:0 0 12px 0;${notOk > 0 ? STATUS_STYLE.FAILED : STATUS_STYLE.SUCCESS}">${e(runHeadline(t))}</p>
  <table class="floe-run-facts" style="border-collapse:collapse;margin-bottom:16px">
${facts.map(([k, v, style]) => `    <tr><th style="${HEAD}">${e(k)}</th><td style="${CELL}${style ?? ''}">${e(v)}</td></tr>`).join('\n')}
  </table>
  <table class="floe-run-configs" style="border-collapse:collapse">
    <thead>
      <tr>
        <th style="${HEAD}">Config</th><th style="${HEAD}">Layer</th><th style="${HEAD}">Table</th>
        <th style="${HEAD}">Load type</th><th style="${HEAD}">Status</th><th style="${HEAD}">Records</th>
        <th style="${HEAD}">Snapshot id</th><th style="${HEAD}">Duration</th><th style="${HEAD}">Error</th>
      </tr>
    </thead>
    <tbody>
${rows || `      <tr><td style="${CELL}" colspan="9">No configs ran.</td></tr>`}
    </tbody>
    <tfoot>
      <tr>
        <th style="${HEAD}" colspan="4">Total: ${t.configs} configs</th>
        <th style="${HEAD}">${t.succeeded} succeeded, ${t.failed} failed${t.interrupted ? `, ${t.interrupted} interrupted` : ''}</th>
        <th style="${HEAD};text-align:right">${e(formatCount(t.records))}</th>
        <th style="${HEAD}"></th>
        <th style="${HEAD};text-align:right">${e(formatDuration(t.durationMs))}</th>
        <th style="${HEAD}"></th>
      </tr>
    </tfoot>
  </table>
`;
}

export function renderHtmlReport(report: RunReport): string {
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${e(reportSubject(report))}</title>
</head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">
  <h2 style="margin:0 0 4px 0">floe run report${report.platform ? ` – ${e(report.platform)}` : ''}</h2>
${renderRunSection(report)}</body>
</html>
`;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '';
}
