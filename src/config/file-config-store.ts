/**
 * The local ConfigStore: a project folder's `configs/l1/*` and `configs/l2/*` (`.yaml`, `.yml`,
 * `.json`), each file holding one item or a list. Files are only read, never written: run state
 * goes to the StateStore. Config ids must be unique per layer across files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { FloeError } from '../errors.js';
import type { ConfigStore, InvalidConfig, L1Selection, L2Selection } from './config-store.js';
import { normalizeItem } from './dynamo-json.js';
import { type ConfigProblem, configError } from './issues.js';
import type { L1Config } from './l1-schema.js';
import type { L2Config } from './l2-schema.js';
import { isConfigFile, parseConfigText } from './load-items.js';
import { closest } from './suggest.js';
import { type ItemOrigin, type ValidationResult, validateL1Item, validateL2Item } from './validate.js';

export type Layer = 'l1' | 'l2';

export interface LoadedConfig<T> {
  config: T;
  /** Project-relative file the item came from. */
  file: string;
  /** Position in that file (0-based). */
  index: number;
}

export interface LayerConfigs<T> {
  configs: LoadedConfig<T>[];
  /** Items (and unreadable files) that failed validation. */
  invalid: InvalidConfig[];
  /** Errors and warnings of this layer, across all files. */
  problems: ConfigProblem[];
  /** Project-relative files read. */
  files: string[];
}

export interface ProjectConfigs {
  l1: LayerConfigs<L1Config>;
  l2: LayerConfigs<L2Config>;
}

async function configFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && isConfigFile(e.name))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FloeError('io', `cannot read config folder ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads and validates every item of one layer, collecting all problems (bad syntax, invalid items,
 * duplicate ids) instead of stopping at the first.
 */
export async function loadLayer<T>(
  projectDir: string,
  layer: Layer,
  validate: (raw: unknown, origin: ItemOrigin) => ValidationResult<T>,
): Promise<LayerConfigs<T>> {
  const root = resolve(projectDir);
  const dir = join(root, 'configs', layer);
  const names = await configFiles(dir);
  const out: LayerConfigs<T> = { configs: [], invalid: [], problems: [], files: [] };
  const firstFile = new Map<string, string>();
  for (const name of names) {
    const file = relative(root, join(dir, name)) || name;
    out.files.push(file);
    let items: unknown[];
    try {
      items = parseConfigText(await readFile(join(dir, name), 'utf8'), file);
    } catch (e) {
      if (!(e instanceof FloeError)) throw e;
      // The message already names the file.
      const problem: ConfigProblem = {
        field: '',
        message: e.message.replace(`${file}: `, ''),
        severity: 'error',
        file,
      };
      out.problems.push(problem);
      out.invalid.push({ configId: file, hasId: false, file, problems: [problem] });
      continue;
    }
    items.forEach((raw, index) => {
      const r = validate(raw, { file, index: items.length > 1 ? index : undefined });
      out.problems.push(...r.problems);
      const earlier = firstFile.get(r.configId);
      if (earlier !== undefined) {
        const problem: ConfigProblem = {
          configId: r.configId,
          field: 'configId',
          message: `defined twice, in ${earlier} and ${file}`,
          fix: 'give each config a unique configId, or delete one of them',
          severity: 'error',
          file,
        };
        out.problems.push(problem);
        // Neither copy can be trusted to be the one meant: both fail.
        out.configs = out.configs.filter((c) => (c.config as { configId: string }).configId !== r.configId);
        if (!out.invalid.some((x) => x.configId === r.configId))
          out.invalid.push({
            configId: r.configId,
            hasId: true,
            file,
            ...(r.platform !== undefined ? { platform: r.platform } : {}),
            problems: [problem],
          });
        return;
      }
      firstFile.set(r.configId, file);
      if (r.ok && r.config !== undefined) out.configs.push({ config: r.config, file, index });
      else
        out.invalid.push({
          configId: r.configId,
          hasId: hasOwnId(raw),
          file,
          ...(r.platform !== undefined ? { platform: r.platform } : {}),
          problems: r.problems.filter((p) => p.severity === 'error'),
        });
    });
  }
  return out;
}

/** Reads both layers of a project folder. */
export async function loadProjectConfigs(projectDir: string): Promise<ProjectConfigs> {
  const [l1, l2] = await Promise.all([
    loadLayer(projectDir, 'l1', validateL1Item),
    loadLayer(projectDir, 'l2', validateL2Item),
  ]);
  return { l1, l2 };
}

const samePlatform = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function hasOwnId(raw: unknown): boolean {
  const item = normalizeItem(raw) as { configId?: unknown } | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.configId === 'string' &&
    item.configId.trim() !== ''
  );
}

export class FileConfigStore implements ConfigStore {
  readonly projectDir: string;
  private loaded?: Promise<ProjectConfigs>;

  constructor(projectDir: string) {
    this.projectDir = resolve(projectDir);
  }

  /** Everything read from the folder, problems included (read once; see `reload`). */
  load(): Promise<ProjectConfigs> {
    this.loaded ??= loadProjectConfigs(this.projectDir);
    return this.loaded;
  }

  /** Forgets what was read, so the next call reads the files again. */
  reload(): void {
    this.loaded = undefined;
  }

  async listL1(platform?: string): Promise<L1Config[]> {
    const { l1 } = await this.load();
    throwOnErrors(l1.problems);
    const all = l1.configs.map((c) => c.config);
    return platform === undefined ? all : all.filter((c) => samePlatform(c.platform, platform));
  }

  async selectL1(platform?: string): Promise<L1Selection> {
    const { l1 } = await this.load();
    const match = (p: string | undefined) =>
      platform === undefined || (p !== undefined && samePlatform(p, platform));
    return {
      configs: l1.configs.map((c) => c.config).filter((c) => match(c.platform)),
      // An item whose platform cannot be read might be one of this platform's: it is reported, not skipped.
      invalid: l1.invalid.filter((x) => x.platform === undefined || match(x.platform)),
      platforms: platformCounts(l1),
    };
  }

  async getL1(configId: string): Promise<L1Config> {
    const { l1 } = await this.load();
    return this.pick(l1, configId, 'l1');
  }

  async listL2(platform?: string): Promise<L2Config[]> {
    const { l2 } = await this.load();
    throwOnErrors(l2.problems);
    const all = l2.configs.map((c) => c.config);
    return platform === undefined
      ? all
      : all.filter((c) => c.platform === undefined || samePlatform(c.platform, platform));
  }

  async selectL2(platform?: string): Promise<L2Selection> {
    const { l2 } = await this.load();
    // An item without a platform serves every platform (the seed's L2 items name none).
    const match = (p: string | undefined) =>
      platform === undefined || p === undefined || samePlatform(p, platform);
    return {
      configs: l2.configs.map((c) => c.config).filter((c) => match(c.platform)),
      invalid: l2.invalid.filter((x) => match(x.platform)),
    };
  }

  async getL2(configId: string): Promise<L2Config> {
    const { l2 } = await this.load();
    return this.pick(l2, configId, 'l2');
  }

  /** One config by id: its own problems fail it; other items' problems do not. */
  private pick<T>(layer: LayerConfigs<T>, configId: string, name: Layer): T {
    throwOnErrors(layer.problems.filter((p) => p.configId === configId));
    const hit = layer.configs.find((c) => (c.config as { configId: string }).configId === configId);
    if (hit !== undefined) return hit.config;
    // A file that could not be read may be the one holding it: say so rather than "not found".
    throwOnErrors(layer.problems.filter((p) => p.configId === undefined));
    const ids = layer.configs.map((c) => (c.config as { configId: string }).configId);
    const meant = closest(configId, ids);
    const hint = meant === undefined ? '' : ` (did you mean ${meant}?)`;
    throw new FloeError(
      'not-found',
      `config ${configId} not found in ${join(this.projectDir, 'configs', name)}${hint}`,
      { context: { configId } },
    );
  }
}

function platformCounts(layer: LayerConfigs<{ platform: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of layer.configs) out[c.config.platform] = (out[c.config.platform] ?? 0) + 1;
  for (const x of layer.invalid) if (x.platform !== undefined) out[x.platform] = (out[x.platform] ?? 0) + 1;
  return out;
}

function throwOnErrors(problems: readonly ConfigProblem[]): void {
  if (problems.some((p) => p.severity === 'error')) throw configError(problems);
}
