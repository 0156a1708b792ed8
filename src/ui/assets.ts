/**
 * The page's files: `src/ui/assets/` (HTML, CSS, the app's JavaScript modules) and uPlot's
 * distribution files, resolved from the installed package. No CDN: everything the page loads
 * comes from this server. Files are read once at start into a fixed map, so a request can name
 * only a file that is in it (no path from a URL ever reaches the file system).
 *
 * The folder is found next to this module (`src/ui/assets` under tsx, `dist/ui/assets` when a
 * build copied it) or else in the source tree beside a `dist/` build, as connector packs are.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FloeError } from '../errors.js';

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export function assetsDir(): string {
  const candidates = [
    new URL('./assets/', import.meta.url),
    new URL('../../src/ui/assets/', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const dir = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!dir)
    throw new FloeError(
      'not-found',
      `floe ui's page files are missing (looked in ${candidates.join(' and ')})`,
    );
  return dir;
}

/** URL path (`/assets/app.js`, `/assets/vendor/uPlot.esm.js`) → file. */
export function loadAssets(): Map<string, Asset> {
  const dir = assetsDir();
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (TYPES[extname(name)])
        out.set(`/assets/${relative(dir, path).split(sep).join('/')}`, {
          body: readFileSync(path),
          type: TYPES[extname(name)]!,
        });
    }
  };
  walk(dir);
  const require = createRequire(import.meta.url);
  for (const file of ['uPlot.esm.js', 'uPlot.min.css'])
    out.set(`/assets/vendor/${file}`, {
      body: readFileSync(require.resolve(`uplot/dist/${file}`)),
      type: TYPES[extname(file)]!,
    });
  return out;
}
