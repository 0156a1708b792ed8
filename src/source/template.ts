/**
 * `${name}` placeholders in URLs, headers, params and bodies (seed: `Bearer ${accessToken}`).
 * Names are checked when a source is built (`checkPlaceholders`), so a typo fails before any
 * request; rendering an unset name at run time is a config error naming the field.
 */
import { FloeError } from '../errors.js';

/**
 * A placeholder value that is a JSON value (a list of ids from discovery): inside a text it is
 * its JSON text; a body leaf that is exactly the placeholder becomes the value itself.
 */
export class JsonVar {
  constructor(readonly value: unknown) {}
  toString(): string {
    return JSON.stringify(this.value);
  }
}

export type TemplateVars = Readonly<Record<string, string | JsonVar | undefined>>;

const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholder names in any string leaf of `value`. */
export function placeholders(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PLACEHOLDER)) out.add(m[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) placeholders(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      placeholders(k, out);
      placeholders(v, out);
    }
  }
  return out;
}

export interface RenderContext {
  configId: string;
  /** Config field being rendered, for the error message (e.g. `source.request.url`). */
  field: string;
  /** Encode values (for URLs). */
  encode?: (v: string) => string;
}

export function render(text: string, vars: TemplateVars, ctx: RenderContext): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw new FloeError(
        'config-invalid',
        `${ctx.configId}: ${ctx.field} uses \${${name}}, which has no value in this run` +
          (name === 'start' || name === 'end' || name === 'lastSyncTime'
            ? ' (a FULL load without windows has no start: move it to source.incremental.params, or set source.incremental.startDate)'
            : ''),
        { context: { configId: ctx.configId, field: ctx.field } },
      );
    }
    const text = String(v);
    return ctx.encode ? ctx.encode(text) : text;
  });
}

/** Renders every string leaf (and key) of a JSON-like value. */
export function renderDeep(value: unknown, vars: TemplateVars, ctx: RenderContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    const v = whole ? vars[whole[1]!] : undefined;
    if (v instanceof JsonVar) return structuredClone(v.value);
    return render(value, vars, ctx);
  }
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, vars, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [render(k, vars, ctx), renderDeep(v, vars, ctx)]),
    );
  }
  return value;
}

/** Throws a config error if `value` uses a placeholder not in `allowed`. */
export function checkPlaceholders(
  value: unknown,
  allowed: ReadonlySet<string>,
  configId: string,
  field: string,
): void {
  for (const name of placeholders(value)) {
    if (!allowed.has(name)) {
      throw new FloeError(
        'config-invalid',
        `${configId}: ${field} uses unknown placeholder \${${name}}; available here: ${[...allowed]
          .map((n) => `\${${n}}`)
          .join(', ')}`,
        { context: { configId, field } },
      );
    }
  }
}
