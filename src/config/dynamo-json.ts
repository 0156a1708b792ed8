/**
 * DynamoDB typed JSON (`{"configId": {"S": "…"}, "destination": {"M": {…}}}`), as the AWS console,
 * `aws dynamodb get-item/scan` and the seed's README show items. Users bring items in either form,
 * so every loader runs input through `normalizeItem`, which unmarshals typed items and leaves plain
 * ones alone.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Set);
}

/**
 * True when `v` is one DynamoDB attribute value: an object with exactly one type tag whose payload
 * has the right shape, recursively for `M` and `L`. Checking payload shapes (not just the key) is
 * what makes detection reliable: a plain field that happens to be called `S` or `M` fails it.
 */
export function isAttributeValue(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const tag = keys[0]!;
  const payload = v[tag];
  switch (tag) {
    case 'S':
      return typeof payload === 'string';
    case 'N':
      return typeof payload === 'string' && payload.trim() !== '' && Number.isFinite(Number(payload));
    case 'BOOL':
      return typeof payload === 'boolean';
    case 'NULL':
      return payload === true;
    case 'B':
      return typeof payload === 'string' || payload instanceof Uint8Array;
    case 'SS':
      return Array.isArray(payload) && payload.every((x) => typeof x === 'string');
    case 'NS':
      return (
        Array.isArray(payload) && payload.every((x) => typeof x === 'string' && Number.isFinite(Number(x)))
      );
    case 'BS':
      return Array.isArray(payload);
    case 'M':
      return isPlainObject(payload) && Object.values(payload).every(isAttributeValue);
    case 'L':
      return Array.isArray(payload) && payload.every(isAttributeValue);
    default:
      return false;
  }
}

/** True when every attribute of a (non-empty) item is a typed attribute value. */
export function isTypedItem(item: unknown): item is Record<string, AttributeValue> {
  if (!isPlainObject(item)) return false;
  const values = Object.values(item);
  return values.length > 0 && values.every(isAttributeValue);
}

/** Sets (from SS/NS/BS) become arrays: config fields such as `primaryKey` are lists. */
function setsToArrays(v: unknown): unknown {
  if (v instanceof Set) return [...v].map(setsToArrays);
  if (Array.isArray(v)) return v.map(setsToArrays);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, setsToArrays(x)]));
  return v;
}

/** A typed item as plain JSON; plain items are returned unchanged. */
export function normalizeItem(item: unknown): unknown {
  if (!isTypedItem(item)) return item;
  return setsToArrays(unmarshall(item));
}

/** Plain JSON → DynamoDB typed JSON (for fixtures, `floe config` output and the DynamoDB store). */
export function toTypedItem(item: Json): Record<string, unknown> {
  return marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false }) as Record<
    string,
    unknown
  >;
}

/**
 * The items in a parsed document: a single item, a list of items, or the `{"Item": …}` /
 * `{"Items": […]}` envelopes that `aws dynamodb get-item` and `scan` print.
 */
export function itemsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isPlainObject(doc)) {
    const keys = Object.keys(doc);
    if (keys.includes('Items') && Array.isArray(doc.Items) && keys.every((k) => ENVELOPE_KEYS.has(k))) {
      return doc.Items;
    }
    if (keys.length === 1 && keys[0] === 'Item' && isPlainObject(doc.Item)) return [doc.Item];
  }
  return [doc];
}

const ENVELOPE_KEYS = new Set(['Items', 'Count', 'ScannedCount', 'LastEvaluatedKey', 'ConsumedCapacity']);
