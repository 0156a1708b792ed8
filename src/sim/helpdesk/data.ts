/**
 * The helpdesk's tickets, rebuilt from (seed, index, clock) whenever they are served (see
 * ../wrike/timeline.ts for the timeline arithmetic): created over the 90 days before the start
 * time, new ones arriving as the clock moves, a third of them edited now and then. Each ticket
 * has a nested requester, an optional assignee, tags, ISO-8601 times, and `sla_minutes`, a
 * number that some tickets send as a string (`"90"`), as APIs fed by several systems do.
 */
import { hash, unit } from '../prng.js';
import { Timeline } from '../shared.js';

const SALT = 0x4d3;
const STATUSES = ['open', 'pending', 'on_hold', 'solved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const SLAS = [30, 60, 90, 120, 240, 480] as const;
const TOPICS = ['login', 'billing', 'export', 'invoice', 'password', 'api', 'report', 'sso'] as const;
const PEOPLE = 40;
const AGENTS = 6;
/** Every ticket id is this plus its index. */
export const FIRST_TICKET_ID = 1001;

export interface HelpdeskTicket {
  id: number;
  subject: string;
  status: string;
  priority: string;
  requester: { id: number; name: string; email: string };
  assignee: { id: number; name: string } | null;
  tags: string[];
  /** Usually a number of minutes; a string for about one ticket in six. */
  sla_minutes: number | string;
  created_at: string;
  updated_at: string;
}

export class HelpdeskWorld {
  private readonly timeline: Timeline;

  constructor(
    private readonly seed: number,
    t0: number,
    tickets: number,
  ) {
    this.timeline = new Timeline({
      seed,
      salt: SALT,
      base: tickets,
      t0,
      historyDays: 90,
      churn: { newPerDayFraction: 0.05, updatedFraction: 0.3, updatePeriodHours: [6, 48] },
    });
  }

  /** Tickets that exist at `nowS` (epoch seconds), as the API shows them then. */
  tickets(nowS: number): HelpdeskTicket[] {
    const n = this.timeline.count(nowS);
    const out: HelpdeskTicket[] = [];
    for (let i = 0; i < n; i++) out.push(this.ticket(i, nowS));
    return out;
  }

  private ticket(i: number, nowS: number): HelpdeskTicket {
    const s = this.seed;
    const v = this.timeline.version(i, nowS);
    const person = hash(s, SALT, i, 11) % PEOPLE;
    const agent = hash(s, SALT, i * 31 + v, 12) % (AGENTS + 1);
    const topic = TOPICS[hash(s, SALT, i, 13) % TOPICS.length]!;
    const sla = SLAS[hash(s, SALT, i, 14) % SLAS.length]!;
    return {
      id: FIRST_TICKET_ID + i,
      subject: `Question about ${topic} #${i + 1}`,
      status: STATUSES[Math.min(STATUSES.length - 1, v + (hash(s, SALT, i, 15) % 2))]!,
      priority: PRIORITIES[hash(s, SALT, i * 7 + v, 16) % PRIORITIES.length]!,
      requester: {
        id: 500 + person,
        name: `Requester ${person}`,
        email: `requester${person}@example.com`,
      },
      // Agent 0 means unassigned: a null the inferred schema must not be confused by.
      assignee: agent === 0 ? null : { id: 900 + agent, name: `Agent ${agent}` },
      tags: unit(s, SALT, i, 17) < 0.3 ? [] : [topic, v > 0 ? 'updated' : 'new'],
      sla_minutes: unit(s, SALT, i, 18) < 1 / 6 ? String(sla) : sla,
      created_at: iso(this.timeline.created(i)),
      updated_at: iso(this.timeline.updated(i, v)),
    };
  }
}

/** ISO-8601 in whole seconds with `Z`, as the API writes times. */
export function iso(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
