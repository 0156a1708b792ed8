/**
 * `floe source preview <configId>`: tries an L1 config before running it. The request chain runs
 * for real (auth, pagination, incremental parameters from the cursor a run would start from) for
 * a few pages; it prints each request (redacted) with its status and time, the records the
 * dataPath selects, the schema a run would infer, and what a run would write. Nothing is written.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { LOAD_TYPES, type LoadType } from '../../config/common-schema.js';
import { FloeError } from '../../errors.js';
import { openPreviewProject } from '../../job/preview-project.js';
import { previewL1Config, type SourcePreview } from '../../l1/preview.js';
import { redact } from '../../util/redact.js';
import { printLine } from '../output.js';
import { previewLines } from '../preview-output.js';

interface PreviewFlags {
  pages: number;
  raw?: boolean;
  loadType?: LoadType;
  project: string;
  json?: boolean;
}

function positive(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('--pages must be a whole number of pages, at least 1');
  return n;
}

function loadTypeFlag(raw: string): LoadType {
  const u = raw.trim().toUpperCase();
  if (!(LOAD_TYPES as readonly string[]).includes(u))
    throw new InvalidArgumentError(`--load-type must be ${LOAD_TYPES.join(' or ')}`);
  return u as LoadType;
}

export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description('try an L1 config’s source before running it');
  source
    .command('preview <configId>')
    .description(
      'fetch a few pages as a run would (auth, pagination, incremental cursor) and show the requests, the records, the schema a run would infer and what it would write; writes nothing',
    )
    .option('--pages <n>', 'pages to fetch', positive, 1)
    .option(
      '--raw',
      'also print the first response body (redacted; lists cut to their first items, at most 4000 characters)',
    )
    .option(
      '--load-type <type>',
      'FULL or INCREMENTAL instead of the config’s destination.loadType (as floe run --load-type)',
      loadTypeFlag,
    )
    .option('--project <dir>', 'floe project folder (or a folder below it)', '.')
    .option('--json', 'print one JSON document instead of text')
    .action(async (configId: string, flags: PreviewFlags) => {
      const preview = await previewOne(configId, flags);
      if (flags.json) process.stdout.write(`${redact(JSON.stringify(preview, null, 2))}\n`);
      else for (const line of previewLines(preview)) printLine(line);
      if (!previewOk(preview)) process.exitCode = 1;
    });
}

async function previewOne(configId: string, flags: PreviewFlags): Promise<SourcePreview> {
  const project = await openPreviewProject(flags.project);
  try {
    const config = await project.configs.getL1(configId).catch(async (e: unknown) => {
      // An L2 config has no source to preview; say so rather than "no such config".
      const l2 = await project.configs.getL2(configId).catch(() => undefined);
      if (l2)
        throw new FloeError(
          'config-invalid',
          `${configId} is an L2 config: it reads tables, not an API, so there is no source to preview (fix: \`floe run --dry-run --config-id ${configId}\` lists what it reads and writes)`,
          { context: { configId } },
        );
      throw e;
    });
    return await previewL1Config(
      config,
      {
        pages: flags.pages,
        raw: flags.raw === true,
        ...(flags.loadType ? { loadType: flags.loadType } : {}),
      },
      {
        secrets: project.secrets,
        ...(project.state ? { state: project.state } : {}),
        ...(project.catalog ? { catalog: project.catalog } : {}),
      },
    );
  } finally {
    await project.close();
  }
}

/** A preview a run would pass: the fetch worked and nothing says the write would fail. */
export function previewOk(p: SourcePreview): boolean {
  return p.error === undefined && p.write.problems.length === 0 && p.write.refusedColumns.length === 0;
}
