/**
 * `floe config validate|schema|show`: check a project's config files (every problem at once, with
 * file names), print the JSON Schema for editors, and show a config as floe resolves it.
 * `floe config push|pull|diff`: the project's config files and the DynamoDB config tables
 * (CONFIG_TABLE, L2_CONFIG_TABLE) side by side (see runtime/aws/config-sync.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { FileConfigStore, loadProjectConfigs } from '../../config/file-config-store.js';
import type { ConfigProblem } from '../../config/issues.js';
import { formatProblem } from '../../config/issues.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { parseConfigText } from '../../config/load-items.js';
import { validateL1Item, validateL2Item } from '../../config/validate.js';
import { FloeError } from '../../errors.js';
// Types only: the AWS SDK is loaded when a DynamoDB subcommand runs, not with the CLI.
import type { AwsClients } from '../../runtime/aws/clients.js';
import type { ConfigChange } from '../../runtime/aws/config-sync.js';
import type { DynamoConfigStore } from '../../runtime/aws/dynamo-config-store.js';
import type { ProcessKind } from '../../runtime/ports/state-store.js';
import { printLine } from '../output.js';
import { registerConfigNewCommand } from './config-new.js';

interface SyncFlags {
  project: string;
  configTable?: string;
  l2ConfigTable?: string;
  dryRun?: boolean;
}

/** Runs `fn` for each layer whose table is given, with a DynamoDB config store over them. */
async function withTables(
  flags: SyncFlags,
  fn: (
    store: DynamoConfigStore,
    kind: ProcessKind,
    ddb: AwsClients['dynamodb'],
    sync: typeof import('../../runtime/aws/config-sync.js'),
  ) => Promise<void>,
): Promise<void> {
  if (flags.configTable === undefined && flags.l2ConfigTable === undefined)
    throw new FloeError(
      'config-invalid',
      'no DynamoDB config table: pass --config-table <CONFIG_TABLE> and/or --l2-config-table <L2_CONFIG_TABLE>',
    );
  const [{ createAwsClients }, { DynamoConfigStore }, sync] = await Promise.all([
    import('../../runtime/aws/clients.js'),
    import('../../runtime/aws/dynamo-config-store.js'),
    import('../../runtime/aws/config-sync.js'),
  ]);
  const clients = createAwsClients();
  try {
    const store = new DynamoConfigStore(clients.dynamodb, { l1: flags.configTable, l2: flags.l2ConfigTable });
    if (flags.configTable !== undefined) await fn(store, 'L1', clients.dynamodb, sync);
    if (flags.l2ConfigTable !== undefined) await fn(store, 'L2', clients.dynamodb, sync);
  } finally {
    clients.destroy();
  }
}

function printChanges(changes: ConfigChange[], table: string): number {
  let n = 0;
  for (const c of changes) {
    if (c.change === 'same') continue;
    n++;
    if (c.change === 'only-in-project') printLine(`+ ${c.kind} ${c.configId} (only in ${c.file})`);
    else if (c.change === 'only-in-table')
      printLine(`- ${c.kind} ${c.configId} (only in DynamoDB table ${table})`);
    else printLine(`~ ${c.kind} ${c.configId} (${c.file}): ${c.fields.join(', ')}`);
  }
  return n;
}

function syncOptions(cmd: Command): Command {
  return cmd
    .option('--project <dir>', 'floe project folder', '.')
    .option('--config-table <table>', 'the L1 config table (CONFIG_TABLE)')
    .option('--l2-config-table <table>', 'the L2 config table (L2_CONFIG_TABLE)');
}

interface Report {
  l1: number;
  l2: number;
  files: number;
  problems: ConfigProblem[];
}

async function validateProject(dir: string): Promise<Report> {
  const { l1, l2 } = await loadProjectConfigs(dir);
  const files = l1.files.length + l2.files.length;
  if (files === 0) {
    throw new FloeError(
      'not-found',
      `no config files in ${resolve(dir, 'configs/l1')} or ${resolve(dir, 'configs/l2')} (fix: pass the project folder, or add configs/l1/<name>.yaml)`,
    );
  }
  return { l1: l1.configs.length, l2: l2.configs.length, files, problems: [...l1.problems, ...l2.problems] };
}

/** One file; its layer from `--l2`, its folder name (`l2`), or its content (`parserName`). */
async function validateFile(path: string, forceL2: boolean): Promise<Report> {
  const file = relative(process.cwd(), path) || basename(path);
  const report: Report = { l1: 0, l2: 0, files: 1, problems: [] };
  let items: unknown[];
  try {
    items = parseConfigText(await readFile(path, 'utf8'), file);
  } catch (e) {
    if (!(e instanceof FloeError)) throw e;
    report.problems.push({ field: '', message: e.message.replace(`${file}: `, ''), severity: 'error', file });
    return report;
  }
  items.forEach((item, i) => {
    const isL2 =
      forceL2 ||
      basename(dirname(path)) === 'l2' ||
      (typeof item === 'object' && item !== null && 'parserName' in item);
    const origin = { file, index: items.length > 1 ? i : undefined };
    const r = isL2 ? validateL2Item(item, origin) : validateL1Item(item, origin);
    report.problems.push(...r.problems);
    if (r.ok) report[isL2 ? 'l2' : 'l1']++;
  });
  return report;
}

function printReport(r: Report): void {
  for (const p of r.problems) {
    const where = p.file ? `${p.file}: ` : '';
    printLine(`${p.severity === 'error' ? 'error' : 'warning'}: ${where}${formatProblem(p)}`);
  }
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  const warnings = r.problems.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  printLine(
    `${plural(r.files, 'file')}: ${r.l1} valid L1 and ${r.l2} valid L2 configs; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
  );
  // The command layer owns the exit code; nothing below it calls process.exit.
  if (errors > 0) process.exitCode = 1;
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('validate and document L1/L2 config items');

  config
    .command('validate [path]')
    .description('check a project folder (configs/l1, configs/l2) or one config file; reports every problem')
    .option('--l2', 'treat a single file as L2 configs')
    .action(async (path: string | undefined, flags: { l2?: boolean }) => {
      const target = resolve(path ?? '.');
      const info = await stat(target).catch(() => undefined);
      if (info === undefined) throw new FloeError('not-found', `${target} does not exist`);
      printReport(
        info.isDirectory() ? await validateProject(target) : await validateFile(target, flags.l2 === true),
      );
    });

  registerConfigNewCommand(config);

  config
    .command('schema')
    .description('print the JSON Schema of L1 (default) or L2 config items, for editor completion')
    .option('--l2', 'the L2 (processing) item schema')
    .action((flags: { l2?: boolean }) => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(flags.l2 ? 'l2' : 'l1'), null, 2)}\n`);
    });

  config
    .command('show <configId>')
    .description('print a config as floe resolves it (defaults applied)')
    .option('--project <dir>', 'floe project folder', '.')
    .option('--l2', 'an L2 config')
    .action(async (configId: string, flags: { project: string; l2?: boolean }) => {
      const store = new FileConfigStore(flags.project);
      const c = flags.l2 ? await store.getL2(configId) : await store.getL1(configId);
      printLine(JSON.stringify(c, null, 2));
    });

  syncOptions(
    config
      .command('diff')
      .description(
        'compare the project’s configs with the DynamoDB config tables (run state ignored); exit 1 if they differ',
      ),
  ).action(async (flags: SyncFlags) => {
    let n = 0;
    await withTables(flags, async (store, kind, _ddb, sync) => {
      n += printChanges(await sync.diffConfigs(resolve(flags.project), store, kind), store.tableOf(kind));
    });
    printLine(n === 0 ? 'no differences' : `${n} config(s) differ`);
    if (n > 0) process.exitCode = 1;
  });

  syncOptions(
    config
      .command('push')
      .description(
        'write the project’s new and changed configs into the DynamoDB config tables (their run state is kept)',
      )
      .option('--dry-run', 'only show what would change'),
  ).action(async (flags: SyncFlags) => {
    await withTables(flags, async (store, kind, ddb, sync) => {
      const changes = await sync.pushConfigs(resolve(flags.project), store, ddb, kind, {
        dryRun: flags.dryRun === true,
      });
      printChanges(
        changes.filter((c) => c.change !== 'only-in-table'),
        store.tableOf(kind),
      );
      const written = changes.filter((c) => c.change === 'only-in-project' || c.change === 'differs').length;
      const kept = changes.filter((c) => c.change === 'only-in-table').map((c) => c.configId);
      printLine(
        `${flags.dryRun ? 'would write' : 'wrote'} ${written} ${kind} config(s) to ${store.tableOf(kind)}` +
          (kept.length ? `; ${kept.length} only in the table, left as they are: ${kept.join(', ')}` : ''),
      );
    });
  });

  syncOptions(
    config
      .command('pull')
      .description(
        'write the DynamoDB config tables’ items into the project’s config files (without run state)',
      ),
  ).action(async (flags: SyncFlags) => {
    await withTables(flags, async (store, kind, _ddb, sync) => {
      const { written, skipped } = await sync.pullConfigs(resolve(flags.project), store, kind);
      for (const f of written) printLine(`wrote ${f}`);
      for (const s of skipped) printLine(`skipped ${s}`);
      printLine(`${written.length} ${kind} config file(s) written from ${store.tableOf(kind)}`);
    });
  });
}
