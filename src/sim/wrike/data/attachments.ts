/**
 * Attachments: never edited (no updatedDate in Wrike's model), so only creation moves with the
 * clock. `url` is included only with `withUrls=true`, as in Wrike.
 */
import { hash, hashString, Rng } from '../../prng.js';
import { timestamp } from '../dates.js';
import { CODE } from '../ids.js';
import type { World } from './world.js';

const SALT = hashString('attachment');
const KINDS = [
  { ext: 'pdf', contentType: 'application/pdf' },
  { ext: 'png', contentType: 'image/png' },
  { ext: 'jpg', contentType: 'image/jpeg' },
  { ext: 'docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  { ext: 'xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
] as const;
const TYPES = [
  'Wrike',
  'Wrike',
  'Wrike',
  'Wrike',
  'Google',
  'DropBox',
  'Box',
  'OneDrive',
  'External',
] as const;

export function attachmentRecord(w: World, j: number, withUrls: boolean): Record<string, unknown> {
  const rng = new Rng(hash(w.seed, SALT, j));
  const kind = rng.pick(KINDS);
  const type = rng.pick(TYPES);
  const created = w.attachments.created(j);
  const id = w.ids.id(CODE.attachment, j);
  const onFolder = w.folders.base > 0 && rng.chance(0.1);
  const taskPool = created < w.t0 ? Math.max(1, w.tasks.base) : Math.max(1, w.tasks.count(created));
  const rec: Record<string, unknown> = {
    id,
    authorId: w.person(rng.int(1 << 20)),
    name: `file-${j + 1}.${kind.ext}`,
    createdDate: timestamp(created),
    version: rng.range(1, 3),
    type,
    contentType: kind.contentType,
    size: type === 'Wrike' ? rng.range(1_000, 5_000_000) : -1,
  };
  if (onFolder) rec.folderId = w.ids.id(CODE.folder, rng.int(w.folders.base));
  else rec.taskId = w.ids.id(CODE.task, rng.int(taskPool));
  if (kind.contentType.startsWith('image/')) {
    rec.width = rng.range(200, 4000);
    rec.height = rng.range(200, 3000);
  }
  if (withUrls) rec.url = `https://storage.www.wrike.com/attachments/${id}/${rec.name as string}?token=sim`;
  return rec;
}
