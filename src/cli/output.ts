/**
 * Everything the CLI prints goes through here: tables for people at a terminal, JSON lines for
 * pipes and programs. Secrets are redacted on the way out.
 */
import { stringifyJson } from '../iceberg/util/json.js';
import { redact } from '../util/redact.js';

export function isTerminal(): boolean {
  return Boolean(process.stdout.isTTY);
}

export function printLine(text = ''): void {
  process.stdout.write(`${redact(text)}\n`);
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(`${redact(stringifyJson(value))}\n`);
}

/** A value as one cell's text (a table row's value in a terminal table, or in `floe ui`). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return stringifyJson(v);
}

/** A plain aligned text table; long cells are cut so one row stays one line. */
export function formatTable(
  rows: readonly Record<string, unknown>[],
  columns?: readonly string[],
  maxWidth = 40,
): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = rows.map((r) => cols.map((c) => clip(cellText(r[c]), maxWidth)));
  const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => [...t[i]!].length)));
  const line = (parts: string[]) =>
    parts
      .map((p, i) => p + ' '.repeat(widths[i]! - [...p].length))
      .join('  ')
      .trimEnd();
  return [line([...cols]), line(widths.map((w) => '─'.repeat(w))), ...text.map(line)].join('\n');
}

function clip(s: string, max: number): string {
  const chars = [...s.replace(/\n/g, ' ')];
  return chars.length <= max ? s.replace(/\n/g, ' ') : `${chars.slice(0, max - 1).join('')}…`;
}

export function printRows(rows: readonly Record<string, unknown>[], columns?: readonly string[]): void {
  if (isTerminal()) {
    printLine(formatTable(rows, columns));
    printLine(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  } else {
    for (const r of rows) printJsonLine(r);
  }
}
