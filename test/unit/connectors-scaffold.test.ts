/**
 * `floe init`'s scaffold in a temp folder: the project parses, its configs load through the
 * config loader, secrets are private, and nothing is overwritten without `force` (the secrets
 * file not even with it).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerInitCommands } from '../../src/cli/commands/init.js';
import { loadProjectConfigs } from '../../src/config/index.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { WRIKE_CONFIG_IDS, WRIKE_L2_CONFIG_IDS } from '../../src/connectors/wrike/index.js';
import { isFloeError } from '../../src/errors.js';
import { FileSecretStore } from '../../src/runtime/local/file-secrets.js';
import { defaultProject, loadProject } from '../../src/runtime/local/project.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'floe-init-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('scaffoldProject', () => {
  it('creates a project whose floe.yaml parses and whose configs load', async () => {
    const dir = join(tmp, 'acme');
    const r = await scaffoldProject({ dir });
    expect(r.root).toBe(dir);
    expect(r.created).toEqual(
      expect.arrayContaining([
        'floe.yaml',
        'README.md',
        '.gitignore',
        'configs/l1/wrike-tasks.yaml',
        'configs/l2/README.md',
        '.floe/secrets.yaml',
      ]),
    );
    // floe.yaml, README.md, .gitignore, configs/l2/README.md, .floe/secrets.yaml, the L1 and L2
    // configs, and the example parsers with the config that runs one.
    expect(r.created).toEqual(
      expect.arrayContaining([
        'configs/l2/wrike-tasks.yaml',
        'parsers/open_tasks_by_assignee.sql',
        'parsers/task_hours_by_status.ts',
        'configs/l2/wrike-example-open-tasks.yaml',
      ]),
    );
    expect(r.created).toHaveLength(5 + WRIKE_CONFIG_IDS.length + WRIKE_L2_CONFIG_IDS.length + 3);
    expect(r.nextSteps).toEqual([
      `cd ${dir}`,
      'put your wrike token in .floe/secrets.yaml (wrike-token), or export FLOE_SECRET_WRIKE_TOKEN=<token>',
      'floe config validate',
      'floe run --platform wrike',
    ]);

    // floe.yaml spells out the defaults: the loaded project equals an empty file's, plus the name
    // and the example parsers.
    const project = loadProject(dir);
    expect(project).toEqual({
      ...defaultProject(dir),
      name: 'acme',
      parsers: [
        {
          sql: join(dir, 'parsers/open_tasks_by_assignee.sql'),
          sources: ['tasks'],
          primaryKey: ['assignee_id'],
          schema: { assignee_id: 'string', open_tasks: 'long', high_importance: 'long' },
        },
        { module: join(dir, 'parsers/task_hours_by_status.ts') },
      ],
    });

    const { l1, l2 } = await loadProjectConfigs(dir);
    expect(l1.problems).toEqual([]);
    expect(l1.configs.map((c) => c.config.configId).sort()).toEqual([...WRIKE_CONFIG_IDS].sort());
    expect(l1.configs.every((c) => c.config.destination.namespace === 'wrike_staging')).toBe(true);
    expect(l2.problems).toEqual([]);
    expect(l2.configs.map((c) => c.config.configId).sort()).toEqual(
      ['example_open_tasks', ...WRIKE_L2_CONFIG_IDS].sort(),
    );
    expect(
      l2.configs.every((c) => Object.values(c.config.source).every((s) => s.namespace === 'wrike_staging')),
    ).toBe(true);

    const gitignore = (await readFile(join(dir, '.gitignore'), 'utf8')).split('\n');
    expect(gitignore).toContain('.floe/');
    expect(gitignore).toContain('warehouse/');
  });

  it('makes the secrets file private and leaves the token to the user', async () => {
    const dir = join(tmp, 'p');
    await scaffoldProject({ dir });
    const path = join(dir, '.floe/secrets.yaml');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.floe'))).mode & 0o077).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('FLOE_SECRET_WRIKE_TOKEN');
    // The placeholder is empty, so a run falls through to the environment variable.
    expect(new FileSecretStore(path).find('wrike-token')).toBeUndefined();
  });

  it('points the configs at a simulator, with its token and a chosen namespace', async () => {
    const dir = join(tmp, 'sim');
    const r = await scaffoldProject({ dir, baseUrl: 'http://127.0.0.1:8123', namespace: 'demo_raw' });
    const { l1, l2 } = await loadProjectConfigs(dir);
    expect(l1.problems).toEqual([]);
    for (const { config } of l1.configs) {
      expect(config.source.request.url.startsWith('http://127.0.0.1:8123/api/v4/')).toBe(true);
      expect(config.destination.namespace).toBe('demo_raw');
    }
    // The L2 configs read the L1 tables where the L1 configs write them.
    for (const { config } of l2.configs)
      for (const s of Object.values(config.source)) expect(s.namespace).toBe('demo_raw');
    expect(new FileSecretStore(join(dir, '.floe/secrets.yaml')).find('wrike-token')).toBe(
      'sim-permanent-token',
    );
    expect(r.nextSteps).toContain('start the simulator on that port: floe sim wrike --port 8123');
  });

  it('refuses to overwrite without force and writes nothing', async () => {
    const dir = join(tmp, 'p');
    await scaffoldProject({ dir });
    await writeFile(join(dir, 'floe.yaml'), 'parallelism: 2\n');
    await rm(join(dir, 'README.md'));
    const err = await scaffoldProject({ dir }).catch((e: unknown) => e);
    expect(isFloeError(err, 'already-exists')).toBe(true);
    expect((err as Error).message).toContain('floe.yaml');
    expect((err as Error).message).toContain('--force');
    expect(await readFile(join(dir, 'floe.yaml'), 'utf8')).toBe('parallelism: 2\n');
    await expect(stat(join(dir, 'README.md'))).rejects.toThrow();
  });

  it('overwrites with force, but keeps an existing secrets file', async () => {
    const dir = join(tmp, 'p');
    await scaffoldProject({ dir });
    await writeFile(join(dir, 'floe.yaml'), 'parallelism: 2\n');
    await writeFile(join(dir, '.floe/secrets.yaml'), 'wrike-token: real-token\n');
    const r = await scaffoldProject({ dir, force: true });
    expect(r.overwritten).toContain('floe.yaml');
    expect(r.kept).toEqual(['.floe/secrets.yaml']);
    expect(r.created).toEqual([]);
    expect(loadProject(dir).parallelism).toBe(4);
    expect(await readFile(join(dir, '.floe/secrets.yaml'), 'utf8')).toBe('wrike-token: real-token\n');
    expect(r.nextSteps.some((s) => s.includes('put your wrike token'))).toBe(false);
  });

  it('scaffolds into an existing empty folder', async () => {
    const r = await scaffoldProject({ dir: tmp });
    expect(r.root).toBe(tmp);
    expect((await loadProjectConfigs(tmp)).l1.configs).toHaveLength(WRIKE_CONFIG_IDS.length);
  });

  it('rejects an unknown platform and a file in place of the folder', async () => {
    const e1 = await scaffoldProject({ dir: join(tmp, 'x'), platform: 'salesforce' }).catch(
      (e: unknown) => e,
    );
    expect(isFloeError(e1, 'config-invalid')).toBe(true);
    expect((e1 as Error).message).toMatch(/available: wrike/);
    await writeFile(join(tmp, 'file'), '');
    const e2 = await scaffoldProject({ dir: join(tmp, 'file') }).catch((e: unknown) => e);
    expect(isFloeError(e2, 'already-exists')).toBe(true);
  });
});

describe('floe init', () => {
  it('parses its options and prints what it created and what to do next', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const program = new Command().exitOverride();
      registerInitCommands(program);
      const dir = join(tmp, 'cli');
      await program.parseAsync(
        ['init', dir, '--base-url', 'app-eu.wrike.com', '--namespace', 'eu_raw', '--token-key', 'eu-token'],
        { from: 'user' },
      );
      const { l1 } = await loadProjectConfigs(dir);
      const tasks = l1.configs.find((c) => c.config.configId === 'Wrike_Tasks')!.config;
      expect(tasks.source.request.url).toBe('https://app-eu.wrike.com/api/v4/tasks');
      expect(tasks.destination.namespace).toBe('eu_raw');
      expect(tasks.source.auth).toMatchObject({ tokenKey: 'eu-token' });
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain('created      floe.yaml');
    expect(text).toContain('floe config validate');
    expect(text).toContain('floe run --platform wrike');
    expect(text).toContain('FLOE_SECRET_EU_TOKEN');
  });
});
