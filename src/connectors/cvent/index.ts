/**
 * The Cvent connector pack: one L1 config item per Cvent object, as YAML data in `./l1/`. They
 * run on the generic source engine as they are; what Cvent needs beyond Wrike (client
 * credentials with Basic client auth, `paging.nextToken`, `after=` filters, per-event
 * registration types, typed timestamps) are general engine features the items switch on.
 *
 * The items are written against North America's `https://api-platform.cvent.com/ea`;
 * `cventPack({ baseUrl })` moves every URL (API and token endpoint) to Europe (`eu`), another
 * host, or the simulator.
 *
 * L2 (`./l2/`, parsers in `./parsers/`): attendance per event and per session, into
 * `cvent_refined`.
 */
import {
  type L2LoadOptions,
  type LoadOptions,
  normaliseBase,
  type PackFile,
  type PackSpec,
  packFiles,
  packItems,
  packL2Files,
  packL2Items,
} from '../pack-loader.js';

export const CVENT_CONFIG_IDS = [
  'Cvent_Events',
  'Cvent_RegistrationTypes',
  'Cvent_Sessions',
  'Cvent_Speakers',
  'Cvent_Contacts',
  'Cvent_Attendees',
  // After the sessions and attendees its rows point at.
  'Cvent_SessionAttendance',
] as const;

export const CVENT_DEFAULT_API_BASE = 'https://api-platform.cvent.com/ea';
export const CVENT_EU_API_BASE = 'https://api-platform-eur.cvent.com/ea';
export const CVENT_DEFAULT_TOKEN_KEY = 'cvent-oauth';
export const CVENT_DEFAULT_NAMESPACE = 'cvent_staging';

export interface CventPackOptions {
  /** `na` (default), `eu`, a host, an origin (`/ea` appended) or a full base URL. */
  baseUrl?: string;
  tokenKey?: string;
  namespace?: string;
}

const SPEC: PackSpec = { platform: 'cvent', folder: 'cvent/l1', configIds: CVENT_CONFIG_IDS };

export function cventApiBase(baseUrl: string | undefined): string {
  if (baseUrl === undefined || baseUrl.trim().toLowerCase() === 'na') return CVENT_DEFAULT_API_BASE;
  if (baseUrl.trim().toLowerCase() === 'eu') return CVENT_EU_API_BASE;
  return normaliseBase(
    baseUrl,
    '/ea',
    'Cvent',
    'na, eu, https://api-platform-eur.cvent.com/ea or http://127.0.0.1:8080 (the simulator)',
  );
}

function load(opts: CventPackOptions): LoadOptions {
  return {
    rewrite: { [CVENT_DEFAULT_API_BASE]: cventApiBase(opts.baseUrl) },
    tokenKey: opts.tokenKey,
    namespace: opts.namespace,
  };
}

/** The pack as YAML files (comments kept), options applied: what `floe init` writes. */
export function cventPackFiles(opts: CventPackOptions = {}): PackFile[] {
  return packFiles(SPEC, load(opts));
}

/** The pack as plain L1 config items, in `CVENT_CONFIG_IDS` order. */
export function cventPack(opts: CventPackOptions = {}): Record<string, unknown>[] {
  return packItems(SPEC, load(opts));
}

/** Iceberg namespace of the pack's L2 (refined) tables. */
export const CVENT_DEFAULT_REFINED_NAMESPACE = 'cvent_refined';
export const CVENT_L2_CONFIG_IDS = ['cvent_event_attendance_l2', 'cvent_session_attendance_l2'] as const;

const L2_SPEC: PackSpec = { platform: 'cvent', folder: 'cvent/l2', configIds: CVENT_L2_CONFIG_IDS };

/** The pack's L2 configs as YAML files (comments kept), namespaces applied: what `floe init` writes. */
export function cventL2PackFiles(opts: L2LoadOptions = {}): PackFile[] {
  return packL2Files(L2_SPEC, opts);
}

/** The pack's L2 configs as plain items. */
export function cventL2Pack(opts: L2LoadOptions = {}): Record<string, unknown>[] {
  return packL2Items(L2_SPEC, opts);
}

export { cventParsers } from './parsers/index.js';
