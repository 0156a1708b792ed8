/**
 * A full garbage collection between the phases of a long job. The L1 fetch phase leaves tens of
 * MB of dead page objects in V8's old space, which V8 collects only when the heap grows further,
 * and the write phase then adds DuckDB's native memory on top. Collecting at the boundary keeps
 * the peak near the larger of the two phases instead of their sum. Uses V8's `gc` through the
 * documented `--expose-gc` flag, set at run time; if that is unavailable it does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
