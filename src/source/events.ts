/**
 * Progress events for logs and progress bars. Every event names its config; URLs and messages are
 * redacted before they are emitted, so a listener may print them as they are.
 */
import type { HttpEvent } from '../http/client.js';
import type { AuthEvent } from './auth/oauth2.js';

export type SourceEventBody =
  | HttpEvent
  | AuthEvent
  | { type: 'window'; index: number; count: number; start?: string; end: string }
  | { type: 'partitions'; count: number }
  | { type: 'discovered'; origin: string }
  | { type: 'job-poll'; status: string; waitedMs: number }
  | { type: 'response-body'; url: string; status: number; body: string }
  | { type: 'page'; pageNumber: number; records: number; totalRecords: number; bytes: number }
  | { type: 'token-refresh'; reason: string }
  | { type: 'warning'; message: string }
  | { type: 'done'; pages: number; records: number; elapsedMs: number; cursorMax?: string };

export type SourceEvent = SourceEventBody & { configId: string };

export interface SourceStats {
  pages: number;
  records: number;
  /** HTTP requests sent, retries and the token endpoint included. */
  requests: number;
  /** Retries after 5xx, resets, timeouts, bad bodies and 429s. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Time spent waiting for the client-side rate limiter. */
  clientThrottleMs: number;
  tokenRefreshes: number;
  /** Response body characters. */
  bytes: number;
  windows: number;
  elapsedMs: number;
}

export function emptyStats(): SourceStats {
  return {
    pages: 0,
    records: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    clientThrottleMs: 0,
    tokenRefreshes: 0,
    bytes: 0,
    windows: 0,
    elapsedMs: 0,
  };
}
