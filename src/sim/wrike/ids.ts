/**
 * Wrike-style ids. Real ids are opaque uppercase strings: an 8-character account id
 * (`IEAAAAAQ`), then a two-letter entity code and six more characters (`IEAAAAAQKQAB5BG4` for a
 * task). We encode a record's index with the 16 letters A–P (hex digits spelled as letters), so
 * ids look like Wrike's (`IEAAAAAQKQAAAAAB`), are deterministic, and sort lexicographically in
 * index order, which makes "id order" and "creation order" the same thing for every object.
 * Six characters allow 16,777,215 records per object type.
 */
import { hash } from '../prng.js';

const ALPHABET = 'ABCDEFGHIJKLMNOP';
export const MAX_INDEX = 16 ** 6 - 2;

/** Two letters per byte, so encoding an id is three table lookups (ids are on the hot path). */
const PAIRS = Array.from({ length: 256 }, (_, b) => ALPHABET[b >>> 4]! + ALPHABET[b & 15]!);

/** Fixed-width encoding of a non-negative integer in letters A–P. */
export function encode(n: number, width: number): string {
  if (width === 6) return PAIRS[(n >>> 16) & 255]! + PAIRS[(n >>> 8) & 255]! + PAIRS[n & 255]!;
  let s = '';
  let v = n;
  for (let k = 0; k < width; k++) {
    s = ALPHABET[v & 15] + s;
    v >>>= 4;
  }
  return s;
}

/** Inverse of `encode`; -1 when a character is outside the alphabet. */
export function decode(s: string): number {
  let v = 0;
  for (let k = 0; k < s.length; k++) {
    const d = s.charCodeAt(k) - 65;
    if (d < 0 || d > 15) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Entity codes, after the ones visible in Wrike's docs (KQ task, I4 folder, JU custom field, JM status). */
export const CODE = {
  task: 'KQ',
  folder: 'I4',
  space: 'I5',
  customField: 'JU',
  customStatus: 'JM',
  workflow: 'K7',
  timelog: 'JQ',
  timelogCategory: 'JZ',
  comment: 'IM',
  attachment: 'IY',
  dependency: 'IU',
} as const;

export class IdSpace {
  /** 8 characters, e.g. `IEAGLBKP`. */
  readonly accountId: string;
  readonly rootFolderId: string;
  readonly recycleBinId: string;
  private readonly prefixes = new Map<string, string>();

  constructor(seed: number) {
    this.accountId = 'IEA' + encode(hash(seed, 0xacc0) & 0xfffff, 5);
    this.rootFolderId = this.accountId + 'I7777777';
    this.recycleBinId = this.accountId + 'I7777776';
  }

  /** Account-scoped id for record `index` (0-based) of an entity: account + code + 6 letters. */
  id(code: string, index: number): string {
    let prefix = this.prefixes.get(code);
    if (prefix === undefined) {
      prefix = this.accountId + code;
      this.prefixes.set(code, prefix);
    }
    return prefix + encode(index + 1, 6);
  }

  /** Index of an account-scoped id, or -1 if it is not an id of that entity. */
  index(code: string, id: string): number {
    if (id.length !== 16 || !id.startsWith(this.accountId) || id.slice(8, 10) !== code) return -1;
    const n = decode(id.slice(10));
    return n <= 0 ? -1 : n - 1;
  }

  /** Contact ids are not account-scoped in Wrike (`KUAAAAAQ`): `KU` for persons, `KX` for groups. */
  contactId(index: number, group: boolean): string {
    return (group ? 'KX' : 'KU') + encode(index + 1, 6);
  }

  contactIndex(id: string): { index: number; group: boolean } | undefined {
    if (id.length !== 8) return undefined;
    const code = id.slice(0, 2);
    if (code !== 'KU' && code !== 'KX') return undefined;
    const n = decode(id.slice(2));
    return n <= 0 ? undefined : { index: n - 1, group: code === 'KX' };
  }
}
