/**
 * The simulated Medallia Experience Cloud instance: a field catalogue (ids with Medallia's
 * prefixes: `a_` system, `e_` enterprise, `q_` question fields) and survey feedback records,
 * generated per index from (seed, index, clock) like every simulator here.
 *
 * Shapes (docs.medallia.com Query API; the 3P connectors cited in server.ts): every field value
 * comes back as `values: [String]` (numbers too, e.g. `["9"]`); `a_initial_finish_timestamp` is
 * the survey's finish time in epoch seconds (10 digits); DATE fields are `YYYY-MM-DD`, DATETIME
 * fields `YYYY-MM-DD HH:MM:SS`; a multivalued field can hold several values; unanswered fields
 * have none. Feedback does not change once finished: new records arrive as the clock moves.
 */

import { hash, hashString, Rng } from '../prng.js';
import { type ChurnOptions, Timeline } from '../shared.js';
import { FIRST_NAMES, sentence } from '../wrike/data/words.js';

export interface FieldDef {
  id: string;
  name: string;
  description: string;
  dataType: 'STRING' | 'INT' | 'DATE' | 'DATETIME' | 'ENUM';
  multivalued: boolean;
  filterable: boolean;
  sortable: boolean;
}

const FIELDS: FieldDef[] = [
  f('a_initial_finish_timestamp', 'Initial Finish Timestamp', 'INT', false, true),
  f('a_surveyid', 'Survey ID', 'STRING', false, true),
  f('e_responsedate', 'Response Date', 'DATE', false, true),
  f('e_creationdate', 'Creation Date', 'DATETIME', false, true),
  f('e_email', 'Email', 'STRING', false, false),
  f('e_unit', 'Unit', 'STRING', false, true),
  f('e_channel', 'Channel', 'ENUM', false, true),
  f('q_ltr', 'Likelihood to Recommend', 'INT', false, true),
  f('q_osat', 'Overall Satisfaction', 'INT', false, true),
  f('q_comment', 'Comment', 'STRING', false, false),
  f('a_recognition_sentiment_types', 'Recognition Sentiment Types', 'STRING', true, false),
  f('q_reasons', 'Reasons', 'ENUM', true, false),
];

function f(
  id: string,
  name: string,
  dataType: FieldDef['dataType'],
  multivalued: boolean,
  sortable: boolean,
): FieldDef {
  return {
    id,
    name,
    description: `${name} (${dataType.toLowerCase()})`,
    dataType,
    multivalued,
    filterable: sortable,
    sortable,
  };
}

const SALT = hashString('medallia-feedback');
const CHANNELS = ['Email', 'SMS', 'Web', 'App'];
const UNITS = ['North', 'South', 'East', 'West', 'Online'];
const SENTIMENT = ['Positive', 'Negative', 'Neutral', 'Mixed'];
const REASONS = ['Price', 'Service', 'Speed', 'Quality', 'Staff'];

export class MedalliaWorld {
  readonly fields: FieldDef[];
  readonly feedback: Timeline;

  constructor(
    readonly seed: number,
    t0: number,
    count: number,
    churn?: ChurnOptions,
    extraFields = 0,
  ) {
    this.fields = [...FIELDS];
    for (let k = 0; k < extraFields; k++)
      this.fields.push(f(`q_custom_${k + 1}`, `Custom question ${k + 1}`, 'STRING', false, false));
    this.feedback = new Timeline({ seed, salt: SALT, base: count, t0, churn, updatedFractionOverride: 0 });
  }

  count(nowS: number): number {
    return this.feedback.count(nowS);
  }

  id(i: number): string {
    return String(20_000_000 + i);
  }

  /** Field id → values of record i (unanswered fields absent). */
  values(i: number): Record<string, string[]> {
    const finish = this.feedback.created(i);
    const rng = new Rng(hash(this.seed, SALT, i));
    const iso = new Date(finish * 1000).toISOString();
    const out: Record<string, string[]> = {
      a_initial_finish_timestamp: [String(finish)],
      a_surveyid: [`SV-${(hash(this.seed, SALT, i, 1) % 90_000) + 10_000}`],
      e_responsedate: [iso.slice(0, 10)],
      e_creationdate: [iso.slice(0, 19).replace('T', ' ')],
      e_email: [`${FIRST_NAMES[rng.int(FIRST_NAMES.length)]!.toLowerCase()}.${i}@example.com`],
      e_unit: [UNITS[rng.int(UNITS.length)]!],
      e_channel: [CHANNELS[rng.int(CHANNELS.length)]!],
      q_ltr: [String(rng.int(11))],
    };
    if (rng.chance(0.8)) out.q_osat = [String(1 + rng.int(5))];
    if (rng.chance(0.6)) out.q_comment = [sentence(rng, 4, 14)];
    const nSent = rng.int(3);
    if (nSent > 0)
      out.a_recognition_sentiment_types = SENTIMENT.filter(
        (_, k) => (hash(this.seed, SALT, i, 10 + k) & 1) === 1,
      ).slice(0, nSent);
    if (out.a_recognition_sentiment_types?.length === 0) delete out.a_recognition_sentiment_types;
    if (rng.chance(0.5)) out.q_reasons = REASONS.filter((_, k) => hash(this.seed, SALT, i, 20 + k) % 3 === 0);
    if (out.q_reasons?.length === 0) delete out.q_reasons;
    for (const fd of this.fields.slice(FIELDS.length))
      if (rng.chance(0.5)) out[fd.id] = [`answer ${rng.int(100)}`];
    return out;
  }
}
