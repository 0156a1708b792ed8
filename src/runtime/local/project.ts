/**
 * `floe.yaml`, the local project file: where the catalog, warehouse, state, secrets, logs and
 * reports live, and how many configs run at once. Every field has a default, so an empty file is
 * a valid project; relative paths are resolved against the folder holding floe.yaml.
 *
 *   catalog:       { type: sql, name: floe, path: .floe/catalog.db }
 *   warehouse:     warehouse
 *   state:         { path: .floe/state.db }
 *   configs:       { l1: configs/l1, l2: configs/l2 }
 *   secrets:       { file: .floe/secrets.yaml, env: true }     # file: false disables the file
 *   logs:          { dir: .floe/logs, format: auto, level: info }
 *   notifications: { reportDir: .floe/reports, webhook: <url>, webhookTimeoutMs: 10000, recipients: [] }
 *   environment:   local
 *   parallelism:   4
 *   parsers:       []   # L2 parsers of the project (see ParserEntrySchema)
 *
 * Unknown fields are errors (with a "did you mean"), since a misspelt key silently falling back
 * to its default is the worst kind of config bug.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { didYouMean } from '../../config/suggest.js';
import { FloeError } from '../../errors.js';

export const PROJECT_FILE = 'floe.yaml';

const relPath = z.string().trim().min(1, 'must be a non-empty path');

const CatalogSchema = z.strictObject({
  /** Only the embedded SQL catalog (SQLite) locally; Glue/REST come with the AWS profile. */
  type: z
    .literal('sql', {
      error: "must be 'sql' (the embedded SQLite catalog; Glue is configured by the AWS profile)",
    })
    .default('sql')
    .describe(
      'sql: the embedded SQLite SQL catalog (the tables PyIceberg’s SqlCatalog and Java’s JdbcCatalog use).',
    ),
  /** Catalog name as PyIceberg/Spark see it (catalog_name column). */
  name: z
    .string()
    .trim()
    .min(1)
    .default('floe')
    .describe('Catalog name as PyIceberg/Spark see it (catalog_name column).'),
  path: relPath.default('.floe/catalog.db').describe('The SQLite catalog file.'),
});

const SecretsSchema = z.strictObject({
  file: z
    .union([relPath, z.literal(false)], { error: 'must be a file path, or false for no secrets file' })
    .default('.floe/secrets.yaml')
    .describe(
      'Secrets file (name: value lines; rotated OAuth refresh tokens are written back), or false for none.',
    ),
  env: z.boolean().default(true).describe('Also read secrets from FLOE_SECRET_<NAME> environment variables.'),
});

const LogsSchema = z.strictObject({
  dir: relPath.default('.floe/logs').describe('Folder of the run logs (one file per run).'),
  format: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe('Console log format: auto = pretty at a terminal, JSON lines otherwise.'),
  level: z
    .enum(['debug', 'info', 'warn', 'error'])
    .default('info')
    .describe('debug also logs every request (secrets redacted).'),
});

const NotificationsSchema = z.strictObject({
  reportDir: relPath.default('.floe/reports').describe('Folder of the HTML run reports.'),
  webhook: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'must be an http(s) URL')
    .optional()
    .describe('URL called with the run report (JSON) after each run.'),
  webhookTimeoutMs: z.number().int().positive().default(10_000).describe('Timeout of the webhook call.'),
  /** The seed's CUSTOMER_NOTIFICATION_TO. */
  recipients: z
    .array(z.string().trim().min(1))
    .default([])
    .describe('Notification recipients (the seed’s CUSTOMER_NOTIFICATION_TO).'),
});

/**
 * One L2 parser the project adds to the registry. A SQL parser is a file holding one SELECT, with
 * its sources, primary key and output schema declared here; a TypeScript module declares all of
 * that itself (`defineParser`, default export). Paths are relative to the project folder and must
 * stay inside it; configs name parsers, never files.
 */
const ParserEntrySchema = z
  .strictObject({
    sql: relPath.optional(),
    module: relPath.optional(),
    /** SQL parsers: the registered name (default: the file name without .sql). */
    name: z.string().trim().min(1).optional(),
    description: z.string().optional(),
    sources: z.array(z.string().trim().min(1)).optional(),
    optionalSources: z.array(z.string().trim().min(1)).optional(),
    primaryKey: z.array(z.string().trim().min(1)).optional(),
    /** Output column → type: string, long, double, date, timestamptz, list<string>, … */
    schema: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.sql === undefined) === (e.module === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of sql: <file.sql> or module: <file.ts>' });
    if (e.sql !== undefined)
      for (const k of ['sources', 'primaryKey', 'schema'] as const)
        if (e[k] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `a SQL parser needs ${k} (its module says it for a TypeScript parser)`,
          });
    if (e.module !== undefined)
      for (const k of ['name', 'sources', 'optionalSources', 'primaryKey', 'schema'] as const)
        if (e[k] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `a TypeScript parser declares ${k} in its module, not here`,
          });
  });
export type ParserEntry = z.infer<typeof ParserEntrySchema>;

export const ProjectFileSchema = z.strictObject({
  /** Free-form project name (reports, `floe init`). */
  name: z.string().optional().describe('Free-form project name, shown in reports.'),
  /** Environment name in notifications (the seed's CUSTOMER_ENVIRONMENT). */
  environment: z
    .string()
    .trim()
    .min(1)
    .default('local')
    .describe('Environment name in notifications (the seed’s CUSTOMER_ENVIRONMENT).'),
  catalog: CatalogSchema.prefault({}).describe('The Iceberg catalog.'),
  warehouse: relPath.default('warehouse').describe('Folder where table data and metadata files are written.'),
  state: z
    .strictObject({
      path: relPath.default('.floe/state.db').describe('SQLite file of cursors, statuses and history.'),
    })
    .prefault({})
    .describe('Run state and history. floe never rewrites your config files.'),
  configs: z
    .strictObject({
      l1: relPath.default('configs/l1').describe('Folder of the L1 config files.'),
      l2: relPath.default('configs/l2').describe('Folder of the L2 config files.'),
    })
    .prefault({})
    .describe('Config folders: one item (or a list of items) per YAML/JSON file.'),
  secrets: SecretsSchema.prefault({}).describe(
    'Where secrets (source.auth.tokenKey) are read: the file, then the environment.',
  ),
  logs: LogsSchema.prefault({}).describe('Run logs.'),
  notifications: NotificationsSchema.prefault({}).describe('Run reports and an optional webhook.'),
  /** How many configs run at once. */
  parallelism: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe('How many configs run at once (API rate limits are shared per host).'),
  /** The project's own L2 parsers (the connector packs' are built in). */
  parsers: z
    .array(ParserEntrySchema)
    .default([])
    .describe('The project’s own L2 parsers: { sql, name, sources, primaryKey, schema } or { module }.'),
  /**
   * `aws`: `floe run` in this folder uses the AWS profile (DynamoDB configs, S3 + Glue, …; the
   * seed's job parameters then say which tables); `local` (default): this project folder.
   */
  profile: z
    .enum(['local', 'aws'])
    .optional()
    .describe('aws: `floe run` in this folder uses the AWS profile; local (default): this project folder.'),
});

/** floe.yaml after defaults, exactly as written (paths still relative). */
export type ProjectFile = z.infer<typeof ProjectFileSchema>;

/** A loaded project: the file's values with every path absolute. */
export type Project = ProjectFile & {
  /** The folder holding floe.yaml. */
  root: string;
  /** floe.yaml's absolute path. */
  file: string;
};

/** The nearest folder at or above `startDir` that holds floe.yaml, or undefined. */
export function findProjectRoot(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate) && statSync(candidate).isFile()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads floe.yaml from `dir` or the nearest parent that has one. Throws `not-found` when there is
 * none, `config-invalid` naming floe.yaml and the field when it is wrong.
 */
export function loadProject(dir: string): Project {
  const root = findProjectRoot(dir);
  if (root === undefined) {
    throw new FloeError(
      'not-found',
      `no ${PROJECT_FILE} in ${resolve(dir)} or any parent folder; run \`floe init\` there, or pass --project <dir>`,
      { context: { dir: resolve(dir) } },
    );
  }
  const file = join(root, PROJECT_FILE);
  return resolveProject(parseProjectFile(readFileSync(file, 'utf8'), file), root, file);
}

/** Parses and validates floe.yaml's text (`file` is only used in messages). */
export function parseProjectFile(text: string, file = PROJECT_FILE): ProjectFile {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new FloeError('config-invalid', `${file} is not valid YAML: ${doc.errors[0]!.message}`, {
      context: { file },
    });
  }
  const data = doc.toJS() as unknown;
  const result = ProjectFileSchema.safeParse(data ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(describeIssue);
  throw new FloeError('config-invalid', `${file}: ${problems.join('; ')}`, {
    context: { file, field: result.error.issues[0] ? fieldPath(result.error.issues[0].path) : undefined },
  });
}

/** Resolves the paths of a parsed floe.yaml against the project folder. */
export function resolveProject(p: ProjectFile, root: string, file = join(root, PROJECT_FILE)): Project {
  const abs = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  return {
    ...p,
    root,
    file,
    catalog: { ...p.catalog, path: abs(p.catalog.path) },
    warehouse: abs(p.warehouse),
    state: { path: abs(p.state.path) },
    configs: { l1: abs(p.configs.l1), l2: abs(p.configs.l2) },
    secrets: { ...p.secrets, file: p.secrets.file === false ? false : abs(p.secrets.file) },
    logs: { ...p.logs, dir: abs(p.logs.dir) },
    notifications: { ...p.notifications, reportDir: abs(p.notifications.reportDir) },
    parsers: p.parsers.map((e) => ({
      ...e,
      ...(e.sql !== undefined ? { sql: abs(e.sql) } : {}),
      ...(e.module !== undefined ? { module: abs(e.module) } : {}),
    })),
  };
}

/** The defaults for a project folder (what an empty floe.yaml gives). */
export function defaultProject(root: string): Project {
  return resolveProject(ProjectFileSchema.parse({}), resolve(root));
}

function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[') || '(top level)'
  );
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: unknown = ProjectFileSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    schema = shape?.[String(key)];
  }
  return Object.keys(shapeOf(schema) ?? {});
}

/** The object shape behind a schema, looking through default/prefault/optional wrappers. */
function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as
    | { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } }
    | undefined;
  for (let i = 0; i < 5 && s; i++) {
    if (s.shape) return s.shape;
    s = (s.def?.innerType ?? undefined) as typeof s;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path);
    return issue.keys
      .map((k) => {
        const where = issue.path.length > 0 ? `${fieldPath([...issue.path, k])}` : k;
        return `unknown field '${where}'${didYouMean(k, known)}; known fields here: ${known.join(', ')}`;
      })
      .join('; ');
  }
  if (issue.path.length === 0) return `must be a map of settings (${issue.message})`;
  return `field '${fieldPath(issue.path)}': ${issue.message}`;
}
