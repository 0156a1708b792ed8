/**
 * The project as `floe ui` sees it: configs, state, history, catalog and logs, each through the
 * store the CLI reads it with, all opened read-only. The state database and the catalog are
 * opened once, read-only (SQLite refuses any write on such a connection), when their files
 * exist: a project that has not run yet has neither, and the UI must not create them. The run
 * lock is never taken: a run may go on while the UI reads, as `floe history` may.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileConfigStore, type ProjectConfigs } from '../config/file-config-store.js';
import { SqlCatalog } from '../iceberg/index.js';
import { SqliteHistoryReadModel } from '../runtime/local/history-read-model.js';
import { localSecretStore } from '../runtime/local/open-local-runtime.js';
import { loadProject, type Project } from '../runtime/local/project.js';
import { SqliteHistoryStore } from '../runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../runtime/local/sqlite-state.js';
import { openStateDb, type StateDb } from '../runtime/local/state-db.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';

export interface StateAccess {
  state: SqliteStateStore;
  history: SqliteHistoryStore;
  runs: SqliteHistoryReadModel;
}

export class ProjectSource {
  readonly project: Project;
  private readonly secrets: SecretStore;
  private db?: StateDb;
  private stateAccess?: StateAccess;
  private catalogHandle?: SqlCatalog;
  private configsCache?: { signature: string; value: Promise<ProjectConfigs> };
  /** Secret names whose values were looked up for redaction already. */
  private readonly registered = new Set<string>();

  constructor(projectDir: string, env: NodeJS.ProcessEnv = process.env) {
    this.project = loadProject(projectDir);
    this.secrets = localSecretStore(this.project, env);
  }

  /**
   * The configs as the files say now: read again when a file in the config folders was added,
   * removed or changed (one stat per file), so an edit shows at the next look and an unchanged
   * project costs no re-validation.
   */
  configs(): Promise<ProjectConfigs> {
    const signature = this.configsSignature();
    if (!this.configsCache || this.configsCache.signature !== signature) {
      const value = new FileConfigStore(this.project.root).load().then(async (c) => {
        await this.registerSecrets(c);
        return c;
      });
      // A failed read is not kept: the next look tries again.
      value.catch(() => {
        if (this.configsCache?.value === value) this.configsCache = undefined;
      });
      this.configsCache = { signature, value };
    }
    return this.configsCache.value;
  }

  /** Names, sizes and modification times of the files FileConfigStore reads. */
  private configsSignature(): string {
    const parts: string[] = [];
    for (const layer of ['l1', 'l2']) {
      const dir = join(this.project.root, 'configs', layer);
      let names: string[] = [];
      try {
        names = readdirSync(dir).sort();
      } catch {
        // No folder: no configs of this layer.
      }
      for (const name of names) {
        try {
          const st = statSync(join(dir, name));
          parts.push(`${layer}/${name}:${st.size}:${st.mtimeMs}`);
        } catch {
          parts.push(`${layer}/${name}:gone`);
        }
      }
    }
    return parts.join('|');
  }

  /**
   * Looks up the secret each config names, so its value is registered for redaction (stores
   * register what they read, see secret-values.ts): every response passes through `redact()`,
   * and a secret that reached a log line, an error, a table row or a config text is masked there
   * like in floe's own output. Values are never kept or sent; a missing secret is no error here.
   */
  private async registerSecrets(c: ProjectConfigs): Promise<void> {
    for (const { config } of c.l1.configs) {
      const name = (config.source.auth as { tokenKey?: string }).tokenKey;
      if (!name || this.registered.has(name)) continue;
      this.registered.add(name);
      await this.secrets.get(name).catch(() => undefined);
    }
  }

  /** State, history and the runs read model, or undefined before the first run. */
  state(): StateAccess | undefined {
    if (this.stateAccess) return this.stateAccess;
    if (!existsSync(this.project.state.path)) return undefined;
    this.db = openStateDb(this.project.state.path, { readonly: true });
    this.stateAccess = {
      state: new SqliteStateStore(this.db),
      history: new SqliteHistoryStore(this.db),
      runs: new SqliteHistoryReadModel(this.db),
    };
    return this.stateAccess;
  }

  /** The catalog, read-only, or undefined while the project has none. */
  catalog(): SqlCatalog | undefined {
    if (this.catalogHandle) return this.catalogHandle;
    if (!existsSync(this.project.catalog.path)) return undefined;
    this.catalogHandle = new SqlCatalog({
      name: this.project.catalog.name,
      path: this.project.catalog.path,
      warehouse: this.project.warehouse,
      readonly: true,
    });
    return this.catalogHandle;
  }

  async close(): Promise<void> {
    await this.catalogHandle?.close();
    this.db?.close();
    this.catalogHandle = undefined;
    this.stateAccess = undefined;
    this.db = undefined;
  }
}
