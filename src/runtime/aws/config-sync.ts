/**
 * `floe config push|pull|diff`: a project folder's config files and the DynamoDB config tables
 * side by side. Only configuration is compared and moved; run state is not configuration:
 * the fields runs write into the items (L1 `destination.lastSyncTime`, `status`,
 * `lastSuccessfulRun`; L2 `status`, `updatedAt`, `lastSuccessfulRun`,
 * `source.<name>.lastSuccessfulFetchTime`; floe's `floeState` and `floeLock`) are ignored by diff,
 * kept in the table by push (so pushing a config never restarts its sync) and left out of the
 * files by pull.
 *
 * push writes each item conditionally: a new one only if the id is still free, an existing one
 * only if no run changed its state since it was read, so a push never overwrites a running job's
 * progress (it is retried on the fresh item).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative } from 'node:path';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { stringify as toYaml } from 'yaml';
import { isConfigFile, parseConfigText } from '../../config/load-items.js';
import { validateL1Item, validateL2Item } from '../../config/validate.js';
import { FloeError } from '../../errors.js';
import type { ProcessKind } from '../ports/state-store.js';
import { awsError, awsErrorName } from './aws-error.js';
import { type DynamoConfigStore, FLOE_LOCK_ATTR, FLOE_STATE_ATTR } from './dynamo-config-store.js';

type Item = Record<string, unknown>;

const obj = (v: unknown): Item | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : undefined;

/** An item without the fields runs write (see the file comment). */
export function configPart(kind: ProcessKind, item: Item): Item {
  const out: Item = structuredClone(item);
  delete out[FLOE_STATE_ATTR];
  delete out[FLOE_LOCK_ATTR];
  delete out.status;
  delete out.lastSuccessfulRun;
  if (kind === 'L1') {
    const d = obj(out.destination);
    if (d) delete d.lastSyncTime;
  } else {
    delete out.updatedAt;
    for (const s of Object.values(obj(out.source) ?? {})) delete obj(s)?.lastSuccessfulFetchTime;
  }
  return out;
}

/** The state part of a table item, to carry over into a pushed item. */
function withStateOf(kind: ProcessKind, pushed: Item, existing: Item | undefined): Item {
  const out: Item = structuredClone(pushed);
  if (!existing) return out;
  for (const k of [
    FLOE_STATE_ATTR,
    FLOE_LOCK_ATTR,
    'status',
    'lastSuccessfulRun',
    ...(kind === 'L2' ? ['updatedAt'] : []),
  ])
    if (existing[k] !== undefined) out[k] = existing[k];
  if (kind === 'L1') {
    const cursor = obj(existing.destination)?.lastSyncTime;
    const d = obj(out.destination);
    if (d && cursor !== undefined) d.lastSyncTime = cursor;
  } else {
    const sources = obj(out.source) ?? {};
    for (const [name, s] of Object.entries(obj(existing.source) ?? {})) {
      const t = obj(s)?.lastSuccessfulFetchTime;
      const target = obj(sources[name]);
      if (target && t !== undefined) target.lastSuccessfulFetchTime = t;
    }
  }
  return out;
}

/** Paths where two values differ (`destination.primaryKey`, `source.request.url`). */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  const oa = obj(a);
  const ob = obj(b);
  if (oa && ob) {
    const keys = [...new Set([...Object.keys(oa), ...Object.keys(ob)])].sort();
    return keys.flatMap((k) => differences(oa[k], ob[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(item)'];
}

export interface ProjectItem {
  readonly configId: string;
  readonly item: Item;
  readonly file: string;
  /** Items in the same file (pull rewrites only single-item files). */
  readonly itemsInFile: number;
}

const LAYER_DIR: Record<ProcessKind, string> = { L1: 'l1', L2: 'l2' };

/** The items of one layer of a project folder, validated: any invalid item stops a push. */
export async function projectItems(projectDir: string, kind: ProcessKind): Promise<ProjectItem[]> {
  const dir = join(projectDir, 'configs', LAYER_DIR[kind]);
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isConfigFile).sort();
  const out: ProjectItem[] = [];
  for (const name of names) {
    const file = relative(projectDir, join(dir, name));
    const items = parseConfigText(await readFile(join(dir, name), 'utf8'), file);
    items.forEach((raw, index) => {
      const validate = kind === 'L1' ? validateL1Item : validateL2Item;
      const r = validate(raw, { file, index: items.length > 1 ? index : undefined });
      const errors = r.problems.filter((p) => p.severity === 'error');
      if (errors.length)
        throw new FloeError(
          'config-invalid',
          `${file}: config ${r.configId} is invalid, nothing was pushed: ${errors.map((p) => `${p.field}: ${p.message}`).join('; ')} (fix: \`floe config validate\`)`,
          { context: { configId: r.configId, file } },
        );
      out.push({ configId: r.configId, item: raw as Item, file, itemsInFile: items.length });
    });
  }
  const seen = new Map<string, string>();
  for (const p of out) {
    const earlier = seen.get(p.configId);
    if (earlier)
      throw new FloeError(
        'config-invalid',
        `config ${p.configId} is defined twice, in ${earlier} and ${p.file}`,
      );
    seen.set(p.configId, p.file);
  }
  return out;
}

export type ChangeKind = 'only-in-project' | 'only-in-table' | 'differs' | 'same';

export interface ConfigChange {
  readonly kind: ProcessKind;
  readonly configId: string;
  readonly change: ChangeKind;
  readonly fields: string[];
  readonly file?: string;
}

export async function diffConfigs(
  projectDir: string,
  store: DynamoConfigStore,
  kind: ProcessKind,
): Promise<ConfigChange[]> {
  const local = await projectItems(projectDir, kind);
  const remote = new Map<string, Item>();
  for (const i of await store.rawItems(kind)) if (typeof i.configId === 'string') remote.set(i.configId, i);
  const out: ConfigChange[] = [];
  for (const p of local) {
    const r = remote.get(p.configId);
    if (!r) out.push({ kind, configId: p.configId, change: 'only-in-project', fields: [], file: p.file });
    else {
      const fields = differences(configPart(kind, p.item), configPart(kind, r));
      out.push({
        kind,
        configId: p.configId,
        change: fields.length ? 'differs' : 'same',
        fields,
        file: p.file,
      });
    }
    remote.delete(p.configId);
  }
  for (const id of remote.keys()) out.push({ kind, configId: id, change: 'only-in-table', fields: [] });
  return out.sort((a, b) => a.configId.localeCompare(b.configId));
}

/** Writes the project's new and changed items into the table; returns what changed. */
export async function pushConfigs(
  projectDir: string,
  store: DynamoConfigStore,
  ddb: DynamoDBClient,
  kind: ProcessKind,
  opts: { dryRun?: boolean } = {},
): Promise<ConfigChange[]> {
  const changes = await diffConfigs(projectDir, store, kind);
  if (opts.dryRun) return changes;
  const table = store.tableOf(kind);
  const local = new Map((await projectItems(projectDir, kind)).map((p) => [p.configId, p.item]));
  for (const c of changes) {
    if (c.change !== 'only-in-project' && c.change !== 'differs') continue;
    for (let attempt = 1; ; attempt++) {
      const existing = await store.rawItem(kind, c.configId);
      const version = obj(existing?.[FLOE_STATE_ATTR])?.version;
      const item = withStateOf(kind, local.get(c.configId)!, existing);
      try {
        await ddb.send(
          new PutItemCommand({
            TableName: table,
            Item: marshall(item, { removeUndefinedValues: true }) as never,
            ...(existing === undefined
              ? { ConditionExpression: 'attribute_not_exists(configId)' }
              : typeof version === 'number'
                ? {
                    ConditionExpression: '#fs.version = :v',
                    ExpressionAttributeNames: { '#fs': FLOE_STATE_ATTR },
                    ExpressionAttributeValues: { ':v': { N: String(version) } },
                  }
                : {
                    ConditionExpression: 'attribute_exists(configId) AND attribute_not_exists(#fs)',
                    ExpressionAttributeNames: { '#fs': FLOE_STATE_ATTR },
                  }),
          }),
        );
        break;
      } catch (e) {
        // A run wrote state meanwhile: carry its state over and try again.
        if (awsErrorName(e) === 'ConditionalCheckFailedException' && attempt < 20) continue;
        throw awsError(e, {
          action: 'PutItem',
          resource: `DynamoDB table ${table}`,
          iam: 'dynamodb:PutItem',
          context: { configId: c.configId },
        });
      }
    }
  }
  return changes;
}

/**
 * Writes the table's items into the project: a config already in a single-item file is
 * rewritten there (same format); a new one goes to `configs/<layer>/<configId>.json`. A config
 * kept in a file with other items is not touched (reported with `skipped`).
 */
export async function pullConfigs(
  projectDir: string,
  store: DynamoConfigStore,
  kind: ProcessKind,
): Promise<{ written: string[]; skipped: string[] }> {
  const local = new Map(
    (await projectItems(projectDir, kind).catch(() => [] as ProjectItem[])).map((p) => [p.configId, p]),
  );
  const written: string[] = [];
  const skipped: string[] = [];
  for (const raw of await store.rawItems(kind)) {
    const id = raw.configId;
    if (typeof id !== 'string') continue;
    const item = configPart(kind, raw);
    const at = local.get(id);
    if (at && at.itemsInFile > 1) {
      if (differences(configPart(kind, at.item), item).length)
        skipped.push(`${id} (${at.file} holds several configs; edit it by hand)`);
      continue;
    }
    const file = at?.file ?? join('configs', LAYER_DIR[kind], `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
    if (at && !differences(configPart(kind, at.item), item).length) continue;
    await mkdir(dirname(join(projectDir, file)), { recursive: true });
    await writeFile(join(projectDir, file), yaml ? toYaml(item) : `${JSON.stringify(item, null, 2)}\n`);
    written.push(file);
  }
  return { written, skipped };
}
