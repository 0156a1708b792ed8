/**
 * Folders and projects. Both live in one index space (`IEA…I4AAAAAB`…): the first `projects`
 * base indexes are projects directly in a space, the other base indexes are folders in a space or
 * under an earlier folder or project; records created after t0 are projects one time in four.
 * Folder counts are small (hundreds), so the tree at a given clock is rebuilt per request.
 *
 * Two shapes, as in Wrike: the folder-tree entry (`GET /folders` with no filter, kind
 * `folderTree`: id, title, color, childIds, scope, project?) and the full Folder model (folders mode
 * and `GET /folders/{ids}`, kind `folders`).
 */
import { hash, hashString, Rng, unit } from '../../prng.js';
import { DAY, date, timestamp } from '../dates.js';
import { CODE } from '../ids.js';
import { customFieldValues } from './customfields.js';
import { activeSpaceCount, isArchivedSpace, spaceId, spaceTitle } from './spaces.js';
import { COLORS, NOUNS, sentence } from './words.js';
import type { World } from './world.js';

const SALT = hashString('folder-gen');
const SALT_CF = hashString('folder-cf');

/** Optional fields Wrike adds with `fields=[…]` on folders. */
export const FOLDER_OPTIONAL_FIELDS = [
  'briefDescription',
  'customColumnIds',
  'attachmentCount',
  'contractType',
  'description',
  'space',
] as const;

export interface FolderNode {
  kind: 'root' | 'recycle' | 'space' | 'folder';
  id: string;
  /** Generated folder index, or the space index for spaces; -1 for root and recycle bin. */
  index: number;
  parent: FolderNode | undefined;
  children: FolderNode[];
  project: boolean;
}

export function isProject(w: World, j: number): boolean {
  if (j < w.counts.projects) return true;
  if (j < w.folders.base) return false;
  return hash(w.seed, SALT, j, 2) % 4 === 0;
}

export function folderId(w: World, j: number): string {
  return w.ids.id(CODE.folder, j);
}

/** The folder tree as it is at `nowS`. */
export class FolderTree {
  readonly root: FolderNode;
  readonly recycle: FolderNode;
  readonly spaces: FolderNode[] = [];
  /** Generated folders and projects visible at nowS, by index. */
  readonly folders: FolderNode[] = [];
  readonly byId = new Map<string, FolderNode>();

  constructor(w: World, nowS: number) {
    this.root = this.add({
      kind: 'root',
      id: w.ids.rootFolderId,
      index: -1,
      parent: undefined,
      children: [],
      project: false,
    });
    this.recycle = this.add({
      kind: 'recycle',
      id: w.ids.recycleBinId,
      index: -1,
      parent: undefined,
      children: [],
      project: false,
    });
    for (let k = 0; k < w.counts.spaces; k++) {
      const s = this.add({
        kind: 'space',
        id: spaceId(w, k),
        index: k,
        parent: this.root,
        children: [],
        project: false,
      });
      this.root.children.push(s);
      this.spaces.push(s);
    }
    const active = activeSpaceCount(w);
    const n = w.folders.count(nowS);
    for (let j = 0; j < n; j++) {
      let parent: FolderNode;
      if (active === 0) parent = this.root;
      else if (j < w.counts.projects || j === 0 || unit(w.seed, SALT, j, 1) < 0.4) {
        parent = this.spaces[hash(w.seed, SALT, j, 3) % active]!;
      } else parent = this.folders[hash(w.seed, SALT, j, 4) % j]!;
      const node = this.add({
        kind: 'folder',
        id: folderId(w, j),
        index: j,
        parent,
        children: [],
        project: isProject(w, j),
      });
      parent.children.push(node);
      this.folders.push(node);
    }
  }

  private add(node: FolderNode): FolderNode {
    this.byId.set(node.id, node);
    return node;
  }

  /** Generated folder indexes in the subtree of `node` (itself included); all when node is the root. */
  subtree(node: FolderNode, descendants = true): Set<number> {
    const out = new Set<number>();
    const visit = (n: FolderNode, depth: number) => {
      if (n.kind === 'folder') out.add(n.index);
      if (!descendants && depth > 0) return;
      for (const c of n.children) visit(c, depth + 1);
    };
    visit(node, 0);
    return out;
  }

  /** Space index a node belongs to, or -1. */
  spaceOf(node: FolderNode): number {
    let n: FolderNode | undefined = node;
    while (n && n.kind !== 'space') n = n.parent;
    return n ? n.index : -1;
  }
}

const PROJECT_STATUSES = [
  'Green',
  'Green',
  'Green',
  'Yellow',
  'Red',
  'Completed',
  'Completed',
  'OnHold',
  'Cancelled',
] as const;
const GROUP_OF = {
  Green: 'Active',
  Yellow: 'Active',
  Red: 'Active',
  Completed: 'Completed',
  OnHold: 'Deferred',
  Cancelled: 'Cancelled',
} as const;

function title(w: World, j: number, version: number): string {
  const noun = NOUNS[hash(w.seed, SALT, j, 5) % NOUNS.length]!;
  const t = `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${isProject(w, j) ? 'project' : 'folder'} ${j + 1}`;
  return version > 0 ? `${t} (rev ${version})` : t;
}

function color(w: World, j: number): string {
  return COLORS[hash(w.seed, SALT, j, 6) % COLORS.length]!;
}

function workflowIndex(w: World, j: number): number {
  return hash(w.seed, SALT, j, 7) % w.workflows.length;
}

function projectBlock(
  w: World,
  j: number,
  version: number,
  updated: number,
  withContractType: boolean,
): Record<string, unknown> {
  const rng = new Rng(hash(w.seed, SALT, j, 8));
  const created = w.folders.created(j);
  const start = created + rng.int(30) * DAY;
  const end = start + rng.range(7, 120) * DAY;
  const status = PROJECT_STATUSES[hash(w.seed, SALT, j, 100 + version) % PROJECT_STATUSES.length]!;
  const cs = w.customStatus(workflowIndex(w, j), GROUP_OF[status], unit(w.seed, SALT, j, 200 + version));
  const p: Record<string, unknown> = {
    authorId: w.person(rng.int(1 << 20)),
    ownerIds: [w.person(rng.int(1 << 20))],
    status,
    customStatusId: cs.id,
    startDate: date(start),
    endDate: date(end),
    createdDate: timestamp(created),
  };
  if (status === 'Completed') p.completedDate = timestamp(updated);
  if (withContractType) p.contractType = rng.chance(0.5) ? 'Billable' : 'NonBillable';
  return p;
}

/** Folder-tree mode entry. */
export function treeEntry(
  w: World,
  _tree: FolderTree,
  node: FolderNode,
  nowS: number,
): Record<string, unknown> {
  const childIds = node.children.map((c) => c.id);
  switch (node.kind) {
    case 'root':
      return { id: node.id, title: 'Root', childIds, scope: 'WsRoot' };
    case 'recycle':
      return { id: node.id, title: 'Recycle Bin', childIds, scope: 'RbRoot' };
    case 'space':
      return {
        id: node.id,
        title: spaceTitle(node.index),
        color: 'None',
        childIds,
        scope: 'WsFolder',
        space: true,
      };
    case 'folder': {
      const v = w.folders.version(node.index, nowS);
      const e: Record<string, unknown> = {
        id: node.id,
        title: title(w, node.index, v),
        color: color(w, node.index),
        childIds,
        scope: 'WsFolder',
      };
      if (node.project) e.project = projectBlock(w, node.index, v, w.folders.updated(node.index, v), false);
      return e;
    }
  }
}

/** Full Folder model (folders mode, `GET /folders/{ids}`). `fields` adds the optional ones. */
export function folderRecord(
  w: World,
  tree: FolderTree,
  node: FolderNode,
  nowS: number,
  fields: ReadonlySet<string>,
): Record<string, unknown> {
  if (node.kind !== 'folder') return containerRecord(w, tree, node, fields);
  const j = node.index;
  const v = w.folders.version(j, nowS);
  const created = w.folders.created(j);
  const updated = w.folders.updated(j, v);
  const rng = new Rng(hash(w.seed, SALT, j, 9));
  const desc = sentence(rng, 6, 16);
  const attachments = rng.chance(0.7) ? 0 : rng.range(1, 5);
  const rec: Record<string, unknown> = {
    id: node.id,
    accountId: w.ids.accountId,
    title: title(w, j, v),
    createdDate: timestamp(created),
    updatedDate: timestamp(updated),
    description: `<p>${desc}</p>`,
    briefDescription: desc.slice(0, 100),
    color: color(w, j),
    sharedIds: [w.groupIds[0] ?? w.person(0)],
    parentIds: [node.parent!.id],
    childIds: node.children.map((c) => c.id),
    superParentIds: [],
    scope: 'WsFolder',
    hasAttachments: attachments > 0,
  };
  if (fields.has('attachmentCount')) rec.attachmentCount = attachments;
  rec.permalink = `https://www.wrike.com/open.htm?id=${300000000 + j}`;
  rec.workflowId = w.workflows[workflowIndex(w, j)]!.id;
  rec.metadata = j % 4 === 0 ? [{ key: 'costCenter', value: `CC-${100 + (j % 7)}` }] : [];
  rec.customFields = customFieldValues(w, SALT_CF, j, v);
  rec.customColumnIds =
    w.counts.customFields > 0 ? [w.ids.id(CODE.customField, j % w.counts.customFields)] : [];
  if (fields.has('space')) rec.space = false;
  if (node.project) rec.project = projectBlock(w, j, v, updated, fields.has('contractType'));
  return rec;
}

/** Root, recycle bin and spaces as Folder models (only reachable through `GET /folders/{ids}`). */
function containerRecord(
  w: World,
  _tree: FolderTree,
  node: FolderNode,
  fields: ReadonlySet<string>,
): Record<string, unknown> {
  const created = timestamp(w.t0 - 400 * DAY);
  const rec: Record<string, unknown> = {
    id: node.id,
    accountId: w.ids.accountId,
    title: node.kind === 'root' ? 'Root' : node.kind === 'recycle' ? 'Recycle Bin' : spaceTitle(node.index),
    createdDate: created,
    updatedDate: created,
    description: '',
    briefDescription: '',
    color: 'None',
    sharedIds: [],
    parentIds: node.parent ? [node.parent.id] : [],
    childIds: node.children.map((c) => c.id),
    superParentIds: [],
    scope: node.kind === 'root' ? 'WsRoot' : node.kind === 'recycle' ? 'RbRoot' : 'WsFolder',
    hasAttachments: false,
  };
  if (fields.has('attachmentCount')) rec.attachmentCount = 0;
  rec.permalink = `https://www.wrike.com/open.htm?id=${200000000 + Math.max(0, node.index)}`;
  rec.workflowId = w.workflows[0]!.id;
  rec.metadata = [];
  rec.customFields = [];
  rec.customColumnIds = [];
  if (node.kind === 'space') {
    rec.space = true;
    if (isArchivedSpace(w, node.index)) rec.archived = true;
  }
  return rec;
}

/** Generated folders (project=false) or projects (project=true) at nowS, in id order, updatedDate-filtered. */
export function* folderRecords(
  w: World,
  tree: FolderTree,
  nowS: number,
  opts: {
    project?: boolean;
    scope?: Set<number>;
    updated?: { start?: number; end?: number };
    fields: ReadonlySet<string>;
  },
): Generator<Record<string, unknown>> {
  for (const node of tree.folders) {
    if (opts.project !== undefined && node.project !== opts.project) continue;
    if (opts.scope && !opts.scope.has(node.index)) continue;
    if (opts.updated) {
      const u = w.folders.updated(node.index, w.folders.version(node.index, nowS)) * 1000;
      if (opts.updated.start !== undefined && u < opts.updated.start) continue;
      if (opts.updated.end !== undefined && u >= opts.updated.end) continue;
    }
    yield folderRecord(w, tree, node, nowS, opts.fields);
  }
}
