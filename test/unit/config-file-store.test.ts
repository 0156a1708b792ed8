/** FileConfigStore and project loading: one item or a list per file, duplicate ids, all problems. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileConfigStore,
  formatProblem,
  loadProjectConfigs,
  parseConfigText,
} from '../../src/config/index.js';
import { isFloeError } from '../../src/errors.js';

const projects = join(import.meta.dirname, '../fixtures/projects');
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-config-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('FileConfigStore on the valid sample project', () => {
  const store = new FileConfigStore(join(projects, 'valid'));

  it('lists L1 configs from a seed JSON file and a YAML list file', async () => {
    const ids = (await store.listL1()).map((c) => c.configId).sort();
    expect(ids).toEqual(['Wrike_Contacts', 'Wrike_Folders', 'Wrike_Tasks']);
    expect(await store.listL1('WRIKE')).toHaveLength(3);
    expect(await store.listL1('cvent')).toEqual([]);
  });

  it('gets one config, parsed with extensions resolved', async () => {
    const tasks = await store.getL1('Wrike_Tasks');
    expect(tasks.source.pagination.type).toBe('cursor');
    expect(tasks.destination).toMatchObject({
      defaultwriteMode: 'MERGE',
      partitionBy: [{ source: 'createdDate', transform: 'month' }],
    });
    const folders = await store.getL1('Wrike_Folders');
    expect(folders.destination).toMatchObject({
      namespace: 'wrike',
      tableName: 'folders',
      columnNaming: 'source',
    });
  });

  it('reads a DynamoDB typed JSON L2 item', async () => {
    const l2 = await store.listL2('wrike');
    expect(l2.map((c) => c.configId)).toEqual(['wrike_projects_l2']);
    expect((await store.getL2('wrike_projects_l2')).parserName).toBe('project_parser');
  });

  it('an unknown id is not-found with "did you mean"', async () => {
    await expect(store.getL1('Wrike_Task')).rejects.toThrow(
      /config Wrike_Task not found in .*configs\/l1 \(did you mean Wrike_Tasks\?\)/,
    );
    await expect(store.getL1('Wrike_Task')).rejects.toSatisfy((e) => isFloeError(e, 'not-found'));
  });

  it('never writes to the project files', async () => {
    const file = join(projects, 'valid/configs/l1/tasks.yaml');
    const before = readFileSync(file, 'utf8');
    await new FileConfigStore(join(projects, 'valid')).listL1();
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('problems across files', () => {
  it('duplicate config ids across files: the error names both files', async () => {
    const store = new FileConfigStore(join(projects, 'duplicates'));
    await expect(store.listL1()).rejects.toThrow(
      'configs/l1/b.yml: config Wrike_Tasks: configId: defined twice, in configs/l1/a.yaml and configs/l1/b.yml (fix: give each config a unique configId, or delete one of them)',
    );
    await expect(store.getL1('Wrike_Tasks')).rejects.toThrow(/defined twice/);
  });

  it('collects every problem of a broken project, with file names', async () => {
    const { l1, l2 } = await loadProjectConfigs(join(projects, 'broken'));
    const lines = [...l1.problems, ...l2.problems].map((p) => `${p.severity} ${p.file}: ${formatProblem(p)}`);
    expect(lines).toEqual([
      'error configs/l1/folders.json: config Wrike_Folders: destination.defaultWriteMode: unknown key (did you mean defaultwriteMode?) (fix: rename it to defaultwriteMode)',
      'warning configs/l1/folders.json: config Wrike_Folders: extraNote: unknown key, ignored',
      expect.stringMatching(
        /^error configs\/l1\/syntax\.yaml: not valid YAML: .*line 3.* \(fix: correct the YAML syntax\)$/,
      ),
      expect.stringContaining(
        'error configs/l1/tasks.yaml: config Wrike_Tasks: destination.defaultwriteMode: expected one of APPEND | OVERWRITE | MERGE, got "UPSERT"',
      ),
      expect.stringContaining(
        'error configs/l1/tasks.yaml: config Wrike_Tasks: destination.lastUpdatedColumn: INCREMENTAL needs',
      ),
      expect.stringContaining(
        'error configs/l2/projects.yaml: config wrike_projects_l2: source.projects.fetchMode',
      ),
      expect.stringContaining(
        'error configs/l2/projects.yaml: config wrike_projects_l2: destination.primaryKey: MERGE needs',
      ),
    ]);
    expect(l1.files).toEqual(['configs/l1/folders.json', 'configs/l1/syntax.yaml', 'configs/l1/tasks.yaml']);
  });

  it('listL1 throws one config-invalid error listing every L1 problem', async () => {
    const store = new FileConfigStore(join(projects, 'broken'));
    const e = await store.listL1().catch((x: unknown) => x);
    expect(isFloeError(e, 'config-invalid')).toBe(true);
    expect((e as Error).message).toMatch(/^4 config problems:/);
  });

  it('one broken item does not block getting another', async () => {
    const dir = project({
      'configs/l1/ok.yaml':
        'configId: A\nplatform: p\nsource: {auth: {type: NONE}, request: {url: "https://x.test/a"}}\ndestination: {glueDatabase: d, glueTable: a}\n',
      'configs/l1/bad.yaml': 'configId: B\nplatform: p\n',
    });
    const store = new FileConfigStore(dir);
    expect((await store.getL1('A')).configId).toBe('A');
    await expect(store.getL1('B')).rejects.toThrow(/config B: source: is required/);
  });

  it('a missing configs folder is an empty project; reload re-reads files', async () => {
    const dir = project({});
    const store = new FileConfigStore(dir);
    expect(await store.listL1()).toEqual([]);
    expect(await store.listL2()).toEqual([]);
    writeFileSync(
      join(dir, 'x.json'),
      '{"configId": "l2a", "parserName": "p", "platform": "cvent", "source": {"s": {"glueDatabase": "d", "glueTable": "t"}}, "destination": {"glueDatabase": "d", "glueTable": "o"}}',
    );
    mkdirSync(join(dir, 'configs/l2'), { recursive: true });
    writeFileSync(
      join(dir, 'configs/l2/a.json'),
      '{"configId": "l2a", "parserName": "p", "platform": "cvent", "source": {"s": {"glueDatabase": "d", "glueTable": "t"}}, "destination": {"glueDatabase": "d", "glueTable": "o"}}',
    );
    expect(await store.listL2()).toEqual([]);
    store.reload();
    expect((await store.listL2()).map((c) => c.configId)).toEqual(['l2a']);
    expect(await store.listL2('wrike')).toEqual([]);
    expect(await store.listL2('Cvent')).toHaveLength(1);
  });
});

describe('parseConfigText', () => {
  it('reads multi-document YAML, lists, and aws dynamodb scan/get-item output', () => {
    expect(parseConfigText('a: 1\n---\nb: 2\n---\n', 'x.yaml')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseConfigText('- a: 1\n- b: 2\n', 'x.yml')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(
      parseConfigText(
        '{"Items": [{"configId": {"S": "a"}}, {"configId": {"S": "b"}}], "Count": 2, "ScannedCount": 2}',
        'scan.json',
      ),
    ).toEqual([{ configId: 'a' }, { configId: 'b' }]);
    expect(parseConfigText('{"Item": {"configId": {"S": "a"}, "n": {"N": "3"}}}', 'get.json')).toEqual([
      { configId: 'a', n: 3 },
    ]);
  });

  it('keeps YAML timestamps as strings (lastSyncTime stays what the user wrote)', () => {
    expect(parseConfigText('lastSyncTime: 2024-01-15T10:30:00Z\n', 'x.yaml')).toEqual([
      { lastSyncTime: '2024-01-15T10:30:00Z' },
    ]);
  });

  it('JSON syntax errors name the file', () => {
    expect(() => parseConfigText('{"a": ', 'configs/l1/a.json')).toThrow(
      /^configs\/l1\/a\.json: not valid JSON: /,
    );
  });
});
