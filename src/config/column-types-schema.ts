/**
 * `destination.columns` and `destination.detectTimestamps`: the types of L1 columns, where the
 * API's JSON does not say them (ISO date-times arrive as text, numbers sometimes as "90").
 * The conversions themselves run in DuckDB when the rows are written (l1/column-types.ts).
 */
import { z } from 'zod';
import { keyAliases } from './schema-walk.js';
import { didYouMean } from './suggest.js';

/** Iceberg primitive types a declared column may take (decimal as `decimal(P, S)`). */
export const DECLARABLE_TYPES = [
  'string',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'timestamp',
  'timestamptz',
] as const;

const DECIMAL = /^decimal\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$/;

/** `decimal(P, S)` → its precision and scale, when it is one floe can write (P ≤ 38, S ≤ P). */
export function declaredDecimal(type: string): { precision: number; scale: number } | undefined {
  const m = DECIMAL.exec(type);
  if (!m) return undefined;
  const precision = Number(m[1]);
  const scale = Number(m[2]);
  return precision >= 1 && precision <= 38 && scale <= precision ? { precision, scale } : undefined;
}

export const COLUMN_FORMATS = ['iso8601', 'epoch_seconds', 'epoch_millis'] as const;
export const ON_ERROR_MODES = ['reject', 'null', 'string'] as const;

/** Other systems' names for the declarable types, for "did you mean". */
const TYPE_SYNONYMS: Record<string, string> = {
  integer: 'int',
  int32: 'int',
  bigint: 'long',
  int64: 'long',
  number: 'double',
  float64: 'double',
  real: 'float',
  bool: 'boolean',
  text: 'string',
  varchar: 'string',
  datetime: 'timestamptz',
  timestamp_tz: 'timestamptz',
  timestamp_ntz: 'timestamp',
  decimal: 'decimal(38, 9)',
  numeric: 'decimal(38, 9)',
};

const ColumnTypeSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/\s+/g, ' '))
  .check((ctx) => {
    const t = ctx.value;
    if ((DECLARABLE_TYPES as readonly string[]).includes(t) || declaredDecimal(t) !== undefined) return;
    const hint = TYPE_SYNONYMS[t] ? ` (did you mean ${TYPE_SYNONYMS[t]}?)` : didYouMean(t, DECLARABLE_TYPES);
    ctx.issues.push({
      code: 'custom',
      input: t,
      message: `type must be one of ${DECLARABLE_TYPES.join(', ')} or decimal(P, S) with P ≤ 38, got '${t}'${hint}`,
    });
  })
  .describe(
    `The column's Iceberg type: ${DECLARABLE_TYPES.join(', ')}, or decimal(P, S). Values are converted by DuckDB when the rows are written; an empty string is null for every type but string.`,
  )
  .meta({ examples: ['timestamptz', 'int', 'decimal(10, 2)'] });

export const DeclaredColumnSchema = z
  .looseObject({
    type: ColumnTypeSchema.register(keyAliases, { aliases: ['dataType', 'datatype', 'kind', 'as'] }),
    format: z
      .enum(COLUMN_FORMATS)
      .optional()
      .describe(
        'How the API writes a timestamp or timestamptz: iso8601 (default; a value without an offset is UTC), epoch_seconds or epoch_millis (numbers or numeric text, fractions allowed).',
      )
      .meta({ examples: ['epoch_millis'] }),
    onError: z
      .enum(ON_ERROR_MODES)
      .default('reject')
      .describe(
        'A value that does not convert: reject (fail the config before anything is committed, naming the values), null (write null; counted and logged with examples), string (keep the whole column as text when it is new; an existing typed column rejects).',
      )
      .meta({ examples: ['reject', 'null'] })
      .register(keyAliases, { aliases: ['onerror', 'on_error', 'errors', 'onInvalid', 'invalid'] }),
    keep: z
      .boolean()
      .default(false)
      .describe(
        'true: create the column even while no record has a value for it (otherwise a column appears with its first non-null value).',
      )
      .meta({ examples: [true] }),
  })
  .superRefine((c, ctx) => {
    if (c.format && c.format !== 'iso8601' && c.type !== 'timestamp' && c.type !== 'timestamptz') {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: `format ${c.format} is for timestamp and timestamptz columns, not ${c.type}`,
      });
    }
  })
  .describe('One column’s declared type.');

export const DeclaredColumnsSchema = z
  .record(
    z
      .string()
      .min(1)
      .regex(/^[^.[\]]+$/, 'only top-level columns can be typed (no dots or brackets)'),
    DeclaredColumnSchema,
  )
  .optional()
  .describe(
    'Declared column types (floe extension), by top-level record field or column name, e.g. {updated_at: {type: timestamptz}, sla_minutes: {type: int, onError: null}, comment: {type: string, keep: true}}. A declared type wins over the inferred one.',
  )
  .meta({
    examples: [
      {
        updated_at: { type: 'timestamptz' },
        sla_minutes: { type: 'int', onError: 'null' },
        closed_at_ms: { type: 'timestamptz', format: 'epoch_millis' },
        comment: { type: 'string', keep: true },
      },
    ],
  });

export const DetectTimestampsSchema = z
  .boolean()
  .optional()
  .describe(
    'Store top-level text fields whose every value is an ISO-8601 date-time (2024-01-05T10:00:00Z, with seconds; an offset or none = UTC; empty strings are null) as timestamptz columns. Default: on for tables floe creates (it records floe.detect-timestamps on them), off for tables created before; existing columns keep their type.',
  )
  .meta({ examples: [false] });

export type DeclaredColumn = z.output<typeof DeclaredColumnSchema>;
