/**
 * `floe demo`: the whole pipeline on this machine, no cloud and no account. Starts the Wrike
 * simulator in-process, scaffolds a temp project pointed at it, runs the job (L1 into the staging
 * tables, then L2 into the refined ones), prints the summary, a few rows of a staging and a refined
 * table, and how to query them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseJobParams } from '../../config/job-params.js';
import { scaffoldProject } from '../../connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../iceberg/index.js';
import { runJob } from '../../job/run-job.js';
import { startWrikeSimulator } from '../../sim/wrike/index.js';
import { formatTable, printLine } from '../output.js';
import { printSummary, progressPrinter } from './run.js';

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('run L1 then L2 against the bundled Wrike API simulator, in a temp project')
    .option('--dir <dir>', 'project folder to create (default: a new temp folder)')
    .option('--tasks <n>', 'tasks in the simulated Wrike account', (v) => Number(v), 5000)
    .action(async (opts: { dir?: string; tasks: number }) => {
      const started = Date.now();
      const sim = await startWrikeSimulator({ tasks: opts.tasks, seed: 42 });
      try {
        const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'floe-demo-'));
        printLine(
          `Wrike simulator on ${sim.baseUrl} (${opts.tasks} tasks, 400 requests/min like the real API)`,
        );
        await scaffoldProject({ dir, baseUrl: sim.origin, force: true });
        printLine(`project: ${dir}`);
        printLine('running: floe run --SAAS_PLATFORM wrike --PROCESS_TYPE both');
        const outcome = await runJob(
          parseJobParams(
            ['--project', dir, '--SAAS_PLATFORM', 'wrike', '--PROCESS_TYPE', 'both'],
            process.env,
          ),
          { onProgress: progressPrinter(), logStream: { write: () => true }, now: () => sim.now() },
        );
        printSummary(outcome.results, outcome.unavailable, outcome.reportPath);
        const catalog = new SqlCatalog({
          name: 'floe',
          path: join(dir, '.floe', 'catalog.db'),
          warehouse: join(dir, 'warehouse'),
        });
        try {
          const t = await loadTable(catalog, 'wrike_staging.staging_tasks');
          const rows = await t
            .scan({ select: ['id', 'title', 'status', 'importance', 'updated_date'], limit: 5 })
            .toRows();
          printLine();
          printLine('wrike_staging.staging_tasks (L1, as the API sent it; 5 rows):');
          printLine(formatTable(rows, ['id', 'title', 'status', 'importance', 'updated_date'], 40));
          const refined = [
            'task_id',
            'title',
            'custom_status_name',
            'assignee_names',
            'project_title',
            'planned_hours',
            'logged_hours',
          ];
          const tasks = await loadTable(catalog, 'wrike_refined.tasks');
          printLine();
          printLine(
            'wrike_refined.tasks (L2, task_parser: names, statuses, projects and hours joined in; 5 rows):',
          );
          printLine(formatTable(await tasks.scan({ select: refined, limit: 5 }).toRows(), refined, 30));
        } finally {
          await catalog.close();
        }
        printLine();
        printLine(`done in ${((Date.now() - started) / 1000).toFixed(1)} s. Query the tables:`);
        printLine(`  floe table list --project ${dir}`);
        printLine(`  floe table read wrike_staging.staging_tasks --project ${dir} --limit 10`);
        printLine(`  floe table read wrike_refined.projects --project ${dir} --where "is_overdue = true"`);
        printLine(`  floe parsers list --project ${dir}`);
        printLine(`  floe history --project ${dir}`);
        printLine(
          '  python: SqlCatalog("floe", uri="sqlite:///' +
            join(dir, '.floe', 'catalog.db') +
            '", warehouse="file://' +
            join(dir, 'warehouse') +
            '").load_table("wrike_staging.staging_tasks").scan().to_arrow()',
        );
        if (!outcome.ok) process.exitCode = 1;
      } finally {
        await sim.close();
      }
    });
}
