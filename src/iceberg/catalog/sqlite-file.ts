/**
 * What state an SQLite file is in, before anyone writes to it. SQLite opens a missing file by
 * creating it and a 0-byte file as a fresh database, so "open and see" silently turns a lost
 * database into an empty one; and a damaged file often opens fine and fails only at the first
 * query that touches the broken page, mid-run. Probing first (existence, size, `quick_check`)
 * lets callers tell lost from fresh and stop before anything is created.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

export type SqliteFileState =
  | { readonly state: 'missing' }
  | { readonly state: 'empty' }
  | { readonly state: 'corrupt'; readonly reason: string }
  | { readonly state: 'ok'; readonly db: Database.Database };

/** SQLite result codes that mean the bytes are not a (sound) database. */
export function isSqliteCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ')
  );
}

/**
 * `quick_check` on an open database: throws (SQLITE_NOTADB/SQLITE_CORRUPT) or returns the problem
 * rows. Returns undefined when the file is sound, else what SQLite said is wrong with it.
 */
export function quickCheck(db: Database.Database): string | undefined {
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    return problems.length ? problems.slice(0, 3).join('; ') : undefined;
  } catch (e) {
    if (isSqliteCorruption(e)) return (e as Error).message;
    throw e;
  }
}

/**
 * Opens `path` only if it exists and is a sound database (the caller closes `db`). Never creates
 * the file. Opened read-write so that closing checkpoints and removes the WAL as usual; nothing is
 * written.
 */
export function probeSqliteFile(path: string): SqliteFileState {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw e;
  }
  if (size === 0) return { state: 'empty' };
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 30_000 });
  } catch (e) {
    if (isSqliteCorruption(e)) return { state: 'corrupt', reason: (e as Error).message };
    throw e;
  }
  const problem = quickCheck(db);
  if (problem !== undefined) {
    db.close();
    return { state: 'corrupt', reason: problem };
  }
  return { state: 'ok', db };
}

/** Whether an open database has a table of this name. */
export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
