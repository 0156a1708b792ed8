/**
 * `medallia_feedback_parser`: the survey responses as a readable table. The staging feedback
 * has one column per answered field, named by the field's id (`q_ltr`, `e_unit`); here each of
 * those columns is named by the field's name in the catalogue (`Likelihood to Recommend` →
 * `likelihood_to_recommend`), and text answers of number and date fields become numbers and
 * dates.
 *
 *   feedback_id             the response's id
 *   <field name>, …         one column per catalogue field the staging feedback has a column
 *                           for (fields nobody answered yet have none there, and none here)
 *
 * Names: the field's name (its id when it has none) made a column name as L1 makes them
 * (snake_case, `col_` before a leading digit, `unnamed` for no letter or digit); fields whose
 * names meet (case-insensitively, as Spark and Athena compare) take `_2`, `_3`, … in field-id
 * order, and no field takes `feedback_id` or L2's own columns.
 *
 * Types: the staging column's, except that a single-valued text column of an INT field becomes
 * long, of a DATE field date, of a DATETIME field timestamp (Medallia sends every value as text;
 * the pack's L1 config already types the finish time and the response and creation dates). A
 * value that is not what its field's type says fails the run, naming the field and the response.
 *
 * The columns are data, so they are declared each run (dynamicSchema) from the catalogue. A run
 * reading incrementally converts only the responses new or changed in staging, unless the
 * catalogue changed (a field added, renamed or retyped can rename or retype a column): then
 * every response is converted again.
 */
import { toSnakeCase } from '../../../config/naming.js';
import { INGEST_COLUMNS } from '../../../l1/records.js';
import { L2_COLUMNS } from '../../../l2/output.js';
import { defineParser, type ParserContext } from '../../../l2/parsers/types.js';

/** One readable column: where its values come from and how they are converted. */
export interface FeedbackColumn {
  /** The catalogue field. */
  readonly fieldId: string;
  /** The staging feedback column holding its values. */
  readonly source: string;
  /** The readable column's name. */
  readonly column: string;
  /** Its type, in the parser type notation. */
  readonly type: string;
  /** The SQL expression of its value over the staging row `f`. */
  readonly expression: string;
}

const KEY = 'feedback_id';
/** Staging columns that are not fields: the record id and L1's own. */
const NOT_FIELDS = new Set(['id', ...INGEST_COLUMNS.map((c) => c.name)]);

/** DuckDB type names of the staging columns → the parser type notation. */
const TYPES: Record<string, string> = {
  VARCHAR: 'string',
  BIGINT: 'long',
  INTEGER: 'int',
  DOUBLE: 'double',
  FLOAT: 'float',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
};

/** Text values of these Medallia data types are converted (the DuckDB type, the table type). */
const CONVERT: Record<string, { duck: string; type: string }> = {
  INT: { duck: 'BIGINT', type: 'long' },
  DATE: { duck: 'DATE', type: 'date' },
  DATETIME: { duck: 'TIMESTAMP', type: 'timestamp' },
};

/**
 * The readable columns, from the catalogue (`all_rows.fields`) and the staging feedback's
 * columns. Worked out once a run: dynamicSchema and transform share the context.
 */
const plans = new WeakMap<ParserContext, Promise<FeedbackColumn[]>>();
export function feedbackColumns(ctx: ParserContext): Promise<FeedbackColumn[]> {
  let p = plans.get(ctx);
  if (!p) {
    p = plan(ctx);
    plans.set(ctx, p);
  }
  return p;
}

async function plan(ctx: ParserContext): Promise<FeedbackColumn[]> {
  const fields = await ctx.query(
    `SELECT id, name, data_type, multivalued FROM ${ctx.all('fields')} WHERE id IS NOT NULL ORDER BY id`,
  );
  const staged = new Map(
    (await ctx.query(`DESCRIBE SELECT * FROM ${ctx.all('feedback')}`))
      .map((r) => [String(r.column_name), String(r.column_type)] as const)
      .filter(([name]) => !NOT_FIELDS.has(name)),
  );
  const taken = new Set([KEY, ...L2_COLUMNS.map((c) => c.name)].map((n) => n.toLowerCase()));
  const out: FeedbackColumn[] = [];
  for (const f of fields) {
    const fieldId = String(f.id);
    // The pack's L1 names feedback columns snake_case; a config keeping source names has the id.
    const source = [fieldId, toSnakeCase(fieldId)].find((c) => staged.has(c));
    if (source === undefined) continue;
    const column = claim(toSnakeCase(typeof f.name === 'string' && f.name.trim() ? f.name : fieldId), taken);
    out.push({ fieldId, source, column, ...convert(ctx, fieldId, source, staged.get(source)!, f) });
  }
  return out;
}

/** The first of `wanted`, `wanted_2`, … no other column has (case-insensitively). */
function claim(wanted: string, taken: Set<string>): string {
  let column = wanted;
  for (let n = 2; taken.has(column.toLowerCase()); n++) column = `${wanted}_${n}`;
  taken.add(column.toLowerCase());
  return column;
}

function convert(
  ctx: ParserContext,
  fieldId: string,
  source: string,
  duckType: string,
  field: Record<string, unknown>,
): { type: string; expression: string } {
  const value = `f.${ctx.ident(source)}`;
  const to = CONVERT[String(field.data_type)];
  if (to && duckType === 'VARCHAR' && field.multivalued !== true) {
    const cast = `TRY_CAST(${value} AS ${to.duck})`;
    const why = ctx.literal(
      `Medallia field ${fieldId} (${String(field.data_type)}) holds a value that is not one: `,
    );
    return {
      type: to.type,
      expression: `CASE WHEN ${value} IS NULL THEN NULL WHEN ${cast} IS NULL THEN error(${why} || ${value} || ' (feedback ' || f.id || ')') ELSE ${cast} END`,
    };
  }
  const type = TYPES[duckType];
  if (type) return { type, expression: value };
  const element = /^(.+)\[\]$/.exec(duckType)?.[1];
  if (element && TYPES[element]) return { type: `list<${TYPES[element]}>`, expression: value };
  // Anything else (a struct, a decimal) is shown as its text.
  return { type: 'string', expression: `CAST(${value} AS VARCHAR)` };
}

export const feedbackParser = defineParser({
  name: 'medallia_feedback_parser',
  description:
    'Medallia survey responses, one column per answered field named by its catalogue name, numbers and dates typed',
  sources: ['feedback', 'fields'],
  primaryKey: [KEY],
  schema: { [KEY]: 'string' },
  async dynamicSchema(ctx) {
    return Object.fromEntries((await feedbackColumns(ctx)).map((c) => [c.column, c.type]));
  },
  async transform(ctx) {
    const columns = await feedbackColumns(ctx);
    // Only the new or changed responses, unless the catalogue changed (see the file comment).
    let scope = ctx.all('feedback');
    if (ctx.isIncremental('feedback') && ctx.isIncremental('fields')) {
      const [c] = await ctx.query(`SELECT count(*)::INTEGER AS n FROM ${ctx.source('fields')}`);
      if (Number(c?.n ?? 0) === 0) scope = ctx.source('feedback');
    }
    const select = [
      `CAST(f.id AS VARCHAR) AS ${ctx.ident(KEY)}`,
      ...columns.map((c) => `${c.expression} AS ${ctx.ident(c.column)}`),
    ];
    return `SELECT ${select.join(',\n  ')}\nFROM ${scope} f`;
  },
});
