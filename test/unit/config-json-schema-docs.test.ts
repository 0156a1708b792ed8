// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in descriptions and examples are config placeholders, not JS templates
/**
 * The generated JSON Schema documents every field: a description everywhere, an example on every
 * value field, the default where there is one; and it names every request placeholder and what
 * each time format produces, so an editor answers what a new user would otherwise guess.
 */
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/index.js';
import { formatTime } from '../../src/source/incremental.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk generated JSON Schema ad hoc
type Json = any;

/** Every property in the schema, with its dotted path (`<n>` = union member n). */
function properties(node: Json, path = '', out: [string, Json][] = []): [string, Json][] {
  if (!node || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries<Json>(node.properties ?? {})) {
    const p = path ? `${path}.${k}` : k;
    out.push([p, v]);
    properties(v, p, out);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    (node[key] ?? []).forEach((n: Json, i: number) => {
      properties(n, `${path}<${i}>`, out);
    });
  if (node.items) properties(node.items, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    properties(node.additionalProperties, `${path}.*`, out);
  return out;
}

/** A field holding a value (not a section): it should show an example. */
const isValueField = (v: Json) =>
  !(v.type === 'object' || v.properties || v.anyOf || v.oneOf || v.items?.type === 'object');

const find = (schema: Json, path: string) => {
  const hit = properties(schema).find(([p]) => p === path);
  if (!hit) throw new Error(`no property ${path}`);
  return hit[1];
};

describe.each(['l1', 'l2'] as const)('%s JSON Schema', (layer) => {
  const schema = configJsonSchema(layer);
  const all = properties(schema);

  it('has many fields (the walk sees the schema)', () => {
    expect(all.length).toBeGreaterThan(layer === 'l1' ? 150 : 25);
  });

  it('every field has a description', () => {
    expect(all.filter(([, v]) => !v.description).map(([p]) => p)).toEqual([]);
  });

  it('every value field has an example', () => {
    expect(all.filter(([, v]) => isValueField(v) && !v.examples?.length).map(([p]) => p)).toEqual([]);
  });
});

describe('L1 JSON Schema content', () => {
  const schema = configJsonSchema('l1');
  const apiKey = (field: string) => {
    const auth = find(schema, 'source.auth');
    const member =
      auth.oneOf?.find((m: Json) => m.properties?.type?.const === 'API_KEY') ??
      auth.anyOf?.find((m: Json) => m.properties?.type?.const === 'API_KEY');
    return member.properties[field];
  };

  it('names every request placeholder on the request fields', () => {
    for (const field of ['source.request.url', 'source.request.headers', 'source.request.params']) {
      const d = find(schema, field).description as string;
      for (const name of [
        'accessToken',
        'apiKey',
        'configId',
        'now',
        'pageSize',
        'start',
        'end',
        'lastSyncTime',
      ])
        expect(d, field).toContain(`\${${name}}`);
    }
  });

  it('says what each incremental format produces, from the formatter itself', () => {
    const d = find(schema, 'source.incremental.format').description as string;
    const t = new Date('2024-01-31T10:00:00.123Z');
    for (const f of [
      'ISO8601',
      'ISO8601_MS',
      'EPOCH_SECONDS',
      'EPOCH_MILLIS',
      'DATE',
      'SQL_DATETIME',
    ] as const)
      expect(d).toContain(`${f} → ${formatTime(t, f)}`);
    expect(find(schema, 'source.incremental.format').default).toBe('ISO8601');
  });

  it("documents API_KEY's in and name with their defaults", () => {
    expect(apiKey('in')).toMatchObject({ default: 'header', examples: ['header', 'query'] });
    expect(apiKey('in').description).toContain('query');
    expect(apiKey('name').default).toBe('X-API-Key');
    expect(apiKey('name').description).toContain('header name');
  });

  it('tells link_header from offset pagination', () => {
    const p = find(schema, 'source.pagination');
    const members = p.oneOf ?? p.anyOf;
    const type = (t: string) =>
      members.find((m: Json) => m.properties.type.const === t).properties.type.description;
    expect(type('link_header')).toMatch(/Link: <…>; rel="next"/);
    expect(type('offset')).toMatch(/link_header/);
  });

  it('shows the defaults of case-insensitive (preprocessed) enums', () => {
    expect(find(schema, 'source.request.method').default).toBe('GET');
    expect(find(schema, 'retryPolicy.backoff').default).toBe('EXPONENTIAL');
    expect(find(schema, 'destination.defaultwriteMode').default).toBe('APPEND');
  });
});
