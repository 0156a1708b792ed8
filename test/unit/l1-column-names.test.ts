import { describe, expect, it } from 'vitest';
import { type Collision, childLevel, elementLevel, LevelNames } from '../../src/l1/column-names.js';
import { RowLineEncoder } from '../../src/l1/row-line.js';

const ingest = { timestamp: '2024-05-01T10:00:00.000Z', runId: 'run-1' };

describe('LevelNames', () => {
  it('gives colliding keys numbered names, first come first served, case-insensitively', () => {
    const seen: Collision[] = [];
    const n = new LevelNames('', 'snake_case', undefined, ['ingest_timestamp'], (c) => seen.push(c));
    expect(n.column('updatedDate')).toBe('updated_date');
    expect(n.column('updated_date')).toBe('updated_date_2');
    expect(n.column('UpdatedDate')).toBe('updated_date_3');
    expect(n.column('updatedDate')).toBe('updated_date');
    expect(n.column('ingest_timestamp')).toBe('ingest_timestamp_2');
    expect(seen.map((c) => [c.key, c.column, c.ownedBy])).toEqual([
      ['updated_date', 'updated_date_2', 'updatedDate'],
      ['UpdatedDate', 'updated_date_3', 'updatedDate'],
      ['ingest_timestamp', 'ingest_timestamp_2', '(floe)'],
    ]);
  });

  it('a key that looks like a generated name does not steal it', () => {
    const n = new LevelNames('', 'snake_case', undefined, [], () => {});
    expect(n.column('a.b')).toBe('a_b');
    expect(n.column('A B')).toBe('a_b_2');
    expect(n.column('a_b_2')).toBe('a_b_2_2');
  });

  it('starts from recorded owners, so arrival order no longer matters', () => {
    const known = { updated_date: 'updatedDate', updated_date_2: 'updated_date' };
    const n = new LevelNames('', 'snake_case', known, [], () => {});
    expect(n.column('updated_date')).toBe('updated_date_2');
    expect(n.column('updatedDate')).toBe('updated_date');
  });

  it('source naming keeps names but still parts names engines cannot tell apart', () => {
    const n = new LevelNames('', 'source', undefined, [], () => {});
    expect(n.column('Name')).toBe('Name');
    expect(n.column('name')).toBe('name_2');
    expect(n.column('')).toBe('unnamed');
  });

  it('level paths escape dots and brackets in names', () => {
    expect(childLevel('', 'a.b')).toBe('a\\.b');
    expect(childLevel('x', 'y')).toBe('x.y');
    expect(elementLevel('x')).toBe('x.[]');
    expect(childLevel('', '[]')).toBe('\\[]');
  });
});

describe('RowLineEncoder names', () => {
  it('nested collisions get distinct struct fields; values under text columns keep both keys', () => {
    const enc = new RowLineEncoder('snake_case', ingest);
    const line = JSON.parse(`${enc.encode({ n: { 'x-y': 1, X_Y: 2 }, t: 'text' })}}`);
    expect(line.n).toEqual({ x_y: 1, x_y_2: 2 });
    const enc2 = new RowLineEncoder('snake_case', ingest);
    enc2.encode({ v: 'text' });
    const line2 = JSON.parse(`${enc2.encode({ v: { 'x-y': 1, X_Y: 2 } })}}`);
    expect(line2.v).toEqual({ x_y: 1, x_y_2: 2 });
  });

  it('records the owners of every column, nested levels included', () => {
    const enc = new RowLineEncoder('snake_case', ingest);
    enc.encode({ updatedDate: 'a', updated_date: 'b', n: { 'x-y': 1 }, l: [{ fooBar: 1 }] });
    expect(enc.columnSources()).toEqual({
      '': { updated_date: 'updatedDate', updated_date_2: 'updated_date', n: 'n', l: 'l' },
      n: { x_y: 'x-y' },
      'l.[]': { foo_bar: 'fooBar' },
    });
  });

  it('a config naming a key finds the column it was written to', () => {
    const enc = new RowLineEncoder('snake_case', ingest);
    enc.encode({ updatedDate: 'a', updated_date: 'b' });
    expect(enc.rootColumnFor('updatedDate')).toBe('updated_date');
    expect(enc.rootColumnFor('updated_date')).toBe('updated_date_2');
    expect(enc.rootColumnFor('neverSeen')).toBe('never_seen');
  });
});
