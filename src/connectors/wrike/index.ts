/**
 * The Wrike connector pack: one seed-shaped L1 config item per Wrike object, kept as YAML data in
 * `./l1/*.yaml` (see README.md there for what each object is). Nothing here is engine code: the
 * items run on the generic source engine as they are.
 *
 * The items are written against `https://www.wrike.com/api/v4`. The source engine has no
 * `${baseUrl}` placeholder (its placeholders are per request: `accessToken`, `start`, …), so the
 * API host is chosen here, when the pack is instantiated: `wrikePack({ baseUrl })` rewrites
 * `source.request.url` (and, off wrike.com, `source.auth.tokenUrl`) for a regional Wrike host
 * (`app-eu.wrike.com`) or the simulator (`http://127.0.0.1:PORT`). `floe init` and `floe demo` use it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, parseDocument } from 'yaml';
import { FloeError } from '../../errors.js';

/** Config ids of the pack, in the order a run should list them (small reference objects first). */
export const WRIKE_CONFIG_IDS = [
  'Wrike_Contacts',
  'Wrike_CustomFields',
  'Wrike_Workflows',
  'Wrike_Spaces',
  'Wrike_Folders',
  'Wrike_Projects',
  'Wrike_ProjectsDetails',
  'Wrike_Tasks',
  'Wrike_Timelogs',
] as const;
export type WrikeConfigId = (typeof WRIKE_CONFIG_IDS)[number];

/** The API base the YAML files are written against. */
export const WRIKE_DEFAULT_API_BASE = 'https://www.wrike.com/api/v4';
/** Secret name the items read the permanent token from (`source.auth.tokenKey`). */
export const WRIKE_DEFAULT_TOKEN_KEY = 'wrike-token';
/** Iceberg namespace (`destination.glueDatabase`) of the pack's tables. */
export const WRIKE_DEFAULT_NAMESPACE = 'wrike_staging';

export interface WrikePackOptions {
  /**
   * API base URL: `https://app-eu.wrike.com/api/v4`, a bare host (`app-eu.wrike.com`, https is
   * assumed) or an origin without a path (`http://127.0.0.1:8080`, `/api/v4` is appended).
   * Default `https://www.wrike.com/api/v4`.
   */
  baseUrl?: string;
  /** Secret name holding the Wrike permanent token. Default `wrike-token`. */
  tokenKey?: string;
  /** Iceberg namespace / Glue database. Default `wrike_staging`. */
  namespace?: string;
}

/** One item of the pack as YAML text (comments kept), with its file name. */
export interface PackFile {
  /** File name, e.g. `tasks.yaml`. */
  name: string;
  configId: string;
  text: string;
}

/**
 * Where the YAML files are. Next to this module when run from src/ (tsx, vitest) or when the
 * build copied them into dist/; otherwise, from a dist/ build inside a checkout, in the source
 * tree (`dist/connectors/wrike` → `src/connectors/wrike`), so an uncopied build still works.
 */
function packDir(layer: 'l1' | 'l2' = 'l1'): string {
  const candidates = [
    new URL(`./${layer}/`, import.meta.url),
    new URL(`../../../src/connectors/wrike/${layer}/`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(d));
  if (found === undefined) {
    throw new FloeError(
      'internal',
      `the Wrike pack's YAML files are missing (looked in ${candidates.join(' and ')}); ` +
        'the build must copy src/connectors/**/*.yaml next to the compiled modules',
    );
  }
  return found;
}

interface PackDoc {
  name: string;
  configId: string;
  doc: Document;
}

function loadDocs(layer: 'l1' | 'l2' = 'l1'): PackDoc[] {
  const dir = packDir(layer);
  const docs = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .map((name): PackDoc => {
      const doc = parseDocument(readFileSync(join(dir, name), 'utf8'));
      if (doc.errors.length > 0) {
        throw new FloeError(
          'internal',
          `Wrike pack file ${name} is not valid YAML: ${doc.errors[0]!.message}`,
        );
      }
      const configId = doc.get('configId');
      if (typeof configId !== 'string') {
        throw new FloeError('internal', `Wrike pack file ${name} has no configId`);
      }
      return { name, configId, doc };
    });
  const order = (id: string) => {
    const i = (WRIKE_CONFIG_IDS as readonly string[]).indexOf(id);
    return i < 0 ? WRIKE_CONFIG_IDS.length : i;
  };
  return docs.sort((a, b) => order(a.configId) - order(b.configId) || a.name.localeCompare(b.name));
}

/**
 * Normalises a base URL option to `scheme://host[:port]/path` without a trailing slash. Throws a
 * config error that says what a valid value looks like.
 */
export function wrikeApiBase(baseUrl: string | undefined): string {
  if (baseUrl === undefined) return WRIKE_DEFAULT_API_BASE;
  const raw = baseUrl.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  const bad = (why: string) =>
    new FloeError(
      'config-invalid',
      `Wrike base URL '${baseUrl}' ${why}; use e.g. https://app-eu.wrike.com/api/v4, app-us2.wrike.com or http://127.0.0.1:8080 (the simulator)`,
      { context: { field: 'baseUrl' } },
    );
  if (raw === '' || !URL.canParse(withScheme)) throw bad('is not a URL');
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must be http or https');
  if (url.search !== '' || url.hash !== '') throw bad('must not have a query or fragment');
  if (url.username !== '' || url.password !== '') throw bad('must not hold credentials');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/api/v4' : path}`;
}

/**
 * Wrike's OAuth2 token endpoint is global (the token response names the account's API host), so
 * it stays on www.wrike.com for every *.wrike.com API host; anything else (the simulator, a
 * proxy) serves its own `/oauth2/token`.
 */
function tokenUrlFor(apiBase: string): string | undefined {
  const url = new URL(apiBase);
  const host = url.hostname.toLowerCase();
  if (host === 'wrike.com' || host.endsWith('.wrike.com')) return undefined;
  return `${url.origin}/oauth2/token`;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

function applyOptions(p: PackDoc, opts: WrikePackOptions): void {
  const { doc, configId } = p;
  const apiBase = wrikeApiBase(opts.baseUrl);
  if (apiBase !== WRIKE_DEFAULT_API_BASE) {
    const url = doc.getIn(['source', 'request', 'url']);
    if (typeof url !== 'string' || !url.startsWith(WRIKE_DEFAULT_API_BASE)) {
      throw new FloeError(
        'internal',
        `Wrike pack item ${configId}: source.request.url must start with ${WRIKE_DEFAULT_API_BASE}`,
      );
    }
    doc.setIn(['source', 'request', 'url'], apiBase + url.slice(WRIKE_DEFAULT_API_BASE.length));
    const tokenUrl = tokenUrlFor(apiBase);
    if (tokenUrl !== undefined && doc.hasIn(['source', 'auth', 'tokenUrl'])) {
      doc.setIn(['source', 'auth', 'tokenUrl'], tokenUrl);
    }
  }
  if (opts.tokenKey !== undefined) {
    if (opts.tokenKey.trim() === '') {
      throw new FloeError('config-invalid', 'the Wrike token secret name (tokenKey) must not be empty', {
        context: { field: 'tokenKey' },
      });
    }
    doc.setIn(['source', 'auth', 'tokenKey'], opts.tokenKey.trim());
  }
  if (opts.namespace !== undefined) {
    if (!IDENT.test(opts.namespace)) {
      throw new FloeError(
        'config-invalid',
        `namespace '${opts.namespace}' is not a valid Glue database name; use lower-case letters, digits and _ (e.g. wrike_staging)`,
        { context: { field: 'namespace' } },
      );
    }
    doc.setIn(['destination', 'glueDatabase'], opts.namespace);
  }
}

/** The pack as YAML files (comments kept), options applied. What `floe init` writes. */
export function wrikePackFiles(opts: WrikePackOptions = {}): PackFile[] {
  return loadDocs().map((p) => {
    applyOptions(p, opts);
    return { name: p.name, configId: p.configId, text: p.doc.toString({ lineWidth: 0 }) };
  });
}

/** Iceberg namespace of the pack's L2 (refined) tables. */
export const WRIKE_DEFAULT_REFINED_NAMESPACE = 'wrike_refined';

/** Config ids of the pack's L2 configs (`l2/*.yaml`). */
export const WRIKE_L2_CONFIG_IDS = ['wrike_projects_l2', 'wrike_tasks_l2', 'wrike_timelog_daily_l2'] as const;

export interface WrikeL2PackOptions {
  /** Namespace of the L1 tables the configs read (default `wrike_staging`). */
  namespace?: string;
  /** Namespace of the refined tables (default `wrike_refined`). */
  refinedNamespace?: string;
}

function applyL2Options(p: PackDoc, opts: WrikeL2PackOptions): void {
  const check = (ns: string, field: string) => {
    if (!IDENT.test(ns))
      throw new FloeError(
        'config-invalid',
        `${field} '${ns}' is not a valid Glue database name; use lower-case letters, digits and _ (e.g. wrike_refined)`,
        { context: { field } },
      );
  };
  if (opts.namespace !== undefined) {
    check(opts.namespace, 'namespace');
    const sources = p.doc.get('source') as { items?: { key: unknown }[] } | undefined;
    for (const item of sources?.items ?? []) {
      const name = String((item.key as { value?: unknown })?.value ?? item.key);
      p.doc.setIn(['source', name, 'glueDatabase'], opts.namespace);
    }
  }
  if (opts.refinedNamespace !== undefined) {
    check(opts.refinedNamespace, 'refinedNamespace');
    p.doc.setIn(['destination', 'glueDatabase'], opts.refinedNamespace);
  }
}

/** The pack's L2 configs as YAML files (comments kept), options applied. */
export function wrikeL2PackFiles(opts: WrikeL2PackOptions = {}): PackFile[] {
  return loadDocs('l2').map((p) => {
    applyL2Options(p, opts);
    return { name: p.name, configId: p.configId, text: p.doc.toString({ lineWidth: 0 }) };
  });
}

/** The pack's L2 configs as plain items, options applied. */
export function wrikeL2Pack(opts: WrikeL2PackOptions = {}): Record<string, unknown>[] {
  return loadDocs('l2').map((p) => {
    applyL2Options(p, opts);
    return p.doc.toJS() as Record<string, unknown>;
  });
}

/** A file of the pack, by path under this folder (from src/ too, for an uncopied build). */
function packText(path: string): string {
  const candidates = [
    new URL(`./${path}`, import.meta.url),
    new URL(`../../../src/connectors/wrike/${path}`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(d));
  if (found === undefined)
    throw new FloeError(
      'internal',
      `the Wrike pack's file ${path} is missing (looked in ${candidates.join(' and ')})`,
    );
  return readFileSync(found, 'utf8');
}

/** A project file `floe init` writes: project-relative path and text. */
export interface ExampleFile {
  path: string;
  text: string;
}

/**
 * The example parsers `floe init` puts in a project (a SQL one, with an L2 config running it, and
 * a TypeScript one), and the floe.yaml `parsers` section registering them.
 */
export function wrikeExampleFiles(opts: WrikeL2PackOptions = {}): ExampleFile[] {
  const config: PackDoc = {
    name: 'example-open-tasks.yaml',
    configId: 'example_open_tasks',
    doc: parseDocument(packText('examples/example-open-tasks.yaml')),
  };
  applyL2Options(config, opts);
  return [
    { path: 'parsers/open_tasks_by_assignee.sql', text: packText('examples/open_tasks_by_assignee.sql') },
    { path: 'parsers/task_hours_by_status.ts', text: packText('examples/task_hours_by_status.ts') },
    { path: 'configs/l2/wrike-example-open-tasks.yaml', text: config.doc.toString({ lineWidth: 0 }) },
  ];
}

export const WRIKE_EXAMPLE_PARSERS_YAML = `parsers:
  - sql: parsers/open_tasks_by_assignee.sql
    sources: [tasks]
    primaryKey: [assignee_id]
    schema: { assignee_id: string, open_tasks: long, high_importance: long }
  - module: parsers/task_hours_by_status.ts
`;

/** The pack as plain L1 config items, options applied, in `WRIKE_CONFIG_IDS` order. */
export function wrikePack(opts: WrikePackOptions = {}): Record<string, unknown>[] {
  return loadDocs().map((p) => {
    applyOptions(p, opts);
    return p.doc.toJS() as Record<string, unknown>;
  });
}
