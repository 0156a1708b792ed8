/**
 * `floe parsers test`: one parser run over the current source tables, read in full, without
 * writing anything: a sample of its output, the schema the output has (as Iceberg types), and how
 * it differs from the schema the parser declares. The sources come from an L2 config that uses the
 * parser, or are given by name.
 */
import type { L2Config } from '../config/l2-schema.js';
import { withDuck } from '../duck/session.js';
import { FloeError } from '../errors.js';
import { type Catalog, queryFields, type TypeInput } from '../iceberg/index.js';
import { compareColumns, declaredColumns, dynamicColumns } from './output.js';
import type { ParserRegistry } from './parsers/registry.js';
import type { RegisteredParser } from './parsers/types.js';
import { parserContext } from './process-config.js';
import { loadSources, registerSources } from './sources.js';
import { Workspace } from './workspace.js';

export interface ParserTrial {
  readonly parser: RegisteredParser;
  /** The config whose sources were used, if any. */
  readonly configId?: string;
  readonly sources: { name: string; table: string; rows: number }[];
  /** The first rows of the output (DuckDB JSON values). */
  readonly sample: Record<string, unknown>[];
  readonly rows: number;
  /** The output's columns as Iceberg types. */
  readonly inferred: { name: string; type: TypeInput }[];
  /** The declared columns, the dynamicSchema's of this trial included (naming applied). */
  readonly declared: { name: string; type: TypeInput }[];
  /** Differences from the declared schema (empty: it matches). */
  readonly problems: string[];
}

export interface TrialOptions {
  readonly catalog: Catalog;
  readonly parsers: ParserRegistry;
  readonly parser: string;
  /** An L2 config using the parser: its sources and column naming are used. */
  readonly config?: L2Config;
  /** Sources by name → `namespace.table`, when no config is given. */
  readonly sources?: Readonly<Record<string, string>>;
  readonly limit?: number;
  /** The clock parsers see (floe_as_of). */
  readonly asOf?: Date;
}

export async function tryParser(opts: TrialOptions): Promise<ParserTrial> {
  const parser = opts.parsers.get(opts.parser);
  const config = opts.config ?? adHocConfig(parser, opts.sources);
  const tables = await loadSources(opts.catalog, config);
  const asOf = opts.asOf ?? new Date();
  return withDuck(async (duck) => {
    const ws = await Workspace.open(duck, { asOf, incremental: false });
    let release: (() => Promise<void>) | undefined;
    try {
      const s = await registerSources(ws, { config, loadType: 'FULL', positions: {} }, tables, () => {});
      release = s.release;
      const ctx = parserContext(ws, config, s.reads, asOf, false);
      const dynamic = await dynamicColumns(parser, config, ctx);
      const sql = await parser.transform(ctx);
      const inferred = (await queryFields(duck, sql)).map((f) => ({ name: f.name, type: f.type }));
      const declared = declaredColumns(parser, config, dynamic);
      const { problems } = compareColumns(inferred, declared, config.destination.columnNaming);
      const out = ws.qualified('trial');
      await duck.run(`CREATE TABLE ${out} AS (\n${sql}\n)`);
      const [c] = await duck.json(`SELECT count(*)::BIGINT::VARCHAR AS n FROM ${out}`);
      const sample = await duck.json(
        `SELECT * FROM ${out} ORDER BY 1 LIMIT ${Math.max(0, opts.limit ?? 10)}`,
      );
      return {
        parser,
        ...(opts.config ? { configId: opts.config.configId } : {}),
        sources: s.reads.map((r) => ({ name: r.name, table: r.table, rows: r.rows })),
        sample,
        rows: Number(c?.n ?? 0),
        inferred,
        declared: declared.map((c) => ({ name: c.name, type: c.type })),
        problems,
      };
    } finally {
      await release?.();
      await ws.close();
    }
  });
}

/** A stand-in config for sources given by name (every declared source must be given). */
function adHocConfig(
  parser: RegisteredParser,
  sources: Readonly<Record<string, string>> | undefined,
): L2Config {
  const given = sources ?? {};
  const missing = parser.sources.filter((s) => !(s in given));
  if (missing.length)
    throw new FloeError(
      'config-invalid',
      `parser ${parser.name} reads ${parser.sources.join(', ')}; no L2 config of the project uses it, so name its tables: ${missing
        .map((m) => `--source ${m}=<namespace.table>`)
        .join(' ')} (or --config-id <an L2 config using it>)`,
    );
  const source: Record<string, unknown> = {};
  for (const [name, table] of Object.entries(given)) {
    const [namespace, tableName, ...rest] = table.split('.');
    if (!namespace || !tableName || rest.length)
      throw new FloeError(
        'config-invalid',
        `--source ${name}=${table}: name the table as <namespace>.<table>`,
      );
    source[name] = { namespace, tableName, glueDatabase: namespace, glueTable: tableName, fetchMode: 'FULL' };
  }
  return {
    configId: `parsers test ${parser.name}`,
    parserName: parser.name,
    loadType: 'FULL',
    source,
    destination: { columnNaming: 'snake_case', primaryKey: [], defaultwriteMode: 'OVERWRITE' },
  } as unknown as L2Config;
}
