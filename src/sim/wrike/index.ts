/**
 * Wrike API v4 simulator: a loopback HTTP server with seeded, deterministic data at any scale,
 * a movable clock, OAuth2, Wrike's rate limit and error bodies, and fault injection.
 *
 * Data model (see data/*.ts and timeline.ts): records are generated from (seed, index, clock) on
 * demand, never stored; ids sort in creation order; `advanceClock` makes new records appear and
 * existing ones get edited (updatedDate moves, a field changes), with strict visibility (an event
 * at second t is visible iff t < now), so an incremental sync with `updatedDate={"start": <the
 * previous now>}` receives exactly what happened in between.
 *
 * Deliberate differences from Wrike, for testability:
 *  - lists are in id (= creation) order, not Wrike's default updatedDate-descending order;
 *  - responseSize is computed on the first page and carried in nextPageToken;
 *  - cross-object counts (task.attachmentCount vs /attachments) are not kept consistent;
 *  - `host` in the OAuth2 response is `127.0.0.1:PORT` and the scheme is http.
 *
 * Control endpoints (no auth, never faulted): GET /__sim/stats, POST /__sim/stats/reset,
 * GET|POST /__sim/faults (WrikeFaults JSON; `{}` or null clears), GET|POST /__sim/clock
 * ({"advanceMs": n}), POST /__sim/expire-tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FloeError } from '../../errors.js';
import { AuthRegistry, type OAuthOptions } from './auth.js';
import { SimClock } from './clock.js';
import { attachmentRecord } from './data/attachments.js';
import { commentRecord } from './data/comments.js';
import { CONTACT_OPTIONAL_FIELDS, contacts } from './data/contacts.js';
import { customFields } from './data/customfields.js';
import { FOLDER_OPTIONAL_FIELDS, FolderTree, folderRecords } from './data/folders.js';
import { spaces } from './data/spaces.js';
import { taskFieldsMask, taskRecord } from './data/tasks.js';
import { TIMELOG_OPTIONAL_FIELDS, timelogRecord } from './data/timelogs.js';
import { workflows } from './data/workflows.js';
import { World, type WorldCounts } from './data/world.js';
import { parseTimestamp } from './dates.js';
import { FaultInjector, type WrikeFaults } from './faults.js';
import { MAX_INDEX } from './ids.js';
import { RateLimiter } from './rate-limit.js';
import { WrikeApi } from './routes.js';
import { createHandler, type SimStats } from './server.js';
import type { ChurnOptions } from './timeline.js';

export type { OAuthOptions } from './auth.js';
export { TASK_DEFAULT_FIELDS, TASK_OPTIONAL_FIELDS } from './data/tasks.js';
export type { WrikeFaults } from './faults.js';
export type { ChurnOptions } from './timeline.js';

export interface WrikeSimOptions {
  /** Default 0 = a random free port; always bound to 127.0.0.1. */
  port?: number;
  /** Default 1. */
  seed?: number;
  /** Default 2500. */
  tasks?: number;
  /** Persons (default 40); groups come on top (`groups`, default contacts/10, at least 1). */
  contacts?: number;
  /** Plain folders (default 60). */
  folders?: number;
  /** Project folders (default 20). */
  projects?: number;
  /** Default = tasks. */
  timelogs?: number;
  /** Default = tasks. */
  comments?: number;
  /** Default = tasks / 2. */
  attachments?: number;
  /** Extra knobs (not in the original contract). */
  groups?: number;
  spaces?: number;
  customFields?: number;
  churn?: ChurnOptions;
  /** Default ['sim-permanent-token']. */
  permanentTokens?: string[];
  /** Default { clientId: 'sim-client', clientSecret: 'sim-secret', refreshToken: 'sim-refresh-token', rotation: 'strict' }. */
  oauth?: OAuthOptions;
  /** Default { requestsPerMinute: 400 }; false disables. */
  rateLimit?: { requestsPerMinute: number; retryAfter?: boolean; burst?: number } | false;
  faults?: WrikeFaults;
  /** ISO timestamp; initial simulated clock, default '2024-01-01T00:00:00Z'. */
  startTime?: string;
}

export type WrikeObject =
  | 'tasks'
  | 'contacts'
  | 'folders'
  | 'projects'
  | 'customfields'
  | 'workflows'
  | 'timelogs'
  | 'spaces'
  | 'comments'
  | 'attachments';

export interface WrikeSimulator {
  /** 'http://127.0.0.1:PORT' */
  readonly origin: string;
  /** origin + '/api/v4' */
  readonly baseUrl: string;
  /** origin + '/oauth2/token' */
  readonly tokenUrl: string;
  /** The first permanent token (convenience), if any. */
  readonly permanentToken: string | undefined;
  now(): Date;
  advanceClock(ms: number): void;
  setFaults(f: WrikeFaults | undefined): void;
  stats(): { requests: number; byStatus: Record<number, number>; throttled: number };
  resetStats(): void;
  /**
   * Ground truth: every record of an object as the API returns it at the current clock, in id
   * order. tasks: the default field set (TASK_DEFAULT_FIELDS; pass `{fields}` for more).
   * folders/projects: what `GET /folders?project=false|true&fields=[all]` returns (generated
   * folders only, not root, recycle bin or spaces). timelogs: with billingType, lockStatus,
   * exportStatus. contacts: persons then groups, with metadata/workScheduleId/jobRoleId.
   * spaces: including archived ones. comments: HTML text (plainText=false). attachments: with url.
   */
  records(object: WrikeObject, opts?: { fields?: readonly string[] }): AsyncIterable<Record<string, unknown>>;
  /** The refresh token currently valid (after rotations). */
  currentRefreshToken(): string | undefined;
  close(): Promise<void>;
}

export const DEFAULT_OAUTH: OAuthOptions = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  refreshToken: 'sim-refresh-token',
  rotation: 'strict',
};

function count(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 0 || n > MAX_INDEX) {
    throw new FloeError(
      'config-invalid',
      `Wrike simulator option '${name}' must be an integer from 0 to ${MAX_INDEX}, got ${n}`,
    );
  }
  return n;
}

export async function startWrikeSimulator(opts: WrikeSimOptions = {}): Promise<WrikeSimulator> {
  const seed = opts.seed ?? 1;
  const startMs = parseTimestamp(opts.startTime ?? '2024-01-01T00:00:00Z');
  if (startMs === undefined) {
    throw new FloeError(
      'config-invalid',
      `Wrike simulator startTime must look like 2024-01-01T00:00:00Z, got '${opts.startTime}'`,
    );
  }
  const tasks = count('tasks', opts.tasks, 2500);
  const persons = count('contacts', opts.contacts, 40);
  const counts: WorldCounts = {
    tasks,
    contacts: persons,
    groups: count('groups', opts.groups, Math.max(1, Math.round(persons / 10))),
    folders: count('folders', opts.folders, 60),
    projects: count('projects', opts.projects, 20),
    spaces: count('spaces', opts.spaces, 4),
    customFields: count('customFields', opts.customFields, 12),
    timelogs: tasks === 0 ? 0 : count('timelogs', opts.timelogs, tasks),
    comments: tasks === 0 ? 0 : count('comments', opts.comments, tasks),
    attachments: tasks === 0 ? 0 : count('attachments', opts.attachments, Math.floor(tasks / 2)),
  };
  const t0 = Math.floor(startMs / 1000);
  const world = new World({ seed, t0, counts, churn: opts.churn });
  const clock = new SimClock(t0 * 1000);
  const permanentTokens = opts.permanentTokens ?? ['sim-permanent-token'];
  const auth = new AuthRegistry(permanentTokens, opts.oauth ?? DEFAULT_OAUTH, seed);
  const faults = new FaultInjector(opts.faults, seed);
  const rl = opts.rateLimit === undefined ? { requestsPerMinute: 400 } : opts.rateLimit;
  const limiter = rl === false ? undefined : new RateLimiter(rl);
  const stats: SimStats = { requests: 0, byStatus: {}, throttled: 0 };
  const resetStats = () => {
    stats.requests = 0;
    stats.byStatus = {};
    stats.throttled = 0;
  };
  let host = '127.0.0.1:0';
  const server: Server = createServer(
    { keepAlive: true },
    createHandler({
      api: new WrikeApi(world),
      auth,
      clock,
      faults,
      limiter,
      stats,
      host: () => host,
      setFaults: (f) => faults.set(f),
      advanceClock: (ms) => clock.advance(ms),
      resetStats,
    }),
  );
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
  const origin = `http://${host}`;

  async function* records(
    object: WrikeObject,
    ropts?: { fields?: readonly string[] },
  ): AsyncGenerator<Record<string, unknown>> {
    const nowS = Math.floor(clock.nowMs() / 1000);
    switch (object) {
      case 'tasks': {
        const mask = taskFieldsMask(ropts?.fields ?? []);
        const n = world.tasks.count(nowS);
        for (let i = 0; i < n; i++) yield taskRecord(world, i, nowS, mask);
        return;
      }
      case 'contacts':
        yield* contacts(world, new Set(CONTACT_OPTIONAL_FIELDS));
        return;
      case 'folders':
      case 'projects': {
        const tree = new FolderTree(world, nowS);
        yield* folderRecords(world, tree, nowS, {
          project: object === 'projects',
          fields: new Set(FOLDER_OPTIONAL_FIELDS),
        });
        return;
      }
      case 'customfields':
        yield* customFields(world);
        return;
      case 'workflows':
        yield* workflows(world);
        return;
      case 'spaces':
        yield* spaces(world, true);
        return;
      case 'timelogs': {
        const fields = new Set<string>(TIMELOG_OPTIONAL_FIELDS);
        const n = world.timelogs.count(nowS);
        for (let j = 0; j < n; j++) yield timelogRecord(world, j, nowS, fields);
        return;
      }
      case 'comments': {
        const n = world.comments.count(nowS);
        for (let j = 0; j < n; j++) yield commentRecord(world, j, nowS, false);
        return;
      }
      case 'attachments': {
        const n = world.attachments.count(nowS);
        for (let j = 0; j < n; j++) yield attachmentRecord(world, j, true);
        return;
      }
    }
    throw new FloeError('config-invalid', `Unknown Wrike object '${String(object)}'`);
  }

  return {
    origin,
    baseUrl: `${origin}/api/v4`,
    tokenUrl: `${origin}/oauth2/token`,
    permanentToken: permanentTokens[0],
    now: () => new Date(clock.nowMs()),
    advanceClock: (ms) => clock.advance(ms),
    setFaults: (f) => faults.set(f),
    stats: () => ({ requests: stats.requests, byStatus: { ...stats.byStatus }, throttled: stats.throttled }),
    resetStats,
    records,
    currentRefreshToken: () => auth.currentRefreshToken(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
