/**
 * Timelogs. Timelog j belongs to a task that already existed when it was logged; an edit changes
 * hours and the comment. Default fields: id, taskId, userId, categoryId, hours, createdDate,
 * updatedDate, trackedDate, comment; optional (`fields=`): billingType, lockStatus, exportStatus.
 */
import { hash, hashString, Rng } from '../../prng.js';
import { DAY, date, timestamp } from '../dates.js';
import { CODE } from '../ids.js';
import { sentence } from './words.js';
import type { World } from './world.js';

const SALT = hashString('timelog');

export const TIMELOG_OPTIONAL_FIELDS = ['billingType', 'lockStatus', 'exportStatus'] as const;

/** Index of the task a timelog belongs to: one that was created before the timelog. */
export function timelogTask(w: World, j: number): number {
  const created = w.timelogs.created(j);
  const visible = Math.max(1, Math.min(w.tasks.count(created), countCreatedBefore(w, created)));
  return hash(w.seed, SALT, j, 1) % visible;
}

/** Base tasks are spread over the history in index order, so those created before t are a prefix. */
function countCreatedBefore(w: World, t: number): number {
  const tl = w.tasks;
  if (t >= tl.t0) return tl.count(t);
  // Binary search on the monotone createdDate of base tasks.
  let lo = 0;
  let hi = tl.base;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tl.created(mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function timelogRecord(
  w: World,
  j: number,
  nowS: number,
  fields: ReadonlySet<string>,
): Record<string, unknown> {
  const v = w.timelogs.version(j, nowS);
  const created = w.timelogs.created(j);
  const rng = new Rng(hash(w.seed, SALT, j));
  const user = w.person(rng.int(1 << 20));
  const category = w.timelogCategoryIds[rng.int(w.timelogCategoryIds.length)]!;
  const tracked = created - rng.int(3) * DAY;
  let hours = rng.range(1, 32) / 4;
  let comment = sentence(rng, 3, 9);
  const billable = rng.chance(0.6);
  if (v > 0) {
    hours = (hash(w.seed, SALT, j, 100 + v) % 32) / 4 + 0.25;
    comment = `${comment} (edited ${v})`;
  }
  const rec: Record<string, unknown> = {
    id: w.ids.id(CODE.timelog, j),
    taskId: w.ids.id(CODE.task, timelogTask(w, j)),
    userId: user,
    categoryId: category,
    hours,
    createdDate: timestamp(created),
    updatedDate: timestamp(w.timelogs.updated(j, v)),
    trackedDate: date(tracked),
    comment,
  };
  if (fields.has('billingType')) rec.billingType = billable ? 'Billable' : 'NonBillable';
  if (fields.has('lockStatus')) rec.lockStatus = created < w.t0 - 30 * DAY ? 'Locked' : 'Unlocked';
  if (fields.has('exportStatus')) rec.exportStatus = 'NotExported';
  return rec;
}

/** trackedDate of timelog j, epoch seconds at 00:00 (for the trackedDate filter). */
export function timelogTracked(w: World, j: number): number {
  const created = w.timelogs.created(j);
  const rng = new Rng(hash(w.seed, SALT, j));
  rng.next();
  rng.next();
  const t = created - rng.int(3) * DAY;
  return t - (t % DAY);
}

/** userId of timelog j, without building the record (for `me=true`). */
export function timelogUser(w: World, j: number): string {
  return w.person(new Rng(hash(w.seed, SALT, j)).int(1 << 20));
}
