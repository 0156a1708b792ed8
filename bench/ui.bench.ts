/**
 * `floe ui`'s first view at scale: a project with 10,000 history rows (200 nightly runs of 50
 * configs) and 50 tables, the server in its own process as a user starts it, headless Chromium
 * loading the page fresh each time. The figure is the page's own mark: milliseconds from
 * navigation start to the Runs view complete (its runs, the newest run's configs), the median
 * of 7 loads after one warm-up. Target: under 1 s. Without a Chromium (scripts/setup-browser.sh)
 * the bench says so and reports nothing.
 */
import { rmSync } from 'node:fs';
import { launchChromium, noBrowserReason, viewReady } from '../test/support/browser.js';
import { startUiChild } from '../test/support/ui-child.js';
import { scaleProject } from '../test/support/ui-scale-project.js';
import type { BenchFigure } from './run.js';

export async function run(): Promise<BenchFigure[]> {
  const reason = noBrowserReason();
  if (reason) {
    process.stderr.write(`  ui.bench: skipped: ${reason}\n`);
    return [];
  }
  const project = await scaleProject();
  const server = await startUiChild(['--project', project.dir]);
  const session = await launchChromium();
  try {
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const page = await session.browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(server.url);
      await viewReady(page, 'runs');
      const ms = Number(await page.$eval('html', (el) => el.getAttribute('data-first-view-ms')));
      if (i > 0) times.push(ms);
      await page.close();
    }
    times.sort((a, b) => a - b);
    const median = times[times.length >> 1]!;
    return [
      {
        name: 'floe ui first view, 10k history rows, 50 tables',
        value: median,
        unit: 'ms',
        note: `median of ${times.length} fresh loads (${times[0]}–${times[times.length - 1]} ms), target < 1000`,
      },
    ];
  } finally {
    await session.close();
    await server.stop();
    rmSync(project.dir, { recursive: true, force: true });
  }
}
