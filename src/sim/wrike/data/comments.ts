/**
 * Comments: id, authorId, text, createdDate, updatedDate and taskId (nine in ten) or folderId.
 * An edit appends ` (edited N)` to the text and moves updatedDate.
 */
import { hash, hashString, Rng } from '../../prng.js';
import { timestamp } from '../dates.js';
import { CODE } from '../ids.js';
import { sentence } from './words.js';
import type { World } from './world.js';

const SALT = hashString('comment');

/** Parent of comment j: a task (index) or, one in ten, a base folder. */
export function commentParent(w: World, j: number): { task: number } | { folder: number } {
  const h = hash(w.seed, SALT, j, 1);
  const created = w.comments.created(j);
  if (h % 10 === 0 && w.folders.base > 0) return { folder: (h >>> 4) % w.folders.base };
  // Comments in the history refer to base tasks; later ones to any task visible at creation.
  const pool = created < w.t0 ? Math.max(1, w.tasks.base) : Math.max(1, w.tasks.count(created));
  return { task: (h >>> 4) % pool };
}

export function commentRecord(
  w: World,
  j: number,
  nowS: number,
  plainText: boolean,
): Record<string, unknown> {
  const v = w.comments.version(j, nowS);
  const rng = new Rng(hash(w.seed, SALT, j));
  const author = w.person(rng.int(1 << 20));
  let text = sentence(rng, 4, 20);
  if (v > 0) text = `${text} (edited ${v})`;
  const parent = commentParent(w, j);
  const rec: Record<string, unknown> = {
    id: w.ids.id(CODE.comment, j),
    authorId: author,
    text: plainText ? text : `<p>${text}</p>`,
    createdDate: timestamp(w.comments.created(j)),
    updatedDate: timestamp(w.comments.updated(j, v)),
  };
  if ('task' in parent) rec.taskId = w.ids.id(CODE.task, parent.task);
  else rec.folderId = w.ids.id(CODE.folder, parent.folder);
  return rec;
}
