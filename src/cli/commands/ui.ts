/**
 * `floe ui`: a local, read-only dashboard of a project's runs, configs and tables, served until
 * SIGINT/SIGTERM (src/ui/, docs/ui.md). Loopback by default; another address needs a token,
 * made here when none is given, and printed in the URL to open.
 */
import { randomBytes } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { isLoopback } from '../../ui/guard.js';
import { startUiServer } from '../../ui/server.js';
import { untilSignal } from '../until-signal.js';

export const DEFAULT_UI_PORT = 4800;

interface UiFlags {
  project: string;
  port: number;
  host: string;
  token?: string;
}

function port(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535)
    throw new InvalidArgumentError('--port must be a port number (0 = any free port)');
  return n;
}

/**
 * The token the server requires: the one given (at least 16 characters), else a fresh one when
 * the address is not loopback (anyone on the network could read the project's data without it),
 * else none.
 */
export function uiToken(host: string, given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (given.length < 16) throw new InvalidArgumentError('--token must be at least 16 characters');
    return given;
  }
  return isLoopback(host) ? undefined : randomBytes(24).toString('base64url');
}

export function registerUiCommands(program: Command): void {
  program
    .command('ui')
    .description(
      'a local, read-only web dashboard: runs, configs, tables and their health, and a JSON API (docs/ui.md)',
    )
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .option('--port <n>', 'port to listen on (0 = any free port)', port, DEFAULT_UI_PORT)
    .option(
      '--host <address>',
      'address to bind; anything but loopback requires a token (--token, or one is generated and printed)',
      '127.0.0.1',
    )
    .option('--token <token>', 'require this token on every request (the URL printed carries it)')
    .action(async (flags: UiFlags) => {
      const token = uiToken(flags.host, flags.token);
      const server = await startUiServer({
        project: flags.project,
        host: flags.host,
        port: flags.port,
        ...(token !== undefined ? { token } : {}),
      });
      process.stdout.write(`floe ui: ${server.url}\n`);
      if (token !== undefined && flags.token === undefined)
        process.stdout.write(
          '(a token was generated because the address is not loopback; it is in the URL)\n',
        );
      process.stdout.write('read-only; Ctrl-C stops it\n');
      await untilSignal();
      await server.close();
    });
}
