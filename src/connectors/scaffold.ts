/**
 * `floe init`'s work, without the CLI: lays out a local project folder (floe.yaml, the platform's
 * L1 configs, an empty configs/l2, a private .floe/ with a secrets file, .gitignore, README.md).
 * A blank project (`blank`) has no pack: floe.yaml, empty config folders and the secrets file,
 * for a source floe has no pack for (`floe config new l1` writes its first config).
 *
 * It plans every file first and writes nothing if any already exists (unless `force`), so a
 * half-initialised folder never results from a refusal. The secrets file is the exception to
 * `force`: it may already hold a real token, so an existing one is always kept.
 */
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { didYouMean } from '../config/suggest.js';
import { FloeError } from '../errors.js';
import { envVarName } from '../runtime/local/env-secrets.js';
import { PROJECT_FILE } from '../runtime/local/project.js';
import { connectorPack, PACK_PLATFORMS, type PackSecret } from './index.js';

export interface ScaffoldOptions {
  /** Project folder; created if missing. */
  dir: string;
  /** Default `wrike`. */
  platform?: string;
  /** API base URL for the pack (a regional host, or the simulator). */
  baseUrl?: string;
  /** Iceberg namespace of the L1 tables. Default: the pack's (`wrike_staging`). */
  namespace?: string;
  /** Secret name for the API token. Default: the pack's (`wrike-token`). */
  tokenKey?: string;
  /** Overwrite existing files (never the secrets file). */
  force?: boolean;
  /** No connector pack: floe.yaml, empty config folders and a secrets file. */
  blank?: boolean;
}

export interface ScaffoldResult {
  /** Absolute project folder. */
  root: string;
  /** Project-relative files written for the first time. */
  created: string[];
  /** Project-relative files replaced (with `force`). */
  overwritten: string[];
  /** Project-relative files left as they were (an existing secrets file). */
  kept: string[];
  /** Commands and actions to do next, one per line. */
  nextSteps: string[];
}

interface PlannedFile {
  path: string;
  text: string;
  /** 0o600 for secrets. */
  mode?: number;
  /** Keep an existing file even with `force`. */
  keepExisting?: boolean;
}

const SECRETS_FILE = '.floe/secrets.yaml';

const isLoopback = (apiBase: string) => {
  const host = new URL(apiBase).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
};

function floeYaml(name: string, parsers: string): string {
  return `# floe project file. Every setting below has a default (an empty file is a valid project);
# relative paths are resolved against this folder. Reference: docs/config-reference.md (floe.yaml)
# in the floe repository; docs/getting-started.md walks through a new source.

# Free-form project name, shown in reports.
name: ${JSON.stringify(name)}

# Environment name used in notifications (the seed's CUSTOMER_ENVIRONMENT).
environment: local

# The Iceberg catalog: an embedded SQLite SQL catalog, in the same tables PyIceberg's SqlCatalog
# and Java's JdbcCatalog use, so those can open floe's tables too.
catalog:
  type: sql
  name: floe
  path: .floe/catalog.db

# Where table data and metadata files are written.
warehouse: warehouse

# Run state (sync cursors, statuses) and history. floe never rewrites your config files.
state:
  path: .floe/state.db

# Config folders: one L1 (staging) or L2 (processing) item per YAML/JSON file.
configs:
  l1: configs/l1
  l2: configs/l2

# Secrets (API tokens): first the file, then environment variables FLOE_SECRET_<NAME>.
# Keep the file: rotated OAuth refresh tokens are written back to it.
secrets:
  file: ${SECRETS_FILE}
  env: true

# Run logs: format auto = pretty at a terminal, JSON lines otherwise.
logs:
  dir: .floe/logs
  format: auto
  level: info

# Run reports, and optionally a webhook called after each run.
notifications:
  reportDir: .floe/reports
  # webhook: https://hooks.example.com/floe
  recipients: []

# How many configs run at once. API rate limits are shared per host, so this does not raise
# the request rate against one API.
parallelism: 4

# Your own L2 parsers: a SQL file (one SELECT over the config's sources) with its sources, primary
# key and output schema declared here, or a TypeScript module that declares them itself. Configs
# name parsers by name (parserName); \`floe parsers list\` shows every parser there is.
${parsers}`;
}

function secretsYaml(tokenKey: string, simulator: boolean, platform: string, secret: PackSecret): string {
  const env = envVarName(tokenKey);
  const help = secret.help.map((l) => `# ${l.replaceAll('{tokenKey}', tokenKey)}`.trimEnd()).join('\n');
  const head = `# Secrets of this floe project. Private: mode 0600, and .gitignore keeps .floe/ out of git.
# Each entry is a secret name (source.auth.tokenKey in configs/l1) and its value.
#
${help}
# or leave the value empty and set the environment variable ${env} instead.
`;
  if (simulator) {
    const what = secret.what === 'token' ? 'this token' : 'these credentials';
    return `${head}#
# This project points at the ${platform[0]!.toUpperCase()}${platform.slice(1)} simulator (floe sim ${platform}), which accepts ${what}:
${tokenKey}: ${secret.simulatorValue}
`;
  }
  return `${head}${tokenKey}: ${secret.emptyValue}
`;
}

const GITIGNORE = `# floe: local state, secrets, logs and the table data stay out of git.
.floe/
warehouse/
`;

function projectReadme(name: string, platform: string, ids: readonly string[], namespace: string): string {
  return `# ${name}

A floe project: ${platform} → Apache Iceberg, configured by files.

- \`floe.yaml\`: where the catalog, warehouse, state, secrets and logs live.
- \`configs/l1/\`: one L1 (staging) config per ${platform} object: ${ids.join(', ')}.
  Each writes one Iceberg table in the namespace \`${namespace}\`. Edit them freely.
- \`configs/l2/\`: L2 (processing) configs that build refined tables from the staging tables,
  each with a parser: the pack's (\`floe parsers list\`) or yours in \`parsers/\`.
- \`parsers/\`: your L2 parsers (registered in floe.yaml); two examples to start from.
- \`.floe/\`: secrets, state, catalog and logs (not in git).
- \`warehouse/\`: the tables' data and metadata files (not in git).

## Run

\`\`\`sh
floe config validate          # check every config file
floe run --platform ${platform}          # L1 (extract into staging tables), then L2 (refined tables)
floe parsers test open_tasks_by_assignee  # try a parser without writing
\`\`\`
`;
}

const L2_README = `L2 (processing) configs go here, one item per .yaml/.json file: each names a parser (floe parsers list) that reads L1 staging tables and writes one refined table (see \`floe config schema --l2\`).
`;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw new FloeError('io', `cannot check ${path}: ${e.message}`, { cause: e });
    },
  );
}

/** A pack by platform name; an unknown name lists the packs and points at a blank project. */
function packFor(platform: string): ReturnType<typeof connectorPack> {
  if (PACK_PLATFORMS.includes(platform.trim().toLowerCase())) return connectorPack(platform);
  throw new FloeError(
    'config-invalid',
    `no connector pack for platform '${platform}'; available: ${PACK_PLATFORMS.join(', ')}${didYouMean(platform, PACK_PLATFORMS)}. ` +
      `For another API, start a blank project: \`floe init --blank\`, then \`floe config new l1 --name <Name> --url <endpoint>\` (see docs/getting-started.md)`,
    { context: { field: 'platform' } },
  );
}

function blankReadme(name: string): string {
  return `# ${name}

A floe project: a REST API → Apache Iceberg, configured by files.

- \`floe.yaml\`: where the catalog, warehouse, state, secrets and logs live.
- \`configs/l1/\`: one L1 (staging) config per API object; \`floe config new l1\` writes one.
- \`configs/l2/\`: L2 (processing) configs that build refined tables from the staging tables.
- \`parsers/\`: your L2 parsers (registered in floe.yaml).
- \`.floe/\`: secrets, state, catalog and logs (not in git).
- \`warehouse/\`: the tables' data and metadata files (not in git).

## Start

\`\`\`sh
echo 'myapi-api-key: <your key>' >> .floe/secrets.yaml
floe config new l1 --name Myapi_Items --url https://api.example.com/v1/items --auth api-key --key-name X-Api-Key
floe config validate
floe run
floe table list
\`\`\`
`;
}

const BLANK_SECRETS = `# Secrets of this floe project. Private: mode 0600, and .gitignore keeps .floe/ out of git.
# Each entry is a secret name (source.auth.tokenKey in configs/l1) and its value, e.g.
#   myapi-api-key: abc123
# or, for OAuth2 and Basic auth, a JSON object:
#   myapi-token: {"client_id": "…", "client_secret": "…", "refresh_token": "…"}
# Instead of this file, an environment variable FLOE_SECRET_<NAME> works too
# (FLOE_SECRET_MYAPI_API_KEY for myapi-api-key).
`;

function blankPlan(root: string): PlannedFile[] {
  return [
    { path: PROJECT_FILE, text: floeYaml(basename(root), 'parsers: []\n') },
    { path: 'README.md', text: blankReadme(basename(root)) },
    { path: '.gitignore', text: GITIGNORE },
    { path: SECRETS_FILE, text: BLANK_SECRETS, mode: 0o600, keepExisting: true },
  ];
}

function blankSteps(root: string): string[] {
  return [
    ...(root !== resolve('.') ? [`cd ${root}`] : []),
    `put your API's credentials in ${SECRETS_FILE} (a name: value line), or export FLOE_SECRET_<NAME>=<value>`,
    'floe config new l1 --name <Platform_Object> --url <endpoint URL> --auth api-key|bearer|basic|oauth2 (probes the endpoint, writes configs/l1/<name>.yaml)',
    'floe config validate',
    'floe run',
  ];
}

/** Creates the project folder. Throws `already-exists` (writing nothing) when files would be replaced without `force`. */
export async function scaffoldProject(opts: ScaffoldOptions): Promise<ScaffoldResult> {
  if (opts.blank) return writePlan(resolve(opts.dir), blankPlan(resolve(opts.dir)), opts, blankSteps);
  const root = resolve(opts.dir);
  const pack = packFor(opts.platform ?? 'wrike');
  const namespace = opts.namespace ?? pack.defaultNamespace;
  const tokenKey = opts.tokenKey ?? pack.defaultTokenKey;
  const apiBase = pack.apiBase(opts.baseUrl);
  const simulator = isLoopback(apiBase);
  const files = pack.files({ baseUrl: opts.baseUrl, namespace, tokenKey });
  // Packs without L2 configs or example parsers scaffold an L1-only project.
  const l2Files = pack.l2Files?.({ namespace }) ?? [];
  const examples = pack.examples?.({ namespace }) ?? [];
  const name = basename(root);

  const header = `# From floe's ${pack.platform} pack (floe init). Edit freely: floe never rewrites this file.\n`;
  const plan: PlannedFile[] = [
    { path: PROJECT_FILE, text: floeYaml(name, pack.examplesYaml ?? 'parsers: []\n') },
    {
      path: 'README.md',
      text: projectReadme(
        name,
        pack.platform,
        files.map((f) => f.configId),
        namespace,
      ),
    },
    { path: '.gitignore', text: GITIGNORE },
    ...files.map((f) => ({ path: `configs/l1/${pack.platform}-${f.name}`, text: header + f.text })),
    { path: 'configs/l2/README.md', text: L2_README },
    ...l2Files.map((f) => ({ path: `configs/l2/${pack.platform}-${f.name}`, text: header + f.text })),
    ...examples.map((f) => ({ path: f.path, text: f.text })),
    {
      path: SECRETS_FILE,
      text: secretsYaml(tokenKey, simulator, pack.platform, pack.secret),
      mode: 0o600,
      keepExisting: true,
    },
  ];
  return writePlan(root, plan, opts, (_root, result) => {
    const steps: string[] = [];
    if (root !== resolve('.')) steps.push(`cd ${root}`);
    if (simulator) {
      steps.push(
        `start the simulator on that port: floe sim ${pack.platform} --port ${new URL(apiBase).port || '80'}`,
      );
    } else if (!result.kept.includes(SECRETS_FILE)) {
      steps.push(
        `put your ${pack.platform} ${pack.secret.what} in ${SECRETS_FILE} (${tokenKey}), or export ${envVarName(tokenKey)}=<${pack.secret.what === 'token' ? 'token' : 'JSON'}>`,
      );
    }
    steps.push('floe config validate', `floe run --platform ${pack.platform}`);
    return steps;
  });
}

/** Writes the planned files (nothing at all if one would be replaced without `force`). */
async function writePlan(
  root: string,
  plan: PlannedFile[],
  opts: ScaffoldOptions,
  nextSteps: (root: string, result: ScaffoldResult) => string[],
): Promise<ScaffoldResult> {
  const rootInfo = await stat(root).catch(() => undefined);
  if (rootInfo !== undefined && !rootInfo.isDirectory()) {
    throw new FloeError(
      'already-exists',
      `${root} exists and is not a folder; choose another project folder`,
    );
  }
  const present = new Set<string>();
  for (const f of plan) if (await exists(join(root, f.path))) present.add(f.path);
  const conflicts = plan.filter((f) => present.has(f.path) && !f.keepExisting).map((f) => f.path);
  if (conflicts.length > 0 && opts.force !== true) {
    throw new FloeError(
      'already-exists',
      `${root} already has ${conflicts.join(', ')}; nothing was written. ` +
        `Pass --force to overwrite them (an existing ${SECRETS_FILE} is always kept)`,
      { context: { dir: root } },
    );
  }

  const result: ScaffoldResult = { root, created: [], overwritten: [], kept: [], nextSteps: [] };
  for (const dir of ['configs/l1', 'configs/l2', 'parsers'])
    await mkdir(join(root, dir), { recursive: true });
  // .floe/ holds secrets and state: private to the user.
  await mkdir(join(root, '.floe'), { recursive: true, mode: 0o700 });
  for (const f of plan) {
    const path = join(root, f.path);
    if (present.has(f.path) && f.keepExisting) {
      result.kept.push(f.path);
      continue;
    }
    await writeFile(path, f.text, { encoding: 'utf8', mode: f.mode ?? 0o644 });
    // `mode` only applies when the file is created; make an overwritten secrets file private too.
    if (f.mode !== undefined) await chmod(path, f.mode);
    (present.has(f.path) ? result.overwritten : result.created).push(f.path);
  }
  result.nextSteps = nextSteps(root, result);
  return result;
}
