/**
 * The Cvent, Medallia and Eloqua L2 tables computed independently, in plain TypeScript, from the
 * simulators' ground truth (the API records at their clocks), not from the parsers' SQL: what
 * `cvent_refined.event_attendance`, `cvent_refined.session_attendance`,
 * `medallia_refined.feedback` and `eloqua_refined.email_engagement` must hold. Values are in the
 * canonical form floe's reader returns (longs as bigint, UTC timestamps as `…T…+00:00` text with
 * microseconds, zone-less ones without the offset, maps as [key, value] pairs, lists as arrays).
 */
import { medalliaPack } from '../../src/connectors/medallia/index.js';
import type { CventObject, CventSimulator } from '../../src/sim/cvent/index.js';
import type { EloquaSimulator, EloquaTruthObject } from '../../src/sim/eloqua/index.js';
import type { MedalliaSimulator } from '../../src/sim/medallia/index.js';

type Rec = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** An ISO-8601 instant as the reader returns a timestamptz. */
export const tsz = (s: unknown): string | null =>
  s === undefined || s === null ? null : `${new Date(String(s)).toISOString().replace('Z', '')}000+00:00`;

async function all(sim: CventSimulator, object: CventObject): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of sim.records(object)) out.push(r);
  return out;
}

export interface CventTruth {
  events: Rec[];
  sessions: Rec[];
  attendees: Rec[];
  /** Session check-ins (GET /sessions/attendance), removed ones included (deleted: true). */
  attendance: Rec[];
}

export async function cventTruth(sim: CventSimulator): Promise<CventTruth> {
  return {
    events: await all(sim, 'events'),
    sessions: await all(sim, 'sessions'),
    attendees: await all(sim, 'attendees'),
    attendance: await all(sim, 'session-attendance'),
  };
}

/** One row per event: its attendees' statuses and check-ins, and its sessions. */
export function expectedEventAttendance(t: CventTruth): Row[] {
  const byEvent = <T extends Rec>(rs: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rs) {
      const k = String((r.event as Rec).id);
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const regs = byEvent(t.attendees);
  const sess = byEvent(t.sessions);
  return t.events.map((e) => {
    const as = regs.get(String(e.id)) ?? [];
    const ss = sess.get(String(e.id)) ?? [];
    const n = (f: (a: Rec) => boolean) => BigInt(as.filter(f).length);
    const confirmed = as.filter((a) => a.status === 'Accepted' || a.status === 'Visited').length;
    const checkedIn = as.filter((a) => a.checkedIn === true).length;
    const statuses = new Map<string, number>();
    for (const a of as) statuses.set(String(a.status), (statuses.get(String(a.status)) ?? 0) + 1);
    const capacity = Number(e.capacity);
    const last = as.map((a) => Date.parse(String(a.registeredAt))).sort((x, y) => y - x)[0];
    return {
      event_id: e.id,
      event_title: e.title,
      event_code: e.code,
      event_status: e.status,
      event_format: e.format,
      event_start: tsz(e.start),
      event_end: tsz(e.end),
      capacity: BigInt(capacity),
      registrations: BigInt(as.length),
      confirmed: BigInt(confirmed),
      checked_in: BigInt(checkedIn),
      declined: n((a) => a.status === 'Declined'),
      cancelled: n((a) => a.status === 'Cancelled'),
      waitlisted: n((a) => a.status === 'Waitlisted'),
      guests: n((a) => a.guest === true),
      status_counts: [...statuses.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, BigInt(v)]),
      capacity_filled: capacity > 0 ? confirmed / capacity : null,
      attendance_rate: confirmed > 0 ? checkedIn / confirmed : null,
      sessions: BigInt(ss.length),
      active_sessions: BigInt(ss.filter((s) => s.status === 'Active').length),
      session_capacity: BigInt(ss.reduce((sum, s) => sum + Number(s.capacity), 0)),
      last_registered_at: last === undefined ? null : tsz(new Date(last).toISOString()),
    };
  });
}

/**
 * One row per session: its event's registrations and confirmed registrants (Accepted or
 * Visited), its check-ins that were not removed, those with a check-out, the share of its
 * capacity they fill, the time spent (checkOut − checkIn: total in ms, mean in minutes over those
 * who checked out) and its first and last check-in.
 */
export function expectedSessionAttendance(t: CventTruth): Row[] {
  const group = (rs: Rec[], key: (r: Rec) => unknown) => {
    const m = new Map<string, Rec[]>();
    for (const r of rs) {
      const k = String(key(r));
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const regs = group(t.attendees, (a) => (a.event as Rec).id);
  const present = group(
    t.attendance.filter((c) => c.deleted !== true),
    (c) => (c.session as Rec).id,
  );
  const ms = (v: unknown) => Date.parse(String(v));
  return t.sessions.map((s) => {
    const as = regs.get(String((s.event as Rec).id)) ?? [];
    const cs = present.get(String(s.id)) ?? [];
    const out = cs.filter((c) => c.checkOut !== undefined && c.checkOut !== null);
    const total = out.reduce((sum, c) => sum + (ms(c.checkOut) - ms(c.checkIn)), 0);
    const ins = cs.map((c) => ms(c.checkIn)).sort((a, b) => a - b);
    const capacity = Number(s.capacity);
    const at = (m: number | undefined) => (m === undefined ? null : tsz(new Date(m).toISOString()));
    return {
      session_id: s.id,
      session_title: s.title,
      session_code: s.code,
      session_type: s.type,
      session_status: s.status,
      session_start: tsz(s.start),
      session_end: tsz(s.end),
      event_id: (s.event as Rec).id,
      capacity: BigInt(capacity),
      event_registrations: BigInt(as.length),
      event_confirmed: BigInt(as.filter((a) => a.status === 'Accepted' || a.status === 'Visited').length),
      checked_in: BigInt(cs.length),
      checked_out: BigInt(out.length),
      capacity_filled: capacity > 0 ? cs.length / capacity : null,
      total_duration_ms: BigInt(total),
      avg_duration_minutes: out.length > 0 ? total / out.length / 60000 : null,
      first_check_in: at(ins[0]),
      last_check_in: at(ins[ins.length - 1]),
    };
  });
}

export interface MedalliaTruth {
  fields: Rec[];
  feedback: Rec[];
}

export async function medalliaTruth(sim: MedalliaSimulator): Promise<MedalliaTruth> {
  const feedback: Rec[] = [];
  for await (const r of sim.records()) feedback.push(r);
  return { fields: sim.fields(), feedback };
}

/** The readable columns of a catalogue: field id → column name, in the table's order. */
export function readableNames(
  fields: readonly Rec[],
  answered: ReadonlySet<string>,
  snake: (s: string) => string,
): Map<string, string> {
  const taken = new Set(['feedback_id', 'ingest_timestamp', 'ingest_run_id']);
  const out = new Map<string, string>();
  const ids = fields.map((f) => String(f.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    if (!answered.has(id)) continue;
    const f = fields.find((x) => x.id === id)!;
    const wanted = snake(String(f.name).trim() ? String(f.name) : id);
    let name = wanted;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${wanted}_${k}`;
    taken.add(name.toLowerCase());
    out.set(id, name);
  }
  return out;
}

/**
 * One row per response: each answered field under its readable name. The types follow the
 * staging table, as the pack's L1 config types it (its fieldTypes: the finish time in epoch
 * seconds and the creation date become timestamptz, the response date a date), and otherwise the
 * field's data type: INT → long, DATE → date, DATETIME → zone-less timestamp, lists for
 * multivalued fields, text for the rest.
 */
export function expectedReadableFeedback(t: MedalliaTruth, snake: (s: string) => string): Row[] {
  const feedbackItem = medalliaPack().find((i) => i.configId === 'Medallia_Feedback')!;
  const fieldTypes = ((feedbackItem.source as Rec).response as Rec).fieldTypes as Record<
    string,
    { type: string; format?: string }
  >;
  const answered = new Set(t.feedback.flatMap((r) => Object.keys(r).filter((k) => k !== 'id')));
  const names = readableNames(t.fields, answered, snake);
  const def = new Map(t.fields.map((f) => [String(f.id), f]));
  const value = (id: string, v: unknown): unknown => {
    if (v === undefined || v === null) return null;
    const typed = fieldTypes[id];
    if (typed?.type === 'TIMESTAMP')
      return tsz(
        typed.format === 'EPOCH_SECONDS'
          ? new Date(Number(v) * 1000).toISOString()
          : `${String(v).replace(' ', 'T')}Z`,
      );
    if (typed?.type === 'DATE') return String(v);
    const f = def.get(id)!;
    if (f.multivalued) return v;
    switch (f.dataType) {
      case 'INT':
        return BigInt(String(v));
      case 'DATE':
        return String(v);
      case 'DATETIME':
        return `${String(v).replace(' ', 'T')}.000000`;
      default:
        return String(v);
    }
  };
  return t.feedback.map((r) => {
    const row: Row = { feedback_id: String(r.id) };
    for (const [id, column] of names) row[column] = value(id, r[id]);
    return row;
  });
}

export interface EloquaTruth {
  sends: Rec[];
  opens: Rec[];
  clickthroughs: Rec[];
  campaigns: Rec[];
  emails: Rec[];
}

export async function eloquaTruth(sim: EloquaSimulator): Promise<EloquaTruth> {
  const all = async (o: EloquaTruthObject) => {
    const out: Rec[] = [];
    for await (const r of sim.records(o)) out.push(r);
    return out;
  };
  return {
    sends: await all('activities:EmailSend'),
    opens: await all('activities:EmailOpen'),
    clickthroughs: await all('activities:EmailClickthrough'),
    campaigns: await all('campaigns'),
    emails: await all('emails'),
  };
}

/**
 * One row per (campaign, email) with any activity: counts, distinct contacts, rates over the
 * distinct recipients (click-to-open over those who opened), the first send and last activity.
 */
export function expectedEmailEngagement(t: EloquaTruth): Row[] {
  // Bulk activity records: EML statement → value; dates `YYYY-MM-DD HH:MM:SS.fff` in UTC.
  const key = (a: Rec) => `${a['{{Activity.Campaign.Id}}'] ?? ''}|${a['{{Activity.Asset.Id}}'] ?? ''}`;
  const when = (a: Rec) => Date.parse(`${String(a['{{Activity.CreatedAt}}']).replace(' ', 'T')}Z`);
  const groups = new Map<string, { send: Rec[]; open: Rec[]; click: Rec[] }>();
  const add = (kind: 'send' | 'open' | 'click', rs: Rec[]) => {
    for (const a of rs) {
      const g = groups.get(key(a)) ?? { send: [], open: [], click: [] };
      g[kind].push(a);
      groups.set(key(a), g);
    }
  };
  add('send', t.sends);
  add('open', t.opens);
  add('click', t.clickthroughs);
  const campaigns = new Map(t.campaigns.map((c) => [String(c.id), c]));
  const emails = new Map(t.emails.map((e) => [String(e.id), e]));
  const people = (rs: Rec[]) => new Set(rs.map((a) => a['{{Activity.Contact.Id}}'])).size;
  const at = (ms: number | undefined) => (ms === undefined ? null : tsz(new Date(ms).toISOString()));
  return [...groups].map(([k, g]) => {
    const [campaignId, emailId] = k.split('|') as [string, string];
    const recipients = people(g.send);
    const opened = people(g.open);
    const clicked = people(g.click);
    const times = [...g.send, ...g.open, ...g.click].map(when);
    return {
      campaign_id: campaignId,
      campaign_name: campaigns.get(campaignId)?.name ?? null,
      email_id: emailId,
      email_name: emails.get(emailId)?.name ?? null,
      email_subject: emails.get(emailId)?.subject ?? null,
      sends: BigInt(g.send.length),
      unique_recipients: BigInt(recipients),
      opens: BigInt(g.open.length),
      unique_opens: BigInt(opened),
      clickthroughs: BigInt(g.click.length),
      unique_clicks: BigInt(clicked),
      open_rate: recipients > 0 ? opened / recipients : null,
      click_rate: recipients > 0 ? clicked / recipients : null,
      click_to_open_rate: opened > 0 ? clicked / opened : null,
      first_sent_at: at(g.send.length ? Math.min(...g.send.map(when)) : undefined),
      last_activity_at: at(Math.max(...times)),
    };
  });
}
