/**
 * The decisions `floe ui` makes without a server: which Host headers it answers, when a token is
 * required, how an error's fix is split out, when a config counts as failing or slowing, and when
 * a table's metadata asks for maintenance.
 */
import { describe, expect, it } from 'vitest';
import { uiToken } from '../../src/cli/commands/ui.js';
import {
  DELETE_FILES_MIN_COUNT,
  maintenanceSignals,
  SMALL_FILES_MIN_COUNT,
  SNAPSHOTS_MIN_COUNT,
} from '../../src/iceberg/maintenance/signals.js';
import type { Snapshot, TableMetadata } from '../../src/iceberg/spec/metadata.js';
import type { HistoryEntry } from '../../src/runtime/ports/history-store.js';
import { splitFix } from '../../src/ui/api/configs.js';
import { configConcerns } from '../../src/ui/api/health.js';
import { allowedHosts, isLoopback } from '../../src/ui/guard.js';

describe('floe ui guard decisions', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.5', '::', 'example.com', '128.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('answers the bound address and, on loopback, localhost; never another name', () => {
    const hosts = allowedHosts('127.0.0.1', 4800);
    expect(hosts.has('127.0.0.1:4800')).toBe(true);
    expect(hosts.has('localhost:4800')).toBe(true);
    expect(hosts.has('[::1]:4800')).toBe(true);
    expect(hosts.has('127.0.0.1:4801')).toBe(false);
    expect(hosts.has('evil.example:4800')).toBe(false);
    const lan = allowedHosts('192.168.1.5', 80);
    expect([...lan]).toEqual(['192.168.1.5:80']);
  });

  it('requires a token off loopback, generating one; a given token must be long enough', () => {
    expect(uiToken('127.0.0.1', undefined)).toBeUndefined();
    const made = uiToken('0.0.0.0', undefined);
    expect(made).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(uiToken('0.0.0.0', undefined)).not.toBe(made);
    expect(uiToken('127.0.0.1', 'a-token-of-16-chars')).toBe('a-token-of-16-chars');
    expect(() => uiToken('0.0.0.0', 'short')).toThrow(/at least 16/);
  });
});

describe('splitFix', () => {
  it('splits the fix floe errors carry from the message, keeping the context', () => {
    expect(
      splitFix(
        'X: GET http://h/a answered 404: {"error":"no"}. Check source.request.url (configId=X, status=404)',
      ),
    ).toEqual({
      message: 'X: GET http://h/a answered 404: {"error":"no"}. (configId=X, status=404)',
      fix: 'Check source.request.url',
    });
    expect(splitFix('bad value (fix: set it to MERGE)')).toEqual({
      message: 'bad value',
      fix: 'set it to MERGE',
    });
    expect(splitFix('the file is damaged. Fix: restore it from a backup')).toEqual({
      message: 'the file is damaged.',
      fix: 'restore it from a backup',
    });
    expect(splitFix('HTTP 503 after 3 attempts')).toEqual({ message: 'HTTP 503 after 3 attempts' });
  });
});

function entry(i: number, status: HistoryEntry['lastRunStatus'], durationMs: number): HistoryEntry {
  return {
    configId: 'C',
    'job-id': `r${i}`,
    load_type: 'FULL',
    loadTimestamp: new Date(Date.UTC(2024, 0, 30 - i)).toISOString(),
    snapshot_id: '',
    error: status === 'SUCCESS' ? '' : `boom ${i}`,
    lastRunStatus: status,
    totalRecordsProcessed: 1,
    runId: `r${i}`,
    processType: 'L1',
    durationMs,
  };
}

describe('config health', () => {
  it('a config is failing when its last two runs did not succeed, and says how long the streak is', () => {
    const newestFirst = [
      entry(0, 'FAILED', 5),
      entry(1, 'INTERRUPTED', 5),
      entry(2, 'FAILED', 5),
      entry(3, 'SUCCESS', 5),
    ];
    expect(configConcerns(newestFirst)).toEqual([
      {
        layer: 'L1',
        configId: 'C',
        kind: 'failing',
        message: 'the last 3 runs did not succeed',
        error: 'boom 0',
      },
    ]);
    expect(configConcerns([entry(0, 'FAILED', 5), entry(1, 'SUCCESS', 5)])).toEqual([]);
    expect(configConcerns([entry(0, 'FAILED', 5)])).toEqual([]);
  });

  it('a config is slowing when its last 3 successful runs take 1.5× and 1 s more than the ones before', () => {
    const runs = (recent: number, before: number) => [
      ...[0, 1, 2].map((i) => entry(i, 'SUCCESS', recent)),
      ...[3, 4, 5, 6, 7, 8, 9, 10].map((i) => entry(i, 'SUCCESS', before)),
    ];
    expect(configConcerns(runs(30_000, 10_000)).map((c) => c.kind)).toEqual(['slowing']);
    // 1.4×: normal variation.
    expect(configConcerns(runs(14_000, 10_000))).toEqual([]);
    // 3× but 600 ms: a fast config's noise.
    expect(configConcerns(runs(900, 300))).toEqual([]);
    // Too few runs to say.
    expect(configConcerns(runs(30_000, 10_000).slice(0, 6))).toEqual([]);
    // Failed runs' durations are not sync times.
    expect(
      configConcerns([...[0, 1, 2].map((i) => entry(i, 'FAILED', 60_000)), ...runs(10_000, 10_000)]).map(
        (c) => c.kind,
      ),
    ).toEqual(['failing']);
  });
});

function metadata(
  summary: Record<string, string>,
  snapshots = 1,
  props: Record<string, string> = {},
): TableMetadata {
  const snaps: Snapshot[] = Array.from({ length: snapshots }, (_, i) => ({
    'snapshot-id': BigInt(i + 1),
    'sequence-number': BigInt(i + 1),
    'timestamp-ms': 1_700_000_000_000 + i,
    'manifest-list': `file:///w/t/metadata/snap-${i}.avro`,
    summary: { operation: 'append', ...summary },
  }));
  return {
    'format-version': 2,
    'table-uuid': 'u',
    location: 'file:///w/t',
    'last-sequence-number': BigInt(snapshots),
    'last-updated-ms': 1_700_000_000_000,
    'last-column-id': 1,
    schemas: [{ type: 'struct', 'schema-id': 0, fields: [] }],
    'current-schema-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'default-spec-id': 0,
    'last-partition-id': 999,
    properties: props,
    'current-snapshot-id': BigInt(snapshots),
    snapshots: snaps,
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
    refs: {},
  };
}

describe('maintenance signals', () => {
  const kinds = (m: TableMetadata) => maintenanceSignals('ns.t', m).map((s) => s.kind);
  const MB = 1024 * 1024;

  it('many small data files', () => {
    const files = SMALL_FILES_MIN_COUNT;
    expect(
      kinds(metadata({ 'total-data-files': String(files), 'total-files-size': String(files * MB) })),
    ).toEqual(['small-files']);
    // As many files, each near the 64 MB target: nothing to compact.
    expect(
      kinds(metadata({ 'total-data-files': String(files), 'total-files-size': String(files * 60 * MB) })),
    ).toEqual([]);
    // Small, but few.
    expect(kinds(metadata({ 'total-data-files': String(files - 1), 'total-files-size': '1000' }))).toEqual(
      [],
    );
    // The table's own target counts.
    expect(
      kinds(
        metadata({ 'total-data-files': String(files), 'total-files-size': String(files * MB) }, 1, {
          'write.target-file-size-bytes': String(MB),
        }),
      ),
    ).toEqual([]);
  });

  it('many delete files, or deletes hiding a large share of the rows', () => {
    expect(
      kinds(metadata({ 'total-delete-files': String(DELETE_FILES_MIN_COUNT), 'total-records': '1000' })),
    ).toEqual(['delete-files']);
    expect(
      kinds(
        metadata({ 'total-delete-files': '1', 'total-records': '1000', 'total-position-deletes': '200' }),
      ),
    ).toEqual(['delete-files']);
    expect(
      kinds(metadata({ 'total-delete-files': '1', 'total-records': '1000', 'total-position-deletes': '10' })),
    ).toEqual([]);
  });

  it('many snapshots; each signal names the command that fixes it', () => {
    const m = metadata({}, SNAPSHOTS_MIN_COUNT);
    expect(kinds(m)).toEqual(['snapshots']);
    expect(maintenanceSignals('ns.t', m)[0]!.fix).toContain('floe table maintain ns.t');
    expect(kinds(metadata({}, SNAPSHOTS_MIN_COUNT - 1))).toEqual([]);
  });
});
