/**
 * A local project opened for looking only (`floe source preview`, `floe run --dry-run`): its
 * configs, its secrets, its state and its catalog, with nothing created or written. No run lock
 * (a run may be going on; a preview reads what it has committed), no scratch folder, no state
 * database or catalog created when there is none yet. A lost or damaged catalog still stops
 * here, as it stops a run: a preview must not report "the table does not exist" for a table the
 * catalog merely lost.
 */
import { existsSync } from 'node:fs';
import { FileConfigStore, type JobParams } from '../config/index.js';
import { SqlCatalog } from '../iceberg/index.js';
import { localSecretStore } from '../runtime/local/open-local-runtime.js';
import { loadProject } from '../runtime/local/project.js';
import { SqliteStateStore } from '../runtime/local/sqlite-state.js';
import { openStateDb } from '../runtime/local/state-db.js';
import type { SecretStore } from '../runtime/ports/secret-store.js';
import type { StateStore } from '../runtime/ports/state-store.js';
import { catalogProblems, gatherFacts, integrityTargetOf, throwProblems } from './preflight.js';

export interface PreviewProject {
  readonly root: string;
  readonly configs: FileConfigStore;
  readonly secrets: SecretStore;
  /** Undefined before the first run (no state database yet). */
  readonly state?: Pick<StateStore, 'get'>;
  /** Undefined before the first run (no catalog yet). */
  readonly catalog?: SqlCatalog;
  close(): Promise<void>;
}

export async function openPreviewProject(
  projectDir: string,
  params?: Pick<JobParams, 'customConfigs'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreviewProject> {
  const project = loadProject(projectDir);
  const target = integrityTargetOf(project.root, params);
  const facts = await gatherFacts(target);
  throwProblems(catalogProblems(target, facts));
  const catalog =
    facts.catalog.state === 'ok'
      ? new SqlCatalog({
          name: target.catalogName,
          path: target.catalogPath,
          warehouse: target.warehouse,
          create: false,
        })
      : undefined;
  const db = existsSync(project.state.path) ? openStateDb(project.state.path, { readonly: true }) : undefined;
  return {
    root: project.root,
    configs: new FileConfigStore(project.root),
    secrets: localSecretStore(project, env),
    ...(db ? { state: new SqliteStateStore(db) } : {}),
    ...(catalog ? { catalog } : {}),
    async close() {
      await catalog?.close();
      db?.close();
    },
  };
}
