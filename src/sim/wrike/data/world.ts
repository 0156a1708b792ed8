/**
 * The simulated Wrike account: counts, ids, timelines and the small static objects (contacts,
 * workflows, custom field definitions, spaces) that every generator refers to. Large objects
 * (tasks, timelogs, comments, attachments) are generated per index on demand by their modules.
 */
import { hashString } from '../../prng.js';
import { CODE, IdSpace } from '../ids.js';
import { type ChurnOptions, Timeline } from '../timeline.js';

export interface WorldCounts {
  tasks: number;
  /** Persons. */
  contacts: number;
  groups: number;
  folders: number;
  projects: number;
  spaces: number;
  customFields: number;
  timelogs: number;
  comments: number;
  attachments: number;
}

export interface CustomStatusDef {
  id: string;
  name: string;
  standardName: boolean;
  color: string;
  standard: boolean;
  group: 'Active' | 'Completed' | 'Deferred' | 'Cancelled';
  hidden: boolean;
}

export interface WorkflowDef {
  id: string;
  name: string;
  standard: boolean;
  hidden: boolean;
  customStatuses: CustomStatusDef[];
}

export type CustomFieldType =
  | 'Text'
  | 'DropDown'
  | 'Numeric'
  | 'Currency'
  | 'Percentage'
  | 'Date'
  | 'Duration'
  | 'Checkbox'
  | 'Contacts'
  | 'Multiple';

export const CUSTOM_FIELD_TYPES: readonly CustomFieldType[] = [
  'Text',
  'DropDown',
  'Numeric',
  'Currency',
  'Percentage',
  'Date',
  'Duration',
  'Checkbox',
  'Contacts',
  'Multiple',
];

const WORKFLOW_TEMPLATES: ReadonlyArray<{
  name: string;
  standard: boolean;
  statuses: ReadonlyArray<[string, string, CustomStatusDef['group']]>;
}> = [
  {
    name: 'Default Workflow',
    standard: true,
    statuses: [
      ['New', 'Blue', 'Active'],
      ['In Progress', 'Turquoise', 'Active'],
      ['Completed', 'Green', 'Completed'],
      ['On Hold', 'Gray', 'Deferred'],
      ['Cancelled', 'Red', 'Cancelled'],
    ],
  },
  {
    name: 'Marketing Pipeline',
    standard: false,
    statuses: [
      ['Backlog', 'Gray', 'Active'],
      ['Drafting', 'Blue', 'Active'],
      ['In Review', 'Yellow', 'Active'],
      ['Published', 'Green', 'Completed'],
      ['Paused', 'Brown', 'Deferred'],
      ['Dropped', 'Red', 'Cancelled'],
    ],
  },
  {
    name: 'Engineering Flow',
    standard: false,
    statuses: [
      ['To Do', 'Blue', 'Active'],
      ['In Progress', 'Turquoise', 'Active'],
      ['Code Review', 'Purple', 'Active'],
      ['Done', 'Green', 'Completed'],
      ['Blocked', 'Orange', 'Deferred'],
      ['Won t Do', 'Red', 'Cancelled'],
    ],
  },
];
const STANDARD_NAMES = new Set(['New', 'In Progress', 'Completed', 'On Hold', 'Cancelled']);

export interface WorldOptions {
  seed: number;
  /** Start of the simulation, epoch seconds. */
  t0: number;
  counts: WorldCounts;
  churn?: ChurnOptions;
}

export class World {
  readonly seed: number;
  readonly t0: number;
  readonly counts: WorldCounts;
  readonly ids: IdSpace;
  readonly tasks: Timeline;
  /** Folders and projects share one index space; see data/folders.ts. */
  readonly folders: Timeline;
  readonly timelogs: Timeline;
  readonly comments: Timeline;
  readonly attachments: Timeline;
  readonly workflows: WorkflowDef[];
  /** Custom status lookup by workflow index and group. */
  private readonly statusesByGroup: Array<Record<CustomStatusDef['group'], CustomStatusDef[]>>;
  readonly personIds: string[];
  readonly groupIds: string[];
  readonly timelogCategoryIds: string[];
  readonly customFieldIds: string[];

  constructor(opts: WorldOptions) {
    this.seed = opts.seed;
    this.t0 = opts.t0;
    this.counts = opts.counts;
    this.ids = new IdSpace(opts.seed);
    const tl = (name: string, base: number, extra: Partial<ConstructorParameters<typeof Timeline>[0]> = {}) =>
      new Timeline({
        seed: opts.seed,
        salt: hashString(name),
        base,
        t0: opts.t0,
        churn: opts.churn,
        ...extra,
      });
    this.tasks = tl('tasks', opts.counts.tasks);
    this.folders = tl('folders', opts.counts.folders + opts.counts.projects, { historyDays: 400 });
    this.timelogs = tl('timelogs', opts.counts.timelogs);
    this.comments = tl('comments', opts.counts.comments, { churn: { ...opts.churn, updatedFraction: 0.03 } });
    this.attachments = tl('attachments', opts.counts.attachments, { updatedFractionOverride: 0 });

    let statusIndex = 0;
    this.workflows = WORKFLOW_TEMPLATES.map((t, w) => ({
      id: this.ids.id(CODE.workflow, w),
      name: t.name,
      standard: t.standard,
      hidden: false,
      customStatuses: t.statuses.map(([name, color, group]) => ({
        id: this.ids.id(CODE.customStatus, statusIndex++),
        name,
        standardName: t.standard && STANDARD_NAMES.has(name),
        color,
        standard: t.standard,
        group,
        hidden: false,
      })),
    }));
    this.statusesByGroup = this.workflows.map((w) => {
      const by: Record<CustomStatusDef['group'], CustomStatusDef[]> = {
        Active: [],
        Completed: [],
        Deferred: [],
        Cancelled: [],
      };
      for (const s of w.customStatuses) by[s.group].push(s);
      return by;
    });
    this.personIds = Array.from({ length: opts.counts.contacts }, (_, i) => this.ids.contactId(i, false));
    this.groupIds = Array.from({ length: opts.counts.groups }, (_, i) => this.ids.contactId(i, true));
    this.customFieldIds = Array.from({ length: opts.counts.customFields }, (_, k) =>
      this.ids.id(CODE.customField, k),
    );
    this.timelogCategoryIds = Array.from({ length: 4 }, (_, i) => this.ids.id(CODE.timelogCategory, i));
  }

  /** A custom status of workflow w in the given group; `pick` (0..1) chooses among several. */
  customStatus(w: number, group: CustomStatusDef['group'], pick: number): CustomStatusDef {
    const list = this.statusesByGroup[w % this.statusesByGroup.length]![group];
    return list[Math.floor(pick * list.length)]!;
  }

  /** A person id, or the account owner when there are no persons. */
  person(n: number): string {
    return this.personIds.length === 0
      ? this.ids.contactId(0, false)
      : this.personIds[n % this.personIds.length]!;
  }
}
