/**
 * `floe parsers list|test`: the L2 parsers a project can name (the packs' and its floe.yaml's),
 * and one parser tried over the current source tables without writing anything.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FileConfigStore, resolveColumnName } from '../../config/index.js';
import { FloeError } from '../../errors.js';
import { tryParser } from '../../l2/parser-trial.js';
import { parsersForProject } from '../../l2/parsers/project-parsers.js';
import { formatType } from '../../l2/parsers/type-expr.js';
import { formatTable, isTerminal, printJsonLine, printLine, printRows } from '../output.js';
import { addCatalogFlags, type CatalogFlags, catalogTarget, openCatalog, printWarning } from './table.js';

export function registerParsersCommands(program: Command): void {
  const parsers = program.command('parsers').description('the L2 parsers configs can name');

  parsers
    .command('list')
    .description('every registered parser: built-in (connector packs) and the project’s (floe.yaml parsers)')
    .option('--project <dir>', 'floe project folder', '.')
    .action(async (flags: { project: string }) => {
      const registry = await parsersForProject(flags.project);
      printRows(
        registry.list().map((p) => ({
          name: p.name,
          kind: p.origin.kind,
          from: p.origin.from,
          sources: [...p.sources, ...(p.optionalSources ?? []).map((s) => `${s}?`)].join(', '),
          primary_key: p.primaryKey.join(', '),
          description: p.description ?? '',
        })),
        ['name', 'kind', 'from', 'sources', 'primary_key', 'description'],
      );
      for (const problem of registry.problems) printWarning(`a parser could not be registered: ${problem}`);
    });

  addCatalogFlags(
    parsers
      .command('test <name>')
      .description(
        'run a parser over the current source tables and print sample output and its schema; writes nothing',
      )
      .option(
        '--config-id <id>',
        'use the sources of this L2 config (default: the first config naming the parser)',
      )
      .option(
        '--source <name=namespace.table>',
        'a source table, when no config uses the parser (repeatable)',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option('--limit <n>', 'sample rows to print', (v) => Number(v), 10),
  ).action(
    async (name: string, flags: CatalogFlags & { configId?: string; source: string[]; limit: number }) => {
      const registry = await parsersForProject(flags.project);
      const store = new FileConfigStore(resolve(flags.project ?? '.'));
      let config = flags.configId ? await store.getL2(flags.configId) : undefined;
      if (!config && flags.source.length === 0)
        config = (await store.selectL2()).configs.find((c) => c.parserName === name);
      const sources = Object.fromEntries(
        flags.source.map((s) => {
          const i = s.indexOf('=');
          if (i <= 0)
            throw new FloeError('config-invalid', `--source ${s}: write it as <name>=<namespace>.<table>`);
          return [s.slice(0, i), s.slice(i + 1)];
        }),
      );
      const catalog = openCatalog(catalogTarget(flags));
      try {
        const t = await tryParser({
          catalog,
          parsers: registry,
          parser: name,
          ...(config ? { config } : { sources }),
          limit: flags.limit,
        });
        const declared = Object.fromEntries(t.declared.map((c) => [c.name, formatType(c.type)]));
        const schema = t.inferred.map((c) => ({
          column: c.name,
          type: formatType(c.type),
          // Declared names are the table's (naming applied); a produced one is matched through it.
          declared:
            declared[resolveColumnName(c.name, config?.destination.columnNaming ?? 'snake_case')] ??
            '(not declared)',
        }));
        if (!isTerminal()) {
          printJsonLine({
            parser: t.parser.name,
            config: t.configId ?? null,
            sources: t.sources,
            rows: t.rows,
            schema,
            problems: t.problems,
            sample: t.sample,
          });
        } else {
          printLine(
            `parser ${t.parser.name} (${t.parser.origin.kind}, ${t.parser.origin.from})${t.configId ? ` with the sources of config ${t.configId}` : ''}`,
          );
          for (const s of t.sources) printLine(`  source ${s.name}: ${s.table}, ${s.rows} row(s)`);
          printLine();
          printLine(`output: ${t.rows} row(s); first ${t.sample.length}:`);
          printLine(
            formatTable(
              t.sample,
              t.inferred.map((c) => c.name),
              30,
            ),
          );
          printLine();
          printLine('schema (inferred from the output):');
          printLine(formatTable(schema, ['column', 'type', 'declared'], 60));
          printLine(
            t.problems.length
              ? `✗ the output does not match the declared schema: ${t.problems.join('; ')}`
              : '✓ the output matches the declared schema',
          );
          printLine('nothing was written');
        }
        if (t.problems.length) process.exitCode = 1;
      } finally {
        await catalog.close();
      }
    },
  );
}
