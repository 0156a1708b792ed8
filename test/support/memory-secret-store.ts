import { FloeError } from '../../src/errors.js';
import type { SecretStore } from '../../src/runtime/ports/secret-store.js';

/** In-memory SecretStore for tests; `writes` records every put (to assert rotation write-back). */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  readonly writes: Array<{ name: string; value: string }> = [];

  constructor(initial: Record<string, string | Record<string, unknown>> = {}) {
    for (const [k, v] of Object.entries(initial))
      this.values.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  }

  async get(name: string): Promise<string> {
    const v = this.values.get(name);
    if (v === undefined)
      throw new FloeError('not-found', `No secret named '${name}'`, { context: { secret: name } });
    return v;
  }

  async put(name: string, value: string): Promise<void> {
    this.values.set(name, value);
    this.writes.push({ name, value });
  }

  /** Parsed JSON value of a secret (tests). */
  json(name: string): Record<string, unknown> {
    return JSON.parse(this.values.get(name) ?? '{}') as Record<string, unknown>;
  }
}
