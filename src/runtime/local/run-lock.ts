/**
 * One run per project at a time: `.floe/run.lock`, created exclusively, holding who has it
 * (pid, host, start time, run id). Two runs of one project would otherwise fetch the same
 * changes and both commit them. A second run fails at once naming the holder, or waits for it
 * when asked to.
 *
 * A lock left by a run that died (SIGKILL, power loss) is taken over: on the same host when its
 * pid no longer exists; from any host when its heartbeat (the file's mtime, touched every few
 * seconds while the run lives) is older than `staleMs`. Breaking a stale lock happens under a
 * second, short-lived lock file, and re-checks staleness there, so two runs that both find the
 * same stale lock cannot both take it.
 */
import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FloeError } from '../../errors.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly runId: string;
}

export interface RunLockOptions {
  /** Wait up to this long for the holder to finish (default 0: fail at once). */
  readonly waitMs?: number;
  /** A lock whose heartbeat is older than this is stale (default 60 s). */
  readonly staleMs?: number;
  /** For tests: the host name written and compared. */
  readonly host?: string;
}

const POLL_MS = 250;

export class RunLock {
  private heartbeat: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    staleMs: number,
  ) {
    // Touch well within the stale window, so a live holder is never mistaken for a dead one.
    this.heartbeat = setInterval(() => this.touch(), Math.max(1000, Math.floor(staleMs / 4)));
    this.heartbeat.unref();
  }

  /** Takes the lock or throws FloeError naming its holder (after waiting `waitMs`, if given). */
  static async acquire(path: string, runId: string, opts: RunLockOptions = {}): Promise<RunLock> {
    const staleMs = opts.staleMs ?? 60_000;
    const holder: LockHolder = {
      pid: process.pid,
      host: opts.host ?? hostname(),
      startedAt: new Date().toISOString(),
      runId,
    };
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (;;) {
      if (tryCreate(path, holder)) return new RunLock(path, holder, staleMs);
      const current = readHolder(path);
      if (current === undefined) continue; // released between our create and our read
      if (isStale(path, current, holder.host, staleMs) && breakStale(path, current, holder.host, staleMs))
        continue;
      if (Date.now() >= deadline) throw lockedError(path, current, opts.waitMs ?? 0);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Removes the lock file, if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const current = readHolder(this.path);
    if (current && current.pid === this.holder.pid && current.runId === this.holder.runId)
      rmSync(this.path, { force: true });
  }

  private touch(): void {
    try {
      const now = new Date();
      utimesSync(this.path, now, now);
    } catch {
      // The next acquire by anyone reads the pid; a missed heartbeat is not an error here.
    }
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FloeError('io', `cannot create the run lock ${path}: ${(e as Error).message}`, {
      context: { file: path },
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return {
      pid: Number(v.pid),
      host: String(v.host ?? '?'),
      startedAt: String(v.startedAt ?? '?'),
      runId: String(v.runId ?? '?'),
    };
  } catch {
    // Half-written by a holder that died while creating it: stale by any measure below.
    return { pid: Number.NaN, host: '?', startedAt: '?', runId: '?' };
  }
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function heartbeatAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** A lock file that never got its content: its creator died within moments of creating it. */
const UNREADABLE_STALE_MS = 5_000;

function isStale(path: string, h: LockHolder, host: string, staleMs: number): boolean {
  if (!Number.isFinite(h.pid)) return heartbeatAgeMs(path) > UNREADABLE_STALE_MS;
  if (h.host === host && !processAlive(h.pid)) return true;
  return heartbeatAgeMs(path) > staleMs;
}

/** Removes a stale lock under a breaker lock; false when someone else got there first. */
function breakStale(path: string, seen: LockHolder, host: string, staleMs: number): boolean {
  const breaker = `${path}.break`;
  if (heartbeatAgeMs(breaker) > 10_000) rmSync(breaker, { force: true });
  let fd: number;
  try {
    fd = openSync(breaker, 'wx');
  } catch {
    return false;
  }
  closeSync(fd);
  try {
    const now = readHolder(path);
    // Still the same holder, still stale: only then is it ours to remove.
    if (
      !now ||
      !Object.is(now.pid, seen.pid) ||
      now.runId !== seen.runId ||
      now.host !== seen.host ||
      !isStale(path, now, host, staleMs)
    )
      return now === undefined;
    const aside = `${path}.stale-${process.pid}`;
    renameSync(path, aside);
    rmSync(aside, { force: true });
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}

function lockedError(path: string, h: LockHolder, waitedMs: number): FloeError {
  const waited = waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : '';
  return new FloeError(
    'commit-conflict',
    `another floe run holds this project: run ${h.runId}, pid ${h.pid} on ${h.host}, started ${h.startedAt}${waited}. ` +
      `Two runs of one project would fetch and commit the same changes, so this one did not start. ` +
      `Fix: wait for it to finish (or pass --wait-for-lock <seconds>); if that process is gone, floe takes the lock over by itself (${path})`,
    { context: { file: path, holderPid: h.pid, holderHost: h.host, holderRunId: h.runId } },
  );
}

/**
 * Runs a command that changes a project's catalog or state (recover, register, relocate, state
 * reset) under the project's run lock, so it never races a `floe run`. Outside a project (a
 * catalog named by flags only) there is no lock to take.
 */
export async function withProjectLock<T>(
  projectRoot: string | undefined,
  label: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (projectRoot === undefined) return fn();
  const lock = await RunLock.acquire(join(projectRoot, '.floe', 'run.lock'), `floe ${label}`);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
