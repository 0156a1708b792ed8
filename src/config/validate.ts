/**
 * Validating one config item: normalise (DynamoDB typed JSON → plain), parse with the layer's
 * schema, and collect every problem at once. `validate*` return the problems; `parse*` throw one
 * FloeError('config-invalid') listing them all.
 */
import type { z } from 'zod';
import type { LoadType } from './common-schema.js';
import { normalizeItem } from './dynamo-json.js';
import { upperCaseWarning } from './identifiers.js';
import { type ConfigProblem, collectProblems, configError } from './issues.js';
import { type L1Config, L1ConfigSchema } from './l1-schema.js';
import { type L2Config, L2ConfigSchema } from './l2-schema.js';

/** Where an item came from, so problems can name it before its configId is known. */
export interface ItemOrigin {
  /** Project-relative file name. */
  file?: string;
  /** Position of the item in a file holding a list of items (0-based). */
  index?: number;
}

export interface ValidationResult<T> {
  ok: boolean;
  /** The item's configId, or a label for it (`file#n`) when it has none. */
  configId: string;
  /** Present when ok. */
  config?: T;
  /** Errors and warnings, in item order. */
  problems: ConfigProblem[];
  /** The item's `platform`, when it has one (read even from an invalid item, to select it). */
  platform?: string;
}

function labelOf(item: unknown, origin: ItemOrigin): string {
  const id =
    typeof item === 'object' && item !== null ? (item as { configId?: unknown }).configId : undefined;
  if (typeof id === 'string' && id.trim() !== '') return id;
  const where = origin.file ?? 'item';
  return origin.index === undefined ? `${where} (no configId)` : `${where}#${origin.index + 1} (no configId)`;
}

function validateWith<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  origin: ItemOrigin,
): ValidationResult<z.output<S>> {
  const item = normalizeItem(raw);
  const configId = labelOf(item, origin);
  const parsed = schema.safeParse(item);
  const problems = [
    ...collectProblems(schema, item, parsed.success ? [] : parsed.error.issues, configId),
    ...nameCaseWarnings(item, configId),
  ].map((p) => (origin.file === undefined ? p : { ...p, file: origin.file }));
  const ok = parsed.success && !problems.some((p) => p.severity === 'error');
  const platform =
    typeof item === 'object' && item !== null ? (item as { platform?: unknown }).platform : undefined;
  return {
    ok,
    configId,
    config: ok && parsed.success ? parsed.data : undefined,
    problems,
    ...(typeof platform === 'string' ? { platform } : {}),
  };
}

const NAME_FIELDS = ['glueDatabase', 'glueTable', 'namespace', 'tableName'] as const;

/**
 * Glue/Athena names with upper case: valid (the local catalog keeps case) but stored lower case
 * on AWS, so a warning, not an error. Looks at the destination and, for L2, every source table.
 */
function nameCaseWarnings(item: unknown, configId: string): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const check = (holder: unknown, path: string) => {
    if (typeof holder !== 'object' || holder === null) return;
    for (const key of NAME_FIELDS) {
      const value = (holder as Record<string, unknown>)[key];
      const warning = typeof value === 'string' ? upperCaseWarning(value) : undefined;
      if (warning === undefined) continue;
      out.push({
        configId,
        field: `${path}.${key}`,
        message: warning,
        fix: `write it as "${(value as string).toLowerCase()}"`,
        severity: 'warning',
      });
    }
  };
  const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  check(it.destination, 'destination');
  // L2 items name their source tables; an L1 item's source is the API, which has no such names.
  if (typeof it.parserName === 'string' && typeof it.source === 'object' && it.source !== null) {
    for (const [name, table] of Object.entries(it.source)) check(table, `source.${name}`);
  }
  return out;
}

/** Validates an L1 item (plain or DynamoDB typed JSON). */
export function validateL1Item(raw: unknown, origin: ItemOrigin = {}): ValidationResult<L1Config> {
  return validateWith(L1ConfigSchema, raw, origin);
}

/** Validates an L2 item (plain or DynamoDB typed JSON). */
export function validateL2Item(raw: unknown, origin: ItemOrigin = {}): ValidationResult<L2Config> {
  return validateWith(L2ConfigSchema, raw, origin);
}

/** Parses an L1 item or throws FloeError('config-invalid') naming every problem. */
export function parseL1Item(raw: unknown, origin: ItemOrigin = {}): L1Config {
  const r = validateL1Item(raw, origin);
  if (!r.ok || r.config === undefined) throw configError(r.problems);
  return r.config;
}

/** Parses an L2 item or throws FloeError('config-invalid') naming every problem. */
export function parseL2Item(raw: unknown, origin: ItemOrigin = {}): L2Config {
  const r = validateL2Item(raw, origin);
  if (!r.ok || r.config === undefined) throw configError(r.problems);
  return r.config;
}

/**
 * The config as one run sees it when the LOAD_TYPE job parameter overrides its load type. Forcing
 * INCREMENTAL onto a config without a cursor column is a config error, named like any other.
 */
export function withLoadType(config: L1Config, loadType: LoadType | undefined): L1Config {
  if (loadType === undefined || loadType === config.destination.loadType) return config;
  const d = config.destination;
  if (
    loadType === 'INCREMENTAL' &&
    d.lastUpdatedColumn === undefined &&
    config.source.incremental === undefined
  ) {
    throw configError([
      {
        configId: config.configId,
        field: 'destination.lastUpdatedColumn',
        message: 'LOAD_TYPE INCREMENTAL needs a lastUpdatedColumn',
        fix: 'set destination.lastUpdatedColumn in this config, or run it with LOAD_TYPE FULL',
        severity: 'error',
      },
    ]);
  }
  return { ...config, destination: { ...d, loadType } };
}
