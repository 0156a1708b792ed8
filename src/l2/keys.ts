/**
 * Primary-key validation of a parser's output, before anything is written: no key column may be
 * null, and each key must appear once. Duplicates fail the run, listing the offending keys,
 * unless the config declares how to resolve them (`destination.duplicateKeys`: keep the row with
 * the greatest or smallest value of a column; a tie still fails, since no rule picks a row).
 */
import type { L2Config } from '../config/l2-schema.js';
import { type Duck, sqlIdent } from '../duck/session.js';
import { FloeError } from '../errors.js';

/** How many offending keys an error lists. */
const SHOWN = 10;

export interface KeyCheck {
  /**
   * When the duplicateKeys rule resolved duplicates: a SELECT of the rows to keep (over the
   * output), and how many rows it drops.
   */
  readonly resolved?: { readonly sql: string; readonly dropped: number };
}

/** Checks the keys of the rows `outputSql` selects (the staged output). */
export async function validateKeys(
  duck: Duck,
  outputSql: string,
  keys: readonly string[],
  config: L2Config,
  parser: string,
  orderBy: string | undefined,
): Promise<KeyCheck> {
  const rel = `(${outputSql})`;
  const cols = keys.map(sqlIdent);
  const keyText = (r: Record<string, unknown>) =>
    JSON.stringify(Object.fromEntries(keys.map((k) => [k, r[k] ?? null])));
  const asText = keys.map((k) => `${sqlIdent(k)}::VARCHAR AS ${sqlIdent(k)}`).join(', ');
  const where = `config ${config.configId} (parser ${parser}, destination.primaryKey [${keys.join(', ')}])`;

  // One pass says whether anything is wrong; the listings below run only when something is.
  const [check] = await duck.json(
    `SELECT count(*) FILTER (WHERE ${cols.map((c) => `${c} IS NULL`).join(' OR ')})::BIGINT::VARCHAR AS nulls,
       (count(*) - count(DISTINCT (${cols.join(', ')})))::BIGINT::VARCHAR AS repeats FROM ${rel}`,
  );
  if (Number(check?.nulls ?? 0) === 0 && Number(check?.repeats ?? 0) === 0) return {};
  const nullRows = await duck.json(
    `SELECT ${asText}, count(*) OVER ()::BIGINT::VARCHAR AS total FROM ${rel} WHERE ${cols.map((c) => `${c} IS NULL`).join(' OR ')} LIMIT ${SHOWN}`,
  );
  if (nullRows.length)
    throw new FloeError(
      'data-invalid',
      `${where}: ${nullRows[0]!.total} row(s) have a null primary key, e.g. ${nullRows.map(keyText).join(', ')}; nothing was written. ` +
        'Fix: make the parser produce a value for every key column (or filter such rows out), or choose other primaryKey columns',
      { context: { configId: config.configId, field: 'destination.primaryKey' } },
    );

  const dupSql = `SELECT ${asText}, count(*)::BIGINT::VARCHAR AS n, count(*) OVER ()::BIGINT::VARCHAR AS total FROM ${rel} GROUP BY ${cols.join(', ')} HAVING count(*) > 1 ORDER BY ${cols.join(', ')} LIMIT ${SHOWN}`;
  const dups = await duck.json(dupSql);
  if (dups.length === 0) return {};
  const listed = dups.map((r) => `${keyText(r)} ×${r.n}`).join(', ');
  const rule = config.destination.duplicateKeys;
  if (!rule || !orderBy)
    throw new FloeError(
      'data-invalid',
      `${where}: ${dups[0]!.total} key(s) occur more than once, e.g. ${listed}; nothing was written. ` +
        'Fix: make the parser produce one row per key, or declare which row wins with destination.duplicateKeys: { keep: LATEST, orderBy: <column> }',
      { context: { configId: config.configId, field: 'destination.primaryKey' } },
    );

  // Resolve by the declared rule; a tie for the first place is no resolution.
  const dir = rule.keep === 'LATEST' ? 'DESC' : 'ASC';
  const o = sqlIdent(orderBy);
  const ties = await duck.json(
    `SELECT ${asText}, count(*) OVER ()::BIGINT::VARCHAR AS total FROM (
       SELECT *, rank() OVER (PARTITION BY ${cols.join(', ')} ORDER BY ${o} ${dir} NULLS LAST) AS r FROM ${rel}
     ) WHERE r = 1 GROUP BY ${cols.join(', ')} HAVING count(*) > 1 ORDER BY ${cols.join(', ')} LIMIT ${SHOWN}`,
  );
  if (ties.length)
    throw new FloeError(
      'data-invalid',
      `${where}: ${ties[0]!.total} duplicate key(s) have several rows with the same ${orderBy}, so duplicateKeys (keep ${rule.keep}) cannot choose one, e.g. ${ties.map(keyText).join(', ')}; nothing was written. ` +
        'Fix: order by a column that differs between the duplicates, or make the parser produce one row per key',
      { context: { configId: config.configId, field: 'destination.duplicateKeys.orderBy' } },
    );
  return {
    resolved: {
      sql: `SELECT * FROM ${rel} QUALIFY row_number() OVER (PARTITION BY ${cols.join(', ')} ORDER BY ${o} ${dir} NULLS LAST) = 1`,
      dropped: Number(check?.repeats ?? 0),
    },
  };
}
