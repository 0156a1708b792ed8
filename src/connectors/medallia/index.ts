/**
 * The Medallia Experience Cloud connector pack: the field catalogue and survey feedback through
 * the GraphQL Query API. Data in `./l1/`; what Medallia needs (GraphQL paging, errors inside 200
 * answers, the catalogue's ids as a query variable, field values pivoted into columns, epoch
 * times) are general engine features the items switch on.
 *
 * The items name `https://instance.medallia.com/oauth/tenant/token` and
 * `https://instance-tenant.apis.medallia.com/data/v0/query`: replace instance and tenant with
 * yours. `medalliaPack({ baseUrl })` points both at one origin (a proxy, the simulator).
 *
 * L2 (`./l2/`, the parser in `./parsers/`): the responses as a readable table, one column per
 * field named by its catalogue name, into `medallia_refined`.
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

export const MEDALLIA_CONFIG_IDS = ['Medallia_Fields', 'Medallia_Feedback'] as const;
export const MEDALLIA_AUTH_BASE = 'https://instance.medallia.com';
export const MEDALLIA_API_BASE = 'https://instance-tenant.apis.medallia.com';
export const MEDALLIA_DEFAULT_TOKEN_KEY = 'medallia-oauth';
export const MEDALLIA_DEFAULT_NAMESPACE = 'medallia_staging';

export interface MedalliaPackOptions {
  /** One origin serving both the token and the query endpoint (default: the items' own). */
  baseUrl?: string;
  tokenKey?: string;
  namespace?: string;
}

const SPEC: PackSpec = { platform: 'medallia', folder: 'medallia/l1', configIds: MEDALLIA_CONFIG_IDS };

export function medalliaBase(baseUrl: string | undefined): string {
  if (baseUrl === undefined) return MEDALLIA_API_BASE;
  return normaliseBase(
    baseUrl,
    '',
    'Medallia',
    'https://acme-acme.apis.medallia.com or http://127.0.0.1:8080 (the simulator)',
  );
}

function load(opts: MedalliaPackOptions): LoadOptions {
  const base = opts.baseUrl === undefined ? undefined : new URL(medalliaBase(opts.baseUrl)).origin;
  return {
    rewrite: base ? { [MEDALLIA_AUTH_BASE]: base, [MEDALLIA_API_BASE]: base } : {},
    tokenKey: opts.tokenKey,
    namespace: opts.namespace,
  };
}

export function medalliaPackFiles(opts: MedalliaPackOptions = {}): PackFile[] {
  return packFiles(SPEC, load(opts));
}

export function medalliaPack(opts: MedalliaPackOptions = {}): Record<string, unknown>[] {
  return packItems(SPEC, load(opts));
}

/** Iceberg namespace of the pack's L2 (refined) tables. */
export const MEDALLIA_DEFAULT_REFINED_NAMESPACE = 'medallia_refined';
export const MEDALLIA_L2_CONFIG_IDS = ['medallia_feedback_l2'] as const;

const L2_SPEC: PackSpec = { platform: 'medallia', folder: 'medallia/l2', configIds: MEDALLIA_L2_CONFIG_IDS };

/** The pack's L2 configs as YAML files (comments kept), namespaces applied: what `floe init` writes. */
export function medalliaL2PackFiles(opts: L2LoadOptions = {}): PackFile[] {
  return packL2Files(L2_SPEC, opts);
}

/** The pack's L2 configs as plain items. */
export function medalliaL2Pack(opts: L2LoadOptions = {}): Record<string, unknown>[] {
  return packL2Items(L2_SPEC, opts);
}

export { medalliaParsers } from './parsers/index.js';
