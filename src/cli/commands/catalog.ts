/**
 * `floe catalog recover|relocate`: repair a project's catalog from its warehouse.
 *
 * recover: the catalog database is lost, empty or damaged while the tables' files are intact.
 * Every table folder's newest metadata file is registered (what Iceberg's register_table does).
 * relocate: the project was copied or moved, so its tables' metadata still names the original's
 * files; the references are rewritten, as new files, to this project's own copies.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Command } from 'commander';
import { FloeError } from '../../errors.js';
import {
  applyRecovery,
  planRecovery,
  type RecoverableCatalog,
  type RecoveryItem,
} from '../../iceberg/catalog/recover.js';
import { relocateTables } from '../../iceberg/catalog/relocate.js';
import { identifierString, LocalFileIO, pathToUri, type SqlCatalog } from '../../iceberg/index.js';
import { currentSnapshot, liveRecords } from '../../iceberg/spec/metadata.js';
import { catalogProblems, gatherFacts, throwProblems } from '../../job/preflight.js';
import { withProjectLock } from '../../runtime/local/run-lock.js';
import { printLine } from '../output.js';
import { addCatalogFlags, type CatalogFlags, catalogTarget, openCatalog } from './table.js';

/**
 * Moves a database file, and its WAL and shared-memory files, to `<file>.<label>-<time>` so a
 * fresh one can take its place; nothing is deleted. Returns the new name of the main file.
 */
export function moveAside(path: string, label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const target = `${path}.${label}-${stamp}`;
  // The WAL first: a WAL left behind would be replayed into the new file of the same name.
  for (const suffix of ['-wal', '-shm', '']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description("repair the project's Iceberg catalog from the tables in its warehouse");

  addCatalogFlags(
    catalog
      .command('recover')
      .description(
        'register every table in the warehouse from its newest metadata file (a lost, empty or damaged catalog)',
      )
      .option('--dry-run', 'show what would be registered; change nothing')
      .option('--force', 're-point tables the catalog already has but at an older or other metadata file'),
  ).action(async (flags: CatalogFlags & { dryRun?: boolean; force?: boolean }) => {
    const lines = await withProjectLock(
      flags.dryRun ? undefined : catalogTarget(flags).projectRoot,
      'catalog recover',
      () => recoverCatalog(flags),
    );
    for (const line of lines) printLine(line);
  });

  addCatalogFlags(
    catalog
      .command('relocate')
      .description(
        "point a copied or moved project's tables at its own files (rewrites metadata as new files; the original is not touched)",
      )
      .option(
        '--from <old-warehouse>',
        'the warehouse the project was copied from (default: inferred from each table)',
      )
      .option('--dry-run', 'check every file; write nothing'),
  ).action(async (flags: CatalogFlags & { from?: string; dryRun?: boolean }) => {
    const lines = await withProjectLock(
      flags.dryRun ? undefined : catalogTarget(flags).projectRoot,
      'catalog relocate',
      () => relocateCatalog(flags),
    );
    for (const line of lines) printLine(line);
  });
}

/** `floe catalog recover`; returns the lines to print. */
export async function recoverCatalog(
  flags: CatalogFlags & { dryRun?: boolean; force?: boolean },
): Promise<string[]> {
  const target = catalogTarget(flags);
  const facts = await gatherFacts(target);
  const out: string[] = [];
  const dry = flags.dryRun ? ' (dry run: nothing changed)' : '';
  if (facts.catalog.state === 'damaged') {
    if (flags.dryRun)
      out.push(`would move the damaged catalog ${target.catalogPath} aside and start a new one`);
    else
      out.push(
        `moved the damaged catalog ${target.catalogPath} aside to ${moveAside(target.catalogPath, 'damaged')}`,
      );
  }
  const fresh = facts.catalog.state !== 'ok';
  // A dry run over a catalog that is not there must not create one: plan against "knows nothing".
  const c: RecoverableCatalog & { close?: () => Promise<void> } =
    flags.dryRun && fresh ? emptyCatalog(target.warehouse) : openCatalog(target, { create: true });
  try {
    const { items, skipped } = await planRecovery(c, { force: flags.force ?? false });
    if (!flags.dryRun) await applyRecovery(c, items);
    if (items.length === 0 && skipped.length === 0) out.push(`no table folders under ${target.warehouse}`);
    for (const item of items) out.push(describe(item, Boolean(flags.dryRun)));
    for (const s of skipped) out.push(`skipped ${s.folder}: ${s.reason}`);
    const count = (a: RecoveryItem['action']) => items.filter((i) => i.action === a).length;
    out.push(
      `${count('register')} registered, ${count('repoint')} re-pointed, ${count('unchanged')} unchanged, ${count('kept')} kept, ${count('unrecoverable')} unrecoverable${dry}`,
    );
    if (items.some((i) => i.movedFrom))
      out.push(
        `some tables' metadata names another folder: this project was copied or moved; run \`floe catalog relocate\` next`,
      );
    const unrecoverable = items.filter((i) => i.action === 'unrecoverable');
    if (unrecoverable.length)
      throw new FloeError(
        'metadata-corrupt',
        `${out.join('\n')}\n${unrecoverable.length} table folder(s) have no readable metadata file (${unrecoverable.map((i) => i.folder).join(', ')}): restore their metadata folders from a backup`,
      );
    return out;
  } finally {
    await c.close?.();
  }
}

function describe(item: RecoveryItem, dryRun: boolean): string {
  const name = identifierString(item.id);
  const m = item.metadata;
  const verb = {
    register: dryRun ? 'would register' : 'registered',
    repoint: dryRun ? 'would re-point' : 're-pointed',
    unchanged: 'unchanged',
    kept: 'kept',
    unrecoverable: 'cannot recover',
  }[item.action];
  const what = m
    ? ` ${item.metadataLocation} (${m.snapshots.length} snapshots, ${liveRecords(currentSnapshot(m)?.summary ?? { 'total-records': '0' })} records, last updated ${new Date(m['last-updated-ms']).toISOString()})`
    : '';
  const notes = [
    ...(item.action === 'repoint' ? [`was ${item.current}`] : []),
    ...item.passedOver.map((p) => `passed over ${p.location}: ${p.error}`),
    ...(item.movedFrom ? [`its metadata places the table at ${item.movedFrom}`] : []),
    ...(item.note ? [item.note] : []),
  ];
  return `${name}: ${verb}${what}${notes.map((n) => `\n    ${n}`).join('')}`;
}

/** A catalog that knows no table, for planning a dry run without creating the file. */
function emptyCatalog(warehouse: string): RecoverableCatalog {
  const refuse = async () => {
    throw new Error('a dry run writes nothing');
  };
  return {
    io: new LocalFileIO(),
    warehouse: pathToUri(warehouse),
    metadataLocation: async () => undefined,
    namespaceExists: async () => false,
    createNamespace: refuse,
    registerTable: refuse,
    swapMetadataLocation: refuse,
  };
}

/** `floe catalog relocate`; returns the lines to print. */
export async function relocateCatalog(
  flags: CatalogFlags & { from?: string; dryRun?: boolean },
): Promise<string[]> {
  const target = catalogTarget(flags);
  const facts = await gatherFacts(target);
  throwProblems(catalogProblems(target, facts, { warehouseOnly: true }));
  if (facts.catalog.state !== 'ok')
    return [`the project has no catalog yet (${target.catalogPath}): nothing to relocate`];
  const c: SqlCatalog = openCatalog(target);
  try {
    const from = flags.from?.includes('://') ? flags.from : flags.from && pathToUri(flags.from);
    const items = await relocateTables(c, { ...(from ? { from } : {}), dryRun: flags.dryRun ?? false });
    const out = items.map((i) => {
      const name = identifierString(i.id);
      if (i.action === 'unchanged') return `${name}: unchanged (already in ${i.newLocation})`;
      return `${name}: ${flags.dryRun ? 'would relocate' : 'relocated'} ${i.oldLocation} → ${i.newLocation} (${i.manifestLists} manifest lists, ${i.manifests} manifests rewritten; ${i.dataFiles} data files found)${i.metadataLocation ? `\n    new metadata ${i.metadataLocation}` : ''}${i.untouched.length ? `\n    left as they are (outside the old table folder and warehouse): ${i.untouched.slice(0, 3).join(', ')}${i.untouched.length > 3 ? ', …' : ''}` : ''}`;
    });
    out.push(
      `${items.filter((i) => i.action === 'relocate').length} relocated, ${items.filter((i) => i.action === 'unchanged').length} unchanged${flags.dryRun ? ' (dry run: nothing changed)' : ''}`,
    );
    return out;
  } finally {
    await c.close();
  }
}
