/**
 * The Wrike pack's L2 parsers: `project_parser` (the seed's) and `task_parser` in TypeScript,
 * `timelog_daily_parser` as a SQL file. The pack's L2 configs (../l2/*.yaml) name them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FloeError } from '../../../errors.js';
import { sqlParser } from '../../../l2/parsers/sql-parser.js';
import type { ParserDefinition } from '../../../l2/parsers/types.js';
import { projectParser } from './project-parser.js';
import { taskParser } from './task-parser.js';

/** A file of this folder, from src/ or, for an uncopied build, from the source tree (as l1/ is). */
function packFile(name: string): string {
  const candidates = [
    new URL(`./${name}`, import.meta.url),
    new URL(`../../../../src/connectors/wrike/parsers/${name}`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new FloeError(
      'internal',
      `the Wrike pack's parser file ${name} is missing (looked in ${candidates.join(' and ')}); the build must copy src/connectors/**/*.sql next to the compiled modules`,
    );
  return readFileSync(found, 'utf8');
}

export const timelogDailyParser: ParserDefinition = sqlParser({
  name: 'timelog_daily_parser',
  description: 'Hours logged per user, project and day',
  sql: packFile('timelog_daily_parser.sql'),
  sources: ['timelogs', 'tasks', 'folders', 'projects', 'contacts'],
  primaryKey: ['user_id', 'project_id', 'work_date'],
  schema: {
    user_id: 'string',
    user_name: 'string',
    project_id: 'string',
    project_title: 'string',
    work_date: 'date',
    hours: 'double',
    timelog_count: 'long',
  },
});

export function wrikeParsers(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[] {
  return [
    { parser: projectParser, kind: 'typescript' },
    { parser: taskParser, kind: 'typescript' },
    { parser: timelogDailyParser, kind: 'sql' },
  ];
}

export { taskSql } from './task-parser.js';
export { projectParser, taskParser };
