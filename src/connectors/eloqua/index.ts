/**
 * The Oracle Eloqua connector pack: contacts, accounts and email activities (sends, opens,
 * clickthroughs) by Bulk 2.0 exports; campaigns, emails and forms by REST 2.0; form submissions
 * by REST 1.0 per form. Data in `./l1/`; what Eloqua needs (base-URL discovery, async exports,
 * epoch-string times, per-form partitions) are general engine features the items switch on.
 *
 * The items name `https://login.eloqua.com/id` for discovery and a pod host for the API (which
 * discovery replaces at run time). `eloquaPack({ baseUrl })` points both at another host or the
 * simulator, and lets discovery accept that host.
 *
 * L2 (`./l2/`, the parser in `./parsers/`): email engagement per campaign and email, from the
 * activity exports, into `eloqua_refined`.
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

export const ELOQUA_CONFIG_IDS = [
  'Eloqua_Campaigns',
  'Eloqua_Emails',
  'Eloqua_Forms',
  'Eloqua_FormSubmissions',
  'Eloqua_Accounts',
  'Eloqua_Contacts',
  'Eloqua_EmailSends',
  'Eloqua_EmailOpens',
  'Eloqua_EmailClickthroughs',
] as const;

export const ELOQUA_LOGIN_BASE = 'https://login.eloqua.com';
export const ELOQUA_POD_BASE = 'https://secure.p01.eloqua.com';
export const ELOQUA_DEFAULT_TOKEN_KEY = 'eloqua-login';
export const ELOQUA_DEFAULT_NAMESPACE = 'eloqua_staging';

export interface EloquaPackOptions {
  /** Where `/id` is asked (default https://login.eloqua.com); a host or origin. */
  baseUrl?: string;
  tokenKey?: string;
  namespace?: string;
}

const SPEC: PackSpec = { platform: 'eloqua', folder: 'eloqua/l1', configIds: ELOQUA_CONFIG_IDS };

export function eloquaLoginBase(baseUrl: string | undefined): string {
  if (baseUrl === undefined) return ELOQUA_LOGIN_BASE;
  return normaliseBase(baseUrl, '', 'Eloqua', 'login.eloqua.com or http://127.0.0.1:8080 (the simulator)');
}

function load(opts: EloquaPackOptions): LoadOptions {
  const login = eloquaLoginBase(opts.baseUrl);
  const custom = login !== ELOQUA_LOGIN_BASE;
  return {
    rewrite: custom ? { [ELOQUA_LOGIN_BASE]: login, [ELOQUA_POD_BASE]: login } : {},
    // Off eloqua.com (a proxy, the simulator), discovery may name that host only.
    set: custom ? [{ path: ['source', 'discovery', 'allowedHosts'], value: [new URL(login).hostname] }] : [],
    tokenKey: opts.tokenKey,
    namespace: opts.namespace,
  };
}

export function eloquaPackFiles(opts: EloquaPackOptions = {}): PackFile[] {
  return packFiles(SPEC, load(opts));
}

export function eloquaPack(opts: EloquaPackOptions = {}): Record<string, unknown>[] {
  return packItems(SPEC, load(opts));
}

/** Iceberg namespace of the pack's L2 (refined) tables. */
export const ELOQUA_DEFAULT_REFINED_NAMESPACE = 'eloqua_refined';
export const ELOQUA_L2_CONFIG_IDS = ['eloqua_email_engagement_l2'] as const;

const L2_SPEC: PackSpec = { platform: 'eloqua', folder: 'eloqua/l2', configIds: ELOQUA_L2_CONFIG_IDS };

/** The pack's L2 configs as YAML files (comments kept), namespaces applied: what `floe init` writes. */
export function eloquaL2PackFiles(opts: L2LoadOptions = {}): PackFile[] {
  return packL2Files(L2_SPEC, opts);
}

/** The pack's L2 configs as plain items. */
export function eloquaL2Pack(opts: L2LoadOptions = {}): Record<string, unknown>[] {
  return packL2Items(L2_SPEC, opts);
}

export { eloquaParsers } from './parsers/index.js';
