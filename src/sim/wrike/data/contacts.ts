/** `GET /contacts`: persons (`KU…`) then groups (`KX…`), so id order lists persons first. */
import { hash, Rng } from '../../prng.js';
import { COMPANIES, FIRST_NAMES, JOB_TITLES, LAST_NAMES, LOCALES, TIMEZONES } from './words.js';
import type { World } from './world.js';

const SALT_PERSON = 0xc0a1;
const SALT_GROUP = 0xc0a2;

export const CONTACT_OPTIONAL_FIELDS = ['metadata', 'workScheduleId', 'jobRoleId'] as const;

export function isDeletedPerson(w: World, i: number): boolean {
  return i !== 0 && hash(w.seed, SALT_PERSON, i, 7) % 20 === 0;
}

/** The group (1 … groups-1) a person belongs to; group 0 ("My Team") holds every active person. */
function groupOfPerson(w: World, i: number): number {
  return w.counts.groups <= 1 ? 0 : 1 + (hash(w.seed, SALT_GROUP, i) % (w.counts.groups - 1));
}

export function person(w: World, i: number, fields: ReadonlySet<string>): Record<string, unknown> {
  const rng = new Rng(hash(w.seed, SALT_PERSON, i));
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const owner = i === 0;
  const external = !owner && rng.chance(0.1);
  const email =
    `${firstName}.${lastName}${i}@${external ? 'partner.example.org' : 'example.com'}`.toLowerCase();
  const id = w.personIds[i]!;
  const rec: Record<string, unknown> = {
    id,
    firstName,
    lastName,
    type: 'Person',
    profiles: [
      {
        accountId: w.ids.accountId,
        email,
        role: external ? 'Collaborator' : 'User',
        external,
        admin: owner || rng.chance(0.1),
        owner,
      },
    ],
    avatarUrl: `https://www.wrike.com/avatars/${id}.png`,
    timezone: rng.pick(TIMEZONES),
    locale: rng.pick(LOCALES),
    deleted: isDeletedPerson(w, i),
    me: owner,
    title: rng.pick(JOB_TITLES),
    companyName: rng.pick(COMPANIES),
    phone: `+1 555${String(1000000 + i).slice(-7)}`,
    primaryEmail: email,
  };
  if (fields.has('metadata'))
    rec.metadata = i % 5 === 0 ? [{ key: 'employeeId', value: `E${1000 + i}` }] : [];
  if (fields.has('workScheduleId')) rec.workScheduleId = w.ids.id('KW', 0);
  if (fields.has('jobRoleId')) rec.jobRoleId = w.ids.id('KJ', hash(w.seed, SALT_PERSON, i, 9) % 5);
  return rec;
}

export function group(w: World, k: number, fields: ReadonlySet<string>): Record<string, unknown> {
  const id = w.groupIds[k]!;
  const memberIds: string[] = [];
  for (let i = 0; i < w.counts.contacts; i++) {
    if (isDeletedPerson(w, i)) continue;
    if (k === 0 || groupOfPerson(w, i) === k) memberIds.push(w.personIds[i]!);
  }
  const rec: Record<string, unknown> = {
    id,
    firstName: k === 0 ? 'My Team' : `Team ${LAST_NAMES[k % LAST_NAMES.length]} ${k}`,
    lastName: '',
    type: 'Group',
    profiles: [],
    avatarUrl: `https://www.wrike.com/avatars/${id}.png`,
    timezone: 'Z',
    locale: 'en',
    deleted: false,
    me: false,
    memberIds,
    myTeam: k === 0,
  };
  if (fields.has('metadata')) rec.metadata = [];
  return rec;
}

/** All contacts in id order. */
export function* contacts(w: World, fields: ReadonlySet<string>): Generator<Record<string, unknown>> {
  for (let i = 0; i < w.counts.contacts; i++) yield person(w, i, fields);
  for (let k = 0; k < w.counts.groups; k++) yield group(w, k, fields);
}

export function contactById(
  w: World,
  id: string,
  fields: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  const ref = w.ids.contactIndex(id);
  if (!ref) return undefined;
  if (ref.group) return ref.index < w.counts.groups ? group(w, ref.index, fields) : undefined;
  return ref.index < w.counts.contacts ? person(w, ref.index, fields) : undefined;
}
