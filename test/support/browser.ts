/**
 * Headless Chromium for the `floe ui` tests, driven by playwright-core: Debian's `chromium`
 * package (scripts/setup-browser.sh installs it when it can), or the browser FLOE_CHROMIUM
 * names. No browser download: where none is installed, the browser tests are skipped with the
 * reason printed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to drive, or undefined. */
export function findChromium(): string | undefined {
  const named = process.env.FLOE_CHROMIUM;
  if (named) return existsSync(named) ? named : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function noBrowserReason(): string | undefined {
  if (findChromium()) return undefined;
  return process.env.FLOE_CHROMIUM
    ? `FLOE_CHROMIUM=${process.env.FLOE_CHROMIUM} does not exist`
    : `no Chromium found (${CANDIDATES.join(', ')}); run scripts/setup-browser.sh (apt-get install chromium) or set FLOE_CHROMIUM`;
}

export interface BrowserSession {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium headless with a fresh profile (playwright's launch makes a temporary
 * --user-data-dir of its own and removes it on close). The background-networking flags matter
 * on a closed network: without them Chromium stalls reaching its update and field-trial services.
 */
export async function launchChromium(): Promise<BrowserSession> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(noBrowserReason());
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Where screenshots go (gitignored): test-artifacts/ui/. */
export function artifactsDir(): string {
  const dir = new URL('../../test-artifacts/ui/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Waits until the view `name` has rendered its data (app.js sets main[data-ready]). */
export async function viewReady(page: Page, name: string): Promise<void> {
  await page.waitForSelector(`main[data-view="${name}"][data-ready]`, { timeout: 30_000 });
  const error = await page.$('main [data-error]');
  if (error) throw new Error(`the ${name} view shows an error: ${await error.textContent()}`);
}

/** How many pixels of the canvases under `selector` are painted (not fully transparent). */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  // The test's TypeScript has no DOM types: the canvas is described by what is used of it.
  type Canvas = {
    width: number;
    height: number;
    getContext(
      kind: '2d',
    ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  };
  return page.$$eval(`${selector} canvas`, (canvases) =>
    canvases.reduce((sum, c) => {
      const canvas = c as unknown as Canvas;
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return sum;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return sum + n;
    }, 0),
  );
}
