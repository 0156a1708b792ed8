/**
 * The parser registry of a run: the connector packs' parsers, then the ones the project's
 * floe.yaml registers under `parsers` (SQL files with their declarations, TypeScript modules with
 * a `defineParser` default export). Files are read only from inside the project folder, and only
 * because floe.yaml, the project's own file, lists them; a config item names a parser, never a file.
 */
import { readFile, realpath } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packParsers } from '../../connectors/index.js';
import { errorMessage, FloeError } from '../../errors.js';
import { findProjectRoot, loadProject, type ParserEntry } from '../../runtime/local/project.js';
import { ParserRegistry } from './registry.js';
import { sqlParser } from './sql-parser.js';
import type { ParserDefinition } from './types.js';

/** The packs' parsers only. */
export function builtInParsers(): ParserRegistry {
  const registry = new ParserRegistry();
  for (const { platform, parser, kind } of packParsers())
    registry.register(parser, { kind, from: `built-in (${platform} pack)` });
  return registry;
}

/**
 * The registry for a project folder (or the folder holding floe.yaml above it); the packs' parsers
 * alone when there is no floe.yaml (a profile without a project folder).
 */
export async function parsersForProject(dir: string | undefined): Promise<ParserRegistry> {
  const registry = builtInParsers();
  const root = findProjectRoot(resolve(dir ?? '.'));
  if (root === undefined) return registry;
  const project = loadProject(root);
  // A bad entry fails only the configs that name its parser (the lookup error quotes it).
  for (const entry of project.parsers)
    await registerEntry(registry, project.root, entry).catch((e) => registry.problems.push(errorMessage(e)));
  return registry;
}

async function registerEntry(registry: ParserRegistry, root: string, entry: ParserEntry): Promise<void> {
  const file = (entry.sql ?? entry.module)!;
  const shown = `floe.yaml parsers: ${relative(root, file) || file}`;
  const path = await insideProject(root, file, shown);
  if (entry.sql !== undefined) {
    const text = await readFile(path, 'utf8');
    const def = sqlParser({
      name: entry.name ?? basename(path).replace(/\.sql$/i, ''),
      ...(entry.description ? { description: entry.description } : {}),
      sql: text,
      sources: entry.sources ?? [],
      ...(entry.optionalSources ? { optionalSources: entry.optionalSources } : {}),
      primaryKey: entry.primaryKey ?? [],
      schema: entry.schema ?? {},
    });
    registry.register(def, { kind: 'sql', from: shown });
    return;
  }
  for (const def of await importParsers(path, shown))
    registry.register(def, { kind: 'typescript', from: shown });
}

/** The real path of a file listed in floe.yaml, refused when it lies outside the project. */
async function insideProject(root: string, file: string, shown: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    throw new FloeError(
      'config-invalid',
      `${shown}: cannot read the file (${errorMessage(e)}); fix the path in floe.yaml`,
      {
        context: { file },
      },
    );
  }
  const top = await realpath(root);
  if (real !== top && !real.startsWith(top + sep))
    throw new FloeError(
      'config-invalid',
      `${shown}: the file is outside the project folder ${top}; parsers must live in the project (e.g. parsers/)`,
      { context: { file } },
    );
  return real;
}

/** A parser module's default export (one definition or a list), or its `parsers` export. */
async function importParsers(path: string, shown: string): Promise<ParserDefinition[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    // Plain Node (compiled floe), or a .ts file outside an ES-module package (loaded as
    // CommonJS, untranspiled): load it again through tsx's loaders, ESM and CommonJS.
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && !(e instanceof SyntaxError))
      throw new FloeError('config-invalid', `${shown}: cannot load the module: ${errorMessage(e)}`, {
        cause: e,
      });
    try {
      await registerTsx();
      mod = (await import(`${pathToFileURL(path).href}?tsx`)) as Record<string, unknown>;
    } catch (e2) {
      throw new FloeError(
        'config-invalid',
        `${shown}: cannot load the module (${errorMessage(e2)}); check its syntax, install tsx beside floe, or compile the parser to .js/.mjs`,
        { cause: e2 },
      );
    }
  }
  let exported = mod.default ?? mod.parsers ?? mod.parser;
  // A CommonJS-loaded module's `export default` arrives as `{ default: … }`.
  if (
    exported &&
    typeof exported === 'object' &&
    !Array.isArray(exported) &&
    !('name' in exported) &&
    'default' in exported
  )
    exported = (exported as { default: unknown }).default;
  const list = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
  if (list.length === 0)
    throw new FloeError(
      'config-invalid',
      `${shown}: the module exports no parser; export default defineParser({ name, sources, primaryKey, schema, transform })`,
    );
  return list as ParserDefinition[];
}

let tsxRegistered: Promise<void> | undefined;
function registerTsx(): Promise<void> {
  tsxRegistered ??= (async () => {
    const esm = (await import('tsx/esm/api')) as { register(): unknown };
    esm.register();
    const cjs = (await import('tsx/cjs/api')) as { register(): unknown };
    cjs.register();
  })();
  return tsxRegistered;
}
