/** The embedded (no-cloud) runtime: what `job/` needs to wire the local profile. */
export { consoleSink, createRunLogger, fileSink, type LogFormat, type TextStream } from './console-logger.js';
export { EnvSecretStore, envVarName } from './env-secrets.js';
export { FileNotifier, MultiNotifier } from './file-notifier.js';
export { ChainedSecretStore, FileSecretStore } from './file-secrets.js';
export { renderHtmlReport, reportSubject, reportTotals } from './html-report.js';
export { type LocalRuntime, type LocalRuntimeOptions, openLocalRuntime } from './open-local-runtime.js';
export {
  defaultProject,
  findProjectRoot,
  loadProject,
  PROJECT_FILE,
  type Project,
  type ProjectFile,
  ProjectFileSchema,
} from './project.js';
export { SqliteHistoryStore } from './sqlite-history.js';
export { applyPatch, SqliteStateStore } from './sqlite-state.js';
export { openStateDb, STATE_SCHEMA } from './state-db.js';
export { WebhookNotifier, type WebhookNotifierOptions } from './webhook-notifier.js';
