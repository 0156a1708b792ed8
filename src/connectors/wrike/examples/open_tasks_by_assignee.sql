-- An example L2 parser (floe init put it here): open tasks per assignee.
--
-- A SQL parser is one SELECT over its sources, each a table named by its key in the L2 config's
-- `source` section (here `tasks`); all_rows.<key> holds every current row when the source is read
-- incrementally. Its sources, primary key and output schema are declared in floe.yaml (parsers).
-- Try it without writing anything: floe parsers test open_tasks_by_assignee
SELECT
  assignee AS assignee_id,
  count(*) AS open_tasks,
  count(*) FILTER (WHERE importance = 'High') AS high_importance
FROM tasks, unnest(responsible_ids) AS u(assignee)
WHERE status = 'Active'
GROUP BY assignee
