/**
 * A run's scratch folder, `.floe/tmp/<runId>/`: its record spools, staged chunks and the write
 * journal (every warehouse file the run creates, listed before it is created). The folder goes
 * when the run ends; a run that was killed leaves it behind, and the next run (holding the
 * project's run lock, so no other run is alive) finds it, removes the files the dead run wrote
 * but never committed (from its journal), and deletes the folder. DuckDB's spill folders
 * (`floe-duckdb-<pid>`, in `.floe/tmp` for local runs, else the OS temp folder) of dead
 * processes are removed the same way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPILL_DIR_PREFIX } from '../../duck/session.js';
import { processAlive } from './run-lock.js';

export const JOURNAL_FILE = 'written.log';

export interface RunScratch {
  readonly dir: string;
  readonly journal: string;
  dispose(): Promise<void>;
}

export function runScratch(root: string, runId: string): RunScratch {
  const dir = join(root, runId);
  return {
    dir,
    journal: join(dir, JOURNAL_FILE),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface DeadRun {
  readonly runId: string;
  readonly dir: string;
  /** Files the dead run created (from its journal), committed or not. */
  readonly written: string[];
}

/** Scratch folders of runs other than `current` (call only while holding the run lock). */
export function deadRuns(root: string, current: string): DeadRun[] {
  if (!existsSync(root)) return [];
  return (
    readdirSync(root, { withFileTypes: true })
      // DuckDB spill folders live here too (see setSpillParent); removeDeadSpillDirs handles them.
      .filter((e) => e.isDirectory() && e.name !== current && !e.name.startsWith(SPILL_DIR_PREFIX))
      .map((e) => {
        const dir = join(root, e.name);
        const journal = join(dir, JOURNAL_FILE);
        const written = existsSync(journal)
          ? readFileSync(journal, 'utf8')
              .split('\n')
              .filter((l) => l.trim() !== '')
          : [];
        return { runId: e.name, dir, written };
      })
  );
}

/** DuckDB spill folders (`floe-duckdb-<pid>`) of processes that no longer exist; returns what it removed. */
export async function removeDeadSpillDirs(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(SPILL_DIR_PREFIX)) continue;
    const pid = Number(name.slice(SPILL_DIR_PREFIX.length));
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/**
 * Every file any run's journal under `root` names (runs alive or dead): writes that may still be
 * in flight or were never committed. Orphan removal leaves these alone; the dead runs' leftovers
 * are removed by the next run, which knows which were committed.
 */
export function journaledFiles(root: string): string[] {
  return deadRuns(root, '').flatMap((r) => r.written);
}
