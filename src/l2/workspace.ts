/**
 * One config run's DuckDB workspace: an in-memory database attached to the process's DuckDB
 * under a name of its own, so configs running in parallel never see each other's sources. It
 * holds the source relations (`<name>` and `all_rows.<name>`, see parsers/types.ts), the run's
 * macros and the materialised parser output. Being attached, not TEMP, its objects are visible to
 * the other connections the Iceberg writer opens; the run's own connection `USE`s it, so a parser
 * names sources without a prefix. Detaching drops everything it held.
 */
import { randomUUID } from 'node:crypto';
import { type Duck, sqlIdent, sqlString } from '../duck/session.js';

/** The schema holding every current row of each source. */
export const ALL_ROWS_SCHEMA = 'all_rows';

export class Workspace {
  private constructor(
    readonly duck: Duck,
    /** The attached database's name (unquoted). */
    readonly name: string,
  ) {}

  static async open(duck: Duck, opts: { asOf: Date; incremental: boolean }): Promise<Workspace> {
    const name = `floe_l2_${randomUUID().replace(/-/g, '')}`;
    await duck.run(`ATTACH ':memory:' AS ${sqlIdent(name)}`);
    const ws = new Workspace(duck, name);
    try {
      await duck.run(`CREATE SCHEMA ${ws.schema(ALL_ROWS_SCHEMA)}`);
      await duck.run(
        `CREATE MACRO ${ws.qualified('floe_as_of')}() AS CAST(${sqlString(opts.asOf.toISOString())} AS TIMESTAMPTZ)`,
      );
      await duck.run(
        `CREATE MACRO ${ws.qualified('floe_incremental')}() AS ${opts.incremental ? 'TRUE' : 'FALSE'}`,
      );
      await duck.run(`USE ${sqlIdent(name)}`);
    } catch (e) {
      await ws.close();
      throw e;
    }
    return ws;
  }

  /** `"db"."schema"`. */
  schema(schema = 'main'): string {
    return `${sqlIdent(this.name)}.${sqlIdent(schema)}`;
  }

  /** `"db"."schema"."object"`. */
  qualified(object: string, schema = 'main'): string {
    return `${this.schema(schema)}.${sqlIdent(object)}`;
  }

  async close(): Promise<void> {
    await this.duck.run('USE memory').catch(() => {});
    await this.duck.run(`DETACH DATABASE IF EXISTS ${sqlIdent(this.name)}`).catch(() => {});
  }
}
