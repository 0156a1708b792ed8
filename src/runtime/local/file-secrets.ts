/**
 * Secrets in a local file (`<project>/.floe/secrets.yaml` by default; `.json` files are JSON):
 * a map from secret name to either a string or an object (an object is handed out as its JSON
 * text, like a Secrets Manager JSON secret):
 *
 *   wrike-oauth:
 *     client_id: abc
 *     client_secret: s3cr3t…
 *     refresh_token: r1…
 *   wrike-token: eyJ…
 *
 * `put` rewrites the file atomically (temp file in the same folder, fsync, rename; mode 0600),
 * under a lock file so two processes rotating tokens do not lose each other's write. YAML
 * comments and key order survive the rewrite. The file is re-read on every `get`, so a token
 * rotated by another process is seen at once.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Document, isMap, parseDocument, type YAMLError } from 'yaml';
import { FloeError } from '../../errors.js';
import type { SecretStore } from '../ports/secret-store.js';
import { registerLeaves, registerSecretValue } from '../secret-values.js';
import { type EnvSecretStore, emptySecret, envHint, missingSecret } from './env-secrets.js';
import {
  formatSyntaxProblem,
  jsonSyntaxProblem,
  unresolvableYamlProblem,
  yamlSyntaxProblem,
} from './secrets-file-syntax.js';

/**
 * Every scalar is a string: a client id `0123` or a 20-digit account number must reach the auth
 * code exactly as written, not as a rounded number.
 */
const YAML_OPTIONS = { schema: 'failsafe' } as const;
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

export class FileSecretStore implements SecretStore {
  constructor(readonly path: string) {}

  /** The value, or undefined when the file or the entry does not exist or is empty. */
  find(name: string): string | undefined {
    return this.lookup(name) || undefined;
  }

  /**
   * The value; `''` when the entry exists with an empty value (`name: ""`, `name:`, blanks):
   * the scaffold writes such placeholders, and the chained store then asks the environment.
   * Undefined when the file or the entry does not exist.
   */
  lookup(name: string): string | undefined {
    const data = this.readAll();
    if (!Object.hasOwn(data, name)) return undefined;
    const raw = data[name];
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return '';
    registerLeaves(raw);
    const value = typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    registerSecretValue(value);
    return value;
  }

  async get(name: string): Promise<string> {
    const value = this.lookup(name);
    if (value === undefined) throw missingSecret(name, [fileHint(name, this.path)]);
    if (value === '') throw emptySecret(name, [this.where()]);
    return value;
  }

  where(): string {
    return `the secrets file ${this.path}`;
  }

  async put(name: string, value: string): Promise<void> {
    registerSecretValue(value);
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await withLock(`${this.path}.lock`, () => {
      const json = this.path.endsWith('.json');
      const text = readIfExists(this.path) ?? '';
      const stored = asStoredValue(value);
      let out: string;
      if (json) {
        const data = text.trim() ? (parseJsonObject(text, this.path) as Record<string, unknown>) : {};
        data[name] = stored;
        out = `${JSON.stringify(data, null, 2)}\n`;
      } else {
        const { doc } = parseYaml(text, this.path);
        if (doc.contents !== null && !isMap(doc.contents)) {
          throw invalidFile(this.path, 'the top level must be a map of secret names');
        }
        // On an empty document `set` creates the top-level map.
        doc.set(name, doc.createNode(stored));
        out = doc.toString();
      }
      writeAtomic(this.path, out);
    });
  }

  private readAll(): Record<string, unknown> {
    const text = readIfExists(this.path);
    if (text === undefined || !text.trim()) return {};
    if (this.path.endsWith('.json')) return parseJsonObject(text, this.path);
    const { data } = parseYaml(text, this.path);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw invalidFile(this.path, 'the top level must be a map of secret names');
    }
    return data as Record<string, unknown>;
  }
}

/** File first (it holds rotated values), then the environment. `put` goes to the file. */
export class ChainedSecretStore implements SecretStore {
  constructor(
    private readonly file: FileSecretStore | undefined,
    private readonly env: EnvSecretStore | undefined,
  ) {}

  /** The first non-empty value, file first; an empty entry in one falls through to the other. */
  async get(name: string): Promise<string> {
    const inFile = this.file?.lookup(name);
    if (inFile) return inFile;
    const inEnv = this.env?.lookup(name);
    if (inEnv) return inEnv;
    if (inFile === '' || inEnv === '') throw emptySecret(name, this.places(name));
    const hints: string[] = [];
    if (this.file) hints.push(fileHint(name, this.file.path));
    if (this.env) hints.push(envHint(name));
    if (hints.length === 0) hints.push('no secret source is configured (floe.yaml secrets)');
    throw missingSecret(name, hints);
  }

  where(name: string): string {
    const places = this.places(name);
    return places.length > 0 ? places.join(', then ') : 'no secret source (floe.yaml secrets)';
  }

  private places(name: string): string[] {
    const out: string[] = [];
    if (this.file) out.push(this.file.where());
    if (this.env) out.push(this.env.where(name));
    return out;
  }

  async put(name: string, value: string): Promise<void> {
    if (this.file) return this.file.put(name, value);
    if (this.env) return this.env.put(name, value);
    throw new FloeError(
      'feature-unsupported',
      `cannot store secret '${name}': no secrets file is configured`,
      {
        context: { secret: name },
      },
    );
  }
}

function fileHint(name: string, path: string): string {
  return `add '${name}' to ${path}`;
}

/** A JSON object value is stored as a map (readable, editable); anything else as a string. */
function asStoredValue(value: string): unknown {
  const t = value.trim();
  if (!t.startsWith('{')) return value;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v : value;
  } catch {
    return value;
  }
}

function parseJsonObject(text: string, path: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // The parser's message may quote the file's text, i.e. a secret: only where and what.
    throw invalidFile(path, `JSON syntax error, ${formatSyntaxProblem(jsonSyntaxProblem(e, text))}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw invalidFile(path, 'the top level must be an object of secret names');
  }
  return data as Record<string, unknown>;
}

/**
 * The document and its values, or an error by position and kind. Checked on `put` too: a file
 * the next `get` could not read must not be written back as if it were fine.
 */
function parseYaml(text: string, path: string): { doc: Document; data: unknown } {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0) throw yamlError(path, doc.errors);
  try {
    return { doc, data: doc.toJS() };
  } catch {
    // An undefined alias or an alias bomb; the library's message quotes the alias name.
    throw invalidFile(path, `YAML error, ${formatSyntaxProblem(unresolvableYamlProblem(doc, text))}`);
  }
}

/** The first YAML error by position and kind; the parser's message quotes the file's lines. */
function yamlError(path: string, errors: readonly YAMLError[]): FloeError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return invalidFile(path, `YAML syntax error, ${formatSyntaxProblem(yamlSyntaxProblem(errors[0]!))}${more}`);
}

/** Never quotes the file: its lines are secrets. */
function invalidFile(path: string, why: string): FloeError {
  return new FloeError(
    'config-invalid',
    `secrets file ${path} cannot be read: ${why}. Fix the file (its content is not shown because it holds secrets)`,
    { context: { file: path } },
  );
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FloeError('io', `cannot read secrets file ${path}: ${(e as Error).message}`, {
      context: { file: path },
      cause: e,
    });
  }
}

/** Temp file + fsync + rename: readers see the old file or the new one, never half of one. */
export function writeAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** An exclusive-create lock file; a lock older than LOCK_STALE_MS belongs to a dead process. */
async function withLock<T>(lockPath: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx', 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS) {
          rmSync(lockPath, { force: true });
          continue;
        }
      } catch {
        continue; // released between our open and stat
      }
      if (Date.now() > deadline) {
        throw new FloeError(
          'io',
          `secrets file is locked by another process (${lockPath}); retry, or delete the lock file if no floe is running`,
          {
            context: { file: lockPath },
            retryable: true,
          },
        );
      }
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}
