/**
 * Pieces shared by the L1 and L2 item schemas: the seed's enums (load type, write mode, fetch
 * mode), notifications, status, primary keys, and the floe extensions both layers accept
 * (partitioning). Enum values are matched case-insensitively and normalised to the seed's
 * upper-case spelling, as `source-schema.ts` does, so `merge` and `MERGE` mean the same.
 */
import { z } from 'zod';
import { COLUMN_NAME, COLUMN_REFERENCE, identifier } from './identifiers.js';

const upper = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);

/** A case-insensitive enum whose output is the canonical (upper-case) spelling. */
export function upperEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(upper, z.enum(values));
}

export const LOAD_TYPES = ['FULL', 'INCREMENTAL'] as const;
export const WRITE_MODES = ['APPEND', 'OVERWRITE', 'MERGE'] as const;
export type LoadType = (typeof LOAD_TYPES)[number];
export type WriteMode = (typeof WRITE_MODES)[number];

export const LoadTypeSchema = upperEnum(LOAD_TYPES).describe(
  'FULL re-reads everything; INCREMENTAL reads only what changed since the last successful sync.',
);
export const WriteModeSchema = upperEnum(WRITE_MODES).describe(
  'APPEND adds rows; OVERWRITE replaces the table contents; MERGE upserts by primaryKey.',
);

/** Seed: `primaryKey: ["id"]`. A single string is accepted and read as a one-column key. */
export const PrimaryKeySchema = z
  .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(identifier(COLUMN_REFERENCE)))
  .describe('Columns that identify a record; required for MERGE. Names are resolved with columnNaming.')
  .meta({ examples: [['id'], ['account_id', 'id']] });

/** Seed: `{"onFailure": true, "onSuccess": false}`. */
export const NotificationsSchema = z
  .looseObject({
    onFailure: z
      .boolean()
      .default(true)
      .describe('Notify when this config fails.')
      .meta({ examples: [true] }),
    onSuccess: z
      .boolean()
      .default(false)
      .describe('Notify when this config succeeds.')
      .meta({ examples: [false] }),
  })
  .describe('When to send a notification (through CUSTOMER_NOTIFIER_LAMBDA on AWS, the log locally).');

/**
 * Last-run status. The seed's L1 item holds `{"state": "running", "updatedAt": …}`, its L2 item a
 * plain string (`"COMPLETED"`); both are state written by runs, so both shapes are accepted and
 * nothing about them is enforced.
 */
export const StatusSchema = z
  .union([
    z.string(),
    z.looseObject({
      state: z
        .string()
        .optional()
        .describe('Last run state, e.g. running, COMPLETED, FAILED.')
        .meta({ examples: ['COMPLETED'] }),
      updatedAt: z
        .string()
        .optional()
        .describe('When the state was written.')
        .meta({ examples: ['2024-01-15T10:30:00Z'] }),
    }),
  ])
  .describe('Status of the last run. Written by floe into its StateStore; the value here is informational.');

/** Iceberg partition transforms, in the spec's own spelling. */
const PARTITION_TRANSFORM = /^(identity|year|month|day|hour|void|bucket\[[1-9]\d*\]|truncate\[[1-9]\d*\])$/;

export const PartitionFieldSchema = z
  .looseObject({
    source: identifier(COLUMN_REFERENCE)
      .describe('Column to partition by (resolved with columnNaming).')
      .meta({ examples: ['created_at'] }),
    transform: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, '') : v),
        z.string().refine((t) => PARTITION_TRANSFORM.test(t), {
          message: 'not an Iceberg transform',
          params: {
            expected: 'an Iceberg partition transform',
            fix: 'use identity, year, month, day, hour, bucket[N], truncate[W] or void',
          },
        }),
      )
      .default('identity')
      .describe('identity | year | month | day | hour | bucket[N] | truncate[W] | void.')
      .meta({ examples: ['day', 'bucket[16]'] }),
    name: identifier(COLUMN_NAME)
      .optional()
      .describe('Partition field name (default: <source>_<transform>).')
      .meta({ examples: ['created_day'] }),
  })
  .describe('One partition field of the table (used when floe creates the table).');
export type PartitionField = z.output<typeof PartitionFieldSchema>;

export const PartitionBySchema = z
  .array(PartitionFieldSchema)
  .default([])
  .describe('Partition spec for tables floe creates; [] = unpartitioned. Existing tables keep their spec.')
  .meta({ examples: [[{ source: 'created_at', transform: 'day' }]] });

/** An empty string is the seed's "never"; anything else must be a date-time. */
export const TimestampSchema = z.string().refine((s) => s.trim() === '' || !Number.isNaN(Date.parse(s)), {
  message: 'not a date-time',
  params: { expected: 'an ISO-8601 date-time or "" (never)', fix: 'write e.g. 2024-01-15T10:30:00Z, or ""' },
});

/**
 * The Iceberg namespace and table name: the seed's glueDatabase/glueTable, or floe's
 * namespace/tableName. Shared by the L1 and L2 cross-field checks.
 */
export function checkDestinationNames(
  d: { glueDatabase?: unknown; namespace?: unknown; glueTable?: unknown; tableName?: unknown },
  ctx: {
    addIssue(issue: {
      code: 'custom';
      path: (string | number)[];
      message: string;
      params: { fix: string };
    }): void;
  },
): void {
  if (d.glueDatabase === undefined && d.namespace === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'glueDatabase'],
      message: 'is required',
      params: { fix: 'set destination.glueDatabase (or destination.namespace) to the Iceberg namespace' },
    });
  }
  if (d.glueTable === undefined && d.tableName === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'glueTable'],
      message: 'is required',
      params: { fix: 'set destination.glueTable (or destination.tableName) to the Iceberg table name' },
    });
  }
}
