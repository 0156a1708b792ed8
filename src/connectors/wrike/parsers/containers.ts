/**
 * Wrike's folder tree in SQL, shared by the Wrike parsers. Folders and projects are one tree
 * (a project is a folder with a `project` block; either can sit in a space, a folder or a
 * project), stored in two L1 tables (staging_folders, staging_projectsdetails). These CTEs give,
 * for every folder and project, its chain of ancestors from the top (below its space) down to
 * its parent, and the id above the top (a space, or the account root).
 *
 *   containers(id, title, parent_id, is_project)
 *   tree / ancestry(id, top_id, chain)   chain: list of {id, title, is_project}, top first
 *   place(id, title, is_project, top_id, chain_ids, project_id, project_title)
 *                                        the container itself appended: where a task in it lives,
 *                                        its nearest project (itself if it is one)
 *
 * They go after `WITH RECURSIVE`.
 */

/** How deep a tree is walked at most (a guard against a cycle in bad data). */
const MAX_DEPTH = 64;

export function containerCtes(folders: string, projects: string): string {
  // Walked top-down, so each container is produced exactly once (no "deepest row" pick, whose
  // window misleads DuckDB's join planning into hashing the big side of later joins).
  return `containers AS (
    SELECT id, title, parent_ids[1] AS parent_id, false AS is_project FROM ${folders}
    UNION ALL
    SELECT id, title, parent_ids[1] AS parent_id, true AS is_project FROM ${projects}
  ),
  tree(id, title, is_project, top_id, chain) AS (
    SELECT c.id, c.title, c.is_project, c.parent_id, []::STRUCT(id VARCHAR, title VARCHAR, is_project BOOLEAN)[]
    FROM containers c
    WHERE c.parent_id IS NULL OR c.parent_id NOT IN (SELECT id FROM containers)
    UNION ALL
    SELECT c.id, c.title, c.is_project, t.top_id,
      list_append(t.chain, {'id': t.id, 'title': t.title, 'is_project': t.is_project})
    FROM tree t JOIN containers c ON c.parent_id = t.id
    WHERE len(t.chain) < ${MAX_DEPTH}
  ),
  ancestry AS (SELECT id, top_id, chain FROM tree),
  place AS (
    SELECT id, title, is_project, top_id,
      list_transform(chain, x -> x.id) || [id] AS chain_ids,
      list_filter(chain || [{'id': id, 'title': title, 'is_project': is_project}], x -> x.is_project)[-1] AS nearest
    FROM tree
  )`;
}

/** Contacts as display names: "First Last", or the group's name. */
export function peopleCte(contacts: string): string {
  return `people AS (
    SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) AS name, primary_email AS email
    FROM ${contacts}
  )`;
}

/** Every custom status of every workflow, with its group and workflow name. */
export function statusesCte(workflows: string | undefined): string {
  if (!workflows)
    return `statuses AS (
    SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS name, NULL::VARCHAR AS status_group, NULL::VARCHAR AS workflow_name WHERE false
  )`;
  return `statuses AS (
    SELECT s.id, s.name, s."group" AS status_group, w.name AS workflow_name
    FROM ${workflows} w, unnest(w.custom_statuses) AS u(s)
  )`;
}
