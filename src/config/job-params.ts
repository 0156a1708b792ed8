/**
 * Job parameters: the seed's Glue arguments verbatim (`--SAAS_PLATFORM wrike --PROCESS_TYPE L1
 * --CONFIG_ID Wrike_Contacts …`, also `--KEY=value`), friendly flags (`--platform`, `--process-type`,
 * `--config-id`, …) and the seed's environment variables, parsed into one typed `JobParams`.
 * Glue's own arguments (`--JOB_ID`, `--TempDir`, `--enable-metrics`, …) are accepted and ignored,
 * so a Glue job definition can be pointed at floe unchanged. In a container, `FLOE_<NAME>`
 * environment variables stand for parameters not given on the command line (`FLOE_CONFIG_ID`).
 */
import { FloeError } from '../errors.js';
import { LOAD_TYPES, type LoadType } from './common-schema.js';
import {
  type CustomConfigs,
  mapCustomConfigs,
  parseCustomConfigs,
  parseSparkConf,
} from './custom-configs.js';
import { closest } from './suggest.js';

export type ProcessLayer = 'L1' | 'L2';

export interface JobParams {
  /** SAAS_PLATFORM, e.g. `wrike`. */
  platform?: string;
  /** PROCESS_TYPE resolved: `['L1']`, `['L2']` or `['L1', 'L2']` (run in that order). */
  processTypes: ProcessLayer[];
  /** CONFIG_ID: run only this config. */
  configId?: string;
  /** LOAD_TYPE: overrides each config's load type for this run. */
  loadType?: LoadType;
  /** CUSTOM_CONFIGS (and Glue `--conf`) mapped to catalog settings. */
  customConfigs: CustomConfigs;
  configTable?: string;
  logGroup?: string;
  l2ConfigTable?: string;
  l2HistoryTable?: string;
  l2LogGroup?: string;
  jobName?: string;
  /** JOB_RUN_ID, or `manual_run` as in the seed. */
  runId: string;
  /** floe extensions: the local project folder and profile name. */
  project?: string;
  profile?: string;
  /** AWS_REGION (or AWS_DEFAULT_REGION). */
  region?: string;
  /** CUSTOMER_ENVIRONMENT, e.g. dev, prod. */
  customerEnvironment?: string;
  /** CUSTOMER_NOTIFIER_LAMBDA: Lambda function that sends notifications. */
  notifierLambda?: string;
  /** CUSTOMER_NOTIFICATION_TO, split on commas. */
  notificationTo: string[];
  /** Every parameter given, by its Glue name. */
  raw: Record<string, string>;
  /** Things accepted but not used (ignored CUSTOM_CONFIGS keys, …). */
  warnings: string[];
}

/** Parameter names (Glue spelling) floe reads. Friendly flags are these in kebab case. */
export const JOB_PARAMS = [
  'SAAS_PLATFORM',
  'PROCESS_TYPE',
  'CONFIG_ID',
  'LOAD_TYPE',
  'CUSTOM_CONFIGS',
  'CONFIG_TABLE',
  'LOG_GROUP',
  'L2_CONFIG_TABLE',
  'L2_HISTORY_TABLE',
  'L2_LOG_GROUP',
  'JOB_RUN_ID',
  'JOB_NAME',
  'PROJECT',
  'PROFILE',
] as const;
type ParamName = (typeof JOB_PARAMS)[number];

/** Friendly names that differ from the Glue name in more than case and dashes. */
const ALIASES: Record<string, ParamName> = { PLATFORM: 'SAAS_PLATFORM', RUN_ID: 'JOB_RUN_ID' };

/** Arguments AWS Glue adds or defines for every job; accepted so Glue argv passes through. */
const GLUE_ARGS = new Set(
  [
    'JOB_ID',
    'conf',
    'job-bookmark-option',
    'TempDir',
    'RedshiftTempDir',
    'redshift-tmp-dir',
    'enable-metrics',
    'enable-observability-metrics',
    'enable-spark-ui',
    'spark-event-logs-path',
    'enable-continuous-cloudwatch-log',
    'enable-continuous-log-filter',
    'continuous-log-logGroup',
    'continuous-log-logStreamPrefix',
    'continuous-log-conversionPattern',
    'enable-glue-datacatalog',
    'enable-job-insights',
    'enable-auto-scaling',
    'enable-data-lineage',
    'enable-s3-parquet-optimized-committer',
    'enable-rename-algorithm-v2',
    'extra-py-files',
    'extra-jars',
    'extra-files',
    'additional-python-modules',
    'python-modules-installer-option',
    'job-language',
    'datalake-formats',
    'user-jars-first',
    'write-shuffle-files-to-s3',
    'write-shuffle-spills-to-s3',
    'shuffle-storage-path',
    'encryption-type',
    'scriptLocation',
    'class',
    'executor-cores',
    'security_configuration',
    'customer-driver-env-vars',
    'customer-executor-env-vars',
  ].map((a) => a.toLowerCase()),
);

const canonical = (name: string) => name.trim().toUpperCase().replace(/-/g, '_');

function resolveName(name: string): ParamName | 'GLUE' | undefined {
  const c = canonical(name);
  if ((JOB_PARAMS as readonly string[]).includes(c)) return c as ParamName;
  if (ALIASES[c] !== undefined) return ALIASES[c];
  if (GLUE_ARGS.has(name.toLowerCase())) return 'GLUE';
  return undefined;
}

const FRIENDLY = [
  ...JOB_PARAMS.map((p) => `--${p}`),
  ...JOB_PARAMS.map((p) => `--${p.toLowerCase().replace(/_/g, '-')}`),
  '--platform',
  '--run-id',
];

/** Glue jobs cannot unset a default argument, so users write these for "not given". */
const ABSENT = new Set(['', 'none', 'null']);
const given = (v: string | undefined) =>
  v === undefined || ABSENT.has(v.trim().toLowerCase()) ? undefined : v.trim();

const PROCESS_TYPES: Record<string, ProcessLayer[]> = {
  l1: ['L1'],
  staging: ['L1'],
  l2: ['L2'],
  processing: ['L2'],
  both: ['L1', 'L2'],
};

function processTypes(value: string | undefined, errors: string[]): ProcessLayer[] {
  const v = given(value);
  if (v === undefined) return ['L1', 'L2'];
  const hit = PROCESS_TYPES[v.toLowerCase()];
  if (hit) return [...hit];
  const accepted = ['L1', 'staging', 'L2', 'processing', 'both', 'None'];
  const meant = closest(v, accepted);
  errors.push(
    `PROCESS_TYPE: expected one of ${accepted.join(' | ')}, got ${JSON.stringify(v)}` +
      ` (fix: ${meant === undefined ? 'use L1, L2 or both' : `did you mean ${meant}?`})`,
  );
  return ['L1', 'L2'];
}

function loadType(value: string | undefined, errors: string[]): LoadType | undefined {
  const v = given(value);
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if ((LOAD_TYPES as readonly string[]).includes(u)) return u as LoadType;
  const meant = closest(v, LOAD_TYPES);
  errors.push(
    `LOAD_TYPE: expected one of ${LOAD_TYPES.join(' | ')}, got ${JSON.stringify(v)}` +
      ` (fix: ${meant === undefined ? 'use FULL or INCREMENTAL, or leave it out to use each config’s loadType' : `did you mean ${meant}?`})`,
  );
  return undefined;
}

/** Splits argv into Glue-named parameters; collects every problem instead of stopping at the first. */
function readArgv(
  argv: readonly string[],
  errors: string[],
): { params: Record<string, string>; conf: string[] } {
  const params: Record<string, string> = {};
  const conf: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--') || token === '--') {
      errors.push(
        `unexpected argument ${JSON.stringify(token)} (fix: parameters are written --NAME value or --NAME=value)`,
      );
      continue;
    }
    let name = token.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    const resolved = resolveName(name);
    if (resolved === undefined) {
      const meant = closest(`--${name}`, FRIENDLY);
      errors.push(`unknown job parameter --${name}${meant === undefined ? '' : ` (did you mean ${meant}?)`}`);
      continue;
    }
    if (value === undefined) {
      // Glue's boolean-style arguments (`--enable-metrics`) may come without a value.
      if (resolved !== 'GLUE')
        errors.push(`--${name} needs a value (fix: --${name} <value> or --${name}=<value>)`);
      continue;
    }
    if (resolved === 'GLUE') {
      if (name.toLowerCase() === 'conf') conf.push(value);
      continue;
    }
    const before = params[resolved];
    if (before !== undefined && before !== value) {
      errors.push(
        `${resolved} given twice, as ${JSON.stringify(before)} and ${JSON.stringify(value)} (fix: pass it once)`,
      );
      continue;
    }
    params[resolved] = value;
  }
  return { params, conf };
}

/**
 * Parses job parameters from argv (the arguments after the command, Glue-style or friendly) and
 * the environment. Throws one FloeError('config-invalid') listing every problem.
 */
export function parseJobParams(argv: readonly string[], env: NodeJS.ProcessEnv): JobParams {
  const errors: string[] = [];
  const { params, conf } = readArgv(argv, errors);
  // Containers are configured through the environment: FLOE_<NAME> stands for --<NAME> (argv wins).
  for (const name of JOB_PARAMS) {
    const fromEnv = env[`FLOE_${name}`];
    if (params[name] === undefined && fromEnv !== undefined && fromEnv.trim() !== '') params[name] = fromEnv;
  }
  const types = processTypes(params.PROCESS_TYPE, errors);
  const load = loadType(params.LOAD_TYPE, errors);
  let customConfigs: CustomConfigs = mapCustomConfigs({});
  try {
    const sparkConf = Object.assign({}, ...conf.map(parseSparkConf)) as Record<string, string>;
    const fromJson = parseCustomConfigs(params.CUSTOM_CONFIGS);
    // CUSTOM_CONFIGS wins over Glue --conf: it is the seed's documented place for these settings.
    customConfigs =
      Object.keys(sparkConf).length === 0 ? fromJson : mapCustomConfigs({ ...sparkConf, ...fromJson.raw });
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  }
  if (errors.length > 0) {
    const message =
      errors.length === 1 ? errors[0]! : `${errors.length} job parameter problems:\n  ${errors.join('\n  ')}`;
    throw new FloeError('config-invalid', message, { context: { field: 'job parameters' } });
  }
  const region = given(env.AWS_REGION) ?? given(env.AWS_DEFAULT_REGION);
  return {
    platform: given(params.SAAS_PLATFORM),
    processTypes: types,
    configId: given(params.CONFIG_ID),
    loadType: load,
    customConfigs,
    configTable: given(params.CONFIG_TABLE),
    logGroup: given(params.LOG_GROUP),
    l2ConfigTable: given(params.L2_CONFIG_TABLE),
    l2HistoryTable: given(params.L2_HISTORY_TABLE),
    l2LogGroup: given(params.L2_LOG_GROUP),
    jobName: given(params.JOB_NAME),
    runId: given(params.JOB_RUN_ID) ?? 'manual_run',
    project: given(params.PROJECT),
    profile: given(params.PROFILE),
    region,
    customerEnvironment: given(env.CUSTOMER_ENVIRONMENT),
    notifierLambda: given(env.CUSTOMER_NOTIFIER_LAMBDA),
    notificationTo: (env.CUSTOMER_NOTIFICATION_TO ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    raw: params,
    warnings: [...customConfigs.warnings],
  };
}

/**
 * The parameters the seed's Glue job requires that are missing for the chosen layers, by Glue
 * name: SAAS_PLATFORM always; CONFIG_TABLE and LOG_GROUP for L1; L2_CONFIG_TABLE, L2_HISTORY_TABLE
 * and L2_LOG_GROUP for L2. The AWS profile calls this; the local profile needs none of them.
 */
export function missingAwsParams(p: JobParams): string[] {
  const missing: string[] = [];
  if (p.platform === undefined) missing.push('SAAS_PLATFORM');
  if (p.processTypes.includes('L1')) {
    if (p.configTable === undefined) missing.push('CONFIG_TABLE');
    if (p.logGroup === undefined) missing.push('LOG_GROUP');
  }
  if (p.processTypes.includes('L2')) {
    if (p.l2ConfigTable === undefined) missing.push('L2_CONFIG_TABLE');
    if (p.l2HistoryTable === undefined) missing.push('L2_HISTORY_TABLE');
    if (p.l2LogGroup === undefined) missing.push('L2_LOG_GROUP');
  }
  return missing;
}

/** Throws FloeError('config-invalid') naming every missing AWS parameter. */
export function assertAwsParams(p: JobParams): void {
  const missing = missingAwsParams(p);
  if (missing.length === 0) return;
  const layers = p.processTypes.join(' and ');
  throw new FloeError(
    'config-invalid',
    `missing job parameters for ${layers} on AWS: ${missing.join(', ')} (fix: pass ${missing.map((m) => `--${m} <value>`).join(' ')})`,
    { context: { field: missing.join(',') } },
  );
}
