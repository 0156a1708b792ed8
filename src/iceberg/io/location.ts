/**
 * Where a location really points, and whether it lies inside another. Iceberg locations are
 * literal: nothing is percent-decoded (local.ts), so `%2e%2e` is a folder with that name and
 * stays where it is. But a real `.` or `..` segment is resolved by the local file system (and
 * by some object-store clients), so `warehouse/ns/../../x` is outside `warehouse` even though
 * it starts with it: containment is decided on the resolved path, segment by segment.
 */
import { posix } from 'node:path';

export interface ResolvedLocation {
  /** `file` for file URIs and plain absolute paths; `s3` for s3/s3a/s3n; else as written. */
  readonly scheme: string;
  /** Bucket or host; empty for local files. */
  readonly authority: string;
  /** Absolute, with `.`/`..` resolved and no trailing slash (except the root `/`). */
  readonly path: string;
}

const S3_SCHEMES = new Set(['s3', 's3a', 's3n']);

export function resolveLocation(location: string): ResolvedLocation {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(location);
  if (!m) return { scheme: 'file', authority: '', path: resolvePath(location) };
  const scheme = m[1]!.toLowerCase();
  let rest = m[2]!;
  let authority = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash === -1 ? '/' : rest.slice(slash);
  }
  return {
    scheme: S3_SCHEMES.has(scheme) ? 's3' : scheme,
    authority,
    path: resolvePath(rest),
  };
}

function resolvePath(path: string): string {
  // posix.normalize resolves `.` and `..` (never above `/`) and collapses `//`; relative paths
  // are anchored at `/` so a leading `..` cannot survive either.
  const p = posix.normalize(path.startsWith('/') ? path : `/${path}`);
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Whether `location` resolves strictly inside `root` (not to `root` itself). */
export function isInside(location: string, root: string): boolean {
  const l = resolveLocation(location);
  const r = resolveLocation(root);
  if (l.scheme !== r.scheme || l.authority !== r.authority) return false;
  const prefix = r.path === '/' ? '/' : `${r.path}/`;
  return l.path.startsWith(prefix) && l.path.length > prefix.length;
}

/** `scheme://authority/path` of a resolved location, for messages. */
export function formatLocation(l: ResolvedLocation): string {
  return l.scheme === 'file' && l.authority === ''
    ? `file://${l.path}`
    : `${l.scheme}://${l.authority}${l.path}`;
}

/** Whether `location` has a `.` or `..` segment (which readers resolve differently). */
export function hasDotSegment(location: string): boolean {
  const afterAuthority = location.replace(/^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[^/]*)?/, '');
  return afterAuthority.split('/').some((s) => s === '.' || s === '..');
}
