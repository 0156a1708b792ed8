/**
 * `floe table maintain [table]`: compaction, manifest rewrite, snapshot expiry and orphan removal
 * (src/iceberg/maintenance/) on one table or every table of the project's catalog, under the
 * project's run lock (so no `floe run` writes meanwhile). `--dry-run` plans and changes nothing.
 * Files maintenance writes are journaled in a scratch folder like a run's, so a killed maintain
 * leaves nothing the next run cannot clean up; files named in any run's journal are never taken
 * for orphans.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import { setScratchDir } from '../../duck/session.js';
import { errorMessage, FloeError, isFloeError } from '../../errors.js';
import {
  identifierString,
  LocalFileIO,
  loadTable,
  parseFilter,
  SqlCatalog,
  type Table,
} from '../../iceberg/index.js';
import { JournalingFileIO } from '../../iceberg/io/journal.js';
import { ScopedFileIO } from '../../iceberg/io/scoped.js';
import {
  type MaintainResult,
  type MaintenanceStep,
  maintainTable,
} from '../../iceberg/maintenance/maintain.js';
import { DEFAULT_ORPHAN_AGE_MS } from '../../iceberg/maintenance/remove-orphans.js';
import { catalogProblems, gatherFacts, throwProblems } from '../../job/preflight.js';
import { withProjectLock } from '../../runtime/local/run-lock.js';
import { journaledFiles, runScratch } from '../../runtime/local/run-scratch.js';
import { isTerminal, printJsonLine, printLine } from '../output.js';
import { addCatalogFlags, type CatalogFlags, catalogTarget, printWarning } from './table.js';

const STEPS = ['compact', 'rewrite-manifests', 'expire', 'orphans'] as const;
type StepFlag = (typeof STEPS)[number];
/** Orphan removal below this age could take the files of a write in flight on another host. */
const MIN_ORPHAN_AGE_MS = 3600_000;

export interface MaintainFlags extends CatalogFlags {
  dryRun?: boolean;
  olderThan?: number;
  retainLast?: number;
  orphanAge?: number;
  targetFileSize?: number;
  minInputFiles?: number;
  where?: string;
  skip?: StepFlag[];
}

export function registerMaintainCommand(table: Command): void {
  addCatalogFlags(
    table
      .command('maintain [table]')
      .description(
        'compact small files and apply deletes, rewrite manifests, expire old snapshots, remove orphan files (all tables when none is named)',
      )
      .option('--dry-run', 'show what would be rewritten and removed; change nothing')
      .option(
        '--older-than <duration>',
        "expire snapshots older than this, e.g. 7d, 12h (default: the table's history.expire.max-snapshot-age-ms, else 5d)",
        (v) => parseDuration(v, '--older-than'),
      )
      .option(
        '--retain-last <n>',
        "keep at least this many snapshots per branch (default: the table's history.expire.min-snapshots-to-keep, else 1)",
        (v) => count(v, '--retain-last', 1),
      )
      .option(
        '--orphan-age <duration>',
        'remove unreferenced files only when older than this (default 3d; at least 1h)',
        (v) => parseDuration(v, '--orphan-age'),
      )
      .option(
        '--target-file-size <size>',
        "compacted file size, e.g. 128MB (default: the table's write.target-file-size-bytes, else 128MB on S3, 64MB local)",
        (v) => parseSize(v, '--target-file-size'),
      )
      .option(
        '--min-input-files <n>',
        'compact a partition once it has this many small files (default 5)',
        (v) => count(v, '--min-input-files', 1),
      )
      .option(
        '--where <filter>',
        'compact only files that may hold matching rows, e.g. "day >= \'2024-01-01\'"',
      )
      .option('--skip <steps>', `comma-separated steps to leave out: ${STEPS.join(', ')}`, (v) =>
        parseSteps(v),
      ),
  ).action(async (name: string | undefined, flags: MaintainFlags) => {
    const target = catalogTarget(flags);
    const ok = await withProjectLock(flags.dryRun ? undefined : target.projectRoot, 'table maintain', () =>
      maintain(name, flags),
    );
    if (!ok) process.exitCode = 1;
  });
}

/** Runs maintenance; prints a summary per table; false when a table failed. */
export async function maintain(name: string | undefined, flags: MaintainFlags): Promise<boolean> {
  if (flags.orphanAge !== undefined && flags.orphanAge < MIN_ORPHAN_AGE_MS)
    throw new FloeError(
      'config-invalid',
      `--orphan-age must be at least 1h: a younger unreferenced file may belong to a write that has not committed yet (Iceberg's default is 3d)`,
    );
  const target = catalogTarget(flags);
  const facts = await gatherFacts(target);
  throwProblems(catalogProblems(target, facts));
  if (facts.catalog.state !== 'ok')
    throw new FloeError(
      'not-found',
      `the project has no catalog yet (${target.catalogPath}), so there is no table to maintain`,
    );
  const scratchRoot = target.projectRoot ? join(target.projectRoot, '.floe', 'tmp') : undefined;
  // A dry run writes nothing; only a real one journals what it writes (in a run-like scratch folder).
  const scratch =
    scratchRoot && !flags.dryRun ? runScratch(scratchRoot, `maintain-${randomUUID()}`) : undefined;
  if (scratch) setScratchDir(scratch.dir);
  const local = new LocalFileIO();
  const catalog = new SqlCatalog({
    name: target.catalogName,
    path: target.catalogPath,
    warehouse: target.warehouse,
    io: new ScopedFileIO(scratch ? new JournalingFileIO(local, scratch.journal) : local, target.warehouse),
  });
  let failed = false;
  try {
    const ids = name ? [name] : (await catalog.entries()).map((e) => identifierString(e.id));
    if (ids.length === 0) printLine('no tables to maintain');
    const filter = flags.where ? parseFilter(flags.where) : undefined;
    for (const id of ids) {
      let t: Table;
      try {
        t = await loadTable(catalog, id);
      } catch (e) {
        if (name) throw e;
        failed = true;
        printWarning(`${id}: cannot be loaded, skipped: ${errorMessage(e)}`);
        continue;
      }
      const skip = new Set(flags.skip ?? []);
      const progress = (step: MaintenanceStep) => {
        if (isTerminal()) process.stderr.write(`${t.name}: ${step}…\n`);
      };
      try {
        const r = await maintainTable(t, {
          ...(flags.dryRun ? { dryRun: true } : {}),
          onStep: progress,
          compact: skip.has('compact')
            ? false
            : {
                ...(flags.targetFileSize ? { targetFileSizeBytes: flags.targetFileSize } : {}),
                ...(flags.minInputFiles ? { minInputFiles: flags.minInputFiles } : {}),
                ...(filter ? { filter } : {}),
                onGroup: (done, total) => {
                  if (isTerminal()) process.stderr.write(`${t.name}: compacted group ${done}/${total}\n`);
                },
              },
          rewriteManifests: skip.has('rewrite-manifests') ? false : {},
          expire: skip.has('expire')
            ? false
            : {
                ...(flags.olderThan !== undefined ? { maxSnapshotAgeMs: flags.olderThan } : {}),
                ...(flags.retainLast !== undefined ? { retainLast: flags.retainLast } : {}),
              },
          orphans: skip.has('orphans')
            ? false
            : {
                minAgeMs: flags.orphanAge ?? DEFAULT_ORPHAN_AGE_MS,
                ...(scratchRoot ? { protect: journaledFiles(scratchRoot) } : {}),
              },
        });
        report(r);
      } catch (e) {
        failed = true;
        const msg = errorMessage(e);
        const fix = isFloeError(e, 'commit-conflict')
          ? ''
          : ` Fix the cause, then run \`floe table maintain ${t.name}${flags.dryRun ? ' --dry-run' : ''}\` again; steps that finished stay done.`;
        if (!isTerminal()) printJsonLine({ table: t.name, ok: false, error: msg });
        printWarning(`table ${t.name}: maintenance failed: ${msg}${fix}`);
      }
    }
  } finally {
    await catalog.close();
    if (scratch) {
      setScratchDir(undefined);
      await scratch.dispose().catch(() => {});
    }
  }
  return !failed;
}

function report(r: MaintainResult): void {
  const c = r.compact;
  const m = r.rewriteManifests;
  const x = r.expire;
  const o = r.orphans;
  const summary = {
    table: r.table,
    ok: true,
    dryRun: r.dryRun,
    ...(c
      ? {
          compact: {
            groups: c.plan.groups.length,
            rewrittenFiles: c.plan.rewrittenFiles,
            rewrittenBytes: c.plan.rewrittenBytes,
            removedDeleteFiles: c.plan.removedDeleteFiles.length,
            addedFiles: c.addedFiles,
            ...(c.snapshotId !== undefined ? { snapshotId: c.snapshotId } : {}),
            replans: c.replans,
          },
        }
      : {}),
    ...(m ? { rewriteManifests: { replaced: m.replaced, created: m.created, kept: m.kept } } : {}),
    ...(x
      ? {
          expire: {
            expiredSnapshots: x.expiredSnapshots.length,
            retainedSnapshots: x.retainedSnapshots,
            droppedRefs: x.droppedRefs,
            files: x.files.length,
            bytes: x.files.reduce((a, f) => a + f.bytes, 0n),
          },
        }
      : {}),
    ...(o
      ? {
          orphans: {
            files: o.orphans.length,
            bytes: o.orphans.reduce((a, f) => a + f.bytes, 0n),
            tooYoung: o.tooYoung,
            journaled: o.journaled,
          },
        }
      : {}),
  };
  if (!isTerminal()) {
    printJsonLine(summary);
    return;
  }
  const would = r.dryRun ? 'would ' : '';
  printLine(`${r.table}${r.dryRun ? ' (dry run: nothing changed)' : ''}`);
  if (c)
    printLine(
      c.plan.groups.length
        ? `  compact            ${would}rewrite ${c.plan.rewrittenFiles} files (${bytes(c.plan.rewrittenBytes)}) in ${c.plan.groups.length} partition(s)` +
            `${r.dryRun ? '' : ` into ${c.addedFiles}`}; ${would}drop ${c.plan.removedDeleteFiles.length} delete file(s)` +
            `${c.replans ? `; planned again ${c.replans}× after concurrent commits` : ''}`
        : '  compact            nothing to compact',
    );
  if (m)
    printLine(
      m.replaced
        ? `  rewrite manifests  ${would}replace ${m.replaced} manifests${r.dryRun ? '' : ` with ${m.created}`}`
        : '  rewrite manifests  nothing to rewrite',
    );
  if (x)
    printLine(
      `  expire snapshots   ${would}expire ${x.expiredSnapshots.length}, keep ${x.retainedSnapshots}; ${would}delete ${x.files.length} files (${bytes(x.files.reduce((a, f) => a + f.bytes, 0n))})` +
        `${x.droppedRefs.length ? `; ${would}drop refs ${x.droppedRefs.join(', ')}` : ''}`,
    );
  if (o)
    printLine(
      `  orphan files       ${would}delete ${o.orphans.length} (${bytes(o.orphans.reduce((a, f) => a + f.bytes, 0n))}); kept ${o.tooYoung} younger than the safety age, ${o.journaled} of writes in flight`,
    );
}

function bytes(n: bigint): string {
  const v = Number(n);
  if (v < 1024) return `${v} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(1)} ${units[i]}`;
}

/** `90s`, `30m`, `12h`, `7d`, `2w` → milliseconds. */
export function parseDuration(v: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(v);
  if (!m)
    throw new FloeError(
      'config-invalid',
      `${flag} "${v}" is not a duration; use e.g. 90s, 30m, 12h, 7d or 2w`,
    );
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 604_800_000 }[
    m[2]!.toLowerCase() as 'ms'
  ];
  return Math.round(Number(m[1]) * unit);
}

/** `134217728`, `128MB`, `1.5GB` → bytes. */
export function parseSize(v: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(v);
  if (!m || Number(m[1]) <= 0)
    throw new FloeError('config-invalid', `${flag} "${v}" is not a size; use e.g. 134217728, 128MB or 1GB`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.round(Number(m[1]) * unit);
}

function count(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new FloeError('config-invalid', `${flag} must be an integer of at least ${min}, got "${v}"`);
  return n;
}

function parseSteps(v: string): StepFlag[] {
  const steps = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of steps)
    if (!(STEPS as readonly string[]).includes(s))
      throw new FloeError('config-invalid', `--skip: unknown step "${s}"; steps are ${STEPS.join(', ')}`);
  return steps as StepFlag[];
}
