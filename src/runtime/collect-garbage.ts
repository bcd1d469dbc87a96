/**
 * A full garbage collection of this thread's heap, once start-up is over. Loading a
 * component leaves tens of MB of garbage (module files, their memory-capped copies,
 * jco's glue as it was parsed), which an idle process may keep in RSS for a long time:
 * V8 runs a full collection when allocation asks for it, and an idle app allocates
 * nothing (measured: three components, 249 -> 213 MB idle). V8 offers `gc` only with
 * --expose-gc; the flag is set for as long as it takes to make a context that has it,
 * so no other context (the embedding program's) ever sees a `gc` global.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** Collects if it can; a thread that finds no `gc` (another thread just cleared the flag) skips this once. */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    try {
      collect = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect?.();
}
