/**
 * The embedded, no-cloud runtime: everything a job needs from its environment, built from a
 * project folder's floe.yaml. State and history share `.floe/state.db`; secrets come from the
 * secrets file, then environment variables; each run logs to the console and `.floe/logs/<runId>.log`;
 * reports go to `.floe/reports/<runId>.html` and, if configured, a webhook.
 */
import type { Logger, LogLevel } from '../ports/logger.js';
import type { Notifier, RunReport } from '../ports/notifier.js';
import type { SecretStore } from '../ports/secret-store.js';
import { createRunLogger, type LogFormat, type TextStream } from './console-logger.js';
import { EnvSecretStore } from './env-secrets.js';
import { FileNotifier, MultiNotifier } from './file-notifier.js';
import { ChainedSecretStore, FileSecretStore } from './file-secrets.js';
import { loadProject, type Project } from './project.js';
import { SqliteHistoryStore } from './sqlite-history.js';
import { SqliteStateStore } from './sqlite-state.js';
import { openStateDb } from './state-db.js';
import { WebhookNotifier } from './webhook-notifier.js';

export interface LocalRuntimeOptions {
  /** An already loaded project (skips reading floe.yaml). */
  project?: Project;
  /** Environment for secrets and the seed's notification variables; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Console log stream (default process.stderr), and overrides of floe.yaml's logs settings. */
  logStream?: TextStream;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
}

export interface LocalRuntime {
  project: Project;
  state: SqliteStateStore;
  history: SqliteHistoryStore;
  secrets: SecretStore;
  /**
   * Environment name for reports: CUSTOMER_ENVIRONMENT (the seed's variable) if set, else
   * floe.yaml `environment`.
   */
  environment: string;
  /** CUSTOMER_NOTIFICATION_TO (comma-separated) if set, else floe.yaml `notifications.recipients`. */
  recipients: string[];
  /** The logger of one run (console + `<logs dir>/<runId>.log`); the same logger for the same id. */
  logger(runId: string): Logger;
  /** Writes the HTML report file and POSTs to the webhook if configured; never throws. */
  notifier: Notifier;
  /** Closes log files and the state database. */
  close(): Promise<void>;
}

/**
 * The project's secrets: the secrets file, then `FLOE_SECRET_<NAME>` variables, as floe.yaml
 * says. On its own for commands that need secrets but must not open the state database
 * (`floe source preview` writes nothing).
 */
export function localSecretStore(project: Project, env: NodeJS.ProcessEnv = process.env): SecretStore {
  return new ChainedSecretStore(
    project.secrets.file === false ? undefined : new FileSecretStore(project.secrets.file),
    project.secrets.env ? new EnvSecretStore(env) : undefined,
  );
}

export async function openLocalRuntime(
  projectDir: string,
  opts: LocalRuntimeOptions = {},
): Promise<LocalRuntime> {
  const project = opts.project ?? loadProject(projectDir);
  const env = opts.env ?? process.env;
  const db = openStateDb(project.state.path);
  const state = new SqliteStateStore(db);
  const history = new SqliteHistoryStore(db);
  const secrets = localSecretStore(project, env);

  const runLoggers = new Map<string, ReturnType<typeof createRunLogger>>();
  const logger = (runId: string): Logger => {
    let l = runLoggers.get(runId);
    if (!l) {
      l = createRunLogger(runId, {
        logDir: project.logs.dir,
        format: opts.logFormat ?? project.logs.format,
        level: opts.logLevel ?? project.logs.level,
        ...(opts.logStream ? { stream: opts.logStream } : {}),
      });
      runLoggers.set(runId, l);
    }
    return l.logger;
  };

  const notifier: Notifier = {
    async notify(report: RunReport) {
      // Delivery warnings belong in the run's own log.
      const log = logger(report.runId);
      const targets: Notifier[] = [new FileNotifier(project.notifications.reportDir, log)];
      if (project.notifications.webhook) {
        targets.push(
          new WebhookNotifier({
            url: project.notifications.webhook,
            timeoutMs: project.notifications.webhookTimeoutMs,
            logger: log,
          }),
        );
      }
      await new MultiNotifier(targets, log).notify(report);
    },
  };

  const recipientsEnv = env.CUSTOMER_NOTIFICATION_TO?.trim();
  let closed = false;
  return {
    project,
    state,
    history,
    secrets,
    environment: env.CUSTOMER_ENVIRONMENT?.trim() || project.environment,
    recipients: recipientsEnv
      ? recipientsEnv
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean)
      : [...project.notifications.recipients],
    logger,
    notifier,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...runLoggers.values()].map((l) => l.close()));
      runLoggers.clear();
      db.close();
    },
  };
}
