/**
 * The type notation parser schemas are declared in: Iceberg's primitive names plus `list<T>`,
 * `map<K, V>` and `struct<name: T, …>` (the shape Spark and Athena print), e.g.
 * `list<string>` or `map<string, decimal(10, 2)>`. Parsed into the Iceberg library's TypeInput.
 */
import { FloeError } from '../../errors.js';
import { isKnownPrimitive, type TypeInput } from '../../iceberg/index.js';

const PRIMITIVES =
  'boolean, int, long, float, double, date, time, timestamp, timestamptz, string, uuid, binary, decimal(P, S)';

/** Parses a declared type; `where` names it in errors (`parser x, column y`). */
export function parseTypeExpr(text: string, where: string): TypeInput {
  const p = new Reader(text, where);
  const t = p.type();
  p.end();
  return t;
}

/** A declared type: a string in the notation above, or the Iceberg JSON shape. */
export function declaredType(t: string | TypeInput, where: string): TypeInput {
  return typeof t === 'string' ? parseTypeExpr(t, where) : t;
}

/** The notation of a type (for messages and `floe parsers test`). */
export function formatType(t: TypeInput): string {
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'list':
      return `list<${formatType(t.element)}>`;
    case 'map':
      return `map<${formatType(t.key)}, ${formatType(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')}>`;
  }
}

class Reader {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly where: string,
  ) {}

  type(): TypeInput {
    this.space();
    const word = this.word();
    const lower = word.toLowerCase();
    if (lower === 'list' || lower === 'array') {
      this.expect('<');
      const element = this.type();
      this.expect('>');
      return { type: 'list', element };
    }
    if (lower === 'map') {
      this.expect('<');
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect('>');
      return { type: 'map', key, value };
    }
    if (lower === 'struct') {
      this.expect('<');
      const fields: { name: string; type: TypeInput }[] = [];
      do {
        this.space();
        const name = this.word();
        this.expect(':');
        fields.push({ name, type: this.type() });
      } while (this.accept(','));
      this.expect('>');
      return { type: 'struct', fields };
    }
    if (lower === 'decimal') {
      this.expect('(');
      const precision = this.number();
      this.expect(',');
      const scale = this.number();
      this.expect(')');
      if (precision < 1 || precision > 38 || scale > precision)
        throw this.error(`decimal(${precision}, ${scale}) needs 1 ≤ precision ≤ 38 and scale ≤ precision`);
      return `decimal(${precision}, ${scale})`;
    }
    if (!isKnownPrimitive(lower) || lower.startsWith('fixed'))
      throw this.error(
        `unknown type "${word}"; use one of ${PRIMITIVES}, list<T>, map<K, V>, struct<name: T, …>`,
      );
    return lower;
  }

  end(): void {
    this.space();
    if (this.i < this.s.length) throw this.error(`unexpected "${this.s.slice(this.i)}"`);
  }

  private word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) throw this.error(`expected a type or name at "${this.s.slice(this.i) || '(end)'}"`);
    this.i += m[0].length;
    return m[0];
  }

  private number(): number {
    this.space();
    const m = /^\d+/.exec(this.s.slice(this.i));
    if (!m) throw this.error('expected a number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private accept(c: string): boolean {
    this.space();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private expect(c: string): void {
    if (!this.accept(c)) throw this.error(`expected "${c}" at "${this.s.slice(this.i) || '(end)'}"`);
  }

  private space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private error(why: string): FloeError {
    return new FloeError('config-invalid', `${this.where}: type "${this.s}": ${why}`);
  }
}
