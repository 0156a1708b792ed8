/**
 * The pure parts of maintenance: which snapshots expiry keeps (age, count, branches, tags, ref
 * overrides, rolled-back snapshots), what the snapshot log becomes, which metadata files a commit
 * drops, and the CLI's durations and sizes.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/cli/commands/table-maintain.js';
import { planRetention, withoutSnapshots } from '../../src/iceberg/maintenance/expire-snapshots.js';
import { droppedMetadataFiles } from '../../src/iceberg/maintenance/old-metadata.js';
import {
  newTableMetadata,
  type Snapshot,
  type TableMetadata,
  withSnapshot,
} from '../../src/iceberg/spec/metadata.js';
import { unpartitionedSpec } from '../../src/iceberg/spec/partition.js';
import { buildSchema } from '../../src/iceberg/spec/schema.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** A main branch of snapshots 1..n, snapshot i committed i days after day 0. */
function table(n: number): TableMetadata {
  let m = newTableMetadata({
    location: 'file:///w/t',
    schema: buildSchema([{ name: 'id', type: 'long' }]),
    spec: unpartitionedSpec(),
    now: 0,
  });
  for (let i = 1; i <= n; i++) m = withSnapshot(m, snap(i, i > 1 ? i - 1 : undefined, i * DAY));
  return m;
}

function snap(id: number, parent: number | undefined, ts: number, seq = BigInt(id)): Snapshot {
  return {
    'snapshot-id': BigInt(id),
    ...(parent !== undefined ? { 'parent-snapshot-id': BigInt(parent) } : {}),
    'sequence-number': seq,
    'timestamp-ms': ts,
    'manifest-list': `file:///w/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append' },
  };
}

const kept = (r: { keep: Set<bigint> }) => [...r.keep].map(Number).sort((a, b) => a - b);

describe('planRetention', () => {
  it('by age, with at least retainLast on the branch; the head always stays', () => {
    const m = table(10);
    expect(kept(planRetention(m, { olderThanMs: 8 * DAY, now: NOW }))).toEqual([8, 9, 10]);
    expect(kept(planRetention(m, { olderThanMs: NOW, retainLast: 3, now: NOW }))).toEqual([8, 9, 10]);
    expect(kept(planRetention(m, { olderThanMs: NOW, now: NOW }))).toEqual([10]);
    expect(kept(planRetention(m, { olderThanMs: 0, retainLast: 1, now: NOW }))).toEqual(range(1, 11));
    // maxSnapshotAgeMs is relative to now.
    expect(kept(planRetention(m, { maxSnapshotAgeMs: NOW - 9 * DAY, now: NOW }))).toEqual([9, 10]);
  });

  it("defaults to the table's history.expire properties (5 days, 1 snapshot)", () => {
    const m = table(10);
    expect(kept(planRetention(m, { now: 12 * DAY }))).toEqual([7, 8, 9, 10]);
    const props = {
      ...m,
      properties: {
        ...m.properties,
        'history.expire.max-snapshot-age-ms': String(DAY),
        'history.expire.min-snapshots-to-keep': '4',
      },
    };
    expect(kept(planRetention(props, { now: 12 * DAY }))).toEqual([7, 8, 9, 10]);
    expect(kept(planRetention(props, { now: 9.5 * DAY }))).toEqual([7, 8, 9, 10]);
  });

  it('keeps tag heads and branches (with their own overrides); drops a tag past its max-ref-age', () => {
    let m = table(10);
    m = {
      ...m,
      refs: {
        ...m.refs,
        release: { 'snapshot-id': 2n, type: 'tag' },
        old: { 'snapshot-id': 3n, type: 'tag', 'max-ref-age-ms': DAY },
        audit: { 'snapshot-id': 5n, type: 'branch', 'min-snapshots-to-keep': 2 },
      },
    };
    const r = planRetention(m, { olderThanMs: NOW, now: NOW });
    expect(kept(r)).toEqual([2, 4, 5, 10]);
    expect(r.droppedRefs).toEqual(['old']);
    expect(Object.keys(r.refs).sort()).toEqual(['audit', 'main', 'release']);
  });

  it('a snapshot on no branch (rolled back) goes by age alone', () => {
    let m = table(5);
    m = { ...m, snapshots: [...m.snapshots, snap(6, 3, 20 * DAY, 6n)] };
    expect(kept(planRetention(m, { olderThanMs: 10 * DAY, now: NOW }))).toEqual([5, 6]);
    expect(kept(planRetention(m, { olderThanMs: 30 * DAY, now: NOW }))).toEqual([5]);
  });
});

describe('withoutSnapshots', () => {
  it('drops the snapshots and the snapshot-log history before a removed entry', () => {
    const m = table(5);
    const r = planRetention(m, { olderThanMs: 4 * DAY, now: NOW });
    const next = withoutSnapshots(m, r.keep, r.refs, NOW);
    expect(next.snapshots.map((s) => Number(s['snapshot-id']))).toEqual([4, 5]);
    expect(next['snapshot-log'].map((e) => Number(e['snapshot-id']))).toEqual([4, 5]);
    expect(next['current-snapshot-id']).toBe(5n);
    expect(next.refs.main?.['snapshot-id']).toBe(5n);
  });
});

describe('droppedMetadataFiles', () => {
  it('names the files the previous version logged (and itself) that the new log no longer does', () => {
    const m = table(1);
    const log = (files: string[]) => files.map((f, i) => ({ 'timestamp-ms': i, 'metadata-file': f }));
    const before = {
      ...m,
      'metadata-log': log(['file:///w/t/metadata/1.json', 'file:/w/t/metadata/2.json']),
    };
    const after = {
      ...m,
      'metadata-log': log(['file:///w/t/metadata/2.json', 'file:///w/t/metadata/3.json']),
    };
    expect(
      droppedMetadataFiles(before, 'file:///w/t/metadata/3.json', after, 'file:///w/t/metadata/4.json'),
    ).toEqual(['file:///w/t/metadata/1.json']);
  });
});

describe('CLI durations and sizes', () => {
  it('parses and refuses clearly', () => {
    expect(parseDuration('90s', '--x')).toBe(90_000);
    expect(parseDuration('3d', '--x')).toBe(3 * DAY);
    expect(parseDuration('1.5h', '--x')).toBe(5_400_000);
    expect(() => parseDuration('3 days', '--older-than')).toThrow(/--older-than "3 days" is not a duration/);
    expect(parseSize('128MB', '--x')).toBe(128 * 1024 * 1024);
    expect(parseSize('1000', '--x')).toBe(1000);
    expect(() => parseSize('-1', '--target-file-size')).toThrow(/is not a size/);
  });
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
