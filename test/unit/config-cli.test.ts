/** `floe config validate|schema|show` through commander, output captured. */
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerConfigCommands } from '../../src/cli/commands/config.js';

const projects = join(import.meta.dirname, '../fixtures/projects');
let out: string[] = [];

beforeEach(() => {
  out = [];
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerConfigCommands(program);
  await program.parseAsync(['node', 'floe', 'config', ...args]);
  return out.join('');
}

describe('floe config validate', () => {
  it('passes a valid project', async () => {
    const text = await run('validate', join(projects, 'valid'));
    expect(text).toContain('3 files: 3 valid L1 and 1 valid L2 configs; 0 errors, 0 warnings');
    expect(process.exitCode).toBeUndefined();
  });

  it('prints every problem with file names and sets a non-zero exit code', async () => {
    const text = await run('validate', join(projects, 'broken'));
    const lines = text.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error: '))).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('warning: '))).toHaveLength(1);
    expect(text).toContain('error: configs/l1/tasks.yaml: config Wrike_Tasks: destination.defaultwriteMode');
    expect(text).toContain('error: configs/l2/projects.yaml: config wrike_projects_l2');
    expect(lines.at(-1)).toBe('4 files: 0 valid L1 and 0 valid L2 configs; 6 errors, 1 warning');
    expect(process.exitCode).toBe(1);
  });

  it('validates a single file; the layer comes from its folder or content', async () => {
    const text = await run('validate', join(projects, 'valid/configs/l2/projects.json'));
    expect(text).toContain('1 file: 0 valid L1 and 1 valid L2 configs; 0 errors');
    const seed = await run(
      'validate',
      join(import.meta.dirname, '../fixtures/seed/wrike-contacts.l1.dynamodb.json'),
    );
    expect(seed).toContain('1 valid L1');
  });

  it('an empty folder is an error, not a silent pass', async () => {
    await expect(run('validate', join(projects, 'valid/configs'))).rejects.toThrow(/no config files/);
  });
});

describe('floe config schema / show', () => {
  it('prints the L1 and L2 JSON Schemas', async () => {
    const l1 = JSON.parse(await run('schema'));
    expect(l1.title).toMatch(/L1/);
    expect(l1.properties.destination.properties.defaultwriteMode.enum).toEqual([
      'APPEND',
      'OVERWRITE',
      'MERGE',
    ]);
    out = [];
    const l2 = JSON.parse(await run('schema', '--l2'));
    expect(l2.properties.parserName).toBeDefined();
  });

  it('shows a config with defaults applied', async () => {
    const shown = JSON.parse(await run('show', 'Wrike_Contacts', '--project', join(projects, 'valid')));
    expect(shown.destination).toMatchObject({
      namespace: 'wrike_test',
      columnNaming: 'snake_case',
      batchRows: 10000,
    });
  });
});
