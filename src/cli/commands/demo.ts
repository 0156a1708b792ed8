/**
 * `floe demo`: the whole pipeline on this machine, no cloud and no account. Starts a platform's
 * simulator in-process (`--platform`, default wrike), scaffolds a temp project pointed at it, runs
 * the job (L1 into the staging tables, then L2 into the refined ones where the pack has L2
 * configs), prints the summary, a few rows of a staging and a refined table, and how to query them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseJobParams } from '../../config/job-params.js';
import { scaffoldProject } from '../../connectors/scaffold.js';
import { FloeError } from '../../errors.js';
import { loadTable, SqlCatalog } from '../../iceberg/index.js';
import { runJob } from '../../job/run-job.js';
import { startCventSimulator } from '../../sim/cvent/index.js';
import { startEloquaSimulator } from '../../sim/eloqua/index.js';
import { startMedalliaSimulator } from '../../sim/medallia/index.js';
import { startWrikeSimulator } from '../../sim/wrike/index.js';
import { formatTable, printLine } from '../output.js';
import { printSummary, progressPrinter } from './run.js';

/** A platform's demo: its simulator, sized by `--tasks`, and the table whose rows are shown. */
interface DemoPlatform {
  start(size: number): Promise<{ origin: string; now(): Date; close(): Promise<void>; describe: string }>;
  table: string;
  columns: string[];
  /** A refined (L2) table the pack's configs write, to show beside the staging one. */
  refined?: { table: string; columns: string[]; what: string };
}

const DEMOS: Record<string, DemoPlatform> = {
  wrike: {
    start: async (tasks) => {
      const sim = await startWrikeSimulator({ tasks, seed: 42 });
      return {
        ...sim,
        now: () => sim.now(),
        close: () => sim.close(),
        describe: `Wrike simulator on ${sim.baseUrl} (${tasks} tasks, 400 requests/min like the real API)`,
      };
    },
    table: 'wrike_staging.staging_tasks',
    columns: ['id', 'title', 'status', 'importance', 'updated_date'],
    refined: {
      table: 'wrike_refined.tasks',
      columns: [
        'task_id',
        'title',
        'custom_status_name',
        'assignee_names',
        'project_title',
        'planned_hours',
        'logged_hours',
      ],
      what: 'task_parser: names, statuses, projects and hours joined in',
    },
  },
  cvent: {
    start: async (attendees) => {
      const sim = await startCventSimulator({ attendees, seed: 42 });
      return {
        ...sim,
        now: () => sim.now(),
        close: () => sim.close(),
        describe: `Cvent simulator on ${sim.baseUrl} (${attendees} attendees, Standard tier: 10 calls/s)`,
      };
    },
    table: 'cvent_staging.staging_attendees',
    columns: ['id', 'status', 'registered_at', 'last_modified'],
    refined: {
      table: 'cvent_refined.event_attendance',
      columns: [
        'event_title',
        'registrations',
        'confirmed',
        'checked_in',
        'attendance_rate',
        'sessions',
        'session_capacity',
      ],
      what: 'cvent_event_attendance_parser: registrations, check-ins and sessions per event',
    },
  },
  eloqua: {
    start: async (contacts) => {
      const sim = await startEloquaSimulator({ contacts, seed: 42 });
      return {
        ...sim,
        now: () => sim.now(),
        close: () => sim.close(),
        describe: `Eloqua simulator on ${sim.origin} (${contacts} contacts; Bulk 2.0 exports, /id discovery)`,
      };
    },
    table: 'eloqua_staging.staging_contacts',
    columns: ['contact_id', 'email_address', 'country', 'date_modified'],
    refined: {
      table: 'eloqua_refined.email_engagement',
      columns: ['campaign_name', 'email_name', 'sends', 'unique_opens', 'unique_clicks', 'open_rate'],
      what: 'eloqua_email_engagement_parser: sends, opens and clicks per campaign and email',
    },
  },
  medallia: {
    start: async (feedback) => {
      const sim = await startMedalliaSimulator({ feedback, seed: 42 });
      return {
        ...sim,
        now: () => sim.now(),
        close: () => sim.close(),
        describe: `Medallia simulator on ${sim.queryUrl} (${feedback} feedback records, GraphQL, 70 requests/s)`,
      };
    },
    table: 'medallia_staging.staging_feedback',
    columns: ['id', 'a_initial_finish_timestamp', 'e_unit', 'q_ltr'],
    refined: {
      table: 'medallia_refined.feedback',
      // Named by the simulator's catalogue (the columns follow each instance's fields).
      columns: ['feedback_id', 'initial_finish_timestamp', 'unit', 'likelihood_to_recommend', 'reasons'],
      what: 'medallia_feedback_parser: columns named by the field catalogue, numbers typed',
    },
  },
};

export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('run L1 then L2 against a bundled API simulator, in a temp project')
    .option('--dir <dir>', 'project folder to create (default: a new temp folder)')
    .option('--platform <name>', `simulated platform: ${Object.keys(DEMOS).join(', ')}`, 'wrike')
    .option(
      '--tasks <n>',
      'size of the simulated account (Wrike tasks, Cvent attendees, Eloqua contacts, Medallia feedback)',
      (v) => Number(v),
      5000,
    )
    .action(async (opts: { dir?: string; tasks: number; platform: string }) => {
      const started = Date.now();
      const platform = opts.platform.trim().toLowerCase();
      const demo = DEMOS[platform];
      if (!demo) {
        throw new FloeError(
          'config-invalid',
          `no demo for platform '${opts.platform}'; available: ${Object.keys(DEMOS).join(', ')}`,
        );
      }
      const sim = await demo.start(opts.tasks);
      try {
        const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'floe-demo-'));
        printLine(sim.describe);
        await scaffoldProject({ dir, platform, baseUrl: sim.origin, force: true });
        printLine(`project: ${dir}`);
        printLine(`running: floe run --SAAS_PLATFORM ${platform} --PROCESS_TYPE both`);
        const outcome = await runJob(
          parseJobParams(
            ['--project', dir, '--SAAS_PLATFORM', platform, '--PROCESS_TYPE', 'both'],
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
          const t = await loadTable(catalog, demo.table);
          const rows = await t.scan({ select: demo.columns, limit: 5 }).toRows();
          printLine();
          printLine(`${demo.table} (L1, as the API sent it; 5 rows):`);
          printLine(formatTable(rows, demo.columns, 40));
          if (demo.refined) {
            const refined = await loadTable(catalog, demo.refined.table);
            printLine();
            printLine(`${demo.refined.table} (L2, ${demo.refined.what}; 5 rows):`);
            printLine(
              formatTable(
                await refined.scan({ select: demo.refined.columns, limit: 5 }).toRows(),
                demo.refined.columns,
                30,
              ),
            );
          }
        } finally {
          await catalog.close();
        }
        printLine();
        printLine(`done in ${((Date.now() - started) / 1000).toFixed(1)} s. Query the tables:`);
        printLine(`  floe table list --project ${dir}`);
        printLine(`  floe table read ${demo.table} --project ${dir} --limit 10`);
        if (demo.refined) {
          printLine(`  floe table read ${demo.refined.table} --project ${dir} --limit 10`);
          printLine(`  floe parsers list --project ${dir}`);
        }
        printLine(`  floe history --project ${dir}`);
        printLine(
          '  python: SqlCatalog("floe", uri="sqlite:///' +
            join(dir, '.floe', 'catalog.db') +
            '", warehouse="file://' +
            join(dir, 'warehouse') +
            `").load_table("${demo.table}").scan().to_arrow()`,
        );
        if (!outcome.ok) process.exitCode = 1;
      } finally {
        await sim.close();
      }
    });
}
