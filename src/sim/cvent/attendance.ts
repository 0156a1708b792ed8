/**
 * Session attendance: who checked in to which session, when, and for how long, as Cvent's
 * `GET /sessions/attendance` (operationId listSessionsAttendance, scope
 * event/session-attendance:read) lists it.
 *
 * Shape, from cvent/rest-sdks `cvent-public-spec/openapi.yaml` (schema
 * sessions-checkin-paginated-response → sessions-attendance-response.json): `{id, session{id},
 * event{id}, attendee{id}, deleted, checkIn, checkOut, duration, created, createdBy,
 * lastModified, lastModifiedBy}`. The id is "the identifier of the session attendance record";
 * the operation's filter example (`id eq '<uuid>::<uuid>'`) shows it is two UUIDs joined by `::`,
 * modelled here as `<session id>::<attendee id>` (one record per attendee and session, as
 * `DELETE /sessions/{id}/attendance/{attendeeId}` addresses it). `duration` is deprecated in the
 * spec (Cvent moved durations to `GET /attendance-durations`); it is "set by the session check-in
 * request", in milliseconds, so it is sent here only with a checkOut, as checkOut − checkIn.
 *
 * How records come and change, from the write operations of the same spec:
 *  - a check-in is recorded when the attendee is scanned at the door (Cvent's OnArrival app):
 *    the record is created at its checkIn; a check-out, when there is one, is recorded later by
 *    `PUT /sessions/{id}/check-in` ("update check-in details"), which sets checkOut and moves
 *    lastModified to it;
 *  - a quarter are imported after the session by a badge-scanning system through
 *    `POST /sessions/{id}/check-in` (checkIn required, checkOut optional): created hours to days
 *    after the session ended, with both times at once;
 *  - a few are removed (`DELETE /sessions/{id}/attendance/{attendeeId}`) later on. The spec
 *    documents `deleted` ("True indicates the attendance record is deleted") and a `deleted`
 *    filter, not whether the list shows removed records unasked; this simulator lists them with
 *    deleted: true and lastModified at the removal, so an incremental reader learns of it.
 *
 * Consistency with the rest of the account: only attendees of the session's own event check in,
 * only while their status (as their record read at that moment) is Accepted or Visited, only if
 * they registered before the doors opened (ten minutes before the session's start), at most once
 * per session, and never more than the session's capacity.
 *
 * The check-ins of a session are fixed by (seed, session index): its event's registrants in a
 * session-specific order, each coming with a session-specific probability (its popularity),
 * until the capacity is reached. They are worked out once a session is within ten minutes of
 * starting and kept; what the clock changes is only which of their steps (created, checked out,
 * removed) are before now. Cost: the attendees are indexed by event once (an attendee's event
 * never changes), and each session looks at its event's registrants until it is full.
 */
import { hash, hashString, Rng, unit } from '../prng.js';
import { isoMs } from '../shared.js';
import type { CventWorld } from './data.js';

const SALT = hashString('cvent-session-attendance');
const DAY = 86_400;
/** Doors open ten minutes before a session starts: the earliest check-in. */
const EARLY_S = 600;
/** Statuses of a registrant who holds a place (as the event attendance L2 counts confirmed). */
const ATTENDING: ReadonlySet<string> = new Set(['Accepted', 'Visited']);
const PLANNERS = ['hporter', 'mgarcia', 'jchen'];

/** One check-in of a session, with every step it will go through (epoch seconds + ms parts). */
interface CheckIn {
  attendee: number;
  inS: number;
  inMs: number;
  /** Check-out time, if the attendee checks out (or the import carries one). */
  outS?: number;
  outMs?: number;
  /** When the record is created: the scan (live) or the import. */
  createdS: number;
  createdMs: number;
  live: boolean;
  /** When the record is removed, if it is. */
  delS?: number;
  delMs?: number;
  createdBy: string;
  deletedBy: string;
}

interface SessionPlan {
  id: string;
  eventId: string;
  checkIns: CheckIn[];
}

export class SessionAttendance {
  /** Attendee indices per event index, ascending; filled up to `indexed`. */
  private readonly byEvent = new Map<number, number[]>();
  private indexed = 0;
  private readonly plans = new Map<number, SessionPlan>();
  private cache: { nowS: number; records: Record<string, unknown>[] } | undefined;

  constructor(private readonly world: CventWorld) {}

  /** Every session attendance record at the clock, in creation order. */
  records(nowS: number): Record<string, unknown>[] {
    if (this.cache?.nowS === nowS) return this.cache.records;
    const w = this.world;
    const out: { at: number; id: string; r: Record<string, unknown> }[] = [];
    const sessions = w.count('sessions', nowS);
    for (let s = 0; s < sessions; s++) {
      const plan = this.plan(s, nowS);
      if (!plan) continue;
      for (const c of plan.checkIns) {
        if (c.createdS >= nowS) continue;
        const r = this.record(plan, c, nowS);
        out.push({ at: c.createdS * 1000 + c.createdMs, id: String(r.id), r });
      }
    }
    out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const records = out.map((x) => x.r);
    this.cache = { nowS, records };
    return records;
  }

  private record(plan: SessionPlan, c: CheckIn, nowS: number): Record<string, unknown> {
    // A live check-out is recorded when it happens; an import brings it with the record.
    const outKnown = c.outS !== undefined && (!c.live || c.outS < nowS);
    const deleted = c.delS !== undefined && c.delS < nowS;
    let modified = isoMs(c.createdS, c.createdMs);
    let modifiedBy = c.createdBy;
    if (outKnown && c.live) modified = isoMs(c.outS!, c.outMs);
    if (deleted) {
      modified = isoMs(c.delS!, c.delMs);
      modifiedBy = c.deletedBy;
    }
    const attendeeId = this.world.id('attendees', c.attendee);
    return {
      id: `${plan.id}::${attendeeId}`,
      session: { id: plan.id },
      event: { id: plan.eventId },
      attendee: { id: attendeeId },
      deleted,
      checkIn: isoMs(c.inS, c.inMs),
      ...(outKnown
        ? {
            checkOut: isoMs(c.outS!, c.outMs),
            duration: (c.outS! - c.inS) * 1000 + (c.outMs! - c.inMs),
          }
        : {}),
      created: isoMs(c.createdS, c.createdMs),
      createdBy: c.createdBy,
      lastModified: modified,
      lastModifiedBy: modifiedBy,
    };
  }

  /** Registrants of event e created before time t (indices ascending). */
  private registrants(e: number, t: number, nowS: number): number[] {
    const w = this.world;
    const n = w.count('attendees', nowS);
    for (; this.indexed < n; this.indexed++) {
      const ev = w.attendeeEvent(this.indexed);
      const list = this.byEvent.get(ev);
      if (list) list.push(this.indexed);
      else this.byEvent.set(ev, [this.indexed]);
    }
    const list = this.byEvent.get(e) ?? [];
    // Attendees are created in index order, so those registered before t are a prefix.
    const tl = w.timelines.attendees;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tl.created(list[mid]!) < t) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(0, lo);
  }

  /** The check-ins of session s, once its doors have opened (undefined before). */
  private plan(s: number, nowS: number): SessionPlan | undefined {
    const known = this.plans.get(s);
    if (known) return known;
    const w = this.world;
    // start, end, capacity and event never change with the session's edits.
    const session = w.session(s, nowS);
    const start = Date.parse(String(session.start)) / 1000;
    const end = Date.parse(String(session.end)) / 1000;
    const doors = start - EARLY_S;
    if (doors >= nowS) return undefined;
    const capacity = Number(session.capacity);
    const e = w.sessionEvent(s);
    const pool = this.registrants(e, doors, nowS);
    // How popular the session is: the chance that a registrant of its event comes.
    const popularity = 0.3 + 0.6 * unit(w.seed, SALT, s, 1);
    const first = pool.length > 0 ? hash(w.seed, SALT, s, 2) % pool.length : 0;
    const checkIns: CheckIn[] = [];
    for (let k = 0; k < pool.length && checkIns.length < capacity; k++) {
      const a = pool[(first + k) % pool.length]!;
      const rng = new Rng(hash(w.seed, SALT, s, a + 3));
      if (!rng.chance(popularity)) continue;
      const inS = start + rng.range(-EARLY_S, 900);
      if (!ATTENDING.has(w.attendeeStatus(a, inS))) continue;
      const inMs = rng.int(1000);
      const live = rng.chance(0.75);
      const checksOut = rng.chance(live ? 0.8 : 0.85);
      const stay = rng.range(300, end - start + 600);
      const c: CheckIn = {
        attendee: a,
        inS,
        inMs,
        createdS: inS,
        createdMs: inMs,
        live,
        createdBy: live ? 'OnArrival' : 'api.integration',
        deletedBy: PLANNERS[rng.int(PLANNERS.length)]!,
      };
      if (checksOut) {
        c.outS = inS + stay;
        c.outMs = rng.int(1000);
      }
      if (!live) {
        c.createdS = end + 3600 + rng.int(7 * DAY);
        c.createdMs = rng.int(1000);
      }
      if (rng.chance(0.05)) {
        const last = live && c.outS !== undefined ? c.outS : c.createdS;
        c.delS = last + 3600 + rng.int(3 * DAY);
        c.delMs = rng.int(1000);
      }
      checkIns.push(c);
    }
    const plan: SessionPlan = { id: w.id('sessions', s), eventId: w.id('events', e), checkIns };
    this.plans.set(s, plan);
    return plan;
  }
}
