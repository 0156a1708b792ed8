/**
 * Tasks: record i is rebuilt from (seed, i, clock) on every request, never stored. This is the
 * hot path (pages of 1000 at > 100k tasks/s), so a record is one object literal with a bitmask
 * for the optional fields and a single per-record PRNG stream.
 *
 * Default fields (what `GET /tasks` returns without `fields=`, and what `records('tasks')` yields):
 *   id, accountId, title, status, importance, createdDate, updatedDate, completedDate (only when
 *   status is Completed), dates, scope, customStatusId, permalink, priority.
 * Optional (`fields=[…]`): TASK_OPTIONAL_FIELDS below.
 *
 * An edit after the start time (see timeline.ts) moves updatedDate and changes the title suffix
 * (` (rev N)`), the status (with completedDate/customStatusId to match), the importance and some
 * custom field values.
 */
import { hash, hashString, Rng, unit } from '../../prng.js';
import { DAY, HOUR, localDateTime, timestamp } from '../dates.js';
import { CODE, encode } from '../ids.js';
import { customFieldValuesJson } from './customfields.js';
import { NOUNS, sentence, VERBS } from './words.js';
import type { World } from './world.js';

const SALT = hashString('task');
const SALT_V = hashString('task-version');
const SALT_SUB = hashString('task-sub');
const SALT_CF = hashString('task-cf');

export const TASK_OPTIONAL_FIELDS = [
  'authorIds',
  'hasAttachments',
  'attachmentCount',
  'parentIds',
  'superParentIds',
  'sharedIds',
  'responsibleIds',
  'description',
  'briefDescription',
  'recurrent',
  'superTaskIds',
  'subTaskIds',
  'dependencyIds',
  'metadata',
  'customFields',
  'effortAllocation',
  'billingType',
] as const;
export type TaskOptionalField = (typeof TASK_OPTIONAL_FIELDS)[number];

export const TASK_DEFAULT_FIELDS = [
  'id',
  'accountId',
  'title',
  'status',
  'importance',
  'createdDate',
  'updatedDate',
  'completedDate',
  'dates',
  'scope',
  'customStatusId',
  'permalink',
  'priority',
] as const;

const BIT = Object.fromEntries(TASK_OPTIONAL_FIELDS.map((f, k) => [f, 1 << k])) as Record<
  TaskOptionalField,
  number
>;
export const ALL_TASK_FIELDS = (1 << TASK_OPTIONAL_FIELDS.length) - 1;

export function isTaskField(name: string): name is TaskOptionalField {
  return Object.hasOwn(BIT, name);
}

export function taskFieldsMask(names: Iterable<string>): number {
  let m = 0;
  for (const n of names) if (isTaskField(n)) m |= BIT[n];
  return m;
}

const STATUSES = [
  'Active',
  'Active',
  'Active',
  'Active',
  'Active',
  'Completed',
  'Completed',
  'Completed',
  'Deferred',
  'Cancelled',
] as const;
const GROUP = {
  Active: 'Active',
  Completed: 'Completed',
  Deferred: 'Deferred',
  Cancelled: 'Cancelled',
} as const;
const IMPORTANCE = ['High', 'Normal', 'Normal', 'Normal', 'Low'] as const;

/** Base folder or project (index) a task lives in; -1 = the account root when there are none. */
export function taskFolder(w: World, i: number): number {
  const n = w.folders.base;
  return n === 0 ? -1 : hash(w.seed, SALT, i, 1) % n;
}

function isSubtask(w: World, j: number): boolean {
  return j >= 4 && hash(w.seed, SALT_SUB, j) % 10 === 0;
}
function superTask(w: World, j: number): number {
  return j - 1 - (hash(w.seed, SALT_SUB, j, 1) & 3);
}

export function taskId(w: World, i: number): string {
  return w.ids.id(CODE.task, i);
}

/** Index of a visible task id, or -1. */
export function taskIndex(w: World, id: string, nowS: number): number {
  const i = w.ids.index(CODE.task, id);
  return i >= 0 && i < w.tasks.count(nowS) ? i : -1;
}

/** updatedDate of task i at nowS, epoch seconds (the filter/scan fast path). */
export function taskUpdated(w: World, i: number, nowS: number): number {
  return w.tasks.updated(i, w.tasks.version(i, nowS));
}

/** Task i as the API returns it, parsed (ground truth, /tasks/{ids}). */
export function taskRecord(w: World, i: number, nowS: number, mask: number): Record<string, unknown> {
  return JSON.parse(taskJson(w, i, nowS, mask)) as Record<string, unknown>;
}

/**
 * Task i as JSON text. Built by concatenation rather than JSON.stringify because it is the hot
 * path; every string value comes from ids, dates, numbers or the word lists in words.ts, none of
 * which needs escaping (tests parse every generated record to keep it that way).
 */
export function taskJson(w: World, i: number, nowS: number, mask: number): string {
  const tl = w.tasks;
  const v = tl.version(i, nowS);
  const created = tl.created(i);
  const updated = tl.updated(i, v);
  const rng = new Rng(hash(w.seed, SALT, i));
  const title0 = `${rng.pick(VERBS)} ${rng.pick(NOUNS)} #${i + 1}`;
  let status: (typeof STATUSES)[number] = rng.pick(STATUSES);
  let importance: (typeof IMPORTANCE)[number] = rng.pick(IMPORTANCE);
  if (v > 0) {
    const h = hash(w.seed, SALT_V, i, v);
    status = STATUSES[h % STATUSES.length]!;
    importance = IMPORTANCE[(h >>> 8) % IMPORTANCE.length]!;
  }
  const workflow = rng.int(w.workflows.length);
  const customStatusId = w.customStatus(workflow, GROUP[status], unit(w.seed, SALT_V, i, v + 1)).id;

  // dates: 30 % backlog, 10 % milestones, 60 % planned (09:00 to 17:00 over 1–10 working days).
  const kind = rng.next();
  const day0 = created - (created % DAY) + rng.int(30) * DAY;
  let dates: string;
  if (kind < 0.3) dates = '{"type":"Backlog"}';
  else if (kind < 0.4) dates = `{"type":"Milestone","due":"${localDateTime(day0 + 17 * HOUR)}"}`;
  else {
    const days = rng.range(1, 10);
    dates = `{"type":"Planned","duration":${days * 480},"start":"${localDateTime(day0 + 9 * HOUR)}","due":"${localDateTime(day0 + (days - 1) * DAY + 17 * HOUR)}","workOnWeekends":false}`;
  }
  const author = w.person(rng.int(1 << 20));
  const nResp = rng.int(3);
  const attachments = rng.chance(0.8) ? 0 : rng.range(1, 4);
  const id = w.ids.id(CODE.task, i);

  let t = `{"id":"${id}","accountId":"${w.ids.accountId}","title":"${title0}${v > 0 ? ` (rev ${v})` : ''}"`;
  if (mask !== 0) {
    if (mask & (BIT.description | BIT.briefDescription)) {
      const text = sentence(new Rng(hash(w.seed, SALT, i, 2)), 8, 24);
      if (mask & BIT.description) t += `,"description":"<p>${text}</p>"`;
      if (mask & BIT.briefDescription) t += `,"briefDescription":"${text.slice(0, 100)}"`;
    }
    if (mask & BIT.parentIds) {
      const folder = taskFolder(w, i);
      t += `,"parentIds":["${folder < 0 ? w.ids.rootFolderId : w.ids.id(CODE.folder, folder)}"]`;
    }
    if (mask & BIT.superParentIds) t += ',"superParentIds":[]';
    if (mask & (BIT.sharedIds | BIT.responsibleIds)) {
      const responsibleIds: string[] = [];
      const r = new Rng(hash(w.seed, SALT, i, 3));
      for (let k = 0; k < nResp; k++) {
        const p = w.person(r.int(1 << 20));
        if (!responsibleIds.includes(p)) responsibleIds.push(p);
      }
      const shared = w.groupIds.length > 0 ? [w.groupIds[0]!, ...responsibleIds] : responsibleIds;
      if (mask & BIT.sharedIds) t += `,"sharedIds":${idList(shared)}`;
      if (mask & BIT.responsibleIds) t += `,"responsibleIds":${idList(responsibleIds)}`;
    }
  }
  t += `,"status":"${status}","importance":"${importance}","createdDate":"${timestamp(created)}","updatedDate":"${timestamp(updated)}"`;
  if (status === 'Completed') t += `,"completedDate":"${timestamp(updated)}"`;
  t += `,"dates":${dates},"scope":"WsTask"`;
  if (mask & BIT.authorIds) t += `,"authorIds":["${author}"]`;
  t += `,"customStatusId":"${customStatusId}"`;
  if (mask & BIT.hasAttachments) t += `,"hasAttachments":${attachments > 0}`;
  if (mask & BIT.attachmentCount) t += `,"attachmentCount":${attachments}`;
  t += `,"permalink":"https://www.wrike.com/open.htm?id=${1000000000 + i}","priority":"${encodePriority(i)}"`;
  if (mask !== 0) {
    const count = mask & BIT.subTaskIds ? w.tasks.count(nowS) : 0;
    if (mask & BIT.superTaskIds)
      t += `,"superTaskIds":${isSubtask(w, i) ? `["${w.ids.id(CODE.task, superTask(w, i))}"]` : '[]'}`;
    if (mask & BIT.subTaskIds) {
      const subs: string[] = [];
      for (let j = i + 1; j <= i + 4 && j < count; j++) {
        if (isSubtask(w, j) && superTask(w, j) === i) subs.push(w.ids.id(CODE.task, j));
      }
      t += `,"subTaskIds":${idList(subs)}`;
    }
    if (mask & BIT.dependencyIds) {
      // Wrike dependency ids join predecessor and successor: account + IU + pred + KM + succ.
      t +=
        i > 0 && hash(w.seed, SALT, i, 4) % 10 === 0
          ? `,"dependencyIds":["${w.ids.accountId}${CODE.dependency}${encode(i, 6)}KM${encode(i + 1, 6)}"]`
          : ',"dependencyIds":[]';
    }
    if (mask & BIT.metadata)
      t += i % 5 === 0 ? `,"metadata":[{"key":"externalId","value":"EXT-${i + 1}"}]` : ',"metadata":[]';
    if (mask & BIT.customFields) t += `,"customFields":${customFieldValuesJson(w, SALT_CF, i, v)}`;
    if (mask & BIT.recurrent) t += `,"recurrent":${hash(w.seed, SALT, i, 5) % 20 === 0}`;
    if (mask & BIT.effortAllocation) {
      const h = hash(w.seed, SALT, i, 6);
      const e = (h % 16) * 60 + 60;
      t +=
        h % 3 === 0
          ? ',"effortAllocation":{"mode":"None"}'
          : `,"effortAllocation":{"mode":"Basic","totalEffort":${e},"allocatedEffort":${e}}`;
    }
    if (mask & BIT.billingType)
      t += `,"billingType":"${hash(w.seed, SALT, i, 7) % 2 === 0 ? 'Billable' : 'NonBillable'}"`;
  }
  return `${t}}`;
}

function idList(ids: readonly string[]): string {
  return ids.length === 0 ? '[]' : `["${ids.join('","')}"]`;
}

/** Wrike's 24-hex-digit lexicographic priority string; increasing with the index. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
function encodePriority(i: number): string {
  const n = (0x800000 + i * 16) >>> 0;
  return `0000${HEX[n >>> 24]}${HEX[(n >>> 16) & 255]}${HEX[(n >>> 8) & 255]}${HEX[n & 255]}000000000000`;
}
