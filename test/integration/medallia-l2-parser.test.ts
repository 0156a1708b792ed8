/**
 * medallia_feedback_parser on hand-made staging tables, through the pack's own L2 config: how
 * field names become column names (snake_case as L1 names columns, `_2` for names that meet
 * case-insensitively, never `feedback_id` or L2's own columns, the id for a field without a
 * name, quoting for names SQL would misread), how text answers are typed, that a value its field's
 * type rejects fails the run naming field and response, and that a catalogue change (a field
 * renamed) converts every response again, the old column dropped, equal to a FULL run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { medalliaL2Pack } from '../../src/connectors/medallia/index.js';
import type { FieldInput } from '../../src/iceberg/index.js';
import { type L2TestProject, l2Project, l2Result } from '../support/l2-project.js';
import { byKey, type Row } from '../support/wrike-l2-expected.js';

const FIELDS: FieldInput[] = [
  { name: 'id', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'data_type', type: 'string' },
  { name: 'multivalued', type: 'boolean' },
];
const FEEDBACK: FieldInput[] = [
  { name: 'id', type: 'string' },
  { name: 'q_ltr', type: 'string' },
  { name: 'q_nps', type: 'string' },
  { name: 'e_fid', type: 'string' },
  { name: 'e_when', type: 'string' },
  { name: 'e_day', type: 'string' },
  { name: 'e_quote', type: 'string' },
  { name: 'q_tags', type: { type: 'list', element: 'string' } },
  { name: 'e_blank', type: 'string' },
  { name: 'ingest_timestamp', type: 'timestamptz' },
];

/** The catalogue: (id, name, data type, multivalued), as a DuckDB VALUES list. */
const catalogue = (npsName: string) => `SELECT * FROM (VALUES
  ('q_ltr', 'Likelihood to Recommend', 'INT', false),
  ('q_nps', '${npsName}', 'INT', false),
  ('e_fid', 'Feedback ID', 'STRING', false),
  ('e_when', 'When', 'DATETIME', false),
  ('e_day', '1st day', 'DATE', false),
  ('e_quote', 'He said "hi"; DROP', 'STRING', false),
  ('q_tags', 'Tags', 'ENUM', true),
  ('e_blank', '  ', 'STRING', false),
  ('q_never', 'Never answered', 'STRING', false)
) v(id, name, data_type, multivalued)`;

const feedback = (id: string, ltr: string) =>
  `SELECT '${id}' AS id, '${ltr}' AS q_ltr, '7' AS q_nps, 'F-${id}' AS e_fid, '2024-03-01 10:20:30' AS e_when,
    '2024-03-01' AS e_day, 'quote ${id}' AS e_quote, ['a', 'b'] AS q_tags, NULL AS e_blank,
    TIMESTAMPTZ '2024-03-01 00:00:00+00' AS ingest_timestamp`;

/** The readable row of feedback(id, ltr), with q_nps under `nps`. */
const readable = (id: string, ltr: bigint, nps: string): Row => ({
  feedback_id: id,
  col_1st_day: '2024-03-01',
  e_blank: null,
  feedback_id_2: `F-${id}`,
  he_said_hi_drop: `quote ${id}`,
  when: '2024-03-01T10:20:30.000000',
  likelihood_to_recommend: ltr,
  [nps]: 7n,
  tags: ['a', 'b'],
});

let p: L2TestProject;
const config = medalliaL2Pack({ namespace: 'stage', refinedNamespace: 'out' })[0]!;

beforeAll(async () => {
  p = await l2Project();
  await p.seed('stage.staging_fields', FIELDS, catalogue('likelihood TO recommend'));
  await p.seed('stage.staging_feedback', FEEDBACK, `${feedback('1', '9')} UNION ALL ${feedback('2', '10')}`);
  p.config(config);
});
afterAll(() => p?.cleanup());

const rows = async () => (await (await p.table('out.feedback')).scan().toRows()) as Row[];
const columns = async () => (await p.table('out.feedback')).schema().fields.map((f) => [f.name, f.type]);

describe('medallia_feedback_parser', () => {
  it('names columns by the catalogue, safely and uniquely, and types the text answers', async () => {
    const r = l2Result(await p.run(), 'medallia_feedback_l2');
    expect(r.status, r.error).toBe('SUCCESS');
    // Field-id order; q_never has no staging column (nobody answered it), so none here.
    expect(await columns()).toEqual([
      ['feedback_id', 'string'],
      ['e_blank', 'string'],
      ['col_1st_day', 'date'],
      ['feedback_id_2', 'string'],
      ['he_said_hi_drop', 'string'],
      ['when', 'timestamp'],
      ['likelihood_to_recommend', 'long'],
      ['likelihood_to_recommend_2', 'long'],
      [
        'tags',
        { type: 'list', 'element-id': expect.any(Number), element: 'string', 'element-required': false },
      ],
      ['ingest_timestamp', 'timestamptz'],
      ['ingest_run_id', 'string'],
    ]);
    expect(byKey(await rows(), ['feedback_id'])).toEqual(
      byKey(
        [readable('1', 9n, 'likelihood_to_recommend_2'), readable('2', 10n, 'likelihood_to_recommend_2')],
        ['feedback_id'],
      ),
    );
  });

  it('an incremental run converts only the new response', async () => {
    await p.seed('stage.staging_feedback', FEEDBACK, feedback('3', '4'));
    const r = l2Result(await p.run(), 'medallia_feedback_l2');
    expect(r.status, r.error).toBe('SUCCESS');
    expect(r.sources?.map((s) => [s.name, s.mode, s.rows])).toEqual([
      ['feedback', 'SNAPSHOT', 1],
      ['fields', 'SNAPSHOT', 0],
    ]);
    expect(r.written).toBe(1);
    expect((await rows()).find((x) => x.feedback_id === '3')).toMatchObject(
      readable('3', 4n, 'likelihood_to_recommend_2'),
    );
  });

  it('a value its field’s type rejects fails the run, naming the field and the response; nothing is written', async () => {
    const before = (await p.table('out.feedback')).currentSnapshot()?.['snapshot-id'];
    await p.seed('stage.staging_feedback', FEEDBACK, feedback('4', 'ten'));
    const r = l2Result(await p.run(), 'medallia_feedback_l2');
    expect(r.status).toBe('FAILED');
    expect(r.error).toContain('Medallia field q_ltr (INT) holds a value that is not one: ten (feedback 4)');
    expect((await p.table('out.feedback')).currentSnapshot()?.['snapshot-id']).toBe(before);
  });

  it('a renamed field converts every response again: the column follows the catalogue, equal to a FULL run', async () => {
    // Without the bad response, and with q_nps renamed.
    await p.catalog(async (c) => {
      const { loadTable } = await import('../../src/iceberg/index.js');
      await (await loadTable(c, 'stage.staging_feedback')).overwriteQuery(
        `${feedback('1', '9')} UNION ALL ${feedback('2', '10')} UNION ALL ${feedback('3', '4')}`,
      );
      await (await loadTable(c, 'stage.staging_fields')).overwriteQuery(catalogue('Net Promoter'));
    });
    const r = l2Result(await p.run(), 'medallia_feedback_l2');
    expect(r.status, r.error).toBe('SUCCESS');
    expect(r.sources?.find((s) => s.name === 'fields')?.rows).toBe(1);
    const names = (await columns()).map(([n]) => n);
    expect(names).toContain('net_promoter');
    expect(names).not.toContain('likelihood_to_recommend_2');
    const expected = byKey(
      [
        readable('1', 9n, 'net_promoter'),
        readable('2', 10n, 'net_promoter'),
        readable('3', 4n, 'net_promoter'),
      ],
      ['feedback_id'],
    );
    expect(byKey(await rows(), ['feedback_id'])).toEqual(expected);
    const full = l2Result(await p.run(['--load-type', 'FULL']), 'medallia_feedback_l2');
    expect(full).toMatchObject({ status: 'SUCCESS', written: 0 });
  });
});
