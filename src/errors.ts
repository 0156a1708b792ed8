/**
 * One error type for all of floe, after iceberg-rust's `Error`: a small `kind` enum, context
 * key/values that say which config/table/file was involved, an optional `cause`, and a
 * `retryable` flag that retry loops (HTTP, catalog commits) consult instead of matching messages.
 *
 * Messages must say what to do, and must never contain secret values: callers pass secrets
 * through `redact()` (src/util/redact.ts) before they reach a message or a context value.
 */
export type ErrorKind =
  | 'config-invalid' // a config item or project file is wrong: the message names the field and the fix
  | 'data-invalid' // input data cannot be represented (type conflicts, bad rows)
  | 'feature-unsupported' // valid Iceberg/API feature floe does not implement (yet)
  | 'not-found' // table, namespace, file, config, secret
  | 'already-exists'
  | 'commit-conflict' // catalog compare-and-swap lost; retryable by re-reading
  | 'metadata-corrupt' // a metadata/manifest file cannot be parsed
  | 'auth' // credentials missing, rejected or expired beyond refresh
  | 'http' // a source API answered with an error status
  | 'network' // connection reset, timeout, truncated body
  | 'rate-limited'
  | 'io' // local/S3 file system errors
  | 'interrupted' // the run was asked to stop (SIGTERM/SIGINT) before this work finished
  | 'internal'; // a bug in floe

export type ErrorContext = Record<string, string | number | bigint | boolean | undefined>;

export class FloeError extends Error {
  override readonly name = 'FloeError';
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly retryable: boolean;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { context?: ErrorContext; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }

  /** Returns a copy with more context; keeps kind, cause and retryable. */
  withContext(extra: ErrorContext): FloeError {
    return new FloeError(this.kind, this.message, {
      context: { ...this.context, ...extra },
      cause: this.cause,
      retryable: this.retryable,
    });
  }

  /** `message (table=ns.t, file=…)`: what CLIs and history rows print. */
  describe(): string {
    const ctx = Object.entries(this.context)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    return ctx ? `${this.message} (${ctx})` : this.message;
  }
}

export function isFloeError(e: unknown, kind?: ErrorKind): e is FloeError {
  return e instanceof FloeError && (kind === undefined || e.kind === kind);
}

/** Message of any thrown value, for logs. */
export function errorMessage(e: unknown): string {
  if (e instanceof FloeError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
