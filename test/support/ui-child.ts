/**
 * `floe ui` as a child process, as a user starts it: its own process, so nothing the test process
 * did (running a job registers the project's secrets for redaction here) can help it hide a
 * secret. Resolves once it printed the URL it serves.
 */
import { type ChildExit, CLI, startTs } from './child.js';

export interface UiChild {
  /** The URL printed (with `?token=…` when the server wants one). */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  stop(): Promise<ChildExit>;
}

export async function startUiChild(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<UiChild> {
  const child = startTs(CLI, ['ui', '--port', '0', ...args], env);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`floe ui printed no URL in 60 s:\n${out}`)), 60_000);
    child.proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^floe ui: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void child.done.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`floe ui exited (${exit.code ?? exit.signal}): ${exit.stderr}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    async stop() {
      child.proc.kill('SIGTERM');
      return child.done;
    },
  };
}
