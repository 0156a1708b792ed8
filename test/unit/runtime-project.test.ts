import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import {
  defaultProject,
  findProjectRoot,
  loadProject,
  parseProjectFile,
} from '../../src/runtime/local/project.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-project-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function loadError(text: string): FloeError {
  try {
    parseProjectFile(text, '/p/floe.yaml');
  } catch (e) {
    if (e instanceof FloeError) return e;
    throw e;
  }
  throw new Error('expected floe.yaml to be rejected');
}

describe('floe.yaml', () => {
  it('an empty file gives every default, paths resolved against the project folder', () => {
    writeFileSync(join(dir, 'floe.yaml'), '');
    const p = loadProject(dir);
    expect(p).toEqual({
      root: dir,
      file: join(dir, 'floe.yaml'),
      environment: 'local',
      catalog: { type: 'sql', name: 'floe', path: join(dir, '.floe/catalog.db') },
      warehouse: join(dir, 'warehouse'),
      state: { path: join(dir, '.floe/state.db') },
      configs: { l1: join(dir, 'configs/l1'), l2: join(dir, 'configs/l2') },
      secrets: { file: join(dir, '.floe/secrets.yaml'), env: true },
      logs: { dir: join(dir, '.floe/logs'), format: 'auto', level: 'info' },
      notifications: { reportDir: join(dir, '.floe/reports'), webhookTimeoutMs: 10000, recipients: [] },
      parallelism: 4,
      parsers: [],
    });
    expect(defaultProject(dir)).toEqual(p);
  });

  it('takes given values, partial sections keep their other defaults, absolute paths stay', () => {
    writeFileSync(
      join(dir, 'floe.yaml'),
      [
        'environment: dev',
        'catalog: { name: lake }',
        'warehouse: /data/warehouse',
        'secrets: { file: false }',
        'logs: { format: json }',
        'notifications:',
        '  webhook: http://127.0.0.1:9/hook',
        '  recipients: [a@example.com]',
        'parallelism: 8',
      ].join('\n'),
    );
    const p = loadProject(dir);
    expect(p.environment).toBe('dev');
    expect(p.catalog).toEqual({ type: 'sql', name: 'lake', path: join(dir, '.floe/catalog.db') });
    expect(p.warehouse).toBe('/data/warehouse');
    expect(p.secrets).toEqual({ file: false, env: true });
    expect(p.logs).toEqual({ dir: join(dir, '.floe/logs'), format: 'json', level: 'info' });
    expect(p.notifications.webhook).toBe('http://127.0.0.1:9/hook');
    expect(p.notifications.recipients).toEqual(['a@example.com']);
    expect(p.parallelism).toBe(8);
  });

  it('errors name floe.yaml and the field', () => {
    const e1 = loadError('logs: { format: text }');
    expect(e1.kind).toBe('config-invalid');
    expect(e1.message).toMatch(/^\/p\/floe\.yaml: field 'logs\.format'/);
    expect(e1.context.field).toBe('logs.format');
    expect(loadError('parallelism: 0').message).toContain("field 'parallelism'");
    expect(loadError('parallelism: four').message).toContain("field 'parallelism'");
    expect(loadError('notifications: { webhook: "ftp://x" }').message).toContain(
      "field 'notifications.webhook': must be an http(s) URL",
    );
    expect(loadError('catalog: { type: glue }').message).toContain("field 'catalog.type'");
  });

  it('unknown fields are rejected with a suggestion', () => {
    const e = loadError('paralellism: 2');
    expect(e.message).toContain("unknown field 'paralellism' (did you mean parallelism?)");
    const nested = loadError('logs: { fromat: json }');
    expect(nested.message).toContain("unknown field 'logs.fromat' (did you mean format?)");
    expect(nested.message).toContain('known fields here: dir, format, level');
  });

  it('invalid YAML names the file', () => {
    expect(loadError('catalog: [unclosed').message).toMatch(/^\/p\/floe\.yaml is not valid YAML/);
  });

  it('findProjectRoot walks up to the folder holding floe.yaml; loadProject from a subfolder', () => {
    writeFileSync(join(dir, 'floe.yaml'), 'parallelism: 2\n');
    const deep = join(dir, 'configs', 'l1', 'x');
    mkdirSync(deep, { recursive: true });
    expect(findProjectRoot(deep)).toBe(dir);
    expect(loadProject(deep).root).toBe(dir);
    expect(loadProject(deep).parallelism).toBe(2);
  });

  it('no floe.yaml anywhere up: not-found saying what to do', () => {
    const lonely = join(dir, 'a');
    mkdirSync(lonely);
    // tmpdir has no floe.yaml above it (unless someone put one in /tmp or /).
    expect(findProjectRoot(lonely)).toBeUndefined();
    expect(() => loadProject(lonely)).toThrow(/no floe\.yaml in .*floe init/);
  });
});
