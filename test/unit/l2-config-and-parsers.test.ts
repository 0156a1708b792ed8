/**
 * The L2 item's floe extensions (and the rules they bring), the parser type notation, the parser
 * registry's checks, and the floe.yaml `parsers` section.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseL2Item, validateL2Item } from '../../src/config/index.js';
import { ParserRegistry } from '../../src/l2/parsers/registry.js';
import { sqlParser } from '../../src/l2/parsers/sql-parser.js';
import { formatType, parseTypeExpr } from '../../src/l2/parsers/type-expr.js';
import { sourceMode } from '../../src/l2/sources.js';
import { parseProjectFile } from '../../src/runtime/local/project.js';

const item = (extra: Record<string, unknown> = {}, destination: Record<string, unknown> = {}) => ({
  configId: 'x_l2',
  parserName: 'p',
  source: {
    a: {
      glueDatabase: 'raw',
      glueTable: 'a',
      fetchMode: 'INCREMENTAL',
      incrementalColumn: 'ingestTimestamp',
    },
    b: { glueDatabase: 'raw', glueTable: 'b' },
  },
  destination: {
    glueDatabase: 'out',
    glueTable: 'x',
    primaryKey: ['id'],
    defaultwriteMode: 'MERGE',
    ...destination,
  },
  ...extra,
});

describe('L2 config extensions', () => {
  it('defaults: columnNaming snake_case, runOnSourceFailure false, FULL; how each source is read', () => {
    const c = parseL2Item(item());
    expect(c.destination.columnNaming).toBe('snake_case');
    expect(c.runOnSourceFailure).toBe(false);
    expect(c.loadType).toBe('FULL');
    // A FULL run reads everything; an INCREMENTAL one per source.
    expect(sourceMode(c.source.a!, 'FULL')).toBe('FULL');
    expect(sourceMode(c.source.a!, 'INCREMENTAL')).toBe('COLUMN');
    expect(sourceMode(c.source.b!, 'INCREMENTAL')).toBe('FULL');
    const snap = parseL2Item(
      item({ source: { a: { glueDatabase: 'raw', glueTable: 'a', fetchMode: 'incremental' } } }),
    );
    expect(sourceMode(snap.source.a!, 'INCREMENTAL')).toBe('SNAPSHOT');
    const forced = parseL2Item(
      item({
        source: {
          a: {
            glueDatabase: 'raw',
            glueTable: 'a',
            fetchMode: 'INCREMENTAL',
            incrementalColumn: 'x',
            incrementalBy: 'snapshot',
          },
        },
      }),
    );
    expect(sourceMode(forced.source.a!, 'INCREMENTAL')).toBe('SNAPSHOT');
  });

  it('refuses INCREMENTAL with OVERWRITE when a source is read incrementally, naming the fix', () => {
    const r = validateL2Item(item({ loadType: 'INCREMENTAL' }, { defaultwriteMode: 'OVERWRITE' }));
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.field === 'destination.defaultwriteMode')!;
    expect(p.message).toContain('OVERWRITE would replace the table with the output of those alone');
    expect(p.fix).toContain('MERGE');
    // With every source read in full it is a plain recomputation: fine.
    expect(
      validateL2Item(
        item(
          { loadType: 'INCREMENTAL', source: { b: { glueDatabase: 'raw', glueTable: 'b' } } },
          { defaultwriteMode: 'OVERWRITE' },
        ),
      ).ok,
    ).toBe(true);
  });

  it('checks duplicateKeys and incrementalBy', () => {
    expect(
      parseL2Item(item({}, { duplicateKeys: { keep: 'latest', orderBy: 'updatedDate' } })).destination
        .duplicateKeys,
    ).toEqual({
      keep: 'LATEST',
      orderBy: 'updatedDate',
    });
    const bad = validateL2Item(item({}, { duplicateKeys: { keep: 'NEWEST' } }));
    expect(bad.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['destination.duplicateKeys.keep', 'destination.duplicateKeys.orderBy']),
    );
    const by = validateL2Item(
      item({ source: { a: { glueDatabase: 'raw', glueTable: 'a', incrementalBy: 'ROWS' } } }),
    );
    expect(by.problems.map((p) => p.field)).toContain('source.a.incrementalBy');
  });
});

describe('parser type notation', () => {
  it('parses primitives, decimals, lists, maps and structs, and prints them back', () => {
    expect(parseTypeExpr('string', 'x')).toBe('string');
    expect(parseTypeExpr(' Decimal( 10 ,2 ) ', 'x')).toBe('decimal(10, 2)');
    const t = parseTypeExpr('map<string, list<struct<a: long, b: timestamptz>>>', 'x');
    expect(t).toEqual({
      type: 'map',
      key: 'string',
      value: {
        type: 'list',
        element: {
          type: 'struct',
          fields: [
            { name: 'a', type: 'long' },
            { name: 'b', type: 'timestamptz' },
          ],
        },
      },
    });
    expect(formatType(t)).toBe('map<string, list<struct<a: long, b: timestamptz>>>');
  });

  it('says what is wrong, where', () => {
    expect(() => parseTypeExpr('varchar', 'parser p, column c')).toThrow(
      /parser p, column c: type "varchar": unknown type "varchar"; use one of boolean, int/,
    );
    expect(() => parseTypeExpr('list<string', 'c')).toThrow(/expected ">"/);
    expect(() => parseTypeExpr('decimal(40, 2)', 'c')).toThrow(/1 ≤ precision ≤ 38/);
    expect(() => parseTypeExpr('string string', 'c')).toThrow(/unexpected "string"/);
  });
});

describe('parser registry', () => {
  const ok = () =>
    sqlParser({
      name: 'p',
      sql: 'SELECT 1 AS id;',
      sources: ['a'],
      primaryKey: ['id'],
      schema: { id: 'long' },
    });

  it('registers parsers and finds them by name; an unknown name lists the known ones', () => {
    const r = new ParserRegistry();
    r.register(ok(), { kind: 'sql', from: 'test' });
    expect(r.get('p').schema).toEqual({ id: 'long' });
    expect(() => r.get('q', 'cfg')).toThrow(
      /config cfg: parserName "q" is not a registered parser \(did you mean p\?\); known parsers: p/,
    );
    expect(() => r.register(ok(), { kind: 'sql', from: 'elsewhere' })).toThrow(
      /parser "p" is registered twice, by test and by elsewhere/,
    );
  });

  it('refuses a definition that is not whole, naming what is missing', () => {
    const r = new ParserRegistry();
    const from = { kind: 'typescript' as const, from: 'parsers/x.ts' };
    const base = {
      name: 'x',
      sources: ['a'],
      primaryKey: ['id'],
      schema: { id: 'long' },
      transform: () => 'SELECT 1',
    };
    expect(() => r.register({ ...base, name: '../etc' }, from)).toThrow(
      /needs a name of 1 to 255 ASCII letters/,
    );
    expect(() => r.register({ ...base, sources: [] }, from)).toThrow(/sources must name at least one source/);
    expect(() => r.register({ ...base, primaryKey: ['nope'] }, from)).toThrow(
      /primaryKey column "nope" is not in its schema/,
    );
    expect(() => r.register({ ...base, schema: { id: 'bigint' } }, from)).toThrow(/unknown type "bigint"/);
    expect(() => r.register({ ...base, transform: undefined } as never, from)).toThrow(
      /transform must be a function/,
    );
    expect(() => sqlParser({ ...base, sql: ' ;' })).toThrow(/SQL parser "x" has no SELECT/);
  });
});

describe('floe.yaml parsers', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('takes SQL parsers with their declarations and TypeScript modules', () => {
    const p = parseProjectFile(
      'parsers:\n  - sql: parsers/a.sql\n    sources: [t]\n    primaryKey: [id]\n    schema: { id: long }\n  - module: parsers/b.ts\n',
    );
    expect(p.parsers).toEqual([
      { sql: 'parsers/a.sql', sources: ['t'], primaryKey: ['id'], schema: { id: 'long' } },
      { module: 'parsers/b.ts' },
    ]);
  });

  it('refuses an entry with neither or both files, a SQL parser without declarations, and a module with them', () => {
    expect(() => parseProjectFile('parsers:\n  - name: x\n')).toThrow(
      /needs exactly one of sql: <file.sql> or module: <file.ts>/,
    );
    expect(() => parseProjectFile('parsers:\n  - sql: a.sql\n')).toThrow(/a SQL parser needs sources/);
    expect(() => parseProjectFile('parsers:\n  - module: b.ts\n    schema: { id: long }\n')).toThrow(
      /a TypeScript parser declares schema in its module, not here/,
    );
    expect(() =>
      parseProjectFile(
        'parsers:\n  - sql: a.sql\n    sources: [t]\n    primaryKey: []\n    schema: {}\n    sorce: x\n',
      ),
    ).toThrow(/sorce/);
  });

  it('a project folder’s parsers join the built-in ones', async () => {
    const { parsersForProject } = await import('../../src/l2/parsers/project-parsers.js');
    const dir = mkdtempSync(join(tmpdir(), 'floe-parsers-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'floe.yaml'),
      'parsers:\n  - sql: mine.sql\n    name: mine\n    sources: [t]\n    primaryKey: [id]\n    schema: { id: long }\n  - sql: missing.sql\n    sources: [t]\n    primaryKey: [id]\n    schema: { id: long }\n',
    );
    writeFileSync(join(dir, 'mine.sql'), 'SELECT id FROM t');
    const r = await parsersForProject(dir);
    expect(r.names()).toEqual([
      'cvent_event_attendance_parser',
      'cvent_session_attendance_parser',
      'eloqua_email_engagement_parser',
      'medallia_feedback_parser',
      'mine',
      'project_parser',
      'task_parser',
      'timelog_daily_parser',
    ]);
    expect(r.get('cvent_event_attendance_parser').origin).toEqual({
      kind: 'sql',
      from: 'built-in (cvent pack)',
    });
    expect(r.get('medallia_feedback_parser').origin).toEqual({
      kind: 'typescript',
      from: 'built-in (medallia pack)',
    });
    expect(r.get('mine').origin).toEqual({ kind: 'sql', from: 'floe.yaml parsers: mine.sql' });
    // A broken entry fails only the configs naming it: the lookup error says why it is missing.
    expect(r.problems[0]).toMatch(/floe\.yaml parsers: missing\.sql: cannot read the file/);
    expect(() => r.get('missing')).toThrow(
      /Parsers that could not be registered: floe\.yaml parsers: missing\.sql/,
    );
  });
});
