/**
 * JSONPath (RFC 9535, via `jsonpath-rfc9535`) for records, page tokens and cursor fields.
 * Simple member paths (`$`, `$.data`, `$.paging.nextToken`) take a direct fast path: they are
 * nearly all real configs, and they run once per page or once per record.
 */
import { query } from 'jsonpath-rfc9535';
import parse from 'jsonpath-rfc9535/parser';
import { FloeError } from '../../errors.js';

const SIMPLE = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export interface CompiledPath {
  readonly text: string;
  /** All matching nodes. */
  all(doc: unknown): unknown[];
  /** The first match, or undefined. */
  first(doc: unknown): unknown;
}

/** Compiles a JSONPath; a syntax error is a config error naming `field`. */
export function compilePath(text: string, configId: string, field: string): CompiledPath {
  if (SIMPLE.test(text)) {
    const keys = text.split('.').slice(1);
    const get = (doc: unknown): unknown => {
      let cur = doc;
      for (const k of keys) {
        if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
        cur = (cur as Record<string, unknown>)[k];
      }
      return cur;
    };
    return {
      text,
      all: (doc) => {
        const v = get(doc);
        return v === undefined ? [] : [v];
      },
      first: get,
    };
  }
  try {
    parse(text);
  } catch (e) {
    throw new FloeError(
      'config-invalid',
      `${configId}: ${field} '${text}' is not a valid RFC 9535 JSONPath (${(e as Error).message}); e.g. $.data or $.result.items[*]`,
      { context: { configId, field } },
    );
  }
  return {
    text,
    all: (doc) => query(doc as never, text) as unknown[],
    first: (doc) => (query(doc as never, text) as unknown[])[0],
  };
}

/** A record field: dotted (`updatedDate`, `meta.modified`) or a JSONPath (`$.a['b c']`). */
export function compileField(
  field: string,
  configId: string,
  configField: string,
): (record: unknown) => unknown {
  if (field.startsWith('$')) return compilePath(field, configId, configField).first;
  const keys = field.split('.');
  return (record) => {
    let cur = record;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
}

/**
 * Records of a page: a single array match is the record list (`$.data`); several matches are
 * the records themselves (`$.data[*]`). Anything else is a config error saying what was found.
 */
export function selectRecords(
  path: CompiledPath,
  doc: unknown,
  ctx: { configId: string; url: string; onMissing: 'ERROR' | 'EMPTY' },
): unknown[] {
  const nodes = path.all(doc);
  if (nodes.length === 1 && Array.isArray(nodes[0])) return nodes[0];
  if (nodes.length > 1 || (nodes.length === 1 && /\[\*\]|\.\*|\?/.test(path.text))) return nodes;
  if (nodes.length === 0 && ctx.onMissing === 'EMPTY') return [];
  const found = nodes.length === 0 ? 'nothing' : describe(nodes[0]);
  const keys =
    doc && typeof doc === 'object' && !Array.isArray(doc)
      ? `; the response's top-level keys are [${Object.keys(doc).slice(0, 12).join(', ')}]`
      : `; the response is ${describe(doc)}`;
  throw new FloeError(
    'config-invalid',
    `${ctx.configId}: source.response.dataPath '${path.text}' did not yield an array of records in the response from ${ctx.url}: it yielded ${found}${keys}. Fix source.response.dataPath` +
      (nodes.length === 0
        ? " (or set source.response.onMissingData: 'EMPTY' if the API omits it on empty pages)"
        : ''),
    { context: { configId: ctx.configId, url: ctx.url, field: 'source.response.dataPath' } },
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 12).join(', ')}]`;
  return `a ${typeof v}`;
}
