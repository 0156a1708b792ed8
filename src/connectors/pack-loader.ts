/**
 * Loading a connector pack: its YAML items (comments kept) from `<platform>/l1/`, ordered as the
 * pack lists them, with the options of `floe init` applied: API URLs moved to another host or the
 * simulator (every URL in `source` that starts with one of the pack's default prefixes), the
 * secret name and the Iceberg namespace. A pack's L2 configs (`<platform>/l2/`) load the same
 * way, with the namespaces they read from and write to; its SQL parsers are files beside them
 * (`packText`). Packs are data; this is the one loader they share.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isScalar, parseDocument, visit } from 'yaml';
import { FloeError } from '../errors.js';

/** One item of the pack as YAML text (comments kept), with its file name. */
export interface PackFile {
  name: string;
  configId: string;
  text: string;
}

export interface PackSpec {
  platform: string;
  /** Folder of the YAML items, next to this module (`cvent/l1`). */
  folder: string;
  /** Config ids in run order; every file must be listed. */
  configIds: readonly string[];
}

export interface LoadOptions {
  /** Default URL prefix → replacement, applied to every string in `source`. */
  rewrite?: Record<string, string>;
  tokenKey?: string;
  namespace?: string;
  /** Values set where the item has them (e.g. the hosts discovery may name, for a simulator). */
  set?: { path: string[]; value: unknown }[];
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

function packDir(spec: PackSpec): string {
  const candidates = [
    new URL(`./${spec.folder}/`, import.meta.url),
    new URL(`../../src/connectors/${spec.folder}/`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(d));
  if (found === undefined) {
    throw new FloeError(
      'internal',
      `the ${spec.platform} pack's YAML files are missing (looked in ${candidates.join(' and ')}); the build must copy src/connectors/**/*.yaml`,
    );
  }
  return found;
}

function loadDocs(spec: PackSpec): { name: string; configId: string; doc: Document }[] {
  const dir = packDir(spec);
  const docs = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .map((name) => {
      const doc = parseDocument(readFileSync(join(dir, name), 'utf8'));
      if (doc.errors.length > 0)
        throw new FloeError(
          'internal',
          `${spec.platform} pack file ${name} is not valid YAML: ${doc.errors[0]!.message}`,
        );
      const configId = doc.get('configId');
      if (typeof configId !== 'string' || !spec.configIds.includes(configId))
        throw new FloeError(
          'internal',
          `${spec.platform} pack file ${name} has a configId the pack does not list`,
        );
      return { name, configId, doc };
    });
  return docs.sort((a, b) => spec.configIds.indexOf(a.configId) - spec.configIds.indexOf(b.configId));
}

function apply(doc: Document, opts: LoadOptions, platform: string): void {
  const rewrite = Object.entries(opts.rewrite ?? {}).filter(([from, to]) => from !== to);
  if (rewrite.length > 0) {
    const source = doc.get('source', true);
    if (source)
      visit(source as never, {
        Scalar(_, node) {
          if (!isScalar(node) || typeof node.value !== 'string') return;
          for (const [from, to] of rewrite) {
            if (node.value.startsWith(from)) {
              node.value = to + node.value.slice(from.length);
              return;
            }
          }
        },
      });
  }
  for (const { path, value } of opts.set ?? []) if (doc.hasIn(path)) doc.setIn(path, doc.createNode(value));
  if (opts.tokenKey !== undefined) {
    if (opts.tokenKey.trim() === '')
      throw new FloeError('config-invalid', `the ${platform} secret name (tokenKey) must not be empty`, {
        context: { field: 'tokenKey' },
      });
    doc.setIn(['source', 'auth', 'tokenKey'], opts.tokenKey.trim());
  }
  if (opts.namespace !== undefined) {
    if (!IDENT.test(opts.namespace))
      throw new FloeError(
        'config-invalid',
        `namespace '${opts.namespace}' is not a valid Glue database name; use lower-case letters, digits and _ (e.g. ${platform}_staging)`,
        { context: { field: 'namespace' } },
      );
    doc.setIn(['destination', 'glueDatabase'], opts.namespace);
  }
}

export function packFiles(spec: PackSpec, opts: LoadOptions): PackFile[] {
  return loadDocs(spec).map((p) => {
    apply(p.doc, opts, spec.platform);
    return { name: p.name, configId: p.configId, text: p.doc.toString({ lineWidth: 0 }) };
  });
}

export function packItems(spec: PackSpec, opts: LoadOptions): Record<string, unknown>[] {
  return loadDocs(spec).map((p) => {
    apply(p.doc, opts, spec.platform);
    return p.doc.toJS() as Record<string, unknown>;
  });
}

/** Namespaces an L2 config of a pack reads from and writes to (`floe init`'s options). */
export interface L2LoadOptions {
  /** Namespace of the L1 tables the configs read (default: the pack's staging namespace). */
  namespace?: string;
  /** Namespace of the refined tables (default: the pack's refined namespace). */
  refinedNamespace?: string;
}

function checkNamespace(ns: string, field: string, platform: string): void {
  if (!IDENT.test(ns))
    throw new FloeError(
      'config-invalid',
      `${field} '${ns}' is not a valid Glue database name; use lower-case letters, digits and _ (e.g. ${platform}_refined)`,
      { context: { field } },
    );
}

/** Every source of an L2 item reads from `namespace`; the destination is `refinedNamespace`. */
function applyL2(doc: Document, opts: L2LoadOptions, platform: string): void {
  if (opts.namespace !== undefined) {
    checkNamespace(opts.namespace, 'namespace', platform);
    const sources = doc.get('source') as { items?: { key: unknown }[] } | undefined;
    for (const item of sources?.items ?? []) {
      const name = String((item.key as { value?: unknown })?.value ?? item.key);
      doc.setIn(['source', name, 'glueDatabase'], opts.namespace);
    }
  }
  if (opts.refinedNamespace !== undefined) {
    checkNamespace(opts.refinedNamespace, 'refinedNamespace', platform);
    doc.setIn(['destination', 'glueDatabase'], opts.refinedNamespace);
  }
}

/** A pack's L2 configs (`spec.folder`, e.g. `cvent/l2`) as YAML files, comments kept. */
export function packL2Files(spec: PackSpec, opts: L2LoadOptions): PackFile[] {
  return loadDocs(spec).map((p) => {
    applyL2(p.doc, opts, spec.platform);
    return { name: p.name, configId: p.configId, text: p.doc.toString({ lineWidth: 0 }) };
  });
}

/** A pack's L2 configs as plain items. */
export function packL2Items(spec: PackSpec, opts: L2LoadOptions): Record<string, unknown>[] {
  return loadDocs(spec).map((p) => {
    applyL2(p.doc, opts, spec.platform);
    return p.doc.toJS() as Record<string, unknown>;
  });
}

/**
 * A file a pack ships beside its YAML (a SQL parser), by path under `src/connectors/`: next to
 * this module, or in the source tree for a build that did not copy it.
 */
export function packText(path: string): string {
  const candidates = [
    new URL(`./${path}`, import.meta.url),
    new URL(`../../src/connectors/${path}`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined)
    throw new FloeError(
      'internal',
      `the connector pack file ${path} is missing (looked in ${candidates.join(' and ')}); the build must copy src/connectors/**/*.sql`,
    );
  return readFileSync(found, 'utf8');
}

/**
 * A base URL option as `scheme://host[:port]/path` without a trailing slash: a full URL, a bare
 * host (https assumed) or an origin (the pack's default path appended).
 */
export function normaliseBase(
  baseUrl: string,
  defaultPath: string,
  platform: string,
  examples: string,
): string {
  const raw = baseUrl.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  const bad = (why: string) =>
    new FloeError('config-invalid', `${platform} base URL '${baseUrl}' ${why}; use e.g. ${examples}`, {
      context: { field: 'baseUrl' },
    });
  if (raw === '' || !URL.canParse(withScheme)) throw bad('is not a URL');
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must be http or https');
  if (url.search !== '' || url.hash !== '') throw bad('must not have a query or fragment');
  if (url.username !== '' || url.password !== '') throw bad('must not hold credentials');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? defaultPath : path}`;
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
