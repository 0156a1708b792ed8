/**
 * The Wrike L2 tables computed independently, in plain TypeScript, from the simulator's ground
 * truth (the API records at its clock), not from the parsers' SQL: what `wrike_refined.projects`,
 * `.tasks` and `.timelog_daily` must hold. Values are in the canonical form floe's reader returns
 * (longs as bigint, timestamps as `…T…+00:00` text, maps as [key, value] pairs).
 */
import { TASK_OPTIONAL_FIELDS, type WrikeObject, type WrikeSimulator } from '../../src/sim/wrike/index.js';

type Rec = Record<string, unknown>;
export type Row = Record<string, unknown>;

export interface WrikeTruth {
  projects: Rec[];
  folders: Rec[];
  contacts: Rec[];
  customfields: Rec[];
  workflows: Rec[];
  spaces: Rec[];
  tasks: Rec[];
  timelogs: Rec[];
  /** The simulator's clock: the run's "now" (floe_as_of). */
  asOf: Date;
}

export async function wrikeTruth(sim: WrikeSimulator): Promise<WrikeTruth> {
  const all = async (o: WrikeObject, opts?: { fields?: readonly string[] }) => {
    const out: Rec[] = [];
    for await (const r of sim.records(o, opts)) out.push(r);
    return out;
  };
  return {
    projects: await all('projects'),
    folders: await all('folders'),
    contacts: await all('contacts'),
    customfields: await all('customfields'),
    workflows: await all('workflows'),
    spaces: await all('spaces'),
    tasks: await all('tasks', { fields: TASK_OPTIONAL_FIELDS }),
    timelogs: await all('timelogs'),
    asOf: sim.now(),
  };
}

const ts = (s: unknown) => (typeof s === 'string' ? `${s.replace(/Z$/, '')}.000000+00:00` : null);
const local = (s: unknown) => (typeof s === 'string' ? `${s}.000000` : null);
const days = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

function lookups(t: WrikeTruth) {
  const name = new Map<string, string>();
  const email = new Map<string, string>();
  for (const c of t.contacts) {
    name.set(String(c.id), `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim());
    if (typeof c.primaryEmail === 'string') email.set(String(c.id), c.primaryEmail);
  }
  const status = new Map<string, { name: string; group: string; workflow: string }>();
  for (const w of t.workflows)
    for (const s of w.customStatuses as Rec[])
      status.set(String(s.id), { name: String(s.name), group: String(s.group), workflow: String(w.name) });
  const containers = new Map<string, { title: string; parent: string | undefined; project: boolean }>();
  for (const f of t.folders)
    containers.set(String(f.id), {
      title: String(f.title),
      parent: (f.parentIds as string[])[0],
      project: false,
    });
  for (const p of t.projects)
    containers.set(String(p.id), {
      title: String(p.title),
      parent: (p.parentIds as string[])[0],
      project: true,
    });
  /** Ancestors of a container, top first, and the id above the top. */
  const ancestry = (id: string) => {
    const chain: { id: string; title: string; project: boolean }[] = [];
    let up = containers.get(id)?.parent;
    while (up !== undefined && containers.has(up)) {
      const c = containers.get(up)!;
      chain.unshift({ id: up, title: c.title, project: c.project });
      up = c.parent;
    }
    return { chain, top: up };
  };
  /** The nearest project at or above a container. */
  const nearestProject = (id: string | undefined) => {
    if (id === undefined || !containers.has(id)) return undefined;
    const c = containers.get(id)!;
    const chain = [...ancestry(id).chain, { id, title: c.title, project: c.project }];
    return chain.filter((x) => x.project).pop();
  };
  return { name, email, status, containers, ancestry, nearestProject };
}

/**
 * `opts`: which optional sources the config gives project_parser (the seed's item has neither
 * workflows nor spaces: no status names, paths without the space).
 */
export function expectedProjects(t: WrikeTruth, opts: { workflows?: boolean; spaces?: boolean } = {}): Row[] {
  const l = lookups(t);
  const spaces = new Map(opts.spaces === false ? [] : t.spaces.map((s) => [String(s.id), String(s.title)]));
  const fields = new Map(
    t.customfields.map((f) => [String(f.id), { title: String(f.title), type: String(f.type) }]),
  );
  const today = t.asOf.toISOString().slice(0, 10);
  return t.projects.map((p) => {
    const pr = p.project as Rec;
    const status = String(pr.status);
    const owners = (pr.ownerIds as string[]) ?? [];
    const start = String(pr.startDate);
    const end = String(pr.endDate);
    const completed = pr.completedDate as string | undefined;
    const open = status !== 'Completed' && status !== 'Cancelled';
    const { chain, top } = l.ancestry(String(p.id));
    const path = [
      ...(top !== undefined && spaces.has(top) ? [spaces.get(top)!] : []),
      ...chain.map((c) => c.title),
    ];
    const cf = ((p.customFields as { id: string; value: string }[]) ?? [])
      .map((f) => {
        const def = fields.get(f.id);
        const value = def?.type === 'Contacts' ? (l.name.get(f.value) ?? f.value) : f.value;
        return [def?.title ?? f.id, value] as [string, string];
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      project_id: p.id,
      title: p.title,
      status,
      custom_status_id: pr.customStatusId,
      custom_status_name:
        opts.workflows === false ? null : (l.status.get(String(pr.customStatusId))?.name ?? null),
      owner_ids: owners,
      owner_names: owners.map((o) => l.name.get(o) ?? o),
      owner_emails: owners.map((o) => l.email.get(o) ?? null),
      author_id: pr.authorId,
      author_name: l.name.get(String(pr.authorId)) ?? null,
      start_date: start,
      end_date: end,
      created_date: ts(p.createdDate),
      completed_date: ts(completed),
      planned_duration_days: BigInt(days(start, end)),
      is_overdue: open && end < today,
      days_late:
        status === 'Cancelled'
          ? null
          : BigInt(Math.max(0, days(end, status === 'Completed' ? String(completed).slice(0, 10) : today))),
      folder_path: path.join(' / '),
      custom_fields: cf,
    };
  });
}

export function expectedTasks(t: WrikeTruth): Row[] {
  const l = lookups(t);
  const hours = new Map<string, { h: number; n: number }>();
  for (const x of t.timelogs) {
    const k = String(x.taskId);
    const cur = hours.get(k) ?? { h: 0, n: 0 };
    hours.set(k, { h: cur.h + Number(x.hours), n: cur.n + 1 });
  }
  return t.tasks.map((task) => {
    const parent = (task.parentIds as string[])[0];
    const container = parent === undefined ? undefined : l.containers.get(parent);
    const project = l.nearestProject(parent);
    const st = l.status.get(String(task.customStatusId));
    const assignees = (task.responsibleIds as string[]) ?? [];
    const author = (task.authorIds as string[])?.[0];
    const dates = task.dates as Rec;
    const h = hours.get(String(task.id));
    return {
      task_id: task.id,
      title: task.title,
      status: task.status,
      importance: task.importance,
      custom_status_id: task.customStatusId,
      custom_status_name: st?.name ?? null,
      status_group: st?.group ?? null,
      workflow_name: st?.workflow ?? null,
      assignee_ids: assignees,
      assignee_names: assignees.map((a) => l.name.get(a) ?? a),
      author_id: author ?? null,
      author_name: author === undefined ? null : (l.name.get(author) ?? null),
      folder_id: parent ?? null,
      folder_title: container?.title ?? null,
      project_id: project?.id ?? null,
      project_title: project?.title ?? null,
      created_date: ts(task.createdDate),
      updated_date: ts(task.updatedDate),
      completed_date: ts(task.completedDate),
      date_type: dates.type,
      start_date: local(dates.start),
      due_date: local(dates.due),
      planned_hours: typeof dates.duration === 'number' ? dates.duration / 60 : null,
      logged_hours: h?.h ?? 0,
      timelog_count: BigInt(h?.n ?? 0),
    };
  });
}

export function expectedTimelogDaily(t: WrikeTruth): Row[] {
  const l = lookups(t);
  const taskParent = new Map(t.tasks.map((x) => [String(x.id), (x.parentIds as string[])[0]]));
  const groups = new Map<string, Row & { hours: number; n: number }>();
  for (const x of t.timelogs) {
    const project = l.nearestProject(taskParent.get(String(x.taskId)));
    const key = `${x.userId}|${project?.id ?? ''}|${x.trackedDate}`;
    const g = groups.get(key) ?? {
      user_id: x.userId,
      user_name: l.name.get(String(x.userId)) ?? null,
      project_id: project?.id ?? '',
      project_title: project?.title ?? null,
      work_date: x.trackedDate,
      hours: 0,
      n: 0,
    };
    g.hours += Number(x.hours);
    g.n += 1;
    groups.set(key, g);
  }
  return [...groups.values()].map(({ n, ...g }) => ({ ...g, timelog_count: BigInt(n) }));
}

/** Rows keyed for comparison: key columns → the row without L2's own columns. */
export function byKey(rows: readonly Row[], keys: readonly string[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of rows) {
    const { ingest_timestamp: _t, ingest_run_id: _r, ...rest } = r;
    out.set(keys.map((k) => String(r[k])).join('|'), rest);
  }
  return out;
}

/** Keys whose row differs between two keyed sets (changed or new). */
export function changedKeys(before: Map<string, Row>, after: Map<string, Row>): string[] {
  const text = (r: Row | undefined) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return [...after.keys()].filter((k) => text(before.get(k)) !== text(after.get(k))).sort();
}
