-- timelog_daily_parser: hours logged per user, project and day.
--
-- Sources: timelogs, tasks, folders, projects, contacts. Each is a table named by its source key
-- (the rows this run reads: all of them, or only the new and changed ones when the source is read
-- incrementally) and all_rows.<key> (every current row).
--
-- A timelog counts for the nearest project above its task's folder; time logged on tasks outside
-- any project counts for project_id '' (empty), so the key never holds a null. A group is
-- recomputed when one of its timelogs changed, or its task, a folder or project around the task,
-- or the user did; in a full run every source is read whole and every group is computed.
WITH RECURSIVE
  containers AS (
    SELECT id, title, parent_ids[1] AS parent_id, false AS is_project FROM all_rows.folders
    UNION ALL
    SELECT id, title, parent_ids[1] AS parent_id, true AS is_project FROM all_rows.projects
  ),
  -- The tree walked top-down: each folder or project once, with its ancestors above it.
  tree(id, title, is_project, chain) AS (
    SELECT c.id, c.title, c.is_project, []::STRUCT(id VARCHAR, title VARCHAR, is_project BOOLEAN)[]
    FROM containers c
    WHERE c.parent_id IS NULL OR c.parent_id NOT IN (SELECT id FROM containers)
    UNION ALL
    SELECT c.id, c.title, c.is_project, list_append(t.chain, {'id': t.id, 'title': t.title, 'is_project': t.is_project})
    FROM tree t JOIN containers c ON c.parent_id = t.id
    WHERE len(t.chain) < 64
  ),
  place AS (
    SELECT id,
      list_transform(chain, x -> x.id) || [id] AS chain_ids,
      list_filter(chain || [{'id': id, 'title': title, 'is_project': is_project}], x -> x.is_project)[-1] AS nearest
    FROM tree
  ),
  logs AS (
    SELECT l.id, l.task_id, l.user_id, t.parent_ids[1] AS folder_id,
      coalesce(pl.nearest.id, '') AS project_id, pl.nearest.title AS project_title,
      CAST(l.tracked_date AS DATE) AS work_date, l.hours
    FROM all_rows.timelogs l
    LEFT JOIN all_rows.tasks t ON t.id = l.task_id
    LEFT JOIN place pl ON pl.id = t.parent_ids[1]
  ),
  touched AS (
    SELECT user_id, project_id, work_date FROM logs WHERE id IN (SELECT id FROM timelogs)
    UNION SELECT user_id, project_id, work_date FROM logs WHERE task_id IN (SELECT id FROM tasks)
    UNION SELECT user_id, project_id, work_date FROM logs WHERE user_id IN (SELECT id FROM contacts)
    UNION SELECT lg.user_id, lg.project_id, lg.work_date
      FROM logs lg JOIN (SELECT id, unnest(chain_ids) AS around FROM place) pc ON pc.id = lg.folder_id
      WHERE pc.around IN (SELECT id FROM folders UNION ALL SELECT id FROM projects)
  ),
  people AS (
    SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) AS name FROM all_rows.contacts
  )
SELECT
  lg.user_id,
  any_value(pe.name) AS user_name,
  lg.project_id,
  any_value(lg.project_title) AS project_title,
  lg.work_date,
  CAST(sum(lg.hours) AS DOUBLE) AS hours,
  count(*) AS timelog_count
FROM logs lg
SEMI JOIN touched t ON t.user_id = lg.user_id AND t.project_id = lg.project_id AND t.work_date = lg.work_date
LEFT JOIN people pe ON pe.id = lg.user_id
GROUP BY lg.user_id, lg.project_id, lg.work_date
