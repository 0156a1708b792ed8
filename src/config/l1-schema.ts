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
import { DeclaredColumnsSchema, DetectTimestampsSchema } from './column-types-schema.js';
import {
  checkDestinationNames,
  checkOnePartitionSpec,
  LayoutOptionsShape,
  LoadTypeSchema,
  MaintenanceSchema,
  NotificationsSchema,
  PartitionBySchema,
  PrimaryKeySchema,
  StatusSchema,
  TimestampSchema,
  WriteModeSchema,
} from './common-schema.js';
import { COLUMN_REFERENCE, GLUE_NAME, identifier, TABLE_LOCATION } from './identifiers.js';
import { keyAliases } from './schema-walk.js';
import { RetryPolicySchema, SourceConfigSchema } from './source-schema.js';

export const COLUMN_NAMINGS = ['snake_case', 'source'] as const;

export const L1DestinationSchema = z
  .looseObject({
    glueDatabase: identifier(GLUE_NAME)
      .optional()
      .describe('Glue database = Iceberg namespace (seed field; required unless namespace is set).')
      .meta({ examples: ['helpdesk_staging'] }),
    glueTable: identifier(GLUE_NAME)
      .optional()
      .describe('Glue table = Iceberg table name (seed field; required unless tableName is set).')
      .meta({ examples: ['staging_tickets'] }),
    s3Location: identifier(TABLE_LOCATION)
      .optional()
      .describe('Table location (seed field). Locally, tables live under the project warehouse instead.')
      .meta({ examples: ['s3://my-lake/helpdesk/tickets/'] }),
    primaryKey: PrimaryKeySchema.default([]).register(keyAliases, {
      aliases: ['keys', 'key', 'pk', 'primaryKeyColumns', 'uniqueKey', 'mergeKey', 'mergeKeys', 'idColumn'],
    }),
    loadType: LoadTypeSchema.optional().describe(
      'FULL or INCREMENTAL (seed field). Default: source.defaultFetchMode, else FULL. The LOAD_TYPE job parameter overrides it.',
    ),
    defaultwriteMode: WriteModeSchema.default('APPEND')
      .describe(
        'How rows are written (seed spelling, lower-case w): APPEND, OVERWRITE or MERGE (upsert by primaryKey).',
      )
      .register(keyAliases, { aliases: ['writeMode', 'mode', 'writeDisposition', 'write_mode'] }),
    lastUpdatedColumn: identifier(COLUMN_REFERENCE)
      .optional()
      .describe(
        'Record field holding the last-update time; the incremental cursor. Required for INCREMENTAL.',
      )
      .meta({ examples: ['updated_at', 'updatedDate'] })
      .register(keyAliases, {
        aliases: ['cursorColumn', 'cursorField', 'updatedColumn', 'updatedAtColumn', 'lastModifiedColumn'],
      }),
    lastSyncTime: TimestampSchema.optional()
      .describe(
        'Initial cursor: "" = never synced. floe keeps the live value in its StateStore and never rewrites this file (see `floe state show|set`).',
      )
      .meta({ examples: ['', '2024-01-01T00:00:00Z'] }),
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
    namespace: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg namespace (default: glueDatabase).')
      .meta({ examples: ['helpdesk_staging'] }),
    tableName: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg table name (default: glueTable).')
      .meta({ examples: ['tickets'] }),
    columnNaming: z
      .enum(COLUMN_NAMINGS)
      .default('snake_case')
      .describe(
        'snake_case: updatedDate → updated_date (also applied to primaryKey and lastUpdatedColumn); source: keep API names.',
      ),
    partitionBy: PartitionBySchema,
    columns: DeclaredColumnsSchema.register(keyAliases, {
      aliases: ['columnTypes', 'types', 'fieldTypes', 'columnType', 'schemaOverrides'],
    }),
    detectTimestamps: DetectTimestampsSchema.register(keyAliases, {
      aliases: ['detectDates', 'detectDatetimes', 'inferTimestamps', 'timestampDetection', 'parseDates'],
    }),
    lookbackSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Re-read this many seconds before lastSyncTime, for late-arriving updates (default: source.incremental.lookbackSeconds, else 0).',
      )
      .meta({ examples: [3600] }),
    batchRows: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Rows per write batch: bounds memory; a sync still commits once.')
      .meta({ examples: [10000] }),
    checkpoints: z
      .looseObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('false: a sync commits once at its end, however large.')
          .meta({ examples: [false] }),
        everyRecords: z
          .number()
          .int()
          .positive()
          .default(1_000_000)
          .describe(
            'Commit once this many records are fetched since the last commit (at the next window end).',
          )
          .meta({ examples: [1000000] }),
        everyMinutes: z
          .number()
          .positive()
          .default(30)
          .describe('Commit once this many minutes passed since the last commit (at the next window end).')
          .meta({ examples: [30] }),
      })
      .prefault({})
      .describe(
        'Checkpointed large syncs (APPEND and MERGE): with source.incremental.window, a long sync commits what it has at the end of a window once everyRecords or everyMinutes is reached, with the window end as its cursor; a crash then resumes from the last checkpoint instead of refetching everything. OVERWRITE always commits once.',
      ),
    maintenance: MaintenanceSchema,
  })
  .describe('Where and how records are written (seed section).');

export const HistorySchema = z
  .looseObject({
    dynamoTable: z
      .string()
      .min(1)
      .optional()
      .describe('DynamoDB table for run history (AWS profile; the local profile keeps history in SQLite).')
      .meta({ examples: ['saas-ingestion-history'] }),
  })
  .describe('Run history target (seed section).');

/** The L1 item as stored (before cross-field checks and resolution). */
export const L1ItemSchema = z
  .looseObject({
    configId: z
      .string()
      .min(1)
      .describe('Unique id of this config, e.g. Wrike_Contacts (the DynamoDB key).')
      .meta({ examples: ['Helpdesk_Tickets', 'Wrike_Contacts'] }),
    platform: z
      .string()
      .min(1)
      .describe('SaaS platform, e.g. wrike; matched against SAAS_PLATFORM (floe run --platform).')
      .meta({ examples: ['helpdesk', 'wrike'] }),
    objectName: z
      .string()
      .min(1)
      .optional()
      .describe('The API object ingested, e.g. contacts.')
      .meta({ examples: ['tickets'] }),
    source: SourceConfigSchema.describe('How to fetch records from the API (seed section).'),
    destination: L1DestinationSchema,
    history: HistorySchema.optional(),
    notifications: NotificationsSchema.prefault({}),
    retryPolicy: RetryPolicySchema.prefault({})
      .describe('Retries for API calls (seed section).')
      .register(keyAliases, { aliases: ['retry', 'retries', 'retryPolicies'] }),
    status: StatusSchema.optional(),
    createdAt: z
      .string()
      .optional()
      .describe('Informational.')
      .meta({ examples: ['2024-01-15T10:30:00Z'] }),
    updatedAt: z
      .string()
      .optional()
      .describe('Informational.')
      .meta({ examples: ['2024-01-15T10:30:00Z'] }),
    // ---- floe extensions ----
    enabled: z
      .boolean()
      .default(true)
      .describe('false: keep the config but skip it in runs.')
      .meta({ examples: [false] }),
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
