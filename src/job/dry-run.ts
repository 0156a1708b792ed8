/**
 * `floe run --dry-run`: what a run with these job parameters would do, doing none of it. The
 * configs are selected as a run selects them (SAAS_PLATFORM, CONFIG_ID, PROCESS_TYPE, enabled);
 * each L1 config gets a source preview (l1/preview.ts: a few pages fetched for real, the schema
 * a run would infer, what it would write); each L2 config is listed with the tables it would read
 * and the one it would write, without running its parser (an L2 dry run would need the L1 data
 * the same run has not written). Nothing is written and no run lock is taken.
 */
import type { JobParams, L1Config, L2Config } from '../config/index.js';
import { errorMessage, FloeError } from '../errors.js';
import { previewL1Config, type SourcePreview } from '../l1/preview.js';
import { redact } from '../util/redact.js';
import { openPreviewProject, type PreviewProject } from './preview-project.js';
import { wantsAwsProfile } from './profile-choice.js';

export interface L2DryRun {
  readonly configId: string;
  readonly parserName: string;
  readonly sources: { name: string; table: string; fetchMode: string; exists: boolean }[];
  readonly destination: { table: string; mode: string; exists: boolean };
}

export interface DryRunOutcome {
  readonly l1: SourcePreview[];
  /** L1 configs a run would fail at once (invalid items), with why. */
  readonly invalid: { configId: string; error: string }[];
  readonly l2: L2DryRun[];
}

export interface DryRunOptions {
  /** Pages per L1 config (default 1). */
  readonly pages?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
}

export async function dryRunJob(params: JobParams, opts: DryRunOptions = {}): Promise<DryRunOutcome> {
  if (wantsAwsProfile(params, opts.env))
    throw new FloeError(
      'config-invalid',
      'floe run --dry-run previews the configs of a local project; the AWS profile (CONFIG_TABLE, --PROFILE aws) has no dry run yet (fix: pull the configs into a project with `floe config pull` and run `floe run --dry-run --project <dir>` there)',
      { context: { field: '--dry-run' } },
    );
  const project = await openPreviewProject(params.project ?? '.', params, opts.env);
  try {
    const { l1, invalid } = params.processTypes.includes('L1')
      ? await selectL1(project, params)
      : { l1: [], invalid: [] };
    const l2 = params.processTypes.includes('L2') ? await selectL2(project, params) : [];
    if (l1.length === 0 && invalid.length === 0 && l2.length === 0)
      throw new FloeError(
        'not-found',
        `nothing to preview: no enabled config matches${params.platform ? ` platform "${params.platform}"` : ''}${params.configId ? ` config id "${params.configId}"` : ''} (fix: \`floe config validate\` lists the project's configs; \`floe config new l1\` adds one)`,
      );
    const previews: SourcePreview[] = [];
    for (const config of l1)
      previews.push(
        await previewL1Config(
          config,
          {
            pages: opts.pages ?? 1,
            ...(params.loadType ? { loadType: params.loadType } : {}),
            ...(opts.now ? { now: opts.now } : {}),
          },
          {
            secrets: project.secrets,
            ...(project.state ? { state: project.state } : {}),
            ...(project.catalog ? { catalog: project.catalog } : {}),
          },
        ).catch((e: unknown) => failedPreview(config, e)),
      );
    const l2Plans: L2DryRun[] = [];
    for (const c of l2) l2Plans.push(await describeL2(c, project));
    return { l1: previews, invalid, l2: l2Plans };
  } finally {
    await project.close();
  }
}

async function selectL1(
  project: PreviewProject,
  params: JobParams,
): Promise<{ l1: L1Config[]; invalid: { configId: string; error: string }[] }> {
  const enabled = (c: { enabled?: boolean }) => c.enabled !== false;
  if (params.configId) {
    try {
      return { l1: [await project.configs.getL1(params.configId)], invalid: [] };
    } catch (e) {
      if (e instanceof FloeError && e.kind === 'config-invalid')
        return { l1: [], invalid: [{ configId: params.configId, error: redact(e.message) }] };
      // Not an L1 config: it may be an L2 one (listed below); if it is neither, say so.
      if (
        params.processTypes.includes('L2') &&
        (await project.configs.getL2(params.configId).catch(() => undefined))
      )
        return { l1: [], invalid: [] };
      throw e;
    }
  }
  const s = await project.configs.selectL1(params.platform);
  return {
    l1: s.configs.filter(enabled),
    invalid: s.invalid.map((i) => ({
      configId: i.configId,
      error: redact(i.problems.map((p) => `${p.field ? `${p.field}: ` : ''}${p.message}`).join('; ')),
    })),
  };
}

async function selectL2(project: PreviewProject, params: JobParams): Promise<L2Config[]> {
  const s = await project.configs.selectL2(params.platform);
  return s.configs.filter(
    (c) =>
      (c as { enabled?: boolean }).enabled !== false && (!params.configId || c.configId === params.configId),
  );
}

async function describeL2(c: L2Config, project: PreviewProject): Promise<L2DryRun> {
  const exists = async (namespace: string, name: string) =>
    project.catalog ? project.catalog.tableExists({ namespace: [namespace], name }) : false;
  const sources = [];
  for (const [name, s] of Object.entries(c.source))
    sources.push({
      name,
      table: `${s.namespace}.${s.tableName}`,
      fetchMode: s.fetchMode,
      exists: await exists(s.namespace, s.tableName),
    });
  const d = c.destination;
  return {
    configId: c.configId,
    parserName: c.parserName,
    sources,
    destination: {
      table: `${d.namespace}.${d.tableName}`,
      mode: d.defaultwriteMode,
      exists: await exists(d.namespace, d.tableName),
    },
  };
}

/** A config error a run would fail the config with (a LOAD_TYPE it cannot take, a bad source). */
function failedPreview(config: L1Config, e: unknown): SourcePreview {
  const d = config.destination;
  return {
    configId: config.configId,
    loadType: d.loadType,
    cursor: { why: 'not reached' },
    requests: [],
    pages: 0,
    stoppedAtLimit: false,
    records: 0,
    sample: [],
    schema: [],
    schemaNotes: [],
    write: {
      table: `${d.namespace}.${d.tableName}`,
      exists: false,
      mode: d.defaultwriteMode,
      primaryKey: [...d.primaryKey],
      newColumns: [],
      refusedColumns: [],
      problems: [],
    },
    warnings: [],
    error: redact(errorMessage(e)),
  };
}
