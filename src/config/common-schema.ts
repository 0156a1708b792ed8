/**
 * Pieces shared by the L1 and L2 item schemas: the seed's enums (load type, write mode, fetch
 * mode), notifications, status, primary keys, and the floe extensions both layers accept
 * (partitioning). Enum values are matched case-insensitively and normalised to the seed's
 * upper-case spelling, as `source-schema.ts` does, so `merge` and `MERGE` mean the same.
 */
import { z } from 'zod';
import { parseSortField, parseTermExpression } from '../iceberg/spec/sort-order.js';
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

/**
 * `day(updated_date)`, `bucket(16, id)`, `truncate(4, name)`, `id`: one partition field in
 * Iceberg's expression syntax (as Spark's `PARTITIONED BY` writes it), or the partitionBy object
 * form. Parsed into the partitionBy form, so the rest of floe sees one shape.
 */
const PartitionTermSchema = z
  .union([
    z.string().transform((text, ctx) => {
      try {
        const t = parseTermExpression(text);
        if (!COLUMN_TERM.test(t.source)) throw new Error(`"${t.source}" is not a column name`);
        return { source: t.source, transform: t.transform ?? 'identity' };
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a partition field: ${(e as Error).message}`,
          params: {
            fix: 'write a column, or a transform of one: identity(col), year(col), month(col), day(col), hour(col), bucket(N, col), truncate(W, col), void(col)',
          },
        });
        return z.NEVER;
      }
    }),
    PartitionFieldSchema,
  ])
  .describe(
    'A partition field: Iceberg expression syntax, e.g. "day(updated_date)", "bucket(16, id)", "id", or the partitionBy object form.',
  );

/** A column reference as configs write it: a name or a dotted path, no quotes or parentheses. */
const COLUMN_TERM = /^[^\s()"',]+$/;

/** `id`, `updated_date desc`, `created_date asc nulls last`, `day(updated_date)`: one sort field. */
const SortTermSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      const f = parseSortField(text);
      if (!COLUMN_TERM.test(f.source)) throw new Error(`"${f.source}" is not a column name`);
      return f;
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a sort field: ${(e as Error).message}`,
        params: {
          fix: 'write a column, optionally a transform of it, then asc|desc and nulls first|last, e.g. "updated_date desc nulls last"',
        },
      });
      return z.NEVER;
    }
  })
  .describe(
    'A sort field: a column (or a transform of one, e.g. "day(updated_date)"), then optional asc|desc and nulls first|last.',
  );

/**
 * Table layout options of a destination (floe extensions in `icebergOptimizations`): partition
 * spec, sort order and target file size. Partition spec and sort order apply when floe creates
 * the table; the target file size is also set on an existing table.
 */
export const LayoutOptionsShape = {
  partitionSpec: z
    .array(PartitionTermSchema)
    .optional()
    .describe(
      'Partition spec for a table floe creates, in Iceberg expression syntax, e.g. ["day(updated_date)", "bucket(16, id)"]. Columns are resolved with columnNaming. Same as destination.partitionBy (give one of the two). Existing tables keep their spec.',
    )
    .meta({ examples: [['day(updated_date)'], ['bucket(16, id)']] }),
  sortOrder: z
    .array(SortTermSchema)
    .optional()
    .describe(
      'Sort order for a table floe creates, e.g. ["id"] or ["updated_date desc"]: every write sorts its rows by it, so files hold narrow key ranges and MERGE and readers skip more files. Default: the primaryKey for MERGE tables, else unsorted; [] = unsorted. Sorted writes run key range by key range, so they stay within the DuckDB memory limit at any size (and take longer than unsorted ones). Existing tables keep theirs (`floe table alter --sort-by` changes it).',
    )
    .meta({ examples: [['id'], ['updated_date desc nulls last', 'id']] }),
  targetFileSizeBytes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "Target data file size in bytes (Iceberg's write.target-file-size-bytes): writes roll to a new file at about this size. Set on the table when floe creates it, and updated on an existing table. Default: 128 MiB on S3, 64 MiB for local tables.",
    )
    .meta({ examples: [134217728] }),
} as const;

/** The sort fields a MERGE table gets when its config names none: the primary key, ascending. */
export function defaultSortOrder(primaryKey: readonly string[], writeMode: WriteMode): { source: string }[] {
  return writeMode === 'MERGE' ? primaryKey.map((source) => ({ source })) : [];
}

/** Both `partitionBy` and `icebergOptimizations.partitionSpec` set: one issue naming both. */
export function checkOnePartitionSpec(
  d: { partitionBy?: unknown; icebergOptimizations?: unknown },
  ctx: {
    addIssue(issue: {
      code: 'custom';
      path: (string | number)[];
      message: string;
      params: { fix: string };
    }): void;
  },
): void {
  const spec = (d.icebergOptimizations as { partitionSpec?: unknown } | undefined)?.partitionSpec;
  if (Array.isArray(d.partitionBy) && d.partitionBy.length > 0 && spec !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'icebergOptimizations', 'partitionSpec'],
      message: 'destination.partitionBy and destination.icebergOptimizations.partitionSpec are both set',
      params: {
        fix: 'keep one of them: icebergOptimizations.partitionSpec (e.g. ["day(updated_date)"]) or destination.partitionBy',
      },
    });
  }
}

/** `destination.maintenance` of L1 and L2 configs: table maintenance right after a run that wrote. */
export const MaintenanceSchema = z
  .looseObject({
    afterRun: z
      .boolean()
      .default(false)
      .describe(
        'true: after each successful run that wrote to the table, maintain it (the steps below). Orphan-file removal is never run here; use `floe table maintain`.',
      )
      .meta({ examples: [true] }),
    compact: z
      .boolean()
      .default(true)
      .describe(
        'Bin-pack small files and apply position deletes (MERGE leaves one delete file per touched data file).',
      )
      .meta({ examples: [true] }),
    minInputFiles: z
      .number()
      .int()
      .min(2)
      .default(5)
      .describe('Compact a partition once it has this many small files (or files with deletes).')
      .meta({ examples: [5] }),
    rewriteManifests: z
      .boolean()
      .default(true)
      .describe('Merge small manifests into few.')
      .meta({ examples: [true] }),
    expireSnapshots: z
      .boolean()
      .default(true)
      .describe(
        "Expire snapshots older than the table's history.expire.max-snapshot-age-ms (default 5 days), keeping history.expire.min-snapshots-to-keep (default 1), and delete the files only they reached. L2 configs reading this table incrementally fall back to a full read when their last snapshot expired.",
      )
      .meta({ examples: [true] }),
  })
  .prefault({})
  .describe('Table maintenance after each run (floe extension; off by default).');
export type MaintenanceConfig = z.output<typeof MaintenanceSchema>;
