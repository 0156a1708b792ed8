/**
 * `floe init --platform X` for the Cvent, Eloqua and Medallia packs: every config loads through
 * the config loader, every URL points at the given base (the simulator), the secrets file holds
 * credentials the simulator accepts (as a JSON object the auth reads), and the next steps name
 * the platform's simulator. A real account's project leaves the credentials empty.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfigs } from '../../src/config/index.js';
import {
  CVENT_CONFIG_IDS,
  ELOQUA_CONFIG_IDS,
  MEDALLIA_CONFIG_IDS,
  PACK_PLATFORMS,
} from '../../src/connectors/index.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { FileSecretStore } from '../../src/runtime/local/file-secrets.js';
import { DEFAULT_CVENT_CLIENT } from '../../src/sim/cvent/index.js';
import { DEFAULT_ELOQUA_LOGIN } from '../../src/sim/eloqua/index.js';
import { DEFAULT_MEDALLIA_CLIENT } from '../../src/sim/medallia/index.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'floe-packs-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every string in a value (URLs of requests, steps, partitions, discovery). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

const CASES = [
  [
    'cvent',
    CVENT_CONFIG_IDS,
    'cvent-oauth',
    { client_id: DEFAULT_CVENT_CLIENT.clientId, client_secret: DEFAULT_CVENT_CLIENT.clientSecret },
  ],
  [
    'eloqua',
    ELOQUA_CONFIG_IDS,
    'eloqua-login',
    {
      username: `${DEFAULT_ELOQUA_LOGIN.company}\\${DEFAULT_ELOQUA_LOGIN.user}`,
      password: DEFAULT_ELOQUA_LOGIN.password,
    },
  ],
  [
    'medallia',
    MEDALLIA_CONFIG_IDS,
    'medallia-oauth',
    { client_id: DEFAULT_MEDALLIA_CLIENT.clientId, client_secret: DEFAULT_MEDALLIA_CLIENT.clientSecret },
  ],
] as const;

describe('floe init for every pack', () => {
  it('knows all four platforms', () => {
    expect([...PACK_PLATFORMS].sort()).toEqual(['cvent', 'eloqua', 'medallia', 'wrike']);
  });

  it.each(CASES)(
    '%s: configs load, URLs point at the simulator, its credentials are in the secrets file',
    async (platform, ids, key, creds) => {
      const dir = join(tmp, platform);
      const r = await scaffoldProject({ dir, platform, baseUrl: 'http://127.0.0.1:8765' });
      const { l1 } = await loadProjectConfigs(dir);
      expect(l1.problems).toEqual([]);
      expect(l1.configs.map((c) => c.config.configId).sort()).toEqual([...ids].sort());
      for (const { config } of l1.configs) {
        const urls = strings(config.source).filter((s) => /^https?:\/\//.test(s));
        expect(urls.length).toBeGreaterThan(0);
        for (const u of urls) expect(u, `${config.configId}: ${u}`).toMatch(/^http:\/\/127\.0\.0\.1:8765\//);
        expect(config.destination.namespace).toBe(`${platform}_staging`);
      }
      const secret = new FileSecretStore(join(dir, '.floe/secrets.yaml')).find(key);
      expect(JSON.parse(secret!)).toEqual(creds);
      expect(r.nextSteps).toContain(`start the simulator on that port: floe sim ${platform} --port 8765`);
      // The configs carry their comments: the template explains its choices.
      const file = await readFile(
        join(
          dir,
          'configs/l1',
          r.created.find((f) => f.startsWith(`configs/l1/${platform}-`))!.slice('configs/l1/'.length),
        ),
        'utf8',
      );
      expect(file.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(5);
    },
  );

  it.each(CASES)('%s: a real account gets empty credentials to fill in', async (platform, _ids, key) => {
    const dir = join(tmp, `${platform}-real`);
    const r = await scaffoldProject({ dir, platform });
    const text = await readFile(join(dir, '.floe/secrets.yaml'), 'utf8');
    expect(text).toContain(`${key}: {`);
    expect(
      r.nextSteps.some((s) => s.includes(`put your ${platform} credentials in .floe/secrets.yaml (${key})`)),
    ).toBe(true);
  });
});
