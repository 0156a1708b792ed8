/**
 * The L2 commands as a user runs them (the real bin, piped output = JSON lines): `floe parsers
 * list`, `floe parsers test` (sample output and inferred schema, nothing written), and
 * `floe table read --where / --since-snapshot`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldInput } from '../../src/iceberg/index.js';
import { type L2TestProject, l2Project } from '../support/l2-project.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;

const FIELDS: FieldInput[] = [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
];

let p: L2TestProject;
let firstSnapshot: bigint;

async function floe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(process.execPath, [bin, ...args, '--project', p.dir], { timeout: 120_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  p = await l2Project(`parsers:
  - sql: parsers/people.sql
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string }
  - sql: parsers/loose.sql
    name: loose
    sources: [src]
    primaryKey: [id]
    schema: { id: long, name: string }
  - module: parsers/escape.ts
  - module: parsers/typed.ts
`);
  p.file(
    'parsers/typed.ts',
    `interface Ctx { source(name: string): string }
const typed: { name: string; sources: string[]; primaryKey: string[]; schema: Record<string, string>; transform(ctx: Ctx): string } = {
  name: 'typed',
  sources: ['src'],
  primaryKey: ['id'],
  schema: { id: 'long', doubled: 'long' },
  transform: (ctx: Ctx): string => \`SELECT id, id * 2 AS doubled FROM \${ctx.source('src')}\`,
};
export default typed;
`,
  );
  // A link out of the project: the file it names is refused, wherever the link is.
  const outside = join(mkdtempSync(join(tmpdir(), 'floe-outside-')), 'evil.ts');
  writeFileSync(outside, 'export default {};\n');
  mkdirSync(join(p.dir, 'parsers'), { recursive: true });
  symlinkSync(outside, join(p.dir, 'parsers', 'escape.ts'));
  p.file('parsers/people.sql', 'SELECT id, upper(name) AS name FROM src');
  p.file('parsers/loose.sql', 'SELECT id, name, 1 AS extra FROM src');
  await p.seed('raw.src', FIELDS, `SELECT i::BIGINT AS id, 'n' || i AS name FROM range(1, 6) t(i)`);
  firstSnapshot = (await p.table('raw.src')).currentSnapshot()!['snapshot-id'];
  await p.seed('raw.src', FIELDS, `SELECT 6::BIGINT AS id, 'n6' AS name`);
});
afterAll(() => p?.cleanup());

describe('floe parsers', () => {
  it('list shows the packs’ parsers and the project’s, and warns about one that cannot be registered', async () => {
    const r = await floe('parsers', 'list');
    const parsers = lines(r.stdout);
    expect(parsers.map((x) => x.name)).toEqual([
      'cvent_event_attendance_parser',
      'cvent_session_attendance_parser',
      'eloqua_email_engagement_parser',
      'loose',
      'medallia_feedback_parser',
      'people',
      'project_parser',
      'task_parser',
      'timelog_daily_parser',
      'typed',
    ]);
    expect(parsers.find((x) => x.name === 'typed')).toMatchObject({
      kind: 'typescript',
      from: 'floe.yaml parsers: parsers/typed.ts',
    });
    expect(parsers.find((x) => x.name === 'people')).toMatchObject({
      kind: 'sql',
      from: 'floe.yaml parsers: parsers/people.sql',
      sources: 'src',
      primary_key: 'id',
    });
    expect(parsers.find((x) => x.name === 'cvent_event_attendance_parser')).toMatchObject({
      kind: 'sql',
      from: 'built-in (cvent pack)',
      sources: 'attendees, events, sessions',
      primary_key: 'event_id',
    });
    expect(parsers.find((x) => x.name === 'cvent_session_attendance_parser')).toMatchObject({
      kind: 'sql',
      from: 'built-in (cvent pack)',
      sources: 'attendance, sessions, attendees',
      primary_key: 'session_id',
    });
    expect(parsers.find((x) => x.name === 'eloqua_email_engagement_parser')).toMatchObject({
      kind: 'sql',
      from: 'built-in (eloqua pack)',
      sources: 'sends, opens, clickthroughs, campaigns, emails',
      primary_key: 'campaign_id, email_id',
    });
    expect(parsers.find((x) => x.name === 'medallia_feedback_parser')).toMatchObject({
      kind: 'typescript',
      from: 'built-in (medallia pack)',
      sources: 'feedback, fields',
      primary_key: 'feedback_id',
    });
    expect(parsers.find((x) => x.name === 'project_parser')).toMatchObject({
      kind: 'typescript',
      sources: 'projects, folders, contacts, customfields, workflows?, spaces?',
    });
    expect(r.stderr).toMatch(
      /a parser could not be registered: floe\.yaml parsers: parsers\/escape\.ts: the file is outside the project folder/,
    );
    expect(r.code).toBe(1);
  });

  it('test runs a parser over the current tables and prints sample rows and the inferred schema; nothing is written', async () => {
    const r = await floe('parsers', 'test', 'people', '--source', 'src=raw.src', '--limit', '2');
    expect(r.code).toBe(0);
    const [out] = lines(r.stdout);
    expect(out).toMatchObject({
      parser: 'people',
      config: null,
      sources: [{ name: 'src', table: 'raw.src', rows: 6 }],
      rows: 6,
      problems: [],
      schema: [
        { column: 'id', type: 'long', declared: 'long' },
        { column: 'name', type: 'string', declared: 'string' },
      ],
    });
    expect(out!.sample).toEqual([
      { id: '1', name: 'N1' },
      { id: '2', name: 'N2' },
    ]);
    expect(await p.catalog(async (c) => (await c.entries()).map((e) => e.id.name))).toEqual(['src']);
  });

  it('test runs a TypeScript parser written with types (loaded through tsx)', async () => {
    const r = await floe('parsers', 'test', 'typed', '--source', 'src=raw.src', '--limit', '1');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatchObject({ rows: 6, problems: [], sample: [{ id: '1', doubled: '2' }] });
  });

  it('test reports output that does not match the declared schema (exit 1), and unknown parsers', async () => {
    const r = await floe('parsers', 'test', 'loose', '--source', 'src=raw.src');
    expect(r.code).toBe(1);
    expect(lines(r.stdout)[0]!.problems).toEqual([
      'it produces column "extra", which its schema does not declare',
    ]);
    const u = await floe('parsers', 'test', 'peple', '--source', 'src=raw.src');
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(
      /parserName "peple" is not a registered parser \(did you mean people\?\); known parsers: .*\bloose, medallia_feedback_parser, people\b/,
    );
    const m = await floe('parsers', 'test', 'people');
    expect(m.stderr).toMatch(
      /no L2 config of the project uses it, so name its tables: --source src=<namespace.table>/,
    );
  });
});

describe('floe table read', () => {
  it('--where filters rows; --since-snapshot reads the rows added after a snapshot', async () => {
    const where = lines(
      (await floe('table', 'read', 'raw.src', '--where', "id >= 4 AND name != 'n5'")).stdout,
    );
    expect(where.map((r) => r.id).sort()).toEqual([4, 6]);
    const since = lines(
      (await floe('table', 'read', 'raw.src', '--since-snapshot', String(firstSnapshot))).stdout,
    );
    expect(since).toEqual([{ id: 6, name: 'n6' }]);
    const both = lines(
      (await floe('table', 'read', 'raw.src', '--since-snapshot', String(firstSnapshot), '--where', 'id < 6'))
        .stdout,
    );
    expect(both).toEqual([]);
    const bad = await floe('table', 'read', 'raw.src', '--where', 'id >');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/filter "id >": expected a value/);
  });
});
