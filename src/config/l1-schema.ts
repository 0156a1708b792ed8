/**
 * The L1 (staging) config item: the seed's DynamoDB item verbatim, plus optional floe extensions
 * with defaults, so every seed item is valid as it is. The source section (`source`, `retryPolicy`)
 * comes from `source-schema.ts`; this file owns the item around it and `destination`.
 *
 * Parsing also resolves what the rest of floe should not have to work out again: the Iceberg
 * namespace/table name, the effective load type and the lookback. Runtime code reads `L1Config`
 * (the parsed output), never the raw item.
 */
import { z } from 'zod';
import {
  checkDestinationNames,
  checkOnePartitionSpec,
  LayoutOptionsShape,
  LoadTypeSchema,
  NotificationsSchema,
  PartitionBySchema,
  PrimaryKeySchema,
  StatusSchema,
  TimestampSchema,
  WriteModeSchema,
} from './common-schema.js';
import { COLUMN_REFERENCE, GLUE_NAME, identifier, TABLE_LOCATION } from './identifiers.js';
import { RetryPolicySchema, SourceConfigSchema } from './source-schema.js';

export const COLUMN_NAMINGS = ['snake_case', 'source'] as const;

export const L1DestinationSchema = z
  .looseObject({
    glueDatabase: identifier(GLUE_NAME)
      .optional()
      .describe('Glue database = Iceberg namespace (seed field; required unless namespace is set).'),
    glueTable: identifier(GLUE_NAME)
      .optional()
      .describe('Glue table = Iceberg table name (seed field; required unless tableName is set).'),
    s3Location: identifier(TABLE_LOCATION)
      .optional()
      .describe('Table location (seed field). Locally, tables live under the project warehouse instead.'),
    primaryKey: PrimaryKeySchema.default([]),
    loadType: LoadTypeSchema.optional().describe(
      'FULL or INCREMENTAL (seed field). Default: source.defaultFetchMode, else FULL. The LOAD_TYPE job parameter overrides it.',
    ),
    defaultwriteMode: WriteModeSchema.default('APPEND').describe(
      'How rows are written (seed spelling, lower-case w): APPEND, OVERWRITE or MERGE (upsert by primaryKey).',
    ),
    lastUpdatedColumn: identifier(COLUMN_REFERENCE)
      .optional()
      .describe(
        'Record field holding the last-update time; the incremental cursor. Required for INCREMENTAL.',
      ),
    lastSyncTime: TimestampSchema.optional().describe(
      'Initial cursor: "" = never synced. floe keeps the live value in its StateStore and never rewrites this file.',
    ),
    icebergOptimizations: z
      .looseObject({
        schemaEvolution: z
          .union([z.boolean(), z.array(z.string())])
          .default(true)
          .describe('true: new source fields become new optional columns; false: the table schema is kept.'),
        // ---- floe extensions ----
        ...LayoutOptionsShape,
      })
      .prefault({})
      .describe(
        'Iceberg write options (seed field): schema evolution, and the table layout (partitionSpec, sortOrder, targetFileSizeBytes).',
      ),
    // ---- floe extensions ----
    namespace: identifier(GLUE_NAME).optional().describe('Iceberg namespace (default: glueDatabase).'),
    tableName: identifier(GLUE_NAME).optional().describe('Iceberg table name (default: glueTable).'),
    columnNaming: z
      .enum(COLUMN_NAMINGS)
      .default('snake_case')
      .describe(
        'snake_case: updatedDate → updated_date (also applied to primaryKey and lastUpdatedColumn); source: keep API names.',
      ),
    partitionBy: PartitionBySchema,
    lookbackSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Re-read this many seconds before lastSyncTime, for late-arriving updates (default: source.incremental.lookbackSeconds, else 0).',
      ),
    batchRows: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Rows per write batch: bounds memory; a sync still commits once.'),
  })
  .describe('Where and how records are written (seed section).');

export const HistorySchema = z
  .looseObject({
    dynamoTable: z
      .string()
      .min(1)
      .optional()
      .describe('DynamoDB table for run history (AWS profile; the local profile keeps history in SQLite).'),
  })
  .describe('Run history target (seed section).');

/** The L1 item as stored (before cross-field checks and resolution). */
export const L1ItemSchema = z
  .looseObject({
    configId: z.string().min(1).describe('Unique id of this config, e.g. Wrike_Contacts (the DynamoDB key).'),
    platform: z.string().min(1).describe('SaaS platform, e.g. wrike; matched against SAAS_PLATFORM.'),
    objectName: z.string().min(1).optional().describe('The API object ingested, e.g. contacts.'),
    source: SourceConfigSchema.describe('How to fetch records from the API (seed section).'),
    destination: L1DestinationSchema,
    history: HistorySchema.optional(),
    notifications: NotificationsSchema.prefault({}),
    retryPolicy: RetryPolicySchema.prefault({}).describe('Retries for API calls (seed section).'),
    status: StatusSchema.optional(),
    createdAt: z.string().optional().describe('Informational.'),
    updatedAt: z.string().optional().describe('Informational.'),
    // ---- floe extensions ----
    enabled: z.boolean().default(true).describe('false: keep the config but skip it in runs.'),
  })
  .describe('floe L1 (staging) config item: one SaaS object into one Iceberg table.');

type L1Item = z.output<typeof L1ItemSchema>;

/** Cross-field rules. Run even when other fields are wrong, so one pass reports everything. */
function checkL1(item: L1Item, ctx: z.RefinementCtx): void {
  const d = item.destination as Partial<L1Item['destination']> | undefined;
  if (d === undefined || typeof d !== 'object') return;
  checkDestinationNames(d, ctx);
  checkOnePartitionSpec(d, ctx);
  const pk = Array.isArray(d.primaryKey) ? d.primaryKey : [];
  if (d.defaultwriteMode === 'MERGE' && pk.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'primaryKey'],
      message: 'MERGE needs a primaryKey',
      params: { fix: 'set destination.primaryKey, e.g. ["id"], or use defaultwriteMode APPEND/OVERWRITE' },
    });
  }
  const source = item.source as Partial<L1Item['source']> | undefined;
  const loadType = d.loadType ?? source?.defaultFetchMode;
  const cursorField = source?.incremental?.cursorField;
  if (loadType === 'INCREMENTAL' && d.lastUpdatedColumn === undefined && cursorField === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['destination', 'lastUpdatedColumn'],
      message: 'INCREMENTAL needs a lastUpdatedColumn',
      params: {
        fix: 'set destination.lastUpdatedColumn to the field holding each record’s last-update time (e.g. updatedDate), or use loadType FULL',
      },
    });
  }
}

const isObject = (p: { value: unknown }) => typeof p.value === 'object' && p.value !== null;

/** Parses an L1 item: validates, checks cross-field rules and resolves defaults into `L1Config`. */
export const L1ConfigSchema = L1ItemSchema.superRefine(checkL1, { when: isObject }).transform((item) => {
  const d = item.destination;
  return {
    ...item,
    destination: {
      ...d,
      // Both are present after checkL1; the fallbacks only satisfy the type.
      namespace: d.namespace ?? d.glueDatabase ?? '',
      tableName: d.tableName ?? d.glueTable ?? '',
      loadType: d.loadType ?? item.source.defaultFetchMode ?? 'FULL',
      lookbackSeconds: d.lookbackSeconds ?? item.source.incremental?.lookbackSeconds ?? 0,
      // One partition spec shape for the rest of floe: icebergOptimizations.partitionSpec, when
      // given, in the partitionBy form (checkL1 refused both at once).
      partitionBy: d.icebergOptimizations.partitionSpec ?? d.partitionBy,
    },
  };
});

/** A validated L1 config, defaults applied and names resolved. What runtime code receives. */
export type L1Config = z.output<typeof L1ConfigSchema>;
/** An L1 item as a user writes it (seed items are valid inputs). */
export type L1ConfigInput = z.input<typeof L1ConfigSchema>;
export type L1Destination = L1Config['destination'];
export type ColumnNamingMode = (typeof COLUMN_NAMINGS)[number];
