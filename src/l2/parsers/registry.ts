/**
 * The parser registry: `parserName` → parser. The only way a config reaches code: a config names
 * a parser, the registry holds what the connector packs ship and what the project's floe.yaml
 * registers, and nothing is ever loaded from a path or module named in a config item. An unknown
 * name is an error listing the known ones.
 */
import { closest } from '../../config/suggest.js';
import { FloeError } from '../../errors.js';
import type { TypeInput } from '../../iceberg/index.js';
import { declaredType } from './type-expr.js';
import type { ParserDefinition, ParserOrigin, RegisteredParser } from './types.js';

const NAME = /^[A-Za-z0-9_]{1,255}$/;

export class ParserRegistry {
  private readonly parsers = new Map<string, RegisteredParser>();
  /** Registrations that failed (a bad floe.yaml entry): shown by `floe parsers list` and in lookups. */
  readonly problems: string[] = [];

  /** Adds a parser; a second parser of the same name is an error naming both origins. */
  register(def: ParserDefinition, origin: ParserOrigin): RegisteredParser {
    const p = checkDefinition(def, origin);
    const earlier = this.parsers.get(p.name);
    if (earlier)
      throw new FloeError(
        'config-invalid',
        `parser "${p.name}" is registered twice, by ${earlier.origin.from} and by ${origin.from}; give one of them another name`,
        { context: { parser: p.name } },
      );
    this.parsers.set(p.name, p);
    return p;
  }

  /** The parser of a config's `parserName`; unknown names list the known ones. */
  get(name: string, configId?: string): RegisteredParser {
    const p = this.parsers.get(name);
    if (p) return p;
    const known = this.names();
    const meant = closest(name, known);
    const broken = this.problems.length
      ? ` Parsers that could not be registered: ${this.problems.join('; ')}.`
      : '';
    throw new FloeError(
      'config-invalid',
      `${configId ? `config ${configId}: ` : ''}parserName "${name}" is not a registered parser${meant ? ` (did you mean ${meant}?)` : ''}; ` +
        `known parsers: ${known.length ? known.join(', ') : '(none)'}. Fix: set parserName to one of them, or register yours in floe.yaml under parsers (see \`floe parsers list\`).${broken}`,
      { context: { ...(configId ? { configId } : {}), field: 'parserName' } },
    );
  }

  has(name: string): boolean {
    return this.parsers.has(name);
  }

  names(): string[] {
    return [...this.parsers.keys()].sort();
  }

  list(): RegisteredParser[] {
    return this.names().map((n) => this.parsers.get(n)!);
  }
}

/** Validates a definition's shape (a TypeScript parser's default export is untyped at run time). */
function checkDefinition(def: ParserDefinition, origin: ParserOrigin): RegisteredParser {
  const where = `parser ${typeof def?.name === 'string' ? `"${def.name}"` : '(unnamed)'} from ${origin.from}`;
  const bad = (why: string) => new FloeError('config-invalid', `${where}: ${why}`);
  if (typeof def !== 'object' || def === null) throw bad('is not a parser definition object');
  if (typeof def.name !== 'string' || !NAME.test(def.name))
    throw bad('needs a name of 1 to 255 ASCII letters, digits and _');
  const names = (v: unknown, field: string, required: boolean): string[] => {
    if (v === undefined && !required) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !NAME.test(x)))
      throw bad(`${field} must be a list of names (ASCII letters, digits and _)`);
    return v as string[];
  };
  const sources = names(def.sources, 'sources', true);
  if (sources.length === 0) throw bad('sources must name at least one source');
  const optionalSources = names(def.optionalSources, 'optionalSources', false);
  const primaryKey = names(def.primaryKey, 'primaryKey', true);
  if (typeof def.schema !== 'object' || def.schema === null || Object.keys(def.schema).length === 0)
    throw bad('schema must map each output column to its type, e.g. { project_id: string }');
  const schema: Record<string, TypeInput> = {};
  for (const [col, t] of Object.entries(def.schema)) schema[col] = declaredType(t, `${where}, column ${col}`);
  for (const k of primaryKey)
    if (!(k in schema))
      throw bad(`primaryKey column "${k}" is not in its schema (${Object.keys(schema).join(', ')})`);
  if (typeof def.transform !== 'function') throw bad('transform must be a function returning a SELECT');
  if (def.dynamicSchema !== undefined && typeof def.dynamicSchema !== 'function')
    throw bad(
      'dynamicSchema, when given, must be a function returning the columns only the sources can tell',
    );
  return {
    name: def.name,
    ...(def.description ? { description: def.description } : {}),
    sources,
    optionalSources,
    primaryKey,
    schema,
    ...(def.usesClock ? { usesClock: true } : {}),
    ...(def.dynamicSchema ? { dynamicSchema: def.dynamicSchema } : {}),
    transform: def.transform,
    origin,
  };
}
