/**
 * `task_parser`: one row per Wrike task, from tasks, contacts (assignee and author names),
 * workflows (custom status names and groups), folders and projects (where the task lives, its
 * nearest project) and timelogs (hours logged against it).
 *
 *   task_id, title, status, importance
 *   custom_status_id, custom_status_name, status_group, workflow_name
 *   assignee_ids, assignee_names, author_id, author_name
 *   folder_id, folder_title      the folder or project the task is in
 *   project_id, project_title    its nearest project: that container or one above it (null if none)
 *   created_date, updated_date, completed_date (UTC timestamps)
 *   date_type, start_date, due_date (Wrike's zone-less task dates)
 *   planned_hours                the planned duration (Wrike counts 8 hours a working day)
 *   logged_hours, timelog_count  all time logged on the task
 *
 * Incrementally, a task is recomputed when it changed, a timelog of it changed, a folder or
 * project around it changed, one of its people changed, or its custom status did; lookups (all
 * its timelogs, the whole tree) read every current row. A full run reads everything once.
 */
import { defineParser, type ParserContext } from '../../../l2/parsers/types.js';
import { containerCtes, peopleCte, statusesCte } from './containers.js';

export const taskParser = defineParser({
  name: 'task_parser',
  description: 'Wrike tasks with assignees, status names, project, dates and planned vs logged hours',
  sources: ['tasks', 'contacts', 'workflows', 'folders', 'projects', 'timelogs'],
  primaryKey: ['task_id'],
  schema: {
    task_id: 'string',
    title: 'string',
    status: 'string',
    importance: 'string',
    custom_status_id: 'string',
    custom_status_name: 'string',
    status_group: 'string',
    workflow_name: 'string',
    assignee_ids: 'list<string>',
    assignee_names: 'list<string>',
    author_id: 'string',
    author_name: 'string',
    folder_id: 'string',
    folder_title: 'string',
    project_id: 'string',
    project_title: 'string',
    created_date: 'timestamptz',
    updated_date: 'timestamptz',
    completed_date: 'timestamptz',
    date_type: 'string',
    start_date: 'timestamp',
    due_date: 'timestamp',
    planned_hours: 'double',
    logged_hours: 'double',
    timelog_count: 'long',
  },
  transform: (ctx) => taskSql(ctx),
});

/** The parser's SELECT (also what the benchmark runs with DuckDB alone, as the ceiling). */
export function taskSql(ctx: Pick<ParserContext, 'all' | 'source' | 'incremental'>): string {
  const all = (s: string) => ctx.all(s);
  const delta = (s: string) => ctx.source(s);
  // The tasks to compute. A full run names the table itself: a CTE read twice is materialised,
  // and materialising every column of every task costs more than reading the table twice.
  const scope = ctx.incremental ? 'scope' : all('tasks');
  const ctes = ctx.incremental
    ? `changed AS (
      SELECT id FROM ${delta('tasks')}
      UNION SELECT task_id FROM ${delta('timelogs')}
      UNION SELECT t.id FROM ${all('tasks')} t
        JOIN (SELECT id, unnest(chain_ids) AS around FROM place) pc ON pc.id = t.parent_ids[1]
        WHERE pc.around IN (SELECT id FROM ${delta('folders')} UNION ALL SELECT id FROM ${delta('projects')})
      UNION SELECT t.id FROM ${all('tasks')} t, unnest(list_concat(t.responsible_ids, t.author_ids)) AS u(who)
        WHERE who IN (SELECT id FROM ${delta('contacts')})
      UNION SELECT t.id FROM ${all('tasks')} t WHERE t.custom_status_id IN (
        SELECT s.id FROM ${delta('workflows')} w, unnest(w.custom_statuses) AS u(s))
    ),
    scope AS (SELECT t.* FROM ${all('tasks')} t SEMI JOIN changed c ON c.id = t.id),
    hours AS (
      SELECT l.task_id, sum(l.hours) AS logged_hours, count(*) AS timelog_count
      FROM ${all('timelogs')} l SEMI JOIN changed c ON c.id = l.task_id
      GROUP BY l.task_id
    )`
    : `hours AS (
      SELECT task_id, sum(hours) AS logged_hours, count(*) AS timelog_count FROM ${all('timelogs')} GROUP BY task_id
    )`;
  return `WITH RECURSIVE
  ${containerCtes(all('folders'), all('projects'))},
  ${peopleCte(all('contacts'))},
  ${statusesCte(all('workflows'))},
  ${ctes},
  -- Contact id → name as one map, looked up per assignee: a join and re-aggregation per task
  -- would hold a hash table of every task's name list, which does not fit a small memory limit.
  names AS (SELECT map_from_entries(list({'key': id, 'value': name})) AS name_of FROM people)
SELECT
  t.id AS task_id,
  t.title,
  t.status,
  t.importance,
  t.custom_status_id,
  st.name AS custom_status_name,
  st.status_group,
  st.workflow_name,
  coalesce(t.responsible_ids, []::VARCHAR[]) AS assignee_ids,
  coalesce(list_transform(t.responsible_ids, x -> coalesce(n.name_of[x], x)), []::VARCHAR[]) AS assignee_names,
  t.author_ids[1] AS author_id,
  au.name AS author_name,
  t.parent_ids[1] AS folder_id,
  pl.title AS folder_title,
  pl.nearest.id AS project_id,
  pl.nearest.title AS project_title,
  CAST(t.created_date AS TIMESTAMPTZ) AS created_date,
  CAST(t.updated_date AS TIMESTAMPTZ) AS updated_date,
  CAST(t.completed_date AS TIMESTAMPTZ) AS completed_date,
  t.dates.type AS date_type,
  CAST(t.dates.start AS TIMESTAMP) AS start_date,
  CAST(t.dates.due AS TIMESTAMP) AS due_date,
  CAST(t.dates.duration AS DOUBLE) / 60 AS planned_hours,
  CAST(coalesce(h.logged_hours, 0) AS DOUBLE) AS logged_hours,
  coalesce(h.timelog_count, 0) AS timelog_count
FROM ${scope} t
LEFT JOIN place pl ON pl.id = t.parent_ids[1]
LEFT JOIN statuses st ON st.id = t.custom_status_id
LEFT JOIN people au ON au.id = t.author_ids[1]
CROSS JOIN names n
LEFT JOIN hours h ON h.task_id = t.id`;
}
