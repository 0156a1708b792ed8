/**
 * `floe config new l1 --name X --url URL [--auth …] [--records-path …]`: probes the endpoint once
 * (with the secret from the project's secret store when auth is given) and writes a commented L1
 * config with what the response shows: record envelope, pagination hints, cursor and key
 * candidates. The secret is never printed; the file names the secret, never holds it.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { analyzeResponse } from '../../authoring/analyze-response.js';
import { authSection, l1DraftYaml, NEW_AUTH_KINDS, type NewAuthKind } from '../../authoring/l1-draft.js';
import { probeEndpoint } from '../../authoring/probe.js';
import { toSnakeCase } from '../../config/naming.js';
import { didYouMean } from '../../config/suggest.js';
import { validateL1Item } from '../../config/validate.js';
import { FloeError } from '../../errors.js';
import { EnvSecretStore } from '../../runtime/local/env-secrets.js';
import { ChainedSecretStore, FileSecretStore } from '../../runtime/local/file-secrets.js';
import { loadProject } from '../../runtime/local/project.js';
import { printLine } from '../output.js';

interface NewFlags {
  name: string;
  url: string;
  auth: string;
  tokenKey?: string;
  keyName?: string;
  keyIn?: string;
  tokenUrl?: string;
  recordsPath?: string;
  platform?: string;
  namespace?: string;
  table?: string;
  project: string;
  force?: boolean;
}

export function registerConfigNewCommand(config: Command): void {
  config
    .command('new <layer>')
    .description(
      'write a new L1 config for an API endpoint: probes the URL once and writes configs/l1/<name>.yaml with the detected records path, pagination and cursor candidates, commented',
    )
    .requiredOption('--name <configId>', 'the configId, e.g. Helpdesk_Tickets (also names the file)')
    .requiredOption(
      '--url <url>',
      'the endpoint that lists the records, e.g. https://api.example.com/v2/tickets',
    )
    .option('--auth <kind>', `how to authenticate: ${NEW_AUTH_KINDS.join(' | ')}`, 'none')
    .option(
      '--token-key <secret>',
      'the secret holding the credentials (default <platform>-api-key or <platform>-token)',
    )
    .option('--key-name <name>', 'api-key: the header (or query parameter) carrying the key', 'X-API-Key')
    .option('--key-in <where>', 'api-key: header or query', 'header')
    .option('--token-url <url>', 'oauth2: the token endpoint')
    .option(
      '--records-path <jsonpath>',
      'JSONPath to the records, when the detected one is wrong (e.g. $.data.items)',
    )
    .option('--platform <name>', 'platform of the config (default: the first word of --name, lower case)')
    .option('--namespace <name>', 'Iceberg namespace of the table (default <platform>_staging)')
    .option('--table <name>', 'Iceberg table name (default: --name without the platform, snake_case)')
    .option('--project <dir>', 'floe project folder', '.')
    .option('--force', 'overwrite an existing config file')
    .action(async (layer: string, flags: NewFlags) => {
      if (layer.toLowerCase() !== 'l1')
        throw new FloeError(
          'config-invalid',
          `floe config new writes L1 configs only, got '${layer}' (fix: floe config new l1 …; an L2 config names a parser, see docs/config-reference.md)`,
        );
      for (const line of await newL1Config(flags)) printLine(line);
    });
}

/** Does the work of `floe config new l1`; returns the lines to print. */
export async function newL1Config(flags: NewFlags): Promise<string[]> {
  const auth = flags.auth.toLowerCase() as NewAuthKind;
  if (!NEW_AUTH_KINDS.includes(auth))
    throw new FloeError(
      'config-invalid',
      `--auth must be one of ${NEW_AUTH_KINDS.join(' | ')}, got '${flags.auth}'${didYouMean(flags.auth, NEW_AUTH_KINDS)}`,
    );
  if (auth === 'oauth2' && flags.tokenUrl === undefined)
    throw new FloeError('config-invalid', '--auth oauth2 needs --token-url <the token endpoint URL>');
  let url: URL;
  try {
    url = new URL(flags.url);
  } catch {
    throw new FloeError(
      'config-invalid',
      `--url must be an absolute URL, got '${flags.url}' (fix: e.g. https://api.example.com/v2/tickets)`,
    );
  }
  const keyIn = flags.keyIn?.toLowerCase();
  if (keyIn !== undefined && keyIn !== 'header' && keyIn !== 'query')
    throw new FloeError('config-invalid', `--key-in must be header or query, got '${flags.keyIn}'`);
  const project = loadProject(flags.project);
  const words = flags.name.split(/[_\-\s.]+/).filter((w) => w !== '');
  const platform = (flags.platform ?? words[0] ?? 'api').toLowerCase();
  const rest = words.length > 1 && flags.platform === undefined ? words.slice(1).join('_') : flags.name;
  const options = {
    name: flags.name,
    platform,
    url: url.toString(),
    auth,
    tokenKey: flags.tokenKey ?? `${platform}-${auth === 'api-key' ? 'api-key' : 'token'}`,
    keyName: flags.keyName ?? 'X-API-Key',
    keyIn: (keyIn ?? 'header') as 'header' | 'query',
    ...(flags.tokenUrl !== undefined ? { tokenUrl: flags.tokenUrl } : {}),
    namespace: flags.namespace ?? `${toSnakeCase(platform)}_staging`,
    table: flags.table ?? toSnakeCase(rest),
  };
  const file = join(project.configs.l1, `${toSnakeCase(flags.name).replace(/_/g, '-')}.yaml`);
  if (existsSync(file) && flags.force !== true)
    throw new FloeError(
      'already-exists',
      `${relative(process.cwd(), file) || file} already exists; nothing was written (fix: choose another --name, or pass --force to overwrite it)`,
    );

  const secrets = new ChainedSecretStore(
    project.secrets.file === false ? undefined : new FileSecretStore(project.secrets.file),
    project.secrets.env ? new EnvSecretStore(process.env) : undefined,
  );
  const probe = await probeEndpoint(options.url, authSection(options), { secrets, configId: flags.name });
  const analysis = analyzeResponse(probe.body, probe.headers, options.url, {
    ...(flags.recordsPath !== undefined ? { recordsPath: flags.recordsPath } : {}),
  });
  const text = l1DraftYaml(options, analysis, probe);
  // What we write must be a valid config; a bug here must not hand the user a broken file.
  const check = validateL1Item(parseYaml(text));
  if (!check.ok)
    throw new FloeError(
      'internal',
      `the config written for ${flags.name} does not validate: ${check.problems.map((p) => p.message).join('; ')}`,
    );
  await mkdir(project.configs.l1, { recursive: true });
  await writeFile(file, text, 'utf8');

  const shown = relative(process.cwd(), file) || file;
  const out = [
    `probed GET ${probe.url} → HTTP ${probe.status}, ${probe.bytes} bytes in ${probe.elapsedMs} ms`,
    analysis.envelope
      ? `records: ${analysis.envelope.count} at ${analysis.envelope.path} (${analysis.envelope.fields.length} fields)`
      : 'records: no list of objects found; set source.response.dataPath',
    `pagination: ${analysis.pagination.map((p) => `${p.type} (${p.why})`).join('; ')}`,
    `cursor candidates: ${analysis.cursorCandidates.length ? analysis.cursorCandidates.join(', ') : 'none'}`,
    `primary key: ${analysis.primaryKey ?? 'none found'}`,
    `wrote ${shown}`,
    'next: read the comments in it, then `floe config validate` and `floe run --config-id ' +
      flags.name +
      '`',
  ];
  return out;
}
