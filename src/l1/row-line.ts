/**
 * The L1 hot path in one pass per record: walks the API record once, writing its JSON line with
 * normalised column names (nested keys too) and the ingest columns, while updating the inferred
 * schema in place. No intermediate row object, no second walk for inference: per-record
 * JavaScript is a single traversal, as the architecture asks of the hot path.
 */
import { type ColumnNaming, resolveColumnName } from '../config/naming.js';
import type { FieldInput } from '../iceberg/index.js';
import { type Inferred, toFields } from './infer-schema.js';
import type { IngestInfo } from './records.js';

type Kind = 'null' | 'boolean' | 'long' | 'double' | 'string' | 'struct' | 'list';

/** Mutable inference node; `string` absorbs every conflict. */
class TypeNode {
  kind: Kind = 'null';
  fields: Map<string, TypeNode> | undefined;
  element: TypeNode | undefined;

  toInferred(): Inferred {
    switch (this.kind) {
      case 'struct': {
        const fields = new Map<string, Inferred>();
        for (const [k, n] of this.fields!) fields.set(k, n.toInferred());
        return { kind: 'struct', fields };
      }
      case 'list':
        return { kind: 'list', element: this.element!.toInferred() };
      default:
        return { kind: this.kind };
    }
  }
}

export class RowLineEncoder {
  private readonly root = new TypeNode();
  private readonly names = new Map<string, string>();
  private readonly ingestJson: string;
  private readonly rename: boolean;

  constructor(
    private readonly naming: ColumnNaming,
    ingest: IngestInfo,
  ) {
    this.root.kind = 'struct';
    this.root.fields = new Map();
    this.rename = naming !== 'source';
    this.ingestJson = `"ingest_timestamp":${JSON.stringify(ingest.timestamp)},"ingest_date":${JSON.stringify(ingest.timestamp.slice(0, 10))},"ingest_run_id":${JSON.stringify(ingest.runId)}`;
  }

  /** `{…record with normalised names…,ingest columns` — the caller closes the object. */
  encode(record: Record<string, unknown>): string {
    let out = '{';
    for (const key in record) {
      const name = this.name(key);
      if (name === 'ingest_timestamp' || name === 'ingest_date' || name === 'ingest_run_id') continue;
      const v = record[key];
      if (v === undefined) continue;
      out += `${JSON.stringify(name)}:${this.value(v, this.child(this.root, name))},`;
    }
    return out + this.ingestJson;
  }

  /** The inferred columns (fields never seen non-null are left out; see infer-schema.ts). */
  fields(): FieldInput[] {
    return toFields(this.root.toInferred());
  }

  private name(key: string): string {
    if (!this.rename) return key;
    let n = this.names.get(key);
    if (n === undefined) {
      n = resolveColumnName(key, this.naming);
      this.names.set(key, n);
    }
    return n;
  }

  private child(parent: TypeNode, name: string): TypeNode {
    let n = parent.fields!.get(name);
    if (!n) {
      n = new TypeNode();
      parent.fields!.set(name, n);
    }
    return n;
  }

  private value(v: unknown, node: TypeNode): string {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'string':
        this.see(node, 'string');
        return JSON.stringify(v);
      case 'number':
        this.see(node, Number.isInteger(v) ? 'long' : 'double');
        return Number.isFinite(v) ? String(v) : 'null';
      case 'boolean':
        this.see(node, 'boolean');
        return v ? 'true' : 'false';
      case 'bigint':
        this.see(node, 'long');
        return String(v);
      case 'object':
        if (Array.isArray(v)) {
          this.see(node, 'list');
          const el = node.kind === 'list' ? node.element! : undefined;
          let out = '[';
          for (let i = 0; i < v.length; i++)
            out += (i ? ',' : '') + (el ? this.value(v[i], el) : JSON.stringify(this.plain(v[i])));
          return `${out}]`;
        } else {
          this.see(node, 'struct');
          const tracked = node.kind === 'struct';
          let out = '{';
          let first = true;
          for (const key in v as Record<string, unknown>) {
            const x = (v as Record<string, unknown>)[key];
            if (x === undefined) continue;
            const name = this.name(key);
            out += `${first ? '' : ','}${JSON.stringify(name)}:${tracked ? this.value(x, this.child(node, name)) : JSON.stringify(this.plain(x))}`;
            first = false;
          }
          return `${out}}`;
        }
      default:
        this.see(node, 'string');
        return JSON.stringify(String(v));
    }
  }

  /** Values under a node that became `string`: renamed like the rest, no inference. */
  private plain(v: unknown): unknown {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.plain(x));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) out[this.name(k)] = this.plain(x);
    return out;
  }

  /** Merges an observed kind into the node (same rules as mergeInferred). */
  private see(node: TypeNode, kind: Kind): void {
    const cur = node.kind;
    if (cur === kind || cur === 'string') return;
    if (cur === 'null') {
      node.kind = kind;
      if (kind === 'struct') node.fields = new Map();
      if (kind === 'list') node.element = new TypeNode();
      return;
    }
    if ((cur === 'long' && kind === 'double') || (cur === 'double' && kind === 'long')) {
      node.kind = 'double';
      return;
    }
    node.kind = 'string';
    node.fields = undefined;
    node.element = undefined;
  }
}
