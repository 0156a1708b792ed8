import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatDuration,
  renderHtmlReport,
  reportSubject,
  reportTotals,
} from '../../src/runtime/local/html-report.js';
import type { RunReport } from '../../src/runtime/ports/notifier.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

function report(over: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'jr_2025_0001',
    platform: 'wrike',
    environment: 'prod',
    recipients: ['data-team@example.com'],
    startedAt: '2025-11-13T06:00:00.000Z',
    finishedAt: '2025-11-13T06:02:05.000Z',
    results: [
      {
        configId: 'Wrike_Contacts',
        processType: 'L1',
        status: 'SUCCESS',
        records: 1250,
        snapshotId: '7709183746537198123',
        durationMs: 4200,
        table: 'wrike_test.wrike_contacts',
        loadType: 'FULL',
      },
      {
        configId: 'Wrike_Tasks',
        processType: 'L1',
        status: 'FAILED',
        records: 0,
        error: 'HTTP 500 <html>Internal & "bad"</html>',
        durationMs: 61_000,
        loadType: 'INCREMENTAL',
      },
      {
        configId: 'wrike_projects_l2',
        processType: 'L2',
        status: 'SUCCESS',
        records: 300,
        snapshotId: '42',
        durationMs: 900,
      },
    ],
    ...over,
  };
}

describe('HTML run report', () => {
  it('lists every config with status, records, snapshot id, error and duration, plus totals', () => {
    const html = renderHtmlReport(report());
    for (const s of [
      'Wrike_Contacts',
      'Wrike_Tasks',
      'wrike_projects_l2',
      '7709183746537198123',
      '1,250',
      'wrike_test.wrike_contacts',
      'INCREMENTAL',
      '4.2 s',
      '1 min 1 s',
      '900 ms',
      'prod',
      'jr_2025_0001',
      'data-team@example.com',
      '1 of 3 configs failed',
      'Total: 3 configs',
      '2 succeeded, 1 failed',
      '1,550',
      '2 min 5 s',
    ]) {
      expect(html, s).toContain(s);
    }
    // Failures come first.
    expect(html.indexOf('Wrike_Tasks')).toBeLessThan(html.indexOf('Wrike_Contacts'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('escapes HTML in every value', () => {
    const html = renderHtmlReport(
      report({
        environment: '<script>alert(1)</script>',
        results: [
          {
            configId: '"><img src=x onerror=alert(1)>',
            processType: 'L1',
            status: 'FAILED',
            records: 0,
            error: "it's <b>broken</b> & more",
            durationMs: 1,
          },
        ],
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('it&#39;s &lt;b&gt;broken&lt;/b&gt; &amp; more');
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  it('redacts secrets before escaping (a secret containing & is still found)', () => {
    try {
      registerSecret('s3cr3t&<canary>');
      const html = renderHtmlReport(
        report({
          results: [
            {
              configId: 'c',
              processType: 'L1',
              status: 'FAILED',
              records: 0,
              error: 'token=s3cr3t&<canary>',
              durationMs: 1,
            },
          ],
        }),
      );
      expect(html).toContain('token=***');
      expect(html).not.toContain('canary');
    } finally {
      clearSecretsForTest();
    }
  });

  it('says so when no config ran; subject and totals', () => {
    const empty = report({ results: [] });
    expect(renderHtmlReport(empty)).toContain('No configs ran.');
    expect(reportTotals(report())).toEqual({
      configs: 3,
      succeeded: 2,
      failed: 1,
      interrupted: 0,
      records: 1550,
      durationMs: 125_000,
    });
    expect(reportSubject(report())).toBe('[floe][prod] wrike run jr_2025_0001: 1 failed, 2 succeeded');
    expect(reportSubject(report({ platform: undefined, results: [] }))).toBe(
      '[floe][prod] run jr_2025_0001: 0 succeeded',
    );
    const stopped = report();
    stopped.results[0] = { ...stopped.results[0]!, status: 'INTERRUPTED' };
    expect(reportSubject(stopped)).toMatch(/1 interrupted/);
    expect(renderHtmlReport(stopped)).toContain('did not finish');
  });

  it('formats durations', () => {
    expect(formatDuration(12)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(3_725_000)).toBe('1 h 2 min');
    expect(formatDuration(Number.NaN)).toBe('');
  });
});
