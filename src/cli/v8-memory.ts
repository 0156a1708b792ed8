/**
 * V8 tuned for a small resident set, for the `floe` process. A run's fetch phase turns every
 * page of JSON into objects and lines that die a moment later; with V8's default heap growth the
 * dead pages pile up to 150-200 MB of resident memory before a major collection, and the write
 * phase then adds DuckDB's buffer pool on top. `--optimize-for-size` makes V8 collect instead of
 * growing. Measured on a first load of 2M Wrike tasks: the fetch phase stays at 140-185 MB instead
 * of 300-350 MB, and the run peaks at 420 MB instead of 518-548 MB. V8 reads this flag at run time
 * (Node documents flags set after start-up as unsupported in general; this one is checked by the
 * memory figures in the README's benchmarks). `FLOE_V8_OPTIMIZE_FOR_SIZE=0` leaves V8's defaults.
 * Imported first by main.ts, before any module allocates.
 */
import { setFlagsFromString } from 'node:v8';

if (process.env.FLOE_V8_OPTIMIZE_FOR_SIZE !== '0') setFlagsFromString('--optimize-for-size');
