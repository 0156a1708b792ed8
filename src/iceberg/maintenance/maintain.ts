/**
 * Table maintenance in one call, in Iceberg's usual order: compact data files (applying and
 * dropping position deletes), rewrite manifests, expire old snapshots (and delete the files only
 * they reached), then remove orphan files. Each step is its own module and commits on its own;
 * a dry run plans every step and changes nothing. Old metadata files are removed as commits go
 * when the table asks for it (old-metadata.ts); those a log no longer names are orphans here.
 */
import type { Table } from '../table.js';
import { type CompactOptions, type CompactResult, compactTable } from './compact.js';
import { type ExpireOptions, type ExpireResult, expireSnapshots } from './expire-snapshots.js';
import { type OrphanOptions, type OrphanResult, removeOrphanFiles } from './remove-orphans.js';
import {
  type RewriteManifestsOptions,
  type RewriteManifestsResult,
  rewriteManifests,
} from './rewrite-manifests.js';

export type MaintenanceStep = 'compact' | 'rewrite-manifests' | 'expire-snapshots' | 'remove-orphans';

export interface MaintainOptions {
  readonly dryRun?: boolean;
  /** `false` skips the step. */
  readonly compact?: Omit<CompactOptions, 'dryRun'> | false;
  readonly rewriteManifests?: Omit<RewriteManifestsOptions, 'dryRun'> | false;
  readonly expire?: Omit<ExpireOptions, 'dryRun'> | false;
  readonly orphans?: Omit<OrphanOptions, 'dryRun'> | false;
  /** Called as each step starts. */
  readonly onStep?: (step: MaintenanceStep) => void;
}

export interface MaintainResult {
  readonly table: string;
  readonly dryRun: boolean;
  readonly compact?: CompactResult;
  readonly rewriteManifests?: RewriteManifestsResult;
  readonly expire?: ExpireResult;
  readonly orphans?: OrphanResult;
}

export async function maintainTable(table: Table, opts: MaintainOptions = {}): Promise<MaintainResult> {
  const dryRun = !!opts.dryRun;
  const out: {
    -readonly [K in keyof MaintainResult]: MaintainResult[K];
  } = { table: table.name, dryRun };
  if (opts.compact !== false) {
    opts.onStep?.('compact');
    out.compact = await compactTable(table, { ...opts.compact, dryRun });
  }
  if (opts.rewriteManifests !== false) {
    opts.onStep?.('rewrite-manifests');
    out.rewriteManifests = await rewriteManifests(table, { ...opts.rewriteManifests, dryRun });
  }
  if (opts.expire !== false) {
    opts.onStep?.('expire-snapshots');
    out.expire = await expireSnapshots(table, { ...opts.expire, dryRun });
  }
  if (opts.orphans !== false) {
    opts.onStep?.('remove-orphans');
    out.orphans = await removeOrphanFiles(table, { ...opts.orphans, dryRun });
  }
  return out;
}
