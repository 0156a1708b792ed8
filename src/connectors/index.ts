/**
 * Connector packs by platform: the config items floe ships for a SaaS platform, as data. One
 * entry per platform; a platform whose API fits the config model needs nothing but its YAML.
 */
import { FloeError } from '../errors.js';
import type { ParserDefinition } from '../l2/parsers/types.js';
import {
  CVENT_DEFAULT_NAMESPACE,
  CVENT_DEFAULT_TOKEN_KEY,
  cventApiBase,
  cventL2PackFiles,
  cventPack,
  cventPackFiles,
  cventParsers,
} from './cvent/index.js';
import {
  ELOQUA_DEFAULT_NAMESPACE,
  ELOQUA_DEFAULT_TOKEN_KEY,
  eloquaL2PackFiles,
  eloquaLoginBase,
  eloquaPack,
  eloquaPackFiles,
  eloquaParsers,
} from './eloqua/index.js';
import {
  MEDALLIA_DEFAULT_NAMESPACE,
  MEDALLIA_DEFAULT_TOKEN_KEY,
  medalliaBase,
  medalliaL2PackFiles,
  medalliaPack,
  medalliaPackFiles,
  medalliaParsers,
} from './medallia/index.js';
import {
  type ExampleFile,
  type PackFile,
  WRIKE_EXAMPLE_PARSERS_YAML,
  type WrikeL2PackOptions,
  type WrikePackOptions,
  wrikeApiBase,
  wrikeExampleFiles,
  wrikeL2PackFiles,
  wrikePack,
  wrikePackFiles,
} from './wrike/index.js';
import { wrikeParsers } from './wrike/parsers/index.js';

export { CVENT_CONFIG_IDS, cventPack, cventPackFiles } from './cvent/index.js';
export { ELOQUA_CONFIG_IDS, eloquaPack, eloquaPackFiles } from './eloqua/index.js';
export { MEDALLIA_CONFIG_IDS, medalliaPack, medalliaPackFiles } from './medallia/index.js';
export type { ExampleFile, PackFile, WrikePackOptions } from './wrike/index.js';
export { WRIKE_CONFIG_IDS, wrikePack, wrikePackFiles } from './wrike/index.js';

/** Options every pack understands. */
export type PackOptions = WrikePackOptions;

/** What the secret of a pack holds, for the secrets file `floe init` writes. */
export interface PackSecret {
  /** `token` (one value) or `credentials` (a map of several). */
  what: 'token' | 'credentials';
  /** Comment lines (without `#`) saying what to put there and where to find it. */
  help: string[];
  /** The YAML value (after `name: `) that the pack's simulator accepts. */
  simulatorValue: string;
  /** The YAML value written for a real account, left for the user to fill in. */
  emptyValue: string;
}

interface PackEntry {
  files(opts: PackOptions): PackFile[];
  items(opts: PackOptions): Record<string, unknown>[];
  /** The pack's L2 configs (reading the L1 tables in `namespace`), for packs that have some. */
  l2Files?(opts: WrikeL2PackOptions): PackFile[];
  /** The L2 parsers the pack's configs name (registered for every project). */
  parsers?(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[];
  /** Example parsers (and a config running one) for a new project, and their floe.yaml section. */
  examples?(opts: WrikeL2PackOptions): ExampleFile[];
  examplesYaml?: string;
  defaultNamespace: string;
  defaultTokenKey: string;
  /** The API base a `--base-url` option resolves to (to tell a simulator from an account). */
  apiBase(baseUrl: string | undefined): string;
  secret: PackSecret;
}

const PACKS: Record<string, PackEntry> = {
  wrike: {
    files: wrikePackFiles,
    items: wrikePack,
    l2Files: wrikeL2PackFiles,
    parsers: wrikeParsers,
    examples: wrikeExampleFiles,
    examplesYaml: WRIKE_EXAMPLE_PARSERS_YAML,
    defaultNamespace: 'wrike_staging',
    defaultTokenKey: 'wrike-token',
    apiBase: wrikeApiBase,
    secret: {
      what: 'token',
      help: [
        'Put your Wrike permanent access token here (Wrike: Apps & Integrations → API → create an app →',
        '"Permanent access token"), e.g.',
        '  {tokenKey}: eyJ0dCI6InAiLCJhbGciOiJIUzI1NiIsInR2IjoiMSJ9...',
      ],
      simulatorValue: 'sim-permanent-token',
      emptyValue: '""',
    },
  },
  cvent: {
    files: cventPackFiles,
    items: cventPack,
    l2Files: cventL2PackFiles,
    parsers: cventParsers,
    defaultNamespace: CVENT_DEFAULT_NAMESPACE,
    defaultTokenKey: CVENT_DEFAULT_TOKEN_KEY,
    apiBase: cventApiBase,
    secret: {
      what: 'credentials',
      help: [
        "Put your Cvent API application's client id and secret here (Cvent: Admin → Integrations →",
        'REST API → your application), as a map, e.g.',
        '  {tokenKey}: { client_id: "…", client_secret: "…" }',
      ],
      simulatorValue: '{ client_id: sim-cvent-client, client_secret: sim-cvent-secret }',
      emptyValue: '{ client_id: "", client_secret: "" }',
    },
  },
  eloqua: {
    files: eloquaPackFiles,
    items: eloquaPack,
    l2Files: eloquaL2PackFiles,
    parsers: eloquaParsers,
    defaultNamespace: ELOQUA_DEFAULT_NAMESPACE,
    defaultTokenKey: ELOQUA_DEFAULT_TOKEN_KEY,
    apiBase: eloquaLoginBase,
    secret: {
      what: 'credentials',
      help: [
        'Put your Eloqua login here: the user name is your company (site) name, a backslash and your',
        'user name, e.g.',
        '  {tokenKey}: { username: "Company\\\\User", password: "…" }',
      ],
      simulatorValue: '{ username: "SimCo\\\\sim.user", password: sim-password }',
      emptyValue: '{ username: "", password: "" }',
    },
  },
  medallia: {
    files: medalliaPackFiles,
    items: medalliaPack,
    l2Files: medalliaL2PackFiles,
    parsers: medalliaParsers,
    defaultNamespace: MEDALLIA_DEFAULT_NAMESPACE,
    defaultTokenKey: MEDALLIA_DEFAULT_TOKEN_KEY,
    apiBase: medalliaBase,
    secret: {
      what: 'credentials',
      help: [
        "Put your Medallia API client's id and secret here (Medallia Admin Suite → API clients), e.g.",
        '  {tokenKey}: { client_id: "…", client_secret: "…" }',
      ],
      simulatorValue: '{ client_id: sim-medallia-client, client_secret: sim-medallia-secret }',
      emptyValue: '{ client_id: "", client_secret: "" }',
    },
  },
};

export const PACK_PLATFORMS: readonly string[] = Object.keys(PACKS);

/** The pack of a platform (case-insensitive), or a config error listing the platforms there are. */
export function connectorPack(platform: string): PackEntry & { platform: string } {
  const key = platform.trim().toLowerCase();
  const pack = PACKS[key];
  if (pack === undefined) {
    throw new FloeError(
      'config-invalid',
      `no connector pack for platform '${platform}'; available: ${PACK_PLATFORMS.join(', ')}`,
      { context: { field: 'platform' } },
    );
  }
  return { ...pack, platform: key };
}

/** Every pack's L2 parsers, with the platform whose pack ships each. */
export function packParsers(): {
  platform: string;
  parser: ParserDefinition;
  kind: 'sql' | 'typescript';
}[] {
  return Object.entries(PACKS).flatMap(([platform, pack]) =>
    (pack.parsers?.() ?? []).map((p) => ({ platform, ...p })),
  );
}
