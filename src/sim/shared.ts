/**
 * Pieces every simulator shares: the movable clock, the record timelines (creation and edits as
 * pure arithmetic on seed, index and clock), deterministic fault injection, and small HTTP
 * helpers (JSON replies, bodies, control endpoints, broken responses). The Wrike simulator grew
 * them first; the others take them from here so each simulator only says what its API is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash } from './prng.js';

export { SimClock } from './wrike/clock.js';
export { type FaultDecision, FaultInjector, type WrikeFaults as SimFaults } from './wrike/faults.js';
export { type ChurnOptions, Timeline } from './wrike/timeline.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_BODY = 4 * 1024 * 1024;

/** A deterministic UUID v4 (version and variant bits set) from integers. */
export function uuidFrom(seed: number, salt: number, i: number): string {
  const hex = [1, 2, 3, 4].map((k) => hash(seed, salt, i, k).toString(16).padStart(8, '0')).join('');
  const v = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

/** ISO-8601 UTC with milliseconds from epoch seconds plus a millisecond part. */
export function isoMs(epochS: number, ms = 0): string {
  return new Date(epochS * 1000 + ms).toISOString();
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  type = JSON_TYPE,
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** The HTTP Basic pair of a request, decoded (client credentials, Company\\User:Password). */
export function basicAuth(req: IncomingMessage): [string, string] | undefined {
  const header = req.headers.authorization;
  if (!header || !/^basic\s+/i.test(header)) return undefined;
  const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const dec = (t: string) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  return [dec(decoded.slice(0, colon)), dec(decoded.slice(colon + 1))];
}

export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
}

/** Sends half of a 200 body, then breaks the connection (reset) or ends it early (truncation). */
export function sendBroken(
  res: ServerResponse,
  body: string,
  mode: 'reset' | 'content-length' | 'half-json',
): void {
  const bytes = Buffer.from(body);
  const half = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
  if (mode === 'half-json') {
    res.writeHead(200, { 'content-type': JSON_TYPE });
    res.end(half);
    return;
  }
  const socket = res.socket;
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': bytes.length });
  res.write(half, () => {
    if (!socket) return;
    if (mode === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  });
}

/** Request counts by status, as every simulator reports them on GET /__sim/stats. */
export class SimStats {
  requests = 0;
  byStatus: Record<number, number> = {};
  throttled = 0;
  count(status: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (status === 429) this.throttled++;
  }
  reset(): void {
    this.requests = 0;
    this.byStatus = {};
    this.throttled = 0;
  }
  snapshot(): { requests: number; byStatus: Record<number, number>; throttled: number } {
    return { requests: this.requests, byStatus: { ...this.byStatus }, throttled: this.throttled };
  }
}

export interface ControlParts {
  stats: SimStats;
  faults: { set(f: import('./wrike/faults.js').WrikeFaults | undefined): void; readonly current: unknown };
  clock: { nowMs(): number; advance(ms: number): void };
  expireTokens(): void;
}

/** `/__sim/*`: stats, faults, clock and token expiry (no auth, never faulted). */
export async function control(
  parts: ControlParts,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const ok = (body: unknown) => send(res, 200, JSON.stringify(body));
  const bad = (msg: string, status = 400) => send(res, status, JSON.stringify({ error: msg }));
  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req);
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      return bad('Body must be JSON');
    }
  }
  switch (`${req.method} ${path}`) {
    case 'GET /__sim/stats':
      return ok(parts.stats.snapshot());
    case 'POST /__sim/stats/reset':
      parts.stats.reset();
      return ok(parts.stats.snapshot());
    case 'GET /__sim/faults':
      return ok({ faults: parts.faults.current ?? null });
    case 'POST /__sim/faults': {
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body)))
        return bad('Body must be a faults object or null');
      const f = body as Record<string, unknown> | null | undefined;
      parts.faults.set(f && Object.keys(f).length > 0 ? (f as never) : undefined);
      return ok({ faults: parts.faults.current ?? null });
    }
    case 'GET /__sim/clock':
      return ok({ now: new Date(parts.clock.nowMs()).toISOString() });
    case 'POST /__sim/clock': {
      const advanceMs = (body as { advanceMs?: unknown } | undefined)?.advanceMs;
      if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0)
        return bad('Body must be {"advanceMs": <non-negative number>}');
      parts.clock.advance(advanceMs);
      return ok({ now: new Date(parts.clock.nowMs()).toISOString() });
    }
    case 'POST /__sim/expire-tokens':
      parts.expireTokens();
      return ok({ expired: true });
  }
  return bad(`Unknown control endpoint ${req.method} ${path}`, 404);
}

/** Access tokens of an OAuth2 client-credentials server, living in simulated time. */
export class AccessTokens {
  private readonly tokens = new Map<string, { expiresAtMs: number; uses: number }>();
  private n = 0;
  constructor(
    private readonly seed: number,
    readonly ttlSeconds: number,
  ) {}

  issue(nowMs: number): string {
    const n = ++this.n;
    if (this.tokens.size > 10_000)
      for (const k of this.tokens.keys()) {
        this.tokens.delete(k);
        if (this.tokens.size <= 5_000) break;
      }
    const t = `${Buffer.from(JSON.stringify({ sim: this.seed, n })).toString('base64url')}.${hash(this.seed, n, 7).toString(36)}`;
    this.tokens.set(t, { expiresAtMs: nowMs + this.ttlSeconds * 1000, uses: 0 });
    return t;
  }

  /** 'ok', or why not; `maxUses` is the expire-after-N-requests fault. */
  check(
    token: string | undefined,
    nowMs: number,
    maxUses?: number,
  ): 'ok' | 'missing' | 'invalid' | 'expired' {
    if (!token) return 'missing';
    const t = this.tokens.get(token);
    if (!t) return 'invalid';
    if (nowMs >= t.expiresAtMs) return 'expired';
    if (maxUses !== undefined && maxUses >= 0 && t.uses >= maxUses) {
      t.expiresAtMs = Number.NEGATIVE_INFINITY;
      return 'expired';
    }
    t.uses++;
    return 'ok';
  }

  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAtMs = Number.NEGATIVE_INFINITY;
  }
}
