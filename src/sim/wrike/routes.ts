/**
 * The read API under /api/v4: turns (path, query, clock) into a list response or a WrikeApiError.
 * Handlers return `{kind, items, extra}`; the server serialises them into Wrike's envelope
 * `{"kind": …, [nextPageToken, responseSize,] "data": [...]}`, streaming long lists.
 */
import { attachmentRecord } from './data/attachments.js';
import { commentParent, commentRecord } from './data/comments.js';
import { CONTACT_OPTIONAL_FIELDS, contactById, contacts } from './data/contacts.js';
import { customField, customFields } from './data/customfields.js';
import {
  FOLDER_OPTIONAL_FIELDS,
  type FolderNode,
  FolderTree,
  folderRecord,
  folderRecords,
  treeEntry,
} from './data/folders.js';
import { space, spaces } from './data/spaces.js';
import {
  ALL_TASK_FIELDS,
  TASK_OPTIONAL_FIELDS,
  taskFieldsMask,
  taskFolder,
  taskIndex,
  taskJson,
  taskRecord,
  taskUpdated,
} from './data/tasks.js';
import {
  TIMELOG_OPTIONAL_FIELDS,
  timelogRecord,
  timelogTask,
  timelogTracked,
  timelogUser,
} from './data/timelogs.js';
import { workflows } from './data/workflows.js';
import type { World } from './data/world.js';
import { DAY } from './dates.js';
import { WrikeApiError } from './errors.js';
import { CODE } from './ids.js';
import {
  countMatches,
  decodePageToken,
  encodePageToken,
  MAX_PAGE_SIZE,
  type PageToken,
  parsePageSize,
  scan,
} from './pagination.js';
import { inRange, parseBool, parseFields, parseIds, parseRange, type Range } from './query.js';

export interface ListResult {
  kind: string;
  items: Iterable<unknown>;
  /** Top-level members placed before `data` (nextPageToken, responseSize). */
  extra?: Record<string, unknown>;
  /** Items are already JSON text (the task fast path). */
  raw?: boolean;
}

export interface ApiRequest {
  /** Path after /api/v4, e.g. `/folders/IEA…/tasks`. */
  path: string;
  params: URLSearchParams;
  nowMs: number;
}

const COMMENTS_WINDOW_MS = 7 * DAY * 1000;
const ATTACHMENTS_WINDOW_MS = 31 * DAY * 1000;
/** Ids per `GET /x/{ids}` call (Wrike's older docs: up to 100). */
export const MAX_IDS = 100;

function* map<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const t of items) yield f(t);
}

function notFound(what: string): WrikeApiError {
  return new WrikeApiError('resource_not_found', `${what} not found`);
}

export class WrikeApi {
  constructor(private readonly world: World) {}

  handle(req: ApiRequest): ListResult {
    const seg = req.path.split('/').filter((s) => s !== '');
    const [a, b, c] = seg;
    const nowS = Math.floor(req.nowMs / 1000);
    if (seg.length > 3 || a === undefined) throw this.noMethod(req.path);
    const w = this.world;
    switch (a) {
      case 'version':
        if (seg.length === 1) return { kind: 'version', items: [{ major: 4, minor: 0 }] };
        break;
      case 'account':
        if (seg.length === 1) return { kind: 'accounts', items: [this.account()] };
        break;
      case 'contacts':
        if (seg.length <= 2) return this.contacts(req, b);
        break;
      case 'customfields':
        if (seg.length === 1) return { kind: 'customfields', items: customFields(w) };
        if (seg.length === 2) {
          return {
            kind: 'customfields',
            items: parseIds(b!, MAX_IDS).map((id) => {
              const k = w.ids.index(CODE.customField, id);
              if (k < 0 || k >= w.counts.customFields) throw notFound(`Custom field '${id}'`);
              return customField(w, k);
            }),
          };
        }
        break;
      case 'workflows':
        if (seg.length === 1) return { kind: 'workflows', items: workflows(w) };
        break;
      case 'spaces': {
        if (seg.length === 1) {
          const withArchived = parseBool(req.params.get('withArchived'), 'withArchived') ?? false;
          return { kind: 'spaces', items: spaces(w, withArchived) };
        }
        const k = w.ids.index(CODE.space, b!);
        if (k < 0 || k >= w.counts.spaces) throw notFound(`Space '${b}'`);
        if (seg.length === 2) return { kind: 'spaces', items: [space(w, k)] };
        const tree = new FolderTree(w, nowS);
        const node = tree.byId.get(b!)!;
        if (c === 'folders') return this.folders(req, tree, node);
        if (c === 'tasks') return this.tasks(req, tree.subtree(node));
        break;
      }
      case 'folders': {
        const tree = new FolderTree(w, nowS);
        if (seg.length === 1) return this.folders(req, tree, undefined);
        if (seg.length === 2) return this.foldersById(req, tree, b!);
        const node = tree.byId.get(b!);
        if (!node) throw notFound(`Folder '${b}'`);
        if (c === 'folders') return this.folders(req, tree, node);
        if (c === 'tasks') return this.tasks(req, tree.subtree(node));
        if (c === 'timelogs') return this.timelogs(req, { folders: tree.subtree(node) });
        if (c === 'comments') return this.comments(req, { folder: node.index });
        if (c === 'attachments') return this.attachments(req, { folder: node.index });
        break;
      }
      case 'tasks': {
        if (seg.length === 1) return this.tasks(req, undefined);
        if (seg.length === 2) return this.tasksById(req, b!);
        const i = taskIndex(w, b!, nowS);
        if (i < 0) throw notFound(`Task '${b}'`);
        if (c === 'timelogs') return this.timelogs(req, { task: i });
        if (c === 'comments') return this.comments(req, { task: i });
        if (c === 'attachments') return this.attachments(req, { task: i });
        break;
      }
      case 'timelogs':
        if (seg.length === 1) return this.timelogs(req, {});
        break;
      case 'comments':
        if (seg.length === 1) return this.comments(req, {});
        break;
      case 'attachments':
        if (seg.length === 1) return this.attachments(req, {});
        break;
    }
    throw this.noMethod(req.path);
  }

  private noMethod(path: string): WrikeApiError {
    return new WrikeApiError('method_not_found', `Method 'GET /api/v4${path}' not found`);
  }

  private account(): Record<string, unknown> {
    const w = this.world;
    return {
      id: w.ids.accountId,
      name: 'Simulated Account',
      dateFormat: 'MM/dd/yyyy',
      firstDayOfWeek: 'Mon',
      workDays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
      rootFolderId: w.ids.rootFolderId,
      recycleBinId: w.ids.recycleBinId,
      createdDate: new Date((w.t0 - 400 * DAY) * 1000).toISOString().slice(0, 19) + 'Z',
      joinedDate: new Date((w.t0 - 400 * DAY) * 1000).toISOString().slice(0, 19) + 'Z',
    };
  }

  // ---- contacts ----------------------------------------------------------------------------------

  private contacts(req: ApiRequest, ids: string | undefined): ListResult {
    const w = this.world;
    const fields = parseFields(req.params.get('fields'), CONTACT_OPTIONAL_FIELDS);
    if (ids !== undefined) {
      return {
        kind: 'contacts',
        items: parseIds(ids, MAX_IDS).map(
          (id) => contactById(w, id, fields) ?? throwErr(notFound(`Contact '${id}'`)),
        ),
      };
    }
    const me = parseBool(req.params.get('me'), 'me');
    const deleted = parseBool(req.params.get('deleted'), 'deleted');
    const items = function* () {
      for (const c of contacts(w, fields)) {
        if (me !== undefined && c.me !== me) continue;
        if (deleted !== undefined && c.deleted !== deleted) continue;
        yield c;
      }
    };
    return { kind: 'contacts', items: items() };
  }

  // ---- folders -----------------------------------------------------------------------------------

  private folders(req: ApiRequest, tree: FolderTree, scope: FolderNode | undefined): ListResult {
    const w = this.world;
    const p = req.params;
    const nowS = Math.floor(req.nowMs / 1000);
    const project = parseBool(p.get('project'), 'project');
    const descendants = parseBool(p.get('descendants'), 'descendants') ?? true;
    const updated = parseRange(p.get('updatedDate'), 'updatedDate');
    const fields = parseFields(p.get('fields'), FOLDER_OPTIONAL_FIELDS);
    const foldersMode =
      project !== undefined ||
      updated !== undefined ||
      !descendants ||
      ['metadata', 'customField', 'customFields', 'deleted', 'permalink'].some((k) => p.has(k));
    if (!foldersMode) {
      const nodes: FolderNode[] = [];
      const visit = (n: FolderNode) => {
        nodes.push(n);
        for (const ch of n.children) visit(ch);
      };
      if (scope) visit(scope);
      else {
        // Whole account: root first, recycle bin, then every node in tree order.
        nodes.push(tree.root, tree.recycle);
        for (const s of tree.root.children) visit(s);
      }
      return { kind: 'folderTree', items: map(nodes, (n) => treeEntry(w, tree, n, nowS)) };
    }
    let set: Set<number> | undefined;
    if (scope) {
      set = tree.subtree(scope, descendants);
      if (scope.kind === 'folder') set.delete(scope.index);
    }
    return { kind: 'folders', items: folderRecords(w, tree, nowS, { project, scope: set, updated, fields }) };
  }

  private foldersById(req: ApiRequest, tree: FolderTree, raw: string): ListResult {
    const w = this.world;
    const nowS = Math.floor(req.nowMs / 1000);
    const fields = parseFields(req.params.get('fields'), FOLDER_OPTIONAL_FIELDS);
    const items = parseIds(raw, MAX_IDS).map((id) => {
      const node = tree.byId.get(id);
      if (!node) throw notFound(`Folder '${id}'`);
      return folderRecord(w, tree, node, nowS, fields);
    });
    return { kind: 'folders', items };
  }

  // ---- tasks -------------------------------------------------------------------------------------

  private tasks(req: ApiRequest, folderSet: Set<number> | undefined): ListResult {
    const w = this.world;
    return this.paged(req, (p, nowS) => {
      const mask = taskFieldsMask(parseFields(p.get('fields'), TASK_OPTIONAL_FIELDS));
      const updated = parseRange(p.get('updatedDate'), 'updatedDate');
      const created = parseRange(p.get('createdDate'), 'createdDate');
      const completed = parseRange(p.get('completedDate'), 'completedDate');
      const limit = p.get('limit') === null ? undefined : parsePageSize(p.get('limit'));
      const rootScope = folderSet && folderSet.size === w.folders.count(nowS) ? undefined : folderSet;
      const tests: Array<(i: number) => boolean> = [];
      if (rootScope) tests.push((i) => rootScope.has(taskFolder(w, i)));
      if (updated) tests.push((i) => inRange(taskUpdated(w, i, nowS) * 1000, updated));
      if (created) tests.push((i) => inRange(w.tasks.created(i) * 1000, created));
      if (completed) {
        tests.push((i) => {
          const cd = taskRecord(w, i, nowS, 0).completedDate;
          return typeof cd === 'string' && inRange(Date.parse(cd), completed);
        });
      }
      return {
        kind: 'tasks',
        count: w.tasks.count(nowS),
        match: combine(tests),
        build: (i) => taskJson(w, i, nowS, mask),
        cap: limit ?? MAX_PAGE_SIZE,
        raw: true,
      };
    });
  }

  private tasksById(req: ApiRequest, raw: string): ListResult {
    const w = this.world;
    const nowS = Math.floor(req.nowMs / 1000);
    // GET /tasks/{ids} returns most optional fields; `fields` adds the four that it does not.
    const extra = parseFields(req.params.get('fields'), [
      'recurrent',
      'attachmentCount',
      'effortAllocation',
      'billingType',
    ]);
    const mask =
      (ALL_TASK_FIELDS &
        ~taskFieldsMask(['recurrent', 'attachmentCount', 'effortAllocation', 'billingType'])) |
      taskFieldsMask(extra);
    const items = parseIds(raw, MAX_IDS).map((id) => {
      const i = taskIndex(w, id, nowS);
      if (i < 0) throw notFound(`Task '${id}'`);
      return taskRecord(w, i, nowS, mask);
    });
    return { kind: 'tasks', items };
  }

  // ---- timelogs ----------------------------------------------------------------------------------

  private timelogs(req: ApiRequest, scope: { task?: number; folders?: Set<number> }): ListResult {
    const w = this.world;
    return this.paged(req, (p, nowS) => {
      const fields = parseFields(p.get('fields'), TIMELOG_OPTIONAL_FIELDS);
      const updated = parseRange(p.get('updatedDate'), 'updatedDate');
      const created = parseRange(p.get('createdDate'), 'createdDate');
      const tracked = parseRange(p.get('trackedDate'), 'trackedDate', 'date');
      const me = parseBool(p.get('me'), 'me');
      const tests: Array<(j: number) => boolean> = [];
      if (scope.task !== undefined) tests.push((j) => timelogTask(w, j) === scope.task);
      if (scope.folders) {
        const set = scope.folders;
        tests.push((j) => set.has(taskFolder(w, timelogTask(w, j))));
      }
      if (updated)
        tests.push((j) => inRange(w.timelogs.updated(j, w.timelogs.version(j, nowS)) * 1000, updated));
      if (created) tests.push((j) => inRange(w.timelogs.created(j) * 1000, created));
      if (tracked) {
        // trackedDate ranges are whole days, both ends inclusive.
        const r: Range = {
          start: tracked.start,
          end: tracked.end === undefined ? undefined : tracked.end + 1,
        };
        tests.push((j) => inRange(timelogTracked(w, j) * 1000, r));
      }
      if (me !== undefined) tests.push((j) => (timelogUser(w, j) === w.person(0)) === me);
      return {
        kind: 'timelogs',
        count: w.timelogs.count(nowS),
        match: combine(tests),
        build: (j) => timelogRecord(w, j, nowS, fields),
        cap: undefined,
      };
    });
  }

  // ---- comments and attachments ------------------------------------------------------------------

  private comments(req: ApiRequest, scope: { task?: number; folder?: number }): ListResult {
    const w = this.world;
    const nowS = Math.floor(req.nowMs / 1000);
    const plainText = parseBool(req.params.get('plainText'), 'plainText') ?? false;
    let range = parseRange(req.params.get('updatedDate'), 'updatedDate');
    const accountWide = scope.task === undefined && scope.folder === undefined;
    if (accountWide) range = windowed(range, req.nowMs, COMMENTS_WINDOW_MS, 'updatedDate', '7 days', false);
    const limit = req.params.get('limit') === null ? undefined : parsePageSize(req.params.get('limit'));
    const tl = w.comments;
    const count = tl.count(nowS);
    function* items() {
      let n = 0;
      for (let j = 0; j < count; j++) {
        if (limit !== undefined && n >= limit) return;
        if (range && !inRange(tl.updated(j, tl.version(j, nowS)) * 1000, range)) continue;
        if (!accountWide) {
          const parent = commentParent(w, j);
          if (scope.task !== undefined && !('task' in parent && parent.task === scope.task)) continue;
          if (scope.folder !== undefined && !('folder' in parent && parent.folder === scope.folder)) continue;
        }
        n++;
        yield commentRecord(w, j, nowS, plainText);
      }
    }
    return { kind: 'comments', items: items() };
  }

  private attachments(req: ApiRequest, scope: { task?: number; folder?: number }): ListResult {
    const w = this.world;
    const nowS = Math.floor(req.nowMs / 1000);
    const withUrls = parseBool(req.params.get('withUrls'), 'withUrls') ?? false;
    let range = parseRange(req.params.get('createdDate'), 'createdDate');
    const accountWide = scope.task === undefined && scope.folder === undefined;
    if (accountWide)
      range = windowed(range, req.nowMs, ATTACHMENTS_WINDOW_MS, 'createdDate', '31 days', true);
    const tl = w.attachments;
    const count = tl.count(nowS);
    const taskId = scope.task === undefined ? undefined : w.ids.id(CODE.task, scope.task);
    const folderId = scope.folder === undefined ? undefined : w.ids.id(CODE.folder, scope.folder);
    function* items() {
      for (let j = 0; j < count; j++) {
        if (range && !inRange(tl.created(j) * 1000, range)) continue;
        const rec = attachmentRecord(w, j, withUrls);
        if (taskId !== undefined && rec.taskId !== taskId) continue;
        if (folderId !== undefined && rec.folderId !== folderId) continue;
        yield rec;
      }
    }
    return { kind: 'attachments', items: items() };
  }

  // ---- pagination --------------------------------------------------------------------------------

  /**
   * Runs a paginated listing. `plan` parses the (original) query into a scan: how many records
   * are visible, which match, how to build one, and the cap without pageSize.
   */
  private paged(
    req: ApiRequest,
    plan: (
      params: URLSearchParams,
      nowS: number,
    ) => {
      kind: string;
      count: number;
      match: ((i: number) => boolean) | null;
      build: (i: number) => unknown;
      cap: number | undefined;
      raw?: boolean;
    },
  ): ListResult {
    const nowS = Math.floor(req.nowMs / 1000);
    const rawToken = req.params.get('nextPageToken') ?? req.params.get('pageToken');
    let token: PageToken | undefined;
    let params = req.params;
    if (rawToken !== null && rawToken !== '') {
      token = decodePageToken(rawToken);
      if (token.path !== req.path) {
        throw new WrikeApiError(
          'invalid_parameter',
          "Parameter 'nextPageToken' does not belong to this request",
        );
      }
      params = new URLSearchParams(token.query);
    }
    const pageSize = token ? token.pageSize : parsePageSize(req.params.get('pageSize'));
    const s = plan(params, nowS);
    if (pageSize === undefined) {
      // No pagination: the first `cap` matches (tasks: 1000), no token.
      const { items } = scan(0, s.count, s.cap ?? Number.MAX_SAFE_INTEGER, s.match);
      return { kind: s.kind, items: map(items, s.build), raw: s.raw };
    }
    const total = token ? token.total : countMatches(s.count, s.match);
    const { items, next } = scan(token ? token.offset : 0, s.count, pageSize, s.match);
    const extra: Record<string, unknown> = {};
    if (next !== undefined) {
      const query: Array<[string, string]> = [];
      for (const [k, v] of params) {
        if (k !== 'pageSize' && k !== 'nextPageToken' && k !== 'pageToken' && k !== 'access_token')
          query.push([k, v]);
      }
      extra.nextPageToken = encodePageToken({ path: req.path, query, pageSize, offset: next, total });
    }
    extra.responseSize = total;
    return { kind: s.kind, items: map(items, s.build), extra, raw: s.raw };
  }
}

function combine(tests: Array<(i: number) => boolean>): ((i: number) => boolean) | null {
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0]!;
  return (i) => {
    for (const t of tests) if (!t(i)) return false;
    return true;
  };
}

/**
 * Account-wide comments and attachments only accept a bounded window. A missing bound is filled
 * in (end = now; start = end − window when absent entirely); the window must be shorter than the
 * limit. Attachments require the parameter.
 */
function windowed(
  range: Range | undefined,
  nowMs: number,
  limitMs: number,
  param: string,
  limitText: string,
  required: boolean,
): Range {
  if (!range) {
    if (required) throw new WrikeApiError('parameter_required', `Parameter '${param}' is required`);
    return { start: nowMs - limitMs, end: nowMs };
  }
  const end = range.end ?? nowMs;
  const start = range.start ?? end - limitMs + 1000;
  if (end - start >= limitMs) {
    throw new WrikeApiError('invalid_parameter', `Parameter '${param}' range must be less than ${limitText}`);
  }
  return { start, end };
}

function throwErr(e: Error): never {
  throw e;
}
