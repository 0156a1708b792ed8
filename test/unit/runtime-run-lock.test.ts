import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { RunLock, withProjectLock } from '../../src/runtime/local/run-lock.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-lock-'));
  path = join(dir, 'run.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that existed and is gone: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('RunLock', () => {
  it('one holder at a time; the second fails at once naming the holder', async () => {
    const a = await RunLock.acquire(path, 'run-a');
    const err = await RunLock.acquire(path, 'run-b').catch((e: unknown) => e);
    expect(isFloeError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain('run run-a');
    expect(msg).toContain(`pid ${process.pid}`);
    expect(msg).toContain(a.holder.host);
    expect(msg).toContain(a.holder.startedAt);
    a.release();
    const b = await RunLock.acquire(path, 'run-b');
    expect(JSON.parse(readFileSync(path, 'utf8')).runId).toBe('run-b');
    b.release();
  });

  it('waits for the holder when asked to', async () => {
    const a = await RunLock.acquire(path, 'run-a');
    setTimeout(() => a.release(), 400);
    const started = Date.now();
    const b = await RunLock.acquire(path, 'run-b', { waitMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    b.release();
  });

  it('a lock left by a dead process on this host is taken over', async () => {
    const me = await RunLock.acquire(path, 'probe');
    const host = me.holder.host;
    me.release();
    writeFileSync(
      path,
      JSON.stringify({ pid: deadPid(), host, startedAt: '2024-01-01T00:00:00Z', runId: 'run-dead' }),
    );
    const b = await RunLock.acquire(path, 'run-b');
    expect(JSON.parse(readFileSync(path, 'utf8')).runId).toBe('run-b');
    b.release();
  });

  it('another host: taken over only once its heartbeat is stale', async () => {
    const other = { pid: 1, host: 'some-other-host', startedAt: '2024-01-01T00:00:00Z', runId: 'run-far' };
    writeFileSync(path, JSON.stringify(other));
    const fresh = await RunLock.acquire(path, 'run-b', { staleMs: 60_000 }).catch((e: unknown) => e);
    expect((fresh as Error).message).toContain('some-other-host');
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    const b = await RunLock.acquire(path, 'run-b', { staleMs: 60_000 });
    expect(JSON.parse(readFileSync(path, 'utf8')).runId).toBe('run-b');
    b.release();
  });

  it('a half-written lock file counts as stale; release never removes someone else lock', async () => {
    writeFileSync(path, '{"pid": 12');
    // Moments old, it may be a holder still writing it: left alone.
    expect((await RunLock.acquire(path, 'run-a').catch((e: unknown) => e)) instanceof Error).toBe(true);
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    const a = await RunLock.acquire(path, 'run-a');
    writeFileSync(path, JSON.stringify({ ...a.holder, runId: 'run-other' }));
    a.release();
    expect(JSON.parse(readFileSync(path, 'utf8')).runId).toBe('run-other');
  });

  it('commands that change the catalog or state take the same lock (and never race a run)', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, '.floe'), { recursive: true });
    const run = await RunLock.acquire(join(dir, '.floe', 'run.lock'), 'run-nightly');
    let ran = false;
    const err = await withProjectLock(dir, 'catalog recover', async () => {
      ran = true;
    }).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect((err as Error).message).toContain('run run-nightly');
    run.release();
    expect(await withProjectLock(dir, 'catalog recover', async () => 'done')).toBe('done');
    expect(await withProjectLock(undefined, 'x', async () => 'no project')).toBe('no project');
  });
});
