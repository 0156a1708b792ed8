/**
 * `npm run bench [-- name…]`: runs every bench/*.bench.ts (or those whose file name contains
 * one of the given words), each measuring floe against a peer in the same run, and prints the
 * figures. Results are also written to bench/results/latest.json for closing notes (a run of some
 * benchmarks keeps the other benchmarks' last figures there).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

const all: Record<string, BenchFigure[]> = {};
for (const f of files) {
  process.stderr.write(`\n▶ ${f}\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run(): Promise<BenchFigure[]> };
  const started = Date.now();
  const figures = await mod.run();
  all[f] = figures;
  for (const x of figures) {
    process.stdout.write(
      `${f.padEnd(28)} ${x.name.padEnd(52)} ${fmt(x.value).padStart(14)} ${x.unit}${x.note ? `  (${x.note})` : ''}\n`,
    );
  }
  process.stderr.write(`  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
mkdirSync(join(here, 'results'), { recursive: true });
// A run of some benchmarks replaces their figures and keeps the others'.
const latest = join(here, 'results', 'latest.json');
const previous = existsSync(latest)
  ? ((JSON.parse(readFileSync(latest, 'utf8')) as { results?: Record<string, BenchFigure[]> }).results ?? {})
  : {};
writeFileSync(
  latest,
  `${JSON.stringify({ at: new Date().toISOString(), results: filters.length ? { ...previous, ...all } : all }, null, 2)}\n`,
);

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}
