/**
 * Running a parser: the transform's SELECT is checked against the parser's declared schema
 * before it runs (bound, not executed), with the config's column naming applied to the column
 * names and the values cast to the declared types. It then runs exactly once, straight into
 * Parquet files staged for the destination (stageOutput): the key checks read those files and the
 * commit adopts them, so what is validated is what is written, and no row is written twice.
 *
 * A produced column fits its declared type when it is the same type or one Iceberg can widen to
 * it (int → long, float → double, wider decimals); anything else, a missing column or an
 * undeclared one is an error naming the parser, the column and what to change.
 */
import { resolveColumnName } from '../config/index.js';
import type { L2Config } from '../config/l2-schema.js';
import { sqlIdent, sqlString } from '../duck/session.js';
import { errorMessage, FloeError, isFloeError } from '../errors.js';
import {
  buildSchema,
  canPromote,
  duckType,
  queryFields,
  type Schema,
  type StagedRows,
  stageQuery,
  type TypeInput,
} from '../iceberg/index.js';
import { declaredType, formatType } from './parsers/type-expr.js';
import type { ParserContext, RegisteredParser } from './parsers/types.js';
import type { Workspace } from './workspace.js';

/** The columns L2 adds to every row: when the run that wrote it started, and its id. */
export const L2_COLUMNS = [
  { name: 'ingest_timestamp', type: 'timestamptz' },
  { name: 'ingest_run_id', type: 'string' },
] as const;

export interface OutputColumn {
  /** The column's name in the output and the table (naming applied). */
  readonly name: string;
  readonly type: TypeInput;
}

export interface ParserOutput {
  /** The output as a SELECT of the declared columns (naming applied, declared types). */
  readonly sql: string;
  readonly columns: readonly OutputColumn[];
}

/** Columns a parser's dynamicSchema returned this run (types parsed). */
export type DynamicColumns = Readonly<Record<string, TypeInput>>;

/**
 * The parser's declared columns under the config's naming (the table's columns): its schema's,
 * then those its dynamicSchema returned this run.
 */
export function declaredColumns(
  parser: RegisteredParser,
  config: L2Config,
  dynamic: DynamicColumns = {},
): OutputColumn[] {
  const naming = config.destination.columnNaming;
  const out: OutputColumn[] = [];
  const seen = new Map<string, string>();
  for (const [name, type] of [...Object.entries(parser.schema), ...Object.entries(dynamic)]) {
    const resolved = resolveColumnName(name, naming);
    const other = seen.get(resolved);
    if (other !== undefined)
      throw new FloeError(
        'config-invalid',
        `parser ${parser.name}: columns "${other}" and "${name}" both become "${resolved}" under columnNaming ${naming}; rename one, or set destination.columnNaming: source in config ${config.configId}`,
        { context: { configId: config.configId, field: 'destination.columnNaming' } },
      );
    seen.set(resolved, name);
    if (L2_COLUMNS.some((c) => c.name === resolved))
      throw new FloeError(
        'config-invalid',
        `parser ${parser.name} declares column "${resolved}", which L2 writes itself (when and by which run each row was written); rename it in the parser`,
        { context: { configId: config.configId } },
      );
    out.push({ name: resolved, type: type as TypeInput });
  }
  return out;
}

/**
 * Runs the transform and checks its SELECT against the declared schema (bound, not run): the
 * output as one SELECT of the declared columns, named and cast as the table has them.
 */
export async function runParser(
  ws: Workspace,
  parser: RegisteredParser,
  config: L2Config,
  ctx: ParserContext,
): Promise<ParserOutput> {
  const declared = declaredColumns(parser, config, await dynamicColumns(parser, config, ctx));
  let sql: string;
  try {
    sql = await parser.transform(ctx);
  } catch (e) {
    throw parserFailure(e, parser, config, 'in its transform');
  }
  if (typeof sql !== 'string' || sql.trim() === '')
    throw new FloeError('internal', `parser ${parser.name}'s transform returned no SELECT`, {
      context: { parser: parser.name },
    });
  let produced: { name: string; type: TypeInput }[];
  try {
    produced = (await queryFields(ws.duck, sql)).map((f) => ({ name: f.name, type: f.type }));
  } catch (e) {
    throw parserFailure(e, parser, config, 'to compile');
  }
  const byName = matchColumns(produced, declared, parser, config);
  // Cast to the declared types (each checked to fit above), so the output has exactly them.
  const schema = buildSchema(declared.map((c) => ({ name: c.name, type: c.type })));
  const select = schema.fields.map(
    (f) => `CAST(p.${sqlIdent(byName.get(f.name)!)} AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`,
  );
  return { sql: `SELECT ${select.join(', ')} FROM (\n${sql}\n) p`, columns: declared };
}

/** The columns the parser's dynamicSchema returns this run (none without one), types parsed. */
export async function dynamicColumns(
  parser: RegisteredParser,
  config: L2Config,
  ctx: ParserContext,
): Promise<DynamicColumns> {
  if (!parser.dynamicSchema) return {};
  let columns: Readonly<Record<string, string | TypeInput>>;
  try {
    columns = await parser.dynamicSchema(ctx);
  } catch (e) {
    throw parserFailure(e, parser, config, 'in its dynamicSchema');
  }
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns))
    throw new FloeError(
      'internal',
      `parser ${parser.name}'s dynamicSchema returned no columns object (column name → type)`,
      { context: { parser: parser.name } },
    );
  const out: Record<string, TypeInput> = {};
  for (const [name, type] of Object.entries(columns)) {
    if (name in parser.schema)
      throw new FloeError(
        'data-invalid',
        `parser ${parser.name}'s dynamicSchema returned column "${name}", which its schema declares already (config ${config.configId}); the parser must give the columns it derives other names`,
        { context: { configId: config.configId, parser: parser.name } },
      );
    out[name] = declaredType(type, `parser ${parser.name} (dynamicSchema), column ${name}`);
  }
  return out;
}

/**
 * Writes the output once, shaped like the destination table (L2's columns filled in, kept
 * columns null), as Parquet files staged for the table (see iceberg write/staged-query.ts).
 */
export async function stageOutput(
  ws: Workspace,
  output: ParserOutput,
  schema: Schema,
  run: { runId: string; startedAt: Date },
  parser: RegisteredParser,
  config: L2Config,
): Promise<StagedRows> {
  const produced = new Set(output.columns.map((c) => c.name));
  const own: Record<string, string> = {
    ingest_timestamp: `CAST(${sqlString(run.startedAt.toISOString())} AS TIMESTAMPTZ)`,
    ingest_run_id: sqlString(run.runId),
  };
  const cols = schema.fields.map((f) => {
    const value = produced.has(f.name) ? `o.${sqlIdent(f.name)}` : (own[f.name] ?? 'NULL');
    return `${value} AS ${sqlIdent(f.name)}`;
  });
  try {
    return await stageQuery(
      ws.duck,
      schema,
      `SELECT ${cols.join(', ')} FROM (${output.sql}) o`,
      config.configId,
    );
  } catch (e) {
    throw parserFailure(e, parser, config, 'while running');
  }
}

function parserFailure(e: unknown, parser: RegisteredParser, config: L2Config, phase: string): Error {
  if (isFloeError(e) && e.kind !== 'data-invalid') return e;
  return new FloeError(
    'data-invalid',
    `parser ${parser.name} failed ${phase} in config ${config.configId}: ${errorMessage(e)}`,
    {
      context: { configId: config.configId, parser: parser.name },
      cause: e,
    },
  );
}

/**
 * Pairs each declared column with the produced one it comes from (naming applied), checking
 * names and types; returns declared name → produced name.
 */
function matchColumns(
  produced: readonly { name: string; type: TypeInput }[],
  declared: readonly OutputColumn[],
  parser: RegisteredParser,
  config: L2Config,
): Map<string, string> {
  const { problems, byName } = compareColumns(produced, declared, config.destination.columnNaming);
  if (problems.length)
    throw new FloeError(
      'data-invalid',
      `parser ${parser.name}'s output does not match its declared schema (config ${config.configId}): ${problems.join('; ')}. ` +
        'Fix: change the query (cast a column with CAST(x AS type), alias it, or leave it out) or the declared schema',
      { context: { configId: config.configId, parser: parser.name } },
    );
  return byName;
}

/**
 * How produced columns differ from the declared ones, as readable problems (empty: they match),
 * and declared name → produced name.
 */
export function compareColumns(
  produced: readonly { name: string; type: TypeInput }[],
  declared: readonly OutputColumn[],
  naming: L2Config['destination']['columnNaming'],
): { problems: string[]; byName: Map<string, string> } {
  const problems: string[] = [];
  const byResolved = new Map<string, { name: string; type: TypeInput }>();
  for (const p of produced) {
    const r = resolveColumnName(p.name, naming);
    const other = byResolved.get(r);
    if (other) problems.push(`columns "${other.name}" and "${p.name}" both become "${r}"`);
    else byResolved.set(r, p);
  }
  const out = new Map<string, string>();
  for (const d of declared) {
    const p = byResolved.get(d.name);
    if (!p) {
      problems.push(`it declares column "${d.name}" (${formatType(d.type)}) but does not produce it`);
      continue;
    }
    const why = fits(p.type, d.type);
    if (why)
      problems.push(
        `column "${d.name}" is ${formatType(p.type)} but its schema declares ${formatType(d.type)}${why === true ? '' : ` (${why})`}`,
      );
    out.set(d.name, p.name);
  }
  for (const [r, p] of byResolved)
    if (!declared.some((d) => d.name === r))
      problems.push(`it produces column "${p.name}", which its schema does not declare`);
  return { problems, byName: out };
}

/** Undefined when a value of `produced` fits `declared` losslessly; else true or the reason. */
function fits(produced: TypeInput, declared: TypeInput): string | true | undefined {
  if (typeof produced === 'string' || typeof declared === 'string') {
    if (typeof produced === 'string' && typeof declared === 'string')
      return produced === declared || canPromote(produced as never, declared as never) ? undefined : true;
    return true;
  }
  if (produced.type !== declared.type) return true;
  if (produced.type === 'list' && declared.type === 'list') {
    const w = fits(produced.element, declared.element);
    return w === undefined ? undefined : 'in its elements';
  }
  if (produced.type === 'map' && declared.type === 'map') {
    return fits(produced.key, declared.key) === undefined &&
      fits(produced.value, declared.value) === undefined
      ? undefined
      : 'in its keys or values';
  }
  if (produced.type === 'struct' && declared.type === 'struct') {
    const have = new Map(produced.fields.map((f) => [f.name, f.type]));
    for (const f of declared.fields) {
      const t = have.get(f.name);
      if (t === undefined) return `field "${f.name}" is missing`;
      if (fits(t, f.type) !== undefined) return `field "${f.name}" differs`;
    }
    if (produced.fields.length !== declared.fields.length) return 'it has undeclared fields';
  }
  return undefined;
}
