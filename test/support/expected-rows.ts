/**
 * The L1 row semantics written plainly, as an independent reference for tests: names
 * normalised (nested keys too) and the ingest columns added. src/l1/row-line.ts does the same in
 * one fused pass; tests compare the two and build expected table rows from simulator records.
 */
import { type ColumnNaming, resolveColumnName } from '../../src/config/naming.js';
import type { FieldInput } from '../../src/iceberg/index.js';
import { type Inferred, toFields } from '../../src/l1/infer-schema.js';
import type { IngestInfo } from '../../src/l1/records.js';

export function recordTransformer(
  naming: ColumnNaming,
  ingest: IngestInfo,
): (r: Record<string, unknown>) => Record<string, unknown> {
  const cache = new Map<string, string>();
  const name = (k: string) => {
    let n = cache.get(k);
    if (n === undefined) {
      n = resolveColumnName(k, naming);
      cache.set(k, n);
    }
    return n;
  };
  const rename = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(rename);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) out[name(k)] = rename(x);
    return out;
  };
  const ingestDate = ingest.timestamp.slice(0, 10);
  return (r) => {
    const row = (naming === 'source' ? { ...r } : rename(r)) as Record<string, unknown>;
    row.ingest_timestamp = ingest.timestamp;
    row.ingest_date = ingestDate;
    row.ingest_run_id = ingest.runId;
    return row;
  };
}

/** The inference rules written plainly (immutable merge per record), as a reference. */
const NULL: Inferred = { kind: 'null' };
const BOOLEAN: Inferred = { kind: 'boolean' };
const LONG: Inferred = { kind: 'long' };
const DOUBLE: Inferred = { kind: 'double' };
const STRING: Inferred = { kind: 'string' };

export function inferValue(v: unknown): Inferred {
  if (v === null || v === undefined) return NULL;
  switch (typeof v) {
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return Number.isInteger(v) ? LONG : DOUBLE;
    case 'bigint':
      return LONG;
    case 'string':
      return STRING;
    case 'object': {
      if (Array.isArray(v)) {
        let element: Inferred = NULL;
        for (const x of v) element = mergeInferred(element, inferValue(x));
        return { kind: 'list', element };
      }
      const fields = new Map<string, Inferred>();
      for (const [k, x] of Object.entries(v as object)) fields.set(k, inferValue(x));
      return { kind: 'struct', fields };
    }
    default:
      return STRING;
  }
}

export function mergeInferred(a: Inferred, b: Inferred): Inferred {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === b.kind) {
    if (a.kind === 'struct' && b.kind === 'struct') {
      let changed = false;
      const fields = new Map(a.fields);
      for (const [k, t] of b.fields) {
        const prev = fields.get(k);
        const next = prev ? mergeInferred(prev, t) : t;
        if (next !== prev) {
          fields.set(k, next);
          changed = true;
        }
      }
      return changed ? { kind: 'struct', fields } : a;
    }
    if (a.kind === 'list' && b.kind === 'list') {
      const element = mergeInferred(a.element, b.element);
      return element === a.element ? a : { kind: 'list', element };
    }
    return a;
  }
  if ((a.kind === 'long' && b.kind === 'double') || (a.kind === 'double' && b.kind === 'long')) return DOUBLE;
  return STRING;
}

/** Accumulates record types page by page. */
export class SchemaInferrer {
  private root: Inferred = { kind: 'struct', fields: new Map() };

  observe(record: Record<string, unknown>): void {
    this.root = mergeInferred(this.root, inferValue(record));
  }

  observeAll(records: readonly Record<string, unknown>[]): void {
    for (const r of records) this.observe(r);
  }

  get inferred(): Inferred {
    return this.root;
  }

  /** Iceberg fields (optional, no ids) for everything typed so far. */
  fields(): FieldInput[] {
    return toFields(this.root);
  }
}
