/**
 * What the API modules share: request errors with an HTTP status, query parameter parsing with
 * bounds (every list the API returns is bounded), and the project's configs as one index of
 * both layers, valid and invalid, with the table each writes and its platform.
 */
import type { ConfigProblem } from '../../config/issues.js';
import type { L1Config } from '../../config/l1-schema.js';
import type { L2Config } from '../../config/l2-schema.js';
import type { ProcessKind } from '../../runtime/ports/state-store.js';
import type { ProjectSource } from '../project-source.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A whole number in [min, max]; `fallback` when absent; a 400 when malformed or out of range. */
export function intParam(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ApiError(
      400,
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  return n;
}

/** An ISO date or date-time as epoch ms; a 400 when it is not one. */
export function timeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ApiError(400, `${name} must be an ISO date or date-time, got ${JSON.stringify(value)}`);
  return ms;
}

export function layerParam(value: string | undefined): ProcessKind | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.toUpperCase();
  if (v !== 'L1' && v !== 'L2')
    throw new ApiError(400, `layer must be L1 or L2, got ${JSON.stringify(value)}`);
  return v;
}

export interface ConfigInfo {
  layer: ProcessKind;
  configId: string;
  platform?: string;
  /** `namespace.table` it writes, for valid configs. */
  table?: string;
  /** Project-relative file. */
  file: string;
  config?: L1Config | L2Config;
  /** Errors that make the item invalid (it fails alone in a run). */
  problems: ConfigProblem[];
}

/** Every config of both layers, L1 first, each layer by id. */
export async function configIndex(source: ProjectSource): Promise<ConfigInfo[]> {
  const c = await source.configs();
  const out: ConfigInfo[] = [];
  for (const [layer, loaded] of [
    ['L1', c.l1],
    ['L2', c.l2],
  ] as const) {
    const items: ConfigInfo[] = loaded.configs.map(({ config, file }) => ({
      layer,
      configId: config.configId,
      ...(config.platform !== undefined ? { platform: config.platform } : {}),
      table: `${config.destination.namespace}.${config.destination.tableName}`,
      file,
      config,
      problems: [],
    }));
    for (const bad of loaded.invalid)
      if (bad.hasId)
        items.push({
          layer,
          configId: bad.configId,
          ...(bad.platform !== undefined ? { platform: bad.platform } : {}),
          file: bad.file,
          problems: bad.problems,
        });
    out.push(...items.sort((a, b) => a.configId.localeCompare(b.configId)));
  }
  return out;
}

/** The platforms of the project's configs, lower-case, sorted. */
export function platformsOf(configs: readonly ConfigInfo[]): string[] {
  return [...new Set(configs.flatMap((c) => (c.platform ? [c.platform.toLowerCase()] : [])))].sort();
}
