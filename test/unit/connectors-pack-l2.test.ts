/**
 * The L2 side of the Cvent, Medallia and Eloqua packs: `floe init --platform X` writes the pack's L2
 * configs (commented), reading the L1 namespace chosen and writing the pack's refined one; they
 * load, name a built-in parser (`floe parsers list`) whose sources they provide, and the loader
 * moves the namespaces as asked and refuses names Glue would not take.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfigs } from '../../src/config/index.js';
import { cventL2Pack, cventL2PackFiles } from '../../src/connectors/cvent/index.js';
import { packParsers } from '../../src/connectors/index.js';
import { medalliaL2Pack } from '../../src/connectors/medallia/index.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { builtInParsers } from '../../src/l2/parsers/project-parsers.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'floe-pack-l2-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// platform → its L2 configs: config id, parser, refined table.
const CASES = [
  [
    'cvent',
    [
      ['cvent_event_attendance_l2', 'cvent_event_attendance_parser', 'cvent_refined.event_attendance'],
      ['cvent_session_attendance_l2', 'cvent_session_attendance_parser', 'cvent_refined.session_attendance'],
    ],
  ],
  ['medallia', [['medallia_feedback_l2', 'medallia_feedback_parser', 'medallia_refined.feedback']]],
  [
    'eloqua',
    [['eloqua_email_engagement_l2', 'eloqua_email_engagement_parser', 'eloqua_refined.email_engagement']],
  ],
] as const;

describe('L2 of the Cvent, Medallia and Eloqua packs', () => {
  it.each(CASES)(
    '%s: floe init writes the L2 configs, which load and name a built-in parser whose sources they have',
    async (platform, expected) => {
      const dir = join(tmp, platform);
      const r = await scaffoldProject({ dir, platform, namespace: 'my_stage' });
      const { l2 } = await loadProjectConfigs(dir);
      expect(l2.problems).toEqual([]);
      expect(l2.configs.map((c) => c.config.configId)).toEqual(expected.map(([id]) => id));
      for (const [i, [, parserName, table]] of expected.entries()) {
        const config = l2.configs[i]!.config;
        expect(config.platform).toBe(platform);
        expect(config.parserName).toBe(parserName);
        expect(`${config.destination.namespace}.${config.destination.tableName}`).toBe(table);
        for (const s of Object.values(config.source)) expect(s.namespace).toBe('my_stage');
        const parser = builtInParsers().get(parserName);
        expect(parser.origin.from).toBe(`built-in (${platform} pack)`);
        for (const s of parser.sources) expect(Object.keys(config.source)).toContain(s);
      }
      // The configs explain their choices.
      const files = r.created.filter((f) => f.startsWith('configs/l2/') && f.endsWith('.yaml'));
      expect(files).toHaveLength(expected.length);
      for (const file of files) {
        const text = await readFile(join(dir, file), 'utf8');
        expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length, file).toBeGreaterThan(5);
      }
    },
  );

  it('every pack parser is registered once, under its platform', () => {
    const byPlatform = packParsers().map((p) => [p.platform, p.parser.name]);
    expect(byPlatform).toEqual(
      expect.arrayContaining([
        ['cvent', 'cvent_event_attendance_parser'],
        ['cvent', 'cvent_session_attendance_parser'],
        ['medallia', 'medallia_feedback_parser'],
        ['eloqua', 'eloqua_email_engagement_parser'],
        ['wrike', 'project_parser'],
      ]),
    );
    expect(new Set(byPlatform.map(([, n]) => n)).size).toBe(byPlatform.length);
  });

  it('the loader moves the namespaces and refuses names Glue would not take', () => {
    const [cvent] = cventL2Pack({ namespace: 'a_stage', refinedNamespace: 'a_refined' });
    expect((cvent!.destination as Record<string, unknown>).glueDatabase).toBe('a_refined');
    expect(
      Object.values(cvent!.source as Record<string, { glueDatabase: string }>).map((s) => s.glueDatabase),
    ).toEqual(['a_stage', 'a_stage', 'a_stage']);
    expect((medalliaL2Pack()[0]!.destination as Record<string, unknown>).glueDatabase).toBe(
      'medallia_refined',
    );
    expect(() => cventL2PackFiles({ refinedNamespace: 'Bad-Name' })).toThrow(
      /refinedNamespace 'Bad-Name' is not a valid Glue database name/,
    );
  });
});
