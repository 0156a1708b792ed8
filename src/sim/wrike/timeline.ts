/**
 * When records of one object are created and updated, as pure arithmetic on (seed, index, now).
 *
 * - `base` records exist at the start time t0: record i was created at a time spread evenly over
 *   the `historyDays` before t0 (so createdDate grows with the id) and last updated somewhere
 *   between its creation and t0.
 * - After t0, new records arrive at a fixed interval (`newPerDay`), record base+k at
 *   t0 + (k+1)·interval; their updatedDate starts equal to their createdDate.
 * - An `activeFraction` of records is edited periodically after max(t0, createdDate): record i has
 *   a period P_i and a phase φ_i, so its k-th edit is at anchor + φ_i + k·P_i. The number of edits
 *   before now (its "version") is one division, so a record's state at any clock is O(1) and
 *   a million records never need to be held in memory.
 *
 * Visibility is strict: an event at second t is visible iff t < now (whole seconds). A sync at
 * clock `now` therefore sees exactly the events before `now`, and a later sync with
 * updatedDate={"start": now} (start inclusive) sees exactly the events after it: no overlap, no gap.
 */
import { hash, unit } from '../prng.js';
import { DAY, HOUR } from './dates.js';

export interface ChurnOptions {
  /** New records per simulated day, as a fraction of the base count (default 0.01 = 1 % per day). */
  newPerDayFraction?: number;
  /** Fraction of records that get edited periodically after the start time (default 0.1). */
  updatedFraction?: number;
  /** Range of the edit period in hours (default [6, 72]). */
  updatePeriodHours?: [number, number];
}

export interface TimelineSpec {
  seed: number;
  salt: number;
  base: number;
  /** Start of the simulation, epoch seconds. */
  t0: number;
  historyDays?: number;
  churn?: ChurnOptions;
  /** Objects that never change (attachments) set this to 0. */
  updatedFractionOverride?: number;
}

export class Timeline {
  readonly base: number;
  readonly t0: number;
  private readonly seed: number;
  private readonly salt: number;
  private readonly history: number;
  /** Seconds between two new records; 0 = no new records. */
  private readonly interval: number;
  private readonly activeFraction: number;
  private readonly minPeriod: number;
  private readonly periodSpan: number;

  constructor(spec: TimelineSpec) {
    this.seed = spec.seed;
    this.salt = spec.salt;
    this.base = spec.base;
    this.t0 = spec.t0;
    this.history = Math.max(1, Math.round((spec.historyDays ?? 365) * DAY));
    const perDay = spec.base * (spec.churn?.newPerDayFraction ?? 0.01);
    this.interval = perDay > 0 ? Math.max(1, Math.round(DAY / perDay)) : 0;
    this.activeFraction = spec.updatedFractionOverride ?? spec.churn?.updatedFraction ?? 0.1;
    const [lo, hi] = spec.churn?.updatePeriodHours ?? [6, 72];
    this.minPeriod = Math.max(1, Math.round(lo * HOUR));
    this.periodSpan = Math.max(0, Math.round(hi * HOUR) - this.minPeriod);
  }

  /** Number of records visible at `nowS` (their ids are 0 … count-1). */
  count(nowS: number): number {
    const d = nowS - this.t0;
    if (this.interval === 0 || d <= 0) return this.base;
    return this.base + Math.floor((d - 1) / this.interval);
  }

  /** createdDate of record i, epoch seconds. */
  created(i: number): number {
    if (i < this.base) {
      const pos = i + unit(this.seed, this.salt, i, 1);
      return this.t0 - this.history + Math.floor((pos * this.history) / this.base);
    }
    return this.t0 + (i - this.base + 1) * this.interval;
  }

  /** updatedDate before any edit after t0 (version 0). */
  initialUpdated(i: number): number {
    const c = this.created(i);
    if (i >= this.base) return c;
    const u = unit(this.seed, this.salt, i, 2);
    // A third of the records were never touched after creation.
    if (u < 0.33) return c;
    return c + Math.floor(((u - 0.33) / 0.67) * (this.t0 - c));
  }

  /** Number of edits of record i strictly before nowS. */
  version(i: number, nowS: number): number {
    if (this.activeFraction <= 0 || unit(this.seed, this.salt, i, 3) >= this.activeFraction) return 0;
    const first = this.firstEdit(i);
    if (nowS <= first) return 0;
    return Math.floor((nowS - 1 - first) / this.period(i)) + 1;
  }

  /** updatedDate of record i at a given version. */
  updated(i: number, version: number): number {
    if (version === 0) return this.initialUpdated(i);
    return this.firstEdit(i) + (version - 1) * this.period(i);
  }

  private period(i: number): number {
    return this.minPeriod + (hash(this.seed, this.salt, i, 4) % (this.periodSpan + 1));
  }

  private firstEdit(i: number): number {
    const anchor = Math.max(this.t0, this.created(i));
    return anchor + 1 + (hash(this.seed, this.salt, i, 5) % this.period(i));
  }
}
