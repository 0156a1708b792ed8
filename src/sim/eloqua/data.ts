/**
 * The simulated Eloqua instance: contacts and accounts (read through Bulk 2.0 exports), campaigns,
 * emails and forms (REST 2.0 assets), form submissions (REST 1.0 form data) and email activities
 * (sends, opens, clickthroughs through Bulk activity exports), generated per index from (seed,
 * index, clock) like every simulator here (../wrike/timeline.ts).
 *
 * Shapes (docs.oracle.com Eloqua developer guide; the Eloqua SDKs): REST assets carry `type`,
 * `id` (a digit string), `name`, and `createdAt`/`updatedAt` as Unix-epoch strings
 * (`"1403034086"`); Bulk exports return every value as a string, system timestamps as
 * `YYYY-MM-DD HH:MM:SS.fff` (UTC with `areSystemTimestampsInUTC`, else US Eastern time).
 */

import { hash, hashString, Rng } from '../prng.js';
import { type ChurnOptions, Timeline } from '../shared.js';
import { FIRST_NAMES, LAST_NAMES, NOUNS, sentence, TEXT } from '../wrike/data/words.js';

export type EloquaObject =
  | 'contacts'
  | 'accounts'
  | 'campaigns'
  | 'emails'
  | 'forms'
  | 'formSubmissions'
  | 'activities';

export const ACTIVITY_TYPES = ['EmailSend', 'EmailOpen', 'EmailClickthrough'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface EloquaCounts {
  contacts: number;
  accounts: number;
  campaigns: number;
  emails: number;
  forms: number;
  formSubmissions: number;
  /** Email sends; opens and clickthroughs follow a share of them. */
  emailSends: number;
}

const salt = (s: string) => hashString(`eloqua-${s}`);
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'AU'];

/** Eloqua's bulk date text: `YYYY-MM-DD HH:MM:SS.fff`, in UTC or in US Eastern time. */
export function bulkDate(epochMs: number, utc: boolean): string {
  let ms = epochMs;
  if (!utc) {
    // US Eastern, with daylight saving, as Eloqua reports system timestamps by default.
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      timeZoneName: 'shortOffset',
    })
      .formatToParts(new Date(epochMs))
      .find((p) => p.type === 'timeZoneName')!.value; // e.g. GMT-5
    const m = /GMT([+-]\d+)/.exec(parts);
    ms += (m ? Number(m[1]) : -5) * 3600_000;
  }
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export class EloquaWorld {
  readonly tl: Record<
    'contacts' | 'accounts' | 'campaigns' | 'emails' | 'forms' | 'formSubmissions' | 'sends',
    Timeline
  >;

  constructor(
    readonly seed: number,
    t0: number,
    readonly counts: EloquaCounts,
    churn?: ChurnOptions,
  ) {
    const mk = (name: string, base: number, fixed = false) =>
      new Timeline({
        seed,
        salt: salt(name),
        base,
        t0,
        churn,
        ...(fixed ? { updatedFractionOverride: 0 } : {}),
      });
    this.tl = {
      contacts: mk('contacts', counts.contacts),
      accounts: mk('accounts', counts.accounts),
      campaigns: mk('campaigns', counts.campaigns),
      emails: mk('emails', counts.emails),
      forms: mk('forms', counts.forms),
      formSubmissions: mk('formSubmissions', counts.formSubmissions, true),
      sends: mk('sends', counts.emailSends, true),
    };
  }

  count(o: keyof EloquaWorld['tl'], nowS: number): number {
    return this.tl[o].count(nowS);
  }

  private times(o: keyof EloquaWorld['tl'], i: number, nowS: number) {
    const t = this.tl[o];
    const v = t.version(i, nowS);
    return { v, created: t.created(i), updated: t.updated(i, v) };
  }

  // ---- Bulk entities: values by EML statement --------------------------------------------------

  /** Contact i as Bulk sees it: EML statement → value (strings; timestamps as epoch ms numbers). */
  contact(i: number, nowS: number): Record<string, string | number> {
    const { v, created, updated } = this.times('contacts', i, nowS);
    const rng = new Rng(hash(this.seed, salt('contacts'), i));
    const first = FIRST_NAMES[rng.int(FIRST_NAMES.length)]!;
    const last = LAST_NAMES[rng.int(LAST_NAMES.length)]!;
    const ms = (s: number, k: number) => s * 1000 + (hash(this.seed, salt('contacts'), i, k) % 1000);
    return {
      '{{Contact.Id}}': String(1000 + i),
      '{{Contact.Field(C_EmailAddress)}}': `${first}.${last}.${i}@example.com`.toLowerCase(),
      '{{Contact.Field(C_FirstName)}}': first,
      '{{Contact.Field(C_LastName)}}': last,
      '{{Contact.Field(C_Company)}}': `${TEXT[rng.int(TEXT.length)]} Ltd`,
      '{{Contact.Field(C_Country)}}': COUNTRIES[(rng.int(COUNTRIES.length) + v) % COUNTRIES.length]!,
      '{{Contact.Field(C_Title)}}': rng.chance(0.2) ? '' : sentence(rng, 1, 3),
      '{{Contact.Field(C_DateCreated)}}': ms(created, 1),
      '{{Contact.Field(C_DateModified)}}': ms(updated, 2 + v),
      '{{Contact.CreatedAt}}': ms(created, 1),
      '{{Contact.UpdatedAt}}': ms(updated, 2 + v),
    };
  }

  account(i: number, nowS: number): Record<string, string | number> {
    const { v, created, updated } = this.times('accounts', i, nowS);
    const rng = new Rng(hash(this.seed, salt('accounts'), i));
    return {
      '{{Account.Id}}': String(500 + i),
      '{{Account.Field(M_CompanyName)}}': `${TEXT[rng.int(TEXT.length)]} ${NOUNS[rng.int(NOUNS.length)]} ${i}`,
      '{{Account.Field(M_City)}}': ['Boston', 'London', 'Berlin', 'Toronto'][(rng.int(4) + v) % 4]!,
      '{{Account.Field(M_Country)}}': COUNTRIES[rng.int(COUNTRIES.length)]!,
      '{{Account.CreatedAt}}': created * 1000,
      '{{Account.UpdatedAt}}': updated * 1000,
    };
  }

  /** Activities of one type visible at the clock, in time order, as EML → value maps. */
  *activities(type: ActivityType, nowS: number): Generator<Record<string, string | number>> {
    const n = this.count('sends', nowS);
    for (let i = 0; i < n; i++) {
      const at = this.tl.sends.created(i);
      const h = hash(this.seed, salt('act'), i);
      const contact = h % Math.max(1, this.count('contacts', at));
      const email = (h >>> 8) % Math.max(1, this.counts.emails);
      const campaign = (h >>> 16) % Math.max(1, this.counts.campaigns);
      let when = at;
      if (type !== 'EmailSend') {
        // A share of sends is opened some minutes later, and a share of opens clicked through.
        const opened = (h >>> 4) % 100 < 45;
        const clicked = opened && (h >>> 12) % 100 < 30;
        if (type === 'EmailOpen' ? !opened : !clicked) continue;
        when = at + 60 + (h % 3600) + (type === 'EmailClickthrough' ? 30 : 0);
        if (when >= nowS) continue;
      }
      const code = type === 'EmailSend' ? 1 : type === 'EmailOpen' ? 2 : 3;
      yield {
        '{{Activity.Id}}': String(code * 10_000_000 + i),
        '{{Activity.Type}}': type,
        '{{Activity.CreatedAt}}': when * 1000,
        '{{Activity.Contact.Id}}': String(1000 + contact),
        '{{Activity.Field(EmailAddress)}}': `contact${contact}@example.com`,
        '{{Activity.Asset.Id}}': String(300 + email),
        '{{Activity.Asset.Name}}': `Email ${email}`,
        '{{Activity.Campaign.Id}}': String(100 + campaign),
        '{{Activity.Field(EmailRecipientId)}}': `rcpt-${hash(this.seed, 5, i).toString(16)}`,
        ...(type !== 'EmailSend'
          ? { '{{Activity.Field(IpAddress)}}': `10.${h % 250}.${(h >>> 8) % 250}.${(h >>> 16) % 250}` }
          : {}),
        ...(type === 'EmailClickthrough'
          ? { '{{Activity.Field(EmailClickedThruLink)}}': `https://example.com/l/${i % 17}` }
          : {}),
      };
    }
  }

  // ---- REST assets ----------------------------------------------------------------------------

  asset(
    kind: 'campaigns' | 'emails' | 'forms',
    i: number,
    nowS: number,
    depth: string,
  ): Record<string, unknown> {
    const { v, created, updated } = this.times(kind, i, nowS);
    const rng = new Rng(hash(this.seed, salt(kind), i));
    const base = { campaigns: 100, emails: 300, forms: 700 }[kind];
    const type = { campaigns: 'Campaign', emails: 'Email', forms: 'Form' }[kind];
    const rec: Record<string, unknown> = {
      type,
      id: String(base + i),
      name: `${type} ${NOUNS[rng.int(NOUNS.length)]} ${i}${v ? ` v${v}` : ''}`,
      createdAt: String(created),
      updatedAt: String(updated),
    };
    if (depth === 'minimal') return rec;
    rec.createdBy = String(10 + rng.int(5));
    rec.updatedBy = String(10 + ((rng.int(5) + v) % 5));
    rec.folderId = String(40 + rng.int(8));
    rec.permissions = ['Retrieve', 'SetSecurity', 'Delete', 'Update'];
    if (depth !== 'complete') return rec;
    if (kind === 'campaigns') {
      rec.currentStatus = ['Draft', 'Active', 'Completed'][(rng.int(3) + v) % 3];
      rec.startAt = String(created + 86_400 * (1 + rng.int(30)));
      rec.budgetedCost = String(1000 * (1 + rng.int(20)));
      rec.isEmailMarketingCampaign = rng.chance(0.6) ? 'true' : 'false';
    } else if (kind === 'emails') {
      rec.subject = sentence(rng, 3, 8);
      rec.senderName = `${FIRST_NAMES[rng.int(FIRST_NAMES.length)]} at Acme`;
      rec.isPlainTextEditable = 'false';
      rec.emailGroupId = String(1 + rng.int(4));
    } else {
      rec.htmlName = `form_${i}`;
      rec.processingType = 'externalEmail';
      rec.elements = [
        { type: 'FormField', id: String(9000 + i * 10), name: 'Email Address', dataType: 'text' },
        { type: 'FormField', id: String(9001 + i * 10), name: 'Comments', dataType: 'largeText' },
      ];
    }
    return rec;
  }

  /** Form submissions of form f (REST 1.0 `/data/form/{id}`), in time order. */
  *submissions(f: number, nowS: number): Generator<Record<string, unknown>> {
    const n = this.count('formSubmissions', nowS);
    const forms = Math.max(1, this.counts.forms);
    for (let j = 0; j < n; j++) {
      const h = hash(this.seed, salt('sub'), j);
      if (h % forms !== f) continue;
      const at = this.tl.formSubmissions.created(j);
      const contact = (h >>> 8) % Math.max(1, this.count('contacts', at));
      yield {
        type: 'FormData',
        id: String(50_000 + j),
        contactId: String(1000 + contact),
        submittedAt: String(at),
        submittedByContactId: String(1000 + contact),
        fieldValues: [
          { type: 'FieldValue', id: String(9000 + f * 10), value: `contact${contact}@example.com` },
          { type: 'FieldValue', id: String(9001 + f * 10), value: sentence(new Rng(h), 2, 8) },
        ],
      };
    }
  }
}
