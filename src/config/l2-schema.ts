/**
 * The L2 (processing) config item: the seed's DynamoDB item verbatim (parserName, named L1 source
 * tables, destination with dropExtraColumns, loadType, lastSuccessfulRun, notifications, status),
 * plus optional floe extensions with defaults. Parsing resolves namespaces/table names, the load
 * type and the primary key, so the L2 processor reads `L2Config` only.
 */
import { z } from 'zod';
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
  upperEnum,
  WriteModeSchema,
} from './common-schema.js';
import { COLUMN_REFERENCE, GLUE_NAME, identifier, PARSER_NAME, TABLE_LOCATION } from './identifiers.js';
import { COLUMN_NAMINGS } from './l1-schema.js';

export const L2SourceTableSchema = z
  .looseObject({
    glueDatabase: identifier(GLUE_NAME)
      .optional()
      .describe('Namespace of the L1 table (seed field).')
      .meta({ examples: ['wrike_staging'] }),
    glueTable: identifier(GLUE_NAME)
      .optional()
      .describe('Name of the L1 table (seed field).')
      .meta({ examples: ['staging_projects'] }),
    fetchMode: upperEnum(['FULL', 'INCREMENTAL'] as const)
      .default('FULL')
      .describe('FULL reads the whole table; INCREMENTAL only rows added since the last successful run.'),
    incrementalColumn: identifier(COLUMN_REFERENCE)
      .optional()
      .describe(
        'Column compared with lastSuccessfulFetchTime for INCREMENTAL reads, e.g. ingest_timestamp (absent: read the snapshots added since).',
      )
      .meta({ examples: ['ingest_timestamp'] }),
    lastSuccessfulFetchTime: z
      .string()
      .optional()
      .describe(
        'Initial incremental position: "" = never, else a value of incrementalColumn (e.g. an ISO-8601 time). The live value is kept in the StateStore.',
      )
      .meta({ examples: ['', '2024-01-15T10:30:00Z'] }),
    // ---- floe extensions ----
    incrementalBy: upperEnum(['COLUMN', 'SNAPSHOT'] as const)
      .optional()
      .describe(
        'How INCREMENTAL reads find new rows. COLUMN: rows whose incrementalColumn is greater than the last value read. ' +
          'SNAPSHOT: exactly the rows the table gained since the snapshot last read (new or changed rows, whatever wrote them; ' +
          'cannot miss a row committed late). Default COLUMN when incrementalColumn is set, else SNAPSHOT.',
      ),
    namespace: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg namespace (default: glueDatabase).')
      .meta({ examples: ['wrike_staging'] }),
    tableName: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg table name (default: glueTable).')
      .meta({ examples: ['staging_projects'] }),
  })
  .describe('One L1 table the parser reads; its key in `source` is the name the parser sees.');

export const L2DestinationSchema = z
  .looseObject({
    glueDatabase: identifier(GLUE_NAME)
      .optional()
      .describe('Namespace of the L2 table (seed field).')
      .meta({ examples: ['wrike_refined'] }),
    glueTable: identifier(GLUE_NAME)
      .optional()
      .describe('Name of the L2 table (seed field).')
      .meta({ examples: ['projects'] }),
    s3Location: identifier(TABLE_LOCATION)
      .optional()
      .describe('Table location (seed field).')
      .meta({ examples: ['s3://my-lake/wrike/refined/projects/'] }),
    primaryKey: PrimaryKeySchema.optional(),
    loadType: LoadTypeSchema.optional().describe('Seed field; see the item-level loadType.'),
    defaultwriteMode: WriteModeSchema.default('OVERWRITE').describe(
      'APPEND, OVERWRITE (seed example) or MERGE (upsert by primaryKey).',
    ),
    dropExtraColumns: z
      .boolean()
      .default(false)
      .describe('true: table columns the parser no longer produces are dropped; false: they are kept (null).')
      .meta({ examples: [true] }),
    // ---- floe extensions ----
    namespace: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg namespace (default: glueDatabase).')
      .meta({ examples: ['wrike_refined'] }),
    tableName: identifier(GLUE_NAME)
      .optional()
      .describe('Iceberg table name (default: glueTable).')
      .meta({ examples: ['projects'] }),
    partitionBy: PartitionBySchema,
    maintenance: MaintenanceSchema,
    icebergOptimizations: z
      .looseObject(LayoutOptionsShape)
      .prefault({})
      .describe('Table layout: partitionSpec, sortOrder, targetFileSizeBytes (as in L1 configs).'),
    columnNaming: z
      .enum(COLUMN_NAMINGS)
      .default('snake_case')
      .describe(
        "snake_case: the parser's output columns and every column a config names (primaryKey, incrementalColumn, partitionBy, duplicateKeys.orderBy) become snake_case, as in L1; source: names are kept as written.",
      ),
    duplicateKeys: z
      .looseObject({
        keep: upperEnum(['LATEST', 'EARLIEST'] as const).describe(
          'LATEST keeps the row with the greatest orderBy value, EARLIEST the smallest.',
        ),
        orderBy: identifier(COLUMN_REFERENCE)
          .describe('Output column that decides which row of a key is kept.')
          .meta({ examples: ['updated_date'] }),
      })
      .optional()
      .describe(
        'How rows of the parser output that share a primaryKey are resolved. Absent (default): such rows fail the run, listing the keys. A tie on orderBy still fails.',
      ),
  })
  .describe('The refined Iceberg table the parser output is written to (seed section).');

export const L2ItemSchema = z
  .looseObject({
    configId: z
      .string()
      .min(1)
      .describe('Unique id of this L2 config, e.g. wrike_projects_l2.')
      .meta({ examples: ['wrike_projects_l2'] }),
    parserName: identifier(PARSER_NAME)
      .describe('Registered parser that turns the source tables into rows (`floe parsers list`).')
      .meta({ examples: ['project_parser'] }),
    source: z
      .record(z.string().min(1), L2SourceTableSchema)
      .refine((s) => Object.keys(s).length > 0, 'at least one source table')
      .describe('The L1 tables to read, by the name the parser knows them as.'),
    destination: L2DestinationSchema,
    loadType: LoadTypeSchema.optional().describe(
      'FULL or INCREMENTAL (seed field; default destination.loadType, else FULL).',
    ),
    primaryKey: PrimaryKeySchema.optional().describe('Seed field: key columns; destination.primaryKey wins.'),
    lastSuccessfulRun: TimestampSchema.optional()
      .describe('Initial value only; floe records runs in its StateStore.')
      .meta({ examples: ['', '2024-01-15T10:30:00Z'] }),
    notifications: NotificationsSchema.prefault({}),
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
    platform: z
      .string()
      .min(1)
      .optional()
      .describe('SaaS platform (default: any; the seed keeps one L2 table per platform).')
      .meta({ examples: ['wrike'] }),
    enabled: z
      .boolean()
      .default(true)
      .describe('false: keep the config but skip it in runs.')
      .meta({ examples: [false] }),
    runOnSourceFailure: z
      .boolean()
      .default(false)
      .describe(
        'In a run of both layers (PROCESS_TYPE both), an L2 config whose source tables an L1 config of the same run failed to update is skipped (its sources are stale). true: run it anyway, on the tables as they are.',
      )
      .meta({ examples: [true] }),
  })
  .describe('floe L2 (processing) config item: a parser over L1 tables into one refined Iceberg table.');

type L2Item = z.output<typeof L2ItemSchema>;

function checkL2(item: L2Item, ctx: z.RefinementCtx): void {
  const d = item.destination as Partial<L2Item['destination']> | undefined;
  if (d !== undefined && typeof d === 'object') {
    checkDestinationNames(d, ctx);
    checkOnePartitionSpec(d, ctx);
    const pk = d.primaryKey ?? (Array.isArray(item.primaryKey) ? item.primaryKey : []);
    if (d.defaultwriteMode === 'MERGE' && (!Array.isArray(pk) || pk.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination', 'primaryKey'],
        message: 'MERGE needs a primaryKey',
        params: { fix: 'set destination.primaryKey, e.g. ["project_id"], or use defaultwriteMode OVERWRITE' },
      });
    }
  }
  const sources = item.source as Record<string, unknown> | undefined;
  const loadType = item.loadType ?? d?.loadType ?? 'FULL';
  if (
    loadType === 'INCREMENTAL' &&
    d?.defaultwriteMode === 'OVERWRITE' &&
    sources &&
    typeof sources === 'object'
  ) {
    const incremental = Object.entries(sources).filter(
      ([, s]) =>
        typeof s === 'object' && s !== null && (s as { fetchMode?: string }).fetchMode === 'INCREMENTAL',
    );
    if (incremental.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['destination', 'defaultwriteMode'],
        message: `an INCREMENTAL run reads only the new rows of ${incremental.map(([n]) => n).join(', ')}, and OVERWRITE would replace the table with the output of those alone`,
        params: {
          fix: 'use defaultwriteMode MERGE (with a primaryKey) or APPEND, or loadType FULL',
        },
      });
  }
  if (sources !== undefined && typeof sources === 'object') {
    for (const [name, s] of Object.entries(sources)) {
      // The parser reads each table by this name: it becomes a SQL table name.
      const nameProblem = GLUE_NAME.problem(name);
      if (nameProblem !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['source', name],
          message: `the name the parser reads this table by must be ${GLUE_NAME.expected} (it is a SQL table name), got ${JSON.stringify(name)}`,
          params: { fix: `rename the key: ${nameProblem}` },
        });
      }
      if (typeof s !== 'object' || s === null) continue;
      const t = s as Partial<z.output<typeof L2SourceTableSchema>>;
      if (t.glueDatabase === undefined && t.namespace === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['source', name, 'glueDatabase'],
          message: 'is required',
          params: { fix: `set source.${name}.glueDatabase to the L1 table's namespace` },
        });
      }
      if (t.glueTable === undefined && t.tableName === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['source', name, 'glueTable'],
          message: 'is required',
          params: { fix: `set source.${name}.glueTable to the L1 table's name` },
        });
      }
    }
  }
}

const isObject = (p: { value: unknown }) => typeof p.value === 'object' && p.value !== null;

/** Parses an L2 item: validates, checks cross-field rules and resolves defaults into `L2Config`. */
export const L2ConfigSchema = L2ItemSchema.superRefine(checkL2, { when: isObject }).transform((item) => {
  const d = item.destination;
  const loadType = item.loadType ?? d.loadType ?? 'FULL';
  return {
    ...item,
    loadType,
    source: Object.fromEntries(
      Object.entries(item.source).map(([name, s]) => [
        name,
        { ...s, namespace: s.namespace ?? s.glueDatabase ?? '', tableName: s.tableName ?? s.glueTable ?? '' },
      ]),
    ),
    destination: {
      ...d,
      namespace: d.namespace ?? d.glueDatabase ?? '',
      tableName: d.tableName ?? d.glueTable ?? '',
      loadType: d.loadType ?? loadType,
      primaryKey: d.primaryKey ?? item.primaryKey ?? [],
      // icebergOptimizations.partitionSpec in the partitionBy form (checkL2 refused both at once).
      partitionBy: d.icebergOptimizations.partitionSpec ?? d.partitionBy,
    },
  };
});

/** A validated L2 config, defaults applied and names resolved. */
export type L2Config = z.output<typeof L2ConfigSchema>;
export type L2ConfigInput = z.input<typeof L2ConfigSchema>;
export type L2SourceTable = L2Config['source'][string];
export type L2Destination = L2Config['destination'];
