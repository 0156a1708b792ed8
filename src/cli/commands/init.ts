/**
 * `floe init [dir]`: scaffolds a local project folder with a platform's connector pack, or a blank
 * one (`--blank`) for an API floe has no pack for. The work is `scaffoldProject`
 * (src/connectors/scaffold.ts); this file only parses options and prints.
 */
import type { Command } from 'commander';
import { PACK_PLATFORMS } from '../../connectors/index.js';
import { scaffoldProject } from '../../connectors/scaffold.js';
import { printLine } from '../output.js';

interface InitFlags {
  platform: string;
  baseUrl?: string;
  namespace?: string;
  tokenKey?: string;
  force?: boolean;
  blank?: boolean;
}

export function registerInitCommands(program: Command): void {
  program
    .command('init [dir]')
    .description(
      'create a floe project folder (floe.yaml, configs/l1 from a connector pack, .floe/secrets.yaml); --blank for an API without a pack',
    )
    .option(
      '--blank',
      'no connector pack: floe.yaml, empty config folders and a secrets file (then `floe config new l1`)',
    )
    .option('--platform <name>', `connector pack to start from: ${PACK_PLATFORMS.join(', ')}`, 'wrike')
    .option(
      '--base-url <url>',
      "API base URL: a regional host (app-eu.wrike.com, Cvent's eu) or a simulator (http://127.0.0.1:PORT)",
    )
    .option(
      '--namespace <name>',
      'Iceberg namespace (Glue database) of the L1 tables (default <platform>_staging)',
    )
    .option('--token-key <name>', "secret name holding the API credentials (default: the pack's)")
    .option('--force', 'overwrite existing files (an existing .floe/secrets.yaml is always kept)')
    .action(async (dir: string | undefined, flags: InitFlags) => {
      const r = await scaffoldProject({
        dir: dir ?? '.',
        platform: flags.platform,
        baseUrl: flags.baseUrl,
        namespace: flags.namespace,
        tokenKey: flags.tokenKey,
        force: flags.force === true,
        blank: flags.blank === true,
      });
      printLine(`Initialised a floe project in ${r.root}`);
      for (const f of r.created) printLine(`  created      ${f}`);
      for (const f of r.overwritten) printLine(`  overwritten  ${f}`);
      for (const f of r.kept) printLine(`  kept         ${f}`);
      printLine();
      printLine('Next steps:');
      r.nextSteps.forEach((s, i) => {
        printLine(`  ${i + 1}. ${s}`);
      });
    });
}
