/** Child processes for tests that kill, signal or race floe runs: `node --import tsx <script> …`. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit. */
  ms: number;
}

export interface RunningChild {
  readonly proc: ChildProcess;
  readonly done: Promise<ChildExit>;
}

/** Starts a TypeScript script under Node with tsx; output is collected. */
export function startTs(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): RunningChild {
  const started = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  proc.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const done = new Promise<ChildExit>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })),
  );
  return { proc, done };
}

/** Runs a TypeScript script to its end. */
export function runTs(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ChildExit> {
  return startTs(script, args, env).done;
}

/** The repository's CLI entry and the job child (see run-job-child.ts). */
export const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
export const JOB_CHILD = new URL('./run-job-child.ts', import.meta.url).pathname;
