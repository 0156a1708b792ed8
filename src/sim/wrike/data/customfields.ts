/** `GET /customfields`: one definition per type in turn, with type-specific `settings`. */
import { hash, Rng } from '../../prng.js';
import { DAY, date } from '../dates.js';
import { CODE } from '../ids.js';
import { sentence } from './words.js';
import { CUSTOM_FIELD_TYPES, type CustomFieldType, type World } from './world.js';

const TITLES: Record<CustomFieldType, string> = {
  Text: 'Notes',
  DropDown: 'Impact',
  Numeric: 'Story Points',
  Currency: 'Budget',
  Percentage: 'Progress',
  Date: 'Launch Date',
  Duration: 'Estimate',
  Checkbox: 'Approved',
  Contacts: 'Reviewer',
  Multiple: 'Channels',
};
const DROPDOWN_VALUES = ['Low', 'Medium', 'High', 'Critical'];
const MULTIPLE_VALUES = ['Email', 'Social', 'Web', 'Print', 'Events'];

export function customFieldType(k: number): CustomFieldType {
  return CUSTOM_FIELD_TYPES[k % CUSTOM_FIELD_TYPES.length]!;
}

export function customFieldId(w: World, k: number): string {
  return w.customFieldIds[k] ?? w.ids.id(CODE.customField, k);
}

function settings(type: CustomFieldType, w: World, k: number): Record<string, unknown> {
  const base = {
    inheritanceType: k % 3 === 0 ? 'All' : 'None',
    applicableEntityTypes: ['WorkItem'],
    readOnly: false,
  };
  switch (type) {
    case 'Text':
    case 'Checkbox':
      return base;
    case 'DropDown':
      return {
        ...base,
        values: DROPDOWN_VALUES,
        options: DROPDOWN_VALUES.map((value, n) => ({
          value,
          color: ['Green', 'Yellow', 'Orange', 'Red'][n],
        })),
        optionColorsEnabled: true,
        allowOtherValues: true,
      };
    case 'Multiple':
      return { ...base, values: MULTIPLE_VALUES, allowOtherValues: false };
    case 'Numeric':
      return { ...base, decimalPlaces: 0, useThousandsSeparator: false, aggregation: 'Sum' };
    case 'Currency':
      return { ...base, decimalPlaces: 2, useThousandsSeparator: true, aggregation: 'Sum', currency: 'USD' };
    case 'Percentage':
      return { ...base, decimalPlaces: 0, useThousandsSeparator: false, aggregation: 'Average' };
    case 'Date':
      return { ...base, allowTime: false };
    case 'Duration':
      return { ...base, aggregation: 'Sum' };
    case 'Contacts':
      return { ...base, contacts: w.personIds.slice(0, 5), allowedContacts: 'All' };
  }
}

export function customField(w: World, k: number): Record<string, unknown> {
  const type = customFieldType(k);
  const round = Math.floor(k / CUSTOM_FIELD_TYPES.length);
  return {
    id: customFieldId(w, k),
    accountId: w.ids.accountId,
    title: round === 0 ? TITLES[type] : `${TITLES[type]} ${round + 1}`,
    type,
    sharedIds: [],
    settings: settings(type, w, k),
    description: `Simulated ${type} field`,
  };
}

export function* customFields(w: World): Generator<Record<string, unknown>> {
  for (let k = 0; k < w.counts.customFields; k++) yield customField(w, k);
}

/** A value as Wrike returns it on tasks and folders: always a string. */
export function customFieldValue(w: World, k: number, rng: Rng): string {
  switch (customFieldType(k)) {
    case 'Text':
      return sentence(rng, 2, 6);
    case 'DropDown':
      return rng.pick(DROPDOWN_VALUES);
    case 'Multiple':
      return MULTIPLE_VALUES.filter(() => rng.chance(0.4)).join(',') || MULTIPLE_VALUES[0]!;
    case 'Numeric':
      return String(rng.int(100));
    case 'Currency':
      return (rng.int(1_000_000) / 100).toFixed(2);
    case 'Percentage':
      return String(rng.int(101));
    case 'Date':
      return date(w.t0 + (rng.int(120) - 60) * DAY);
    case 'Duration':
      return String(rng.range(1, 40) * 60);
    case 'Checkbox':
      return rng.chance(0.5) ? 'true' : 'false';
    case 'Contacts':
      return w.person(rng.int(1 << 20));
  }
}

/** The custom field values of one record: each field set with probability 1/2. */
export function customFieldValues(
  w: World,
  salt: number,
  i: number,
  version: number,
): Array<{ id: string; value: string }> {
  const out: Array<{ id: string; value: string }> = [];
  for (let k = 0; k < w.counts.customFields; k++) {
    const h = hash(w.seed, salt, i, k);
    if ((h & 1) === 0) continue;
    // A record's edit changes a subset of its custom field values.
    const v = (h >>> 1) % 3 === 0 ? version : 0;
    const rng = new Rng(hash(w.seed, salt ^ 0x5a5a, i * 64 + k, v));
    out.push({ id: customFieldId(w, k), value: customFieldValue(w, k, rng) });
  }
  return out;
}

/** `customFieldValues` as JSON text (values never need escaping: see words.ts). */
export function customFieldValuesJson(w: World, salt: number, i: number, version: number): string {
  let s = '';
  for (let k = 0; k < w.counts.customFields; k++) {
    const h = hash(w.seed, salt, i, k);
    if ((h & 1) === 0) continue;
    const v = (h >>> 1) % 3 === 0 ? version : 0;
    const rng = new Rng(hash(w.seed, salt ^ 0x5a5a, i * 64 + k, v));
    s += `${s === '' ? '' : ','}{"id":"${customFieldId(w, k)}","value":"${customFieldValue(w, k, rng)}"}`;
  }
  return `[${s}]`;
}
