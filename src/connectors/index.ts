/**
 * Connector packs by platform: the config items floe ships for a SaaS platform, as data. One
 * entry per platform; a platform whose API fits the config model needs nothing but its YAML.
 */
import { FloeError } from '../errors.js';
import {
  type ExampleFile,
  type PackFile,
  WRIKE_EXAMPLE_PARSERS_YAML,
  type WrikeL2PackOptions,
  type WrikePackOptions,
  wrikeExampleFiles,
  wrikeL2PackFiles,
  wrikePack,
  wrikePackFiles,
} from './wrike/index.js';

export type { ExampleFile, PackFile, WrikePackOptions } from './wrike/index.js';
export { WRIKE_CONFIG_IDS, wrikePack, wrikePackFiles } from './wrike/index.js';

/** Options every pack understands. */
export type PackOptions = WrikePackOptions;

interface PackEntry {
  files(opts: PackOptions): PackFile[];
  items(opts: PackOptions): Record<string, unknown>[];
  /** The pack's L2 configs (reading the L1 tables in `namespace`), for packs that have some. */
  l2Files?(opts: WrikeL2PackOptions): PackFile[];
  /** Example parsers (and a config running one) for a new project, and their floe.yaml section. */
  examples?(opts: WrikeL2PackOptions): ExampleFile[];
  examplesYaml?: string;
  defaultNamespace: string;
  defaultTokenKey: string;
}

const PACKS: Record<string, PackEntry> = {
  wrike: {
    files: wrikePackFiles,
    items: wrikePack,
    l2Files: wrikeL2PackFiles,
    examples: wrikeExampleFiles,
    examplesYaml: WRIKE_EXAMPLE_PARSERS_YAML,
    defaultNamespace: 'wrike_staging',
    defaultTokenKey: 'wrike-token',
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
