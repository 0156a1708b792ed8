/**
 * Property test: seeded random sequences of append / merge / delete by filter / overwrite by
 * filter / dynamic partition overwrite / schema evolution (add, add nested, rename, rename
 * nested, widen, make optional, drop, drop nested, union by name) / compaction / snapshot expiry,
 * in merge-on-read and copy-on-write mode, against an in-memory model of the rows and the schema.
 * After every step floe's read equals the model; at checkpoints (every CHECK_EVERY steps and at
 * the end) PyIceberg's read equals it too. The seed is printed with every failure; rerun one with
 * FLOE_MODEL_SEED=<seed>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog, type Table, where } from '../../src/iceberg/index.js';
import { compactTable } from '../../src/iceberg/maintenance/compact.js';
import { expireSnapshots } from '../../src/iceberg/maintenance/expire-snapshots.js';
import type { FieldInput } from '../../src/iceberg/spec/schema.js';
import { type IcebergType, isList, isStruct, type NestedField } from '../../src/iceberg/spec/types.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  writeExpectedJsonl,
} from '../support/interop.js';

const SEED = Number(process.env.FLOE_MODEL_SEED ?? 20261201);
const STEPS = 72;
const CHECK_EVERY = 8;

const dir = mkdtempSync(join(tmpdir(), 'floe-model-'));
const catalogSpec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
let catalog: SqlCatalog;

beforeAll(async () => {
  interopAvailable(); // throws with provisioning instructions: never a silent skip
  catalog = new SqlCatalog({
    name: catalogSpec.name,
    path: catalogSpec.db,
    warehouse: catalogSpec.warehouse,
  });
  await catalog.createNamespace(['model']);
});
afterAll(async () => {
  await catalog?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

/** The model: the rows by id, and how rows of a given schema are made. */
class Model {
  rows = new Map<number, Row>();

  /** A value of `type` for row `id` written at `step` (float values exact in float32). */
  value(type: IcebergType, id: number, step: number, salt: string): unknown {
    if (isStruct(type)) {
      const o: Row = {};
      for (const f of type.fields) o[f.name] = this.value(f.type, id, step, `${salt}.${f.name}`);
      return o;
    }
    if (isList(type))
      return Array.from({ length: (id + step) % 3 }, (_, k) => this.value(type.element, id + k, step, salt));
    const n = (id * 31 + step * 7 + salt.length) % 1000;
    switch (type) {
      case 'int':
        return n;
      case 'long':
        return BigInt(n) * 10_000_000_000n;
      case 'float':
      case 'double':
        return n + 0.25;
      default:
        return `${salt}-${id}-${step}`;
    }
  }

  row(schema: readonly NestedField[], id: number, step: number): Row {
    const r: Row = {};
    for (const f of schema) r[f.name] = f.name === 'id' ? BigInt(id) : this.value(f.type, id, step, f.name);
    return r;
  }
}

/** A seeded generator (the same sequence on every run for one seed). */
function generator(seed: number) {
  let s = seed % 2 ** 31;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((s / 2 ** 31) * n);
  };
}

/**
 * Draws from `kinds` in random order, a fresh shuffle once all were drawn: random sequences that
 * still exercise every kind within each round.
 */
function deck<T>(kinds: readonly T[], rand: (n: number) => number): () => T {
  let left: T[] = [];
  return () => {
    if (!left.length) {
      left = [...kinds];
      for (let i = left.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [left[i], left[j]] = [left[j]!, left[i]!];
      }
    }
    return left.pop()!;
  };
}

const OPS = [
  'append',
  'append',
  'merge',
  'merge',
  'delete',
  'overwrite',
  'overwrite-partitions',
  'evolve',
  'evolve',
  'evolve',
  'compact',
  'expire',
] as const;
const EVOLUTIONS = [
  'add',
  'add nested',
  'rename',
  'rename nested',
  'widen',
  'make optional',
  'drop',
  'drop nested',
  'union by name',
] as const;

function canonicalRows(t: Table, rows: Iterable<Row>): CanonicalRow[] {
  const type = { type: 'struct' as const, fields: t.schema().fields };
  return [...rows].map((r) => toCanonical(type, r) as CanonicalRow);
}
const text = (rows: CanonicalRow[]) =>
  rows
    .map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)))
    .sort()
    .join('\n');

/** Every struct path of the schema (for nested evolution): top-level structs and list-of-struct columns. */
function structs(fields: readonly NestedField[]): { path: string; fields: readonly NestedField[] }[] {
  const out: { path: string; fields: readonly NestedField[] }[] = [];
  for (const f of fields) {
    if (isStruct(f.type)) out.push({ path: f.name, fields: f.type.fields });
    if (isList(f.type) && isStruct(f.type.element)) out.push({ path: f.name, fields: f.type.element.fields });
  }
  return out;
}

/** Renames / drops / adds inside model rows, following a path through structs and lists of structs. */
function editAt(row: Row, path: string[], edit: (o: Row) => void): void {
  const [head, ...rest] = path;
  const v = row[head!];
  if (v === null || v === undefined) return;
  const apply = (o: Row) => (rest.length ? editAt(o, rest, edit) : edit(o));
  if (Array.isArray(v)) for (const e of v) apply(e as Row);
  else apply(v as Row);
}

describe('random operations and schema evolution against a model; PyIceberg at checkpoints', () => {
  for (const mode of ['merge-on-read', 'copy-on-write'] as const) {
    it(
      `${mode}: floe after every step and PyIceberg at checkpoints read the model`,
      async () => {
        const rand = generator(SEED + (mode === 'copy-on-write' ? 1 : 0));
        const nextOp = deck(OPS, rand);
        const nextEvolution = deck(EVOLUTIONS, rand);
        const t = await createTable(catalog, `model.random_${mode.replace(/-/g, '_')}`, {
          schema: [
            { name: 'id', type: 'long', required: true },
            { name: 'v', type: 'string', required: true },
            { name: 'n', type: 'int' },
            { name: 'f', type: 'float' },
            {
              name: 's',
              type: {
                type: 'struct',
                fields: [
                  { name: 'a', type: 'int' },
                  { name: 'b', type: 'string' },
                ],
              },
            },
            {
              name: 'l',
              type: { type: 'list', element: { type: 'struct', fields: [{ name: 'x', type: 'int' }] } },
            },
          ],
          partitionBy: [{ source: 'id', transform: 'truncate[10]' }],
          properties: { 'write.merge.mode': mode, 'write.delete.mode': mode },
        });
        const model = new Model();
        let nextId = 0;
        let fresh = 0; // for new column names
        const log: string[] = [];
        const fail = (step: number) => `seed ${SEED}, ${mode}, step ${step}; ops: ${log.join(' | ')}`;
        const pyChecks: number[] = [];

        const checkPyIceberg = async (step: number) => {
          const expected = join(dir, 'expected', `${mode}-${step}.jsonl`);
          writeExpectedJsonl(expected, canonicalRows(t, model.rows.values()));
          const r = await runVerify({
            catalog: catalogSpec,
            engines: ['pyiceberg'],
            tables: [{ identifier: t.name, expected_rows: expected }],
          });
          expect(r.ok, `${fail(step)}\n${describeFailures(r)}`).toBe(true);
          pyChecks.push(step);
        };

        for (let step = 0; step < STEPS; step++) {
          const schema = t.schema().fields;
          const op = step === 0 ? 'append' : nextOp();
          const newRow = (id: number) => model.row(schema, id, step);
          if (op === 'append') {
            const batch = Array.from({ length: 5 + rand(15) }, () => newRow(nextId++));
            log.push(`append ${batch.length}`);
            await t.append(batch);
            for (const r of batch) model.rows.set(Number(r.id), r);
          } else if (op === 'merge') {
            const ids = new Set<number>();
            for (let k = rand(12) + 1; k > 0; k--)
              ids.add(rand(4) === 0 ? nextId++ : rand(Math.max(1, nextId)));
            const input = [...ids].map(newRow);
            log.push(`merge ${input.length}`);
            await t.merge(input, { keys: ['id'] });
            for (const r of input) model.rows.set(Number(r.id), r);
          } else if (op === 'delete') {
            const lo = rand(Math.max(1, nextId));
            const hi = lo + rand(12);
            log.push(`delete [${lo},${hi})`);
            await t.deleteWhere(where.and(where.gte('id', lo), where.lt('id', hi)));
            for (const id of [...model.rows.keys()]) if (id >= lo && id < hi) model.rows.delete(id);
          } else if (op === 'overwrite') {
            const lo = rand(Math.max(1, nextId));
            const hi = lo + 1 + rand(10);
            const rows = Array.from({ length: hi - lo }, (_, k) => lo + k)
              .filter(() => rand(2) === 0)
              .map(newRow);
            nextId = Math.max(nextId, hi); // appends must not reuse the ids written here
            log.push(`overwrite [${lo},${hi}) with ${rows.length}`);
            await t.overwriteWhere(where.and(where.gte('id', lo), where.lt('id', hi)), rows);
            for (const id of [...model.rows.keys()]) if (id >= lo && id < hi) model.rows.delete(id);
            for (const r of rows) model.rows.set(Number(r.id), r);
          } else if (op === 'overwrite-partitions') {
            // Dynamic partition overwrite: partitions are truncate[10](id).
            const ids = new Set<number>();
            for (let k = rand(6) + 1; k > 0; k--) ids.add(rand(Math.max(1, nextId + 5)));
            const rows = [...ids].map(newRow);
            nextId = Math.max(nextId, ...[...ids].map((i) => i + 1));
            const parts = new Set([...ids].map((i) => Math.floor(i / 10)));
            log.push(`overwrite partitions ${[...parts].join(',')} with ${rows.length}`);
            await t.overwritePartitions(rows);
            for (const id of [...model.rows.keys()])
              if (parts.has(Math.floor(id / 10))) model.rows.delete(id);
            for (const r of rows) model.rows.set(Number(r.id), r);
          } else if (op === 'evolve') {
            await evolve(t, model, nextEvolution(), rand, log, () => `c${fresh++}`);
          } else if (op === 'compact') {
            log.push('compact');
            await compactTable(t, { minInputFiles: 2 });
          } else {
            const keep = 1 + rand(3);
            log.push(`expire (keep ${keep})`);
            await expireSnapshots(t, { olderThanMs: Date.now() + 1000, retainLast: keep });
          }
          const got = canonicalRows(t, await t.scan().toRows());
          expect(text(got), fail(step)).toBe(text(canonicalRows(t, model.rows.values())));
          if ((step + 1) % CHECK_EVERY === 0 || step === STEPS - 1) await checkPyIceberg(step);
        }
        expect(pyChecks.length).toBe(Math.ceil(STEPS / CHECK_EVERY));
        // The sequence must have exercised what it claims to.
        for (const kind of [
          'merge',
          'delete',
          'overwrite [',
          'overwrite partitions',
          'compact',
          'expire',
          ...EVOLUTIONS.map((e) => `evolve ${e}`),
        ])
          expect(
            log.some((l) => l.startsWith(kind)),
            `seed ${SEED}: no ${kind} step in ${log.join(' | ')}`,
          ).toBe(true);
      },
      INTEROP_TIMEOUT_MS,
    );
  }
});

/** One schema change of the given kind, applied to the table and the model alike. */
async function evolve(
  t: Table,
  model: Model,
  kind: (typeof EVOLUTIONS)[number],
  rand: (n: number) => number,
  log: string[],
  freshName: () => string,
): Promise<void> {
  const fields = t.schema().fields;
  const top = fields.filter((f) => f.name !== 'id');
  // Required columns stay until made optional, so "make optional" always has one to change.
  const droppable = top.filter((f) => !f.required);
  const nested = structs(fields);
  const each = (fn: (r: Row) => void) => {
    for (const r of model.rows.values()) fn(r);
  };
  const addColumn = async (type: string) => {
    const name = freshName();
    log.push(`evolve add ${name} ${type}`);
    await t.updateSchema({ addColumns: [{ name, type }] });
    each((r) => {
      r[name] = null;
    });
  };
  if (kind === 'add' || !top.length) {
    await addColumn(['string', 'int', 'double'][rand(3)]!);
  } else if (kind === 'add nested' && nested.length) {
    const s = nested[rand(nested.length)]!;
    const name = freshName();
    log.push(`evolve add nested ${s.path}.${name}`);
    await t.updateSchema({ addColumns: [{ name, type: 'string', parent: s.path }] });
    each((r) =>
      editAt(r, [s.path], (o) => {
        o[name] = null;
      }),
    );
  } else if (kind === 'rename') {
    const f = top[rand(top.length)]!;
    const to = freshName();
    log.push(`evolve rename ${f.name} → ${to}`);
    await t.updateSchema({ renameColumns: [{ name: f.name, to }] });
    each((r) => {
      r[to] = r[f.name];
      delete r[f.name];
    });
  } else if (kind === 'rename nested' && nested.length) {
    const s = nested[rand(nested.length)]!;
    const m = s.fields[rand(s.fields.length)]!;
    const to = freshName();
    log.push(`evolve rename nested ${s.path}.${m.name} → ${to}`);
    await t.updateSchema({ renameColumns: [{ name: `${s.path}.${m.name}`, to }] });
    each((r) =>
      editAt(r, [s.path], (o) => {
        o[to] = o[m.name];
        delete o[m.name];
      }),
    );
  } else if (kind === 'widen') {
    let w = top.find((f) => f.type === 'int' || f.type === 'float');
    if (!w) {
      await addColumn('int');
      w = t.schema().fields.at(-1)!;
    }
    const to = w.type === 'int' ? 'long' : 'double';
    log.push(`evolve widen ${w.name} ${w.type} → ${to}`);
    await t.updateSchema({ widen: [{ name: w.name, type: to }] });
    if (to === 'long')
      each((r) => {
        if (r[w.name] !== null && r[w.name] !== undefined) r[w.name] = BigInt(r[w.name] as number);
      });
  } else if (kind === 'make optional' && top.some((f) => f.required)) {
    const req = top.find((f) => f.required)!;
    log.push(`evolve make optional ${req.name}`);
    await t.updateSchema({ makeOptional: [req.name] });
  } else if (kind === 'drop' && droppable.length > 1) {
    const f = droppable[rand(droppable.length)]!;
    log.push(`evolve drop ${f.name}`);
    await t.updateSchema({ dropColumns: [f.name] });
    each((r) => {
      delete r[f.name];
    });
  } else if (kind === 'drop nested' && nested.some((s) => s.fields.length > 1)) {
    const s = nested.filter((x) => x.fields.length > 1)[0]!;
    const m = s.fields[rand(s.fields.length)]!;
    log.push(`evolve drop nested ${s.path}.${m.name}`);
    await t.updateSchema({ dropColumns: [`${s.path}.${m.name}`] });
    each((r) =>
      editAt(r, [s.path], (o) => {
        delete o[m.name];
      }),
    );
  } else if (kind === 'union by name') {
    // A new top-level struct, a new member of an existing struct, a narrower type (no change).
    const name = freshName();
    const s = nested[0];
    const member = freshName();
    log.push(`evolve union by name +${name}${s ? ` +${s.path}.${member}` : ''}`);
    const incoming: FieldInput[] = [
      { name, type: { type: 'struct', fields: [{ name: 'p', type: 'int' }] } },
      ...(s
        ? [
            {
              name: s.path,
              type: (isList(fields.find((f) => f.name === s.path)!.type)
                ? { type: 'list', element: { type: 'struct', fields: [{ name: member, type: 'string' }] } }
                : { type: 'struct', fields: [{ name: member, type: 'string' }] }) as FieldInput['type'],
            },
          ]
        : []),
    ];
    await t.updateSchema({ unionByName: { fields: incoming } });
    each((r) => {
      r[name] = null;
      if (s)
        editAt(r, [s.path], (o) => {
          o[member] = null;
        });
    });
  } else {
    // Nothing of that kind left to change (e.g. no struct): add a column instead.
    await addColumn('string');
  }
}
