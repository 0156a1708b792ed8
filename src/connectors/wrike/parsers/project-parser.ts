/**
 * `project_parser` (the seed's example L2 parser): one row per Wrike project, from the projects
 * (staging_projectsdetails), folders, contacts and custom field definitions, plus the workflows
 * (custom status names) and spaces (the top of the folder path) when the config has them.
 *
 *   project_id, title, status, custom_status_id, custom_status_name
 *   owner_ids, owner_names, owner_emails, author_id, author_name
 *   start_date, end_date (dates), created_date, completed_date (UTC timestamps)
 *   planned_duration_days   end_date − start_date, in days
 *   is_overdue              still open (not Completed or Cancelled) and past its end date
 *   days_late               Completed: days its completion came after the end date (0 if on time);
 *                           open: days past the end date so far (0 if not yet due); Cancelled: null
 *   folder_path             "Space / Folder / Subfolder": where the project sits
 *   custom_fields           map of field title → value, contacts shown by name
 *
 * "So far" is the run's clock (floe_as_of()). Incrementally, a project is recomputed when it,
 * a folder or project above it, one of its people, custom field definitions, statuses or its
 * space changed, and every open project is (its lateness moves with the clock); MERGE then
 * writes only the rows that actually differ.
 */
import { defineParser } from '../../../l2/parsers/types.js';
import { containerCtes, peopleCte, statusesCte } from './containers.js';

export const projectParser = defineParser({
  name: 'project_parser',
  description: 'Wrike projects with owners, status names, dates, lateness, folder path and custom fields',
  sources: ['projects', 'folders', 'contacts', 'customfields'],
  optionalSources: ['workflows', 'spaces'],
  primaryKey: ['project_id'],
  // is_overdue and days_late move with the clock.
  usesClock: true,
  schema: {
    project_id: 'string',
    title: 'string',
    status: 'string',
    custom_status_id: 'string',
    custom_status_name: 'string',
    owner_ids: 'list<string>',
    owner_names: 'list<string>',
    owner_emails: 'list<string>',
    author_id: 'string',
    author_name: 'string',
    start_date: 'date',
    end_date: 'date',
    created_date: 'timestamptz',
    completed_date: 'timestamptz',
    planned_duration_days: 'long',
    is_overdue: 'boolean',
    days_late: 'long',
    folder_path: 'string',
    custom_fields: 'map<string, string>',
  },
  transform(ctx) {
    const all = (s: string) => ctx.all(s);
    const workflows = ctx.has('workflows') ? all('workflows') : undefined;
    const spaces = ctx.has('spaces') ? all('spaces') : undefined;
    const delta = (s: string) => ctx.source(s);
    // Incrementally: the projects whose row may differ from last time (see the file comment).
    const changed = ctx.incremental
      ? `changed AS (
      SELECT id FROM ${delta('projects')}
      UNION SELECT a.id FROM ancestry a, unnest(a.chain) AS u(x)
        WHERE x.id IN (SELECT id FROM ${delta('folders')} UNION ALL SELECT id FROM ${delta('projects')})
      UNION SELECT p.id FROM ${all('projects')} p, unnest(list_concat(p.project.owner_ids, [p.project.author_id])) AS u(who)
        WHERE who IN (SELECT id FROM ${delta('contacts')})
      UNION SELECT p.id FROM ${all('projects')} p, unnest(p.custom_fields) AS u(f)
        WHERE f.id IN (SELECT id FROM ${delta('customfields')}) OR f.value IN (SELECT id FROM ${delta('contacts')})
      ${
        workflows
          ? `UNION SELECT p.id FROM ${all('projects')} p WHERE p.project.custom_status_id IN (
          SELECT s.id FROM ${delta('workflows')} w, unnest(w.custom_statuses) AS u(s))`
          : ''
      }
      ${spaces ? `UNION SELECT a.id FROM ancestry a WHERE a.top_id IN (SELECT id FROM ${delta('spaces')})` : ''}
      UNION SELECT id FROM ${all('projects')} WHERE project.status NOT IN ('Completed', 'Cancelled')
    ),
    scope AS (SELECT p.* FROM ${all('projects')} p SEMI JOIN changed c ON c.id = p.id)`
      : `scope AS (SELECT * FROM ${all('projects')})`;
    return `WITH RECURSIVE
  ${containerCtes(all('folders'), all('projects'))},
  ${peopleCte(all('contacts'))},
  ${statusesCte(workflows)},
  ${changed},
  owners AS (
    SELECT u.id,
      list_transform(list_sort(list({'pos': u.pos, 'name': coalesce(pe.name, u.who), 'email': pe.email})), x -> x.name) AS names,
      list_transform(list_sort(list({'pos': u.pos, 'name': coalesce(pe.name, u.who), 'email': pe.email})), x -> x.email) AS emails
    FROM (SELECT id, unnest(project.owner_ids) AS who, generate_subscripts(project.owner_ids, 1) AS pos FROM scope) u
    LEFT JOIN people pe ON pe.id = u.who
    GROUP BY u.id
  ),
  fields AS (
    SELECT u.id,
      map_from_entries(list({
        'key': coalesce(cf.title, u.f.id),
        'value': CASE WHEN cf.type = 'Contacts' THEN coalesce(pe.name, u.f.value) ELSE u.f.value END
      } ORDER BY coalesce(cf.title, u.f.id))) AS custom_fields
    FROM (SELECT id, unnest(custom_fields) AS f FROM scope) u
    LEFT JOIN ${all('customfields')} cf ON cf.id = u.f.id
    LEFT JOIN people pe ON pe.id = u.f.value AND cf.type = 'Contacts'
    GROUP BY u.id
  ),
  shaped AS (
    SELECT p.id, p.title, p.project.status AS status, p.project.custom_status_id AS custom_status_id,
      CAST(p.project.start_date AS DATE) AS start_date,
      CAST(p.project.end_date AS DATE) AS end_date,
      CAST(p.created_date AS TIMESTAMPTZ) AS created_date,
      CAST(p.project.completed_date AS TIMESTAMPTZ) AS completed_date,
      p.project.owner_ids AS owner_ids, p.project.author_id AS author_id
    FROM scope p
  )
SELECT
  p.id AS project_id,
  p.title,
  p.status,
  p.custom_status_id,
  st.name AS custom_status_name,
  coalesce(p.owner_ids, []::VARCHAR[]) AS owner_ids,
  coalesce(o.names, []::VARCHAR[]) AS owner_names,
  coalesce(o.emails, []::VARCHAR[]) AS owner_emails,
  p.author_id,
  au.name AS author_name,
  p.start_date,
  p.end_date,
  p.created_date,
  p.completed_date,
  date_diff('day', p.start_date, p.end_date) AS planned_duration_days,
  p.status NOT IN ('Completed', 'Cancelled') AND p.end_date < CAST(floe_as_of() AS DATE) AS is_overdue,
  CASE
    WHEN p.status = 'Cancelled' THEN NULL
    WHEN p.status = 'Completed' THEN greatest(0, date_diff('day', p.end_date, CAST(p.completed_date AS DATE)))
    ELSE greatest(0, date_diff('day', p.end_date, CAST(floe_as_of() AS DATE)))
  END AS days_late,
  array_to_string(
    ${spaces ? `CASE WHEN sp.title IS NULL THEN [] ELSE [sp.title] END || ` : ''}list_transform(a.chain, x -> x.title),
    ' / '
  ) AS folder_path,
  coalesce(f.custom_fields, MAP()::MAP(VARCHAR, VARCHAR)) AS custom_fields
FROM shaped p
LEFT JOIN ancestry a ON a.id = p.id
${spaces ? `LEFT JOIN ${spaces} sp ON sp.id = a.top_id` : ''}
LEFT JOIN statuses st ON st.id = p.custom_status_id
LEFT JOIN people au ON au.id = p.author_id
LEFT JOIN owners o ON o.id = p.id
LEFT JOIN fields f ON f.id = p.id`;
  },
});
