/**
 * A source preview (l1/preview.ts) as text for people: the requests, the records, the schema a
 * run would infer, and what a run would write. `floe source preview` and `floe run --dry-run`
 * print it the same way. Every line goes through printLine, which redacts.
 */
import type { L2DryRun } from '../job/dry-run.js';
import type { SourcePreview } from '../l1/preview.js';
import { formatTable } from './output.js';

const SAMPLE_WIDTH = 2000;

export function previewLines(p: SourcePreview): string[] {
  const out: string[] = [];
  out.push(`config ${p.configId} (L1, ${p.loadType}) → table ${p.write.table}`);
  out.push(`  cursor: ${p.cursor.start ? `from ${p.cursor.start}` : 'none'} (${p.cursor.why})`);
  if (p.requests.length === 0 && p.error) {
    // Stopped before any request (a config error): nothing else to show.
    out.push(`  ✗ ${p.error}`);
    return out;
  }
  out.push('');
  out.push('requests:');
  if (p.requests.length === 0) out.push('  (none)');
  for (const r of p.requests) {
    const answer = r.status === undefined ? 'no answer' : `${r.status} in ${r.ms} ms, ${r.bytes} bytes`;
    const selected =
      r.records === undefined ? '' : `, ${r.records} record${r.records === 1 ? '' : 's'} selected`;
    const retry = r.attempt > 1 ? ` (attempt ${r.attempt})` : '';
    out.push(`  ${r.method} ${r.url}${retry} → ${answer}${selected}`);
    // Headers once, with the first request: later pages send the same ones.
    if (r === p.requests[0])
      for (const [name, value] of Object.entries(r.headers)) out.push(`      ${name}: ${value}`);
  }
  out.push(
    `  ${p.pages} page${p.pages === 1 ? '' : 's'}, ${p.records} record${p.records === 1 ? '' : 's'}${p.stoppedAtLimit ? ' (stopped at --pages; a run fetches every page)' : ''}`,
  );
  for (const w of p.warnings) out.push(`  ! ${w}`);
  if (p.error) out.push(`  ✗ ${p.error}`);
  if (p.raw) {
    out.push('');
    out.push(
      `first response body (${p.raw.url}, ${p.raw.status}; lists cut to their first items${p.raw.truncated ? `; first ${p.raw.body.length} characters` : ''}):`,
    );
    out.push(...p.raw.body.split('\n').map((l) => `  ${l}`));
    if (p.raw.truncated) out.push('  …');
  }
  if (p.error && p.records === 0) {
    // Nothing to infer from: the error above is what a run would stop at.
    out.push('');
    out.push(
      `a run would fail here${p.raw ? '' : ' (--raw shows the response body, e.g. to find the dataPath)'}; nothing was written.`,
    );
    return out;
  }
  out.push('');
  out.push(`records (first ${p.sample.length} of ${p.records}, as source.response.dataPath selects them):`);
  if (p.sample.length === 0) out.push('  (none)');
  for (const r of p.sample) {
    const text = JSON.stringify(r) ?? 'null';
    out.push(`  ${text.length > SAMPLE_WIDTH ? `${text.slice(0, SAMPLE_WIDTH)}…` : text}`);
  }
  out.push('');
  out.push(`schema a run would infer from these ${p.records} record${p.records === 1 ? '' : 's'}:`);
  const rows = p.schema.map((c) => ({
    column: c.column,
    type: c.type,
    source: c.source,
    note: c.note ?? '',
  }));
  out.push(
    ...formatTable(rows, ['column', 'type', 'source', 'note'], 160)
      .split('\n')
      .map((l) => `  ${l}`),
  );
  const w = p.write;
  out.push('');
  out.push('a run would write:');
  out.push(`  table:     ${w.table} (${w.exists ? 'exists' : 'does not exist yet; the run creates it'})`);
  out.push(
    `  mode:      ${w.mode}${w.mode === 'MERGE' ? ` by ${w.primaryKey.join(', ') || '(no primaryKey)'}` : ''}`,
  );
  if (w.primaryKey.length && w.mode !== 'MERGE') out.push(`  key:       ${w.primaryKey.join(', ')}`);
  if (w.lastUpdatedColumn) out.push(`  updated:   ${w.lastUpdatedColumn} (lastUpdatedColumn)`);
  out.push(
    `  columns:   ${w.exists ? (w.newColumns.length ? `adds ${w.newColumns.join(', ')}` : 'no new columns') : `creates ${w.newColumns.length} columns`}`,
  );
  if (w.refusedColumns.length)
    out.push(
      `  ✗ schemaEvolution refuses ${w.refusedColumns.join(', ')}: the run would fail (fix: set destination.icebergOptimizations.schemaEvolution to true)`,
    );
  for (const problem of w.problems) out.push(`  ✗ ${problem}`);
  out.push('nothing was written: no table, no state, no history.');
  return out;
}

/** An L2 config in a dry run: what it would read and write; its parser is not run. */
export function l2DryRunLines(c: L2DryRun): string[] {
  const exists = (e: boolean) => (e ? 'exists' : 'does not exist yet');
  return [
    `config ${c.configId} (L2, parser ${c.parserName}) → table ${c.destination.table}`,
    ...c.sources.map((s) => `  reads  ${s.name}: ${s.table} (${s.fetchMode}; ${exists(s.exists)})`),
    `  writes ${c.destination.table} (${c.destination.mode}; ${exists(c.destination.exists)})`,
    '  (an L2 dry run lists its sources and destination only: the parser needs the data the L1 configs of a run write, so it is not run)',
  ];
}
