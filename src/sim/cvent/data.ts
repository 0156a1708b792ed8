/**
 * The simulated Cvent account: events, their sessions and registration types, contacts,
 * attendees and speakers, generated per index from (seed, index, clock) and never stored.
 *
 * Shapes follow Cvent's published OpenAPI (cvent/rest-sdks `cvent-public-spec/openapi.yaml`):
 * ids are UUIDs; every record carries the `audit` fields `created`, `createdBy`, `lastModified`,
 * `lastModifiedBy` (ISO-8601 with milliseconds); attendees have `event{id}`, `contact{...}`,
 * `status` (No Response|Accepted|Declined|Visited|Waitlisted|Cancelled|Pending Approval|Denied
 * Approval), `registeredAt`, `checkedIn`, `registrationType`. Registration types are listed per
 * event (`GET /events/{id}/registration-types`) and do not name their event.
 *
 * Time: the timelines of ../wrike/timeline.ts: records exist from the start time (created over
 * the year before), new ones arrive and a fraction is edited as the clock moves; an event at
 * second t is visible iff t < now. `lastModified` adds a stable millisecond part inside that
 * second, so filters compare at millisecond precision as Cvent's do.
 */

import { hash, hashString, Rng } from '../prng.js';
import { type ChurnOptions, isoMs, Timeline, uuidFrom } from '../shared.js';
import { FIRST_NAMES, JOB_TITLES, LAST_NAMES, NOUNS, sentence, TEXT } from '../wrike/data/words.js';
import { SessionAttendance } from './attendance.js';

export type CventObject =
  | 'events'
  | 'sessions'
  | 'contacts'
  | 'attendees'
  | 'speakers'
  | 'registration-types'
  | 'session-attendance';

/** Objects with a timeline of their own: record i is rebuilt from (seed, i, clock). */
export type TimelineObject = Exclude<CventObject, 'registration-types' | 'session-attendance'>;

export interface CventCounts {
  events: number;
  sessions: number;
  contacts: number;
  attendees: number;
  speakers: number;
}

const SALT: Record<CventObject, number> = {
  events: hashString('cvent-events'),
  sessions: hashString('cvent-sessions'),
  contacts: hashString('cvent-contacts'),
  attendees: hashString('cvent-attendees'),
  speakers: hashString('cvent-speakers'),
  'registration-types': hashString('cvent-regtypes'),
  'session-attendance': hashString('cvent-session-attendance'),
};
const USERS = ['hporter', 'api.integration', 'mgarcia', 'jchen'];
export const STATUSES = [
  'No Response',
  'Accepted',
  'Declined',
  'Visited',
  'Waitlisted',
  'Cancelled',
  'Pending Approval',
] as const;
const EVENT_STATUS = ['Active', 'Pending', 'Completed', 'Cancelled'] as const;
const FORMATS = ['In-person', 'Virtual', 'Hybrid'] as const;
const REG_TYPES = ['Attendee', 'VIP', 'Speaker', 'Exhibitor', 'Staff'] as const;
/** Registration types per event (fixed: they are created with the event and never edited here). */
export const REG_TYPES_PER_EVENT = 3;
const DAY = 86_400;

export class CventWorld {
  readonly timelines: Record<TimelineObject, Timeline>;
  /** Session check-ins (attendance.ts): derived from sessions and attendees, not a timeline. */
  readonly attendance: SessionAttendance;

  constructor(
    readonly seed: number,
    t0: number,
    counts: CventCounts,
    churn?: ChurnOptions,
  ) {
    const tl = (name: TimelineObject, base: number) =>
      new Timeline({ seed, salt: SALT[name], base, t0, churn });
    this.timelines = {
      events: tl('events', counts.events),
      sessions: tl('sessions', counts.sessions),
      contacts: tl('contacts', counts.contacts),
      attendees: tl('attendees', counts.attendees),
      speakers: tl('speakers', counts.speakers),
    };
    this.attendance = new SessionAttendance(this);
  }

  id(object: CventObject, i: number): string {
    return uuidFrom(this.seed, SALT[object], i);
  }

  count(object: TimelineObject, nowS: number): number {
    return this.timelines[object].count(nowS);
  }

  /** created / lastModified of record i at the clock, with their millisecond parts. */
  private audit(object: TimelineObject, i: number, nowS: number) {
    const tl = this.timelines[object];
    const v = tl.version(i, nowS);
    const created = tl.created(i);
    const updated = tl.updated(i, v);
    const rng = new Rng(hash(this.seed, SALT[object], i, 9));
    return {
      v,
      created,
      fields: {
        created: isoMs(created, hash(this.seed, SALT[object], i, 10) % 1000),
        createdBy: USERS[rng.int(USERS.length)]!,
        lastModified: isoMs(
          updated,
          v === 0 && updated === created
            ? hash(this.seed, SALT[object], i, 10) % 1000
            : hash(this.seed, SALT[object], i, 100 + v) % 1000,
        ),
        lastModifiedBy: v > 0 ? 'api.integration' : USERS[rng.int(USERS.length)]!,
      },
    };
  }

  /** An index of `object` that existed at time t (for references). */
  private existingAt(object: TimelineObject, t: number, pick: number): number {
    return pick % Math.max(1, this.count(object, t));
  }

  record(object: TimelineObject, i: number, nowS: number): Record<string, unknown> {
    switch (object) {
      case 'events':
        return this.event(i, nowS);
      case 'sessions':
        return this.session(i, nowS);
      case 'contacts':
        return this.contact(i, nowS);
      case 'attendees':
        return this.attendee(i, nowS);
      case 'speakers':
        return this.speaker(i, nowS);
    }
  }

  event(i: number, nowS: number): Record<string, unknown> {
    const { v, created, fields } = this.audit('events', i, nowS);
    const rng = new Rng(hash(this.seed, SALT.events, i));
    const start = created + (20 + rng.int(200)) * DAY;
    const noun = NOUNS[rng.int(NOUNS.length)]!;
    return {
      id: this.id('events', i),
      title: `${noun[0]!.toUpperCase()}${noun.slice(1)} Summit ${2020 + rng.int(6)}${v > 0 ? ` (rev ${v})` : ''}`,
      code: `EVT${String(i).padStart(5, '0')}`,
      description: sentence(rng, 6, 14),
      start: isoMs(start),
      end: isoMs(start + (1 + rng.int(3)) * DAY),
      timezone: 'America/New_York',
      format: FORMATS[rng.int(FORMATS.length)],
      status: EVENT_STATUS[(rng.int(EVENT_STATUS.length) + v) % EVENT_STATUS.length],
      currency: 'USD',
      capacity: 50 + rng.int(950),
      virtual: rng.chance(0.3),
      ...fields,
    };
  }

  session(i: number, nowS: number): Record<string, unknown> {
    const { v, created, fields } = this.audit('sessions', i, nowS);
    const rng = new Rng(hash(this.seed, SALT.sessions, i));
    const ev = this.sessionEvent(i);
    const start = created + (10 + rng.int(100)) * DAY + rng.int(8) * 3600;
    return {
      id: this.id('sessions', i),
      title: sentence(rng, 3, 7),
      code: `S-${i}`,
      event: { id: this.id('events', ev) },
      start: isoMs(start),
      end: isoMs(start + (30 + 15 * rng.int(6)) * 60),
      type: rng.chance(0.8) ? 'Session' : 'Keynote',
      status: v % 2 === 1 ? 'Inactive' : 'Active',
      capacity: 20 + rng.int(300),
      location: { name: `Room ${100 + rng.int(40)}` },
      openForRegistration: rng.chance(0.7),
      ...fields,
    };
  }

  contact(i: number, nowS: number): Record<string, unknown> {
    const { v, fields } = this.audit('contacts', i, nowS);
    const rng = new Rng(hash(this.seed, SALT.contacts, i));
    const first = FIRST_NAMES[rng.int(FIRST_NAMES.length)]!;
    const last = LAST_NAMES[rng.int(LAST_NAMES.length)]!;
    return {
      id: this.id('contacts', i),
      firstName: first,
      lastName: last,
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      company: `${TEXT[rng.int(TEXT.length)]} Inc`,
      title:
        v > 0
          ? `${JOB_TITLES[(rng.int(JOB_TITLES.length) + v) % JOB_TITLES.length]}`
          : JOB_TITLES[rng.int(JOB_TITLES.length)],
      type: {
        id: uuidFrom(this.seed, 77, rng.int(3)),
        name: ['Customer', 'Prospect', 'Partner'][rng.int(3)],
      },
      address: {
        city: ['Boston', 'Austin', 'Dublin', 'Berlin'][rng.int(4)],
        country: 'US',
        postalCode: String(10000 + rng.int(89999)),
      },
      deleted: false,
      ...fields,
    };
  }

  /** The event of attendee i: fixed at its creation (a registration never moves to another event). */
  attendeeEvent(i: number): number {
    return this.existingAt(
      'events',
      this.timelines.attendees.created(i),
      hash(this.seed, SALT.attendees, i, 1),
    );
  }

  /** Attendee i's status as its record reads at time t (each edit moves it one status on). */
  attendeeStatus(i: number, t: number): (typeof STATUSES)[number] {
    const rng = new Rng(hash(this.seed, SALT.attendees, i));
    rng.int(REG_TYPES_PER_EVENT); // the registration type is drawn first (attendee())
    const v = this.timelines.attendees.version(i, t);
    return STATUSES[(rng.int(STATUSES.length) + v) % STATUSES.length]!;
  }

  /** The event of session i: fixed at its creation. */
  sessionEvent(i: number): number {
    return this.existingAt(
      'events',
      this.timelines.sessions.created(i),
      hash(this.seed, SALT.sessions, i, 1),
    );
  }

  attendee(i: number, nowS: number): Record<string, unknown> {
    const { created, fields } = this.audit('attendees', i, nowS);
    const rng = new Rng(hash(this.seed, SALT.attendees, i));
    const ev = this.attendeeEvent(i);
    const c = this.existingAt('contacts', created, hash(this.seed, SALT.attendees, i, 2));
    const crng = new Rng(hash(this.seed, SALT.contacts, c));
    const first = FIRST_NAMES[crng.int(FIRST_NAMES.length)]!;
    const last = LAST_NAMES[crng.int(LAST_NAMES.length)]!;
    const rt = rng.int(REG_TYPES_PER_EVENT);
    const status = this.attendeeStatus(i, nowS);
    rng.int(STATUSES.length); // drawn by attendeeStatus: keep the draws after it where they were
    return {
      id: this.id('attendees', i),
      event: { id: this.id('events', ev) },
      contact: {
        id: this.id('contacts', c),
        firstName: first,
        lastName: last,
        email: `${first}.${last}.${c}@example.com`.toLowerCase(),
      },
      confirmationNumber: `CN${hash(this.seed, SALT.attendees, i, 3).toString(36).toUpperCase().padStart(8, '0')}`,
      status,
      registrationType: {
        id: this.id('registration-types', ev * REG_TYPES_PER_EVENT + rt),
        name: REG_TYPES[rt],
      },
      checkedIn: status === 'Visited',
      registeredAt: isoMs(created),
      guest: rng.chance(0.05),
      ...fields,
    };
  }

  speaker(i: number, nowS: number): Record<string, unknown> {
    const { fields } = this.audit('speakers', i, nowS);
    const rng = new Rng(hash(this.seed, SALT.speakers, i));
    const ev = this.existingAt(
      'events',
      this.timelines.speakers.created(i),
      hash(this.seed, SALT.speakers, i, 1),
    );
    return {
      id: this.id('speakers', i),
      firstName: FIRST_NAMES[rng.int(FIRST_NAMES.length)],
      lastName: LAST_NAMES[rng.int(LAST_NAMES.length)],
      company: `${TEXT[rng.int(TEXT.length)]} Labs`,
      title: JOB_TITLES[rng.int(JOB_TITLES.length)],
      biography: sentence(rng, 8, 20),
      event: { id: this.id('events', ev) },
      category: { name: rng.chance(0.5) ? 'Keynote' : 'Breakout' },
      ...fields,
    };
  }

  /** Registration types of event e (path parameter), as `GET /events/{id}/registration-types` lists them. */
  registrationTypes(e: number): Record<string, unknown>[] {
    return Array.from({ length: REG_TYPES_PER_EVENT }, (_, k) => ({
      id: this.id('registration-types', e * REG_TYPES_PER_EVENT + k),
      name: REG_TYPES[k],
      code: `${REG_TYPES[k]!.toUpperCase()}-${e}`,
      description: `${REG_TYPES[k]} registration`,
      active: true,
    }));
  }

  /** Event index by id (registration-types path), or undefined. */
  eventIndex(id: string, nowS: number): number | undefined {
    const n = this.count('events', nowS);
    for (let i = 0; i < n; i++) if (this.id('events', i) === id) return i;
    return undefined;
  }
}
