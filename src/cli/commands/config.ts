/**
 * `floe config validate|schema|show`: check a project's config files (every problem at once, with
 * file names), print the JSON Schema for editors, and show a config as floe resolves it.
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
import { printLine } from '../output.js';

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
}
