/**
 * A reader that closes the pipe early (`floe config schema | head -1`) must not crash floe with
 * an EPIPE stack trace (nor, for `floe run`, abandon the run): output is dropped and the command
 * finishes with its own exit status.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/child.js';

describe('stdout closed by its reader', () => {
  it('floe config schema piped into something that reads one chunk and closes: exit 0, no EPIPE', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'config', 'schema'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    let first = '';
    proc.stdout.once('data', (b: Buffer) => {
      first = b.toString();
      // What `head` does once it has its lines: close its end of the pipe.
      proc.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
    expect(first.length).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/EPIPE/);
    expect(code).toBe(0);
  }, 60_000);
});
