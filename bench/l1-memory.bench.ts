/**
 * Memory and write time of the L1 job as a user runs it (issue #10's acceptance): the compiled
 * `floe` command, a project from `floe init --base-url` against `floe sim wrike --tasks N`, the
 * pack's `Wrike_Tasks` config alone (INCREMENTAL MERGE on id, every field the pack asks for, its
 * default layout: sorted by id unless FLOE_BENCH_L1_MEMORY_SORT=off), default settings (DuckDB
 * 256 MB). The client's rate limit is raised so the run measures floe, not the 400/min throttle.
 *
 * - First loads at FLOE_BENCH_L1_MEMORY_FIRST (default "500000,5000000"): peak RSS and write
 *   time of each; the figure is largest ÷ smallest peak (target ≤ 1.2×, and < 500 MB).
 * - The nightly scenario at FLOE_BENCH_L1_MEMORY_NEXT_DAY (default "300000,2000000"): a first
 *   load, the simulator's clock moved one day, a second run. Its write time (the L1 log's
 *   `writeMs`: everything after the fetch) against the first load's (issue's target ≤ 10%).
 *
 * Peak RSS is the `floe run` process's high-water mark (VmHWM in /proc, polled every 100 ms; the
 * simulator runs in this process, not in floe's). The CLI is compiled once into a temporary
 * folder (tsc, as `npm run build` does) so the figures are the shipped code's, not tsx's.
 */
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startWrikeSimulator, type WrikeSimulator } from '../src/sim/wrike/index.js';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DAY_MS = 86_400_000;

interface RunFigures {
  peakMb: number;
  writeMs: number;
  wallMs: number;
  records: number;
}

/** Compiles the CLI into `<dir>/dist`, beside links to the sources (packs, UI assets) and modules. */
async function buildCli(dir: string): Promise<string> {
  await exec(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    {
      maxBuffer: 16 << 20,
    },
  );
  symlinkSync(join(root, 'src'), join(dir, 'src'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  return join(dir, 'dist', 'cli', 'main.js');
}

/** Runs `floe …` in `cwd`, polling its peak RSS; rejects with its stderr when it fails. */
function floe(cli: string, args: string[], cwd: string): Promise<{ peakMb: number; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // The process has just ended; its last reading stands.
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code === 0) resolve({ peakMb: peakKb / 1024, wallMs: performance.now() - t0 });
      else reject(new Error(`floe ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** A project with the pack's Wrike_Tasks config alone, against `sim`. */
async function project(cli: string, sim: WrikeSimulator, dir: string, sorted: boolean): Promise<void> {
  await floe(cli, ['init', '--base-url', sim.baseUrl], dir);
  const configs = join(dir, 'configs', 'l1');
  for (const f of readdirSync(configs)) {
    const file = join(configs, f);
    const text = readFileSync(file, 'utf8');
    if (!/configId: Wrike_Tasks$/m.test(text)) {
      rmSync(file);
      continue;
    }
    const faster = text.replace(/requestsPerMinute: \d+/, 'requestsPerMinute: 60000');
    const edited = sorted
      ? faster
      : faster.replace(/^ {2}icebergOptimizations:$/m, '  icebergOptimizations:\n    sortOrder: []');
    if (edited === faster && !sorted)
      throw new Error(`cannot opt ${f} out of its sort order: it has no icebergOptimizations block`);
    writeFileSync(file, edited);
  }
}

/** The last `committed` line of the project's L1 log: records and writeMs. */
function lastCommit(dir: string): { records: number; writeMs: number } {
  const logs = join(dir, '.floe', 'logs');
  let found: { records: number; writeMs: number } | undefined;
  for (const f of readdirSync(logs).sort()) {
    for (const line of readFileSync(join(logs, f), 'utf8').split('\n')) {
      if (!line.includes('"writeMs"')) continue;
      const o = JSON.parse(line) as { msg: string; writeMs: number };
      const m = /committed (\d+) records/.exec(o.msg);
      if (m) found = { records: Number(m[1]), writeMs: o.writeMs };
    }
  }
  if (!found) throw new Error(`no committed line in ${logs}`);
  return found;
}

async function l1Run(cli: string, dir: string): Promise<RunFigures> {
  const r = await floe(cli, ['run', '--SAAS_PLATFORM', 'wrike', '--PROCESS_TYPE', 'L1'], dir);
  const c = lastCommit(dir);
  return { peakMb: r.peakMb, wallMs: r.wallMs, ...c };
}

/** A first load of `tasks` (and, with `nextDay`, a second run one simulated day later). */
async function scenario(
  cli: string,
  tasks: number,
  sorted: boolean,
  nextDay: boolean,
): Promise<{ first: RunFigures; next?: RunFigures }> {
  const sim = await startWrikeSimulator({ tasks, rateLimit: false });
  const dir = mkdtempSync(join(tmpdir(), `floe-bench-l1mem-${tasks}-`));
  try {
    await project(cli, sim, dir, sorted);
    const first = await l1Run(cli, dir);
    process.stderr.write(`  ${tasks} first load: ${JSON.stringify(first)}\n`);
    if (!nextDay) return { first };
    sim.advanceClock(DAY_MS);
    const next = await l1Run(cli, dir);
    process.stderr.write(`  ${tasks} next day: ${JSON.stringify(next)}\n`);
    return { first, next };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function sizes(env: string | undefined, fallback: string): number[] {
  return (env ?? fallback)
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

export async function run(): Promise<BenchFigure[]> {
  const firstSizes = sizes(process.env.FLOE_BENCH_L1_MEMORY_FIRST, '500000,5000000');
  const nextSizes = sizes(process.env.FLOE_BENCH_L1_MEMORY_NEXT_DAY, '300000,2000000');
  const sorted = process.env.FLOE_BENCH_L1_MEMORY_SORT !== 'off';
  const layout = sorted ? 'sorted by id' : 'unsorted';
  const build = mkdtempSync(join(tmpdir(), 'floe-bench-cli-'));
  const figures: BenchFigure[] = [];
  try {
    const cli = await buildCli(build);
    const peaks: number[] = [];
    for (const n of firstSizes) {
      const { first } = await scenario(cli, n, sorted, false);
      peaks.push(first.peakMb);
      figures.push(
        {
          name: `first load ${n} tasks (${layout}): peak RSS`,
          value: first.peakMb,
          unit: 'MB',
          note: 'target < 500',
        },
        { name: `first load ${n} tasks (${layout}): write`, value: first.writeMs / 1000, unit: 's' },
      );
    }
    if (peaks.length > 1)
      figures.push({
        name: `first load ${firstSizes.at(-1)} ÷ ${firstSizes[0]}: peak RSS`,
        value: peaks.at(-1)! / peaks[0]!,
        unit: 'x',
        note: 'target ≤ 1.2',
      });
    for (const n of nextSizes) {
      const { first, next } = await scenario(cli, n, sorted, true);
      figures.push(
        { name: `next day ${n} tasks (${layout}): changed`, value: next!.records, unit: 'records' },
        { name: `next day ${n} tasks: peak RSS`, value: next!.peakMb, unit: 'MB', note: 'target < 500' },
        { name: `next day ${n} tasks: write`, value: next!.writeMs / 1000, unit: 's' },
        {
          name: `next day ${n} tasks: write ÷ first load's write`,
          value: next!.writeMs / first.writeMs,
          unit: 'x',
          note: `first ${(first.writeMs / 1000).toFixed(1)} s; target ≤ 0.10`,
        },
      );
    }
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return figures;
}
